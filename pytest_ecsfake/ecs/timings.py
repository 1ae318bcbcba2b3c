"""Default durations of ECS phases, in seconds of fake time: tasks, clusters and the service scheduler.

AWS documents the order of these phases, not their lengths. The defaults are plausible figures chosen so a
Fargate task is RUNNING within 60 s of RunTask and an EC2 task within 30 s; each key is listed in README
("Timings"). ``EcsFake(timings={...})`` overrides them (``ways_in/options``).
"""

from __future__ import annotations

ECS_TIMINGS: dict[str, float] = {
    # ECS tasks, launch (awsvpc tasks walk PROVISIONING first; bridge/host tasks start in PENDING).
    "provisioning": 5.0,  # PROVISIONING → PENDING: ENI created and attached; connectivityAt at its end
    "pull_start": 1.0,  # PENDING → ACTIVATING, when the image pull starts (pullStartedAt)
    "pull": 10.0,  # image pull (pullStartedAt → pullStoppedAt), Fargate
    "pull_ec2": 3.0,  # image pull on an EC2 container instance (images are often cached)
    "activating": 2.0,  # pull done (pullStoppedAt) → RUNNING (startedAt): containers created and started
    # ECS tasks, stop.
    "deactivating": 2.0,  # DEACTIVATING → STOPPING: deregistration before containers get their stop signal
    "cleanup": 1.0,  # last container exited → DEPROVISIONING (awsvpc) or STOPPED: the agent reports the stop
    "deprovisioning": 5.0,  # DEPROVISIONING → STOPPED (stoppedAt): ENI detached and deleted
    "stopped_visible": 3600.0,  # a STOPPED task stays visible to DescribeTasks this long, then is MISSING
    # ECS clusters.
    "cluster_deprovision": 0.0,  # DeleteCluster: DEPROVISIONING → INACTIVE (0: INACTIVE at once)
    "cluster_inactive_visible": 3600.0,  # an INACTIVE cluster stays discoverable this long, then is gone
    # ECS task definitions. DeleteTaskDefinitions: a DELETE_IN_PROGRESS revision is gone this long after the
    # call, or, while a task or service still uses it, this long after a check finds it unused (checked again
    # every this-long, at least every second) [M:DeleteTaskDefinitions].
    "task_definition_delete": 60.0,
    # Capacity providers (docs/fidelity-capacity-providers.md).
    "capacity_provider_update": 10.0,  # *_IN_PROGRESS → *_COMPLETE: provider update/delete, cluster attachments
    "capacity_provider_scale_out": 180.0,  # a task waits for capacity → the scale-out's instances are registered
    # A task waiting in PROVISIONING for capacity is stopped after this long (AWS: "between 10 and 30 minutes").
    "capacity_provider_provisioning_timeout": 1800.0,
    # UpdateContainerAgent (ecs/agent_updates.py): the documented stages of an agent update [DG:agent-update-ecs-ami].
    "agent_update_pending": 5.0,  # PENDING → STAGING: the agent takes the update up and starts the download
    "agent_update_staging": 20.0,  # STAGING → STAGED (or FAILED): the new agent downloaded and verified
    "agent_update_staged": 1.0,  # STAGED → UPDATING: ecs-init restarts the agent (disconnected meanwhile)
    "agent_update_updating": 10.0,  # UPDATING → UPDATED: the new agent is connected, versionInfo updated
    # Gateways (docs/fidelity-gateways.md). UpdateGateway: UPDATE_IN_PROGRESS → UPDATE_COMPLETE.
    "gateway_update": 30.0,
    "gateway_route_create": 60.0,  # a route CREATE_IN_PROGRESS → ACTIVE (its ALB rule, target group, certificate)
    "gateway_route_delete": 30.0,  # a route DELETE_IN_PROGRESS → gone (then a DISASSOCIATING association may go)
    # Express services: the managed resources (load balancer, certificate, ...) PROVISIONING → ACTIVE.
    "express_provisioning": 60.0,
}

SERVICE_TIMINGS: dict[str, float] = {
    # The scheduler acts this long after something changed: CreateService/UpdateService/DeleteService, or a
    # state change of one of the service's tasks (a task reached RUNNING, a task is stopping).
    "service_scheduler_delay": 1.0,
    # A task without container health checks counts towards minimumHealthyPercent only after this long in
    # RUNNING [M:DeploymentConfiguration]; the fake also takes it as the circuit breaker's "started" mark.
    "service_healthy_after": 40.0,
    # Tasks that fit on no container instance are placed again after this long.
    "service_placement_retry": 30.0,
}
