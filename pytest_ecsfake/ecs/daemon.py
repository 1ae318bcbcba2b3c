"""DAEMON services: one task on each ACTIVE container instance of the cluster that meets the service's placement
constraints [M:CreateServiceRequest.schedulingStrategy].

The scheduler (``scheduler.py``) asks ``plan`` what to stop and where to start at each of its steps; the
cluster's instance watchers (``instance_model.instances_changed``) wake it whenever an instance registers,
changes status or deregisters. A daemon's desiredCount is the number of eligible instances. A deployment
replaces the task of each instance within ``minimumHealthyPercent`` (daemon default 0) and ``maximumPercent``
(daemon default 100) of that count: with the defaults every old task is stopped at once and its replacement is
started on the same instance once the old one has stopped [DG:service_scheduler_daemon].
"""

from __future__ import annotations

import math

from ..core.context import Context
from .deployments import healthy
from .instance_model import ContainerInstance, instances_of
from .placement import unmet
from .service_model import Service
from .task_model import Task

# The daemon defaults of the rolling update (ECS) controller [M:DeploymentConfiguration.minimumHealthyPercent,
# M:DeploymentConfiguration.maximumPercent].
DAEMON_MAXIMUM_PERCENT = 100
DAEMON_MINIMUM_HEALTHY_PERCENT = 0

DESIRED_COUNT = ("The daemon scheduling strategy does not support a desired count for services. "
                 "Remove the desired count value and try again")  # fabfuel/ecs-deploy#59, kayac/ecspresso#20
PLACEMENT_STRATEGY = ("The daemon scheduling strategy does not support placement strategies. "
                      "Remove the placement strategy and try again")  # kayac/ecspresso#402
CAPACITY_PROVIDERS = ("Specifying a capacity provider strategy is not supported when you create a service "
                      "using the DAEMON scheduling strategy.")  # aws/containers-roadmap#692
# Not confirmed: no source quotes AWS's words for DAEMON with Fargate; the model says it is not supported.
FARGATE = "The daemon scheduling strategy is not supported with the FARGATE launch type. Use the EC2 launch type."


def eligible(ctx: Context, service: Service) -> list[ContainerInstance]:
    """The instances a task of ``service`` belongs on: ACTIVE, of its launch type (EC2 or EXTERNAL), meeting
    the service's and its task definition's placement constraints and required attributes."""
    body = service.primary.definition.body
    constraints = list(body.get("placementConstraints", [])) + list(service.placement_constraints)
    requires = [a["name"] for a in body.get("requiresAttributes", [])]
    external = service.launch_type == "EXTERNAL"
    return [i for i in instances_of(ctx, service.cluster)
            if i.status == "ACTIVE" and i.external == external and unmet(i, constraints, requires) is None]


def _instance_id(task: Task) -> str | None:
    instance = task.container_instance
    return None if instance is None else str(instance.id)


def plan(ctx: Context, service: Service, protected: set[str]) -> tuple[list[Task], list[ContainerInstance]]:
    """(the tasks to stop now, the instances to start a PRIMARY task on now); sets the service's desiredCount.

    ``protected``: ids of tasks under scale-in protection, which a deployment does not stop; a task on an
    instance that is no longer eligible is stopped whatever its protection (that is neither scale-in nor a
    deployment)."""
    at = ctx.now
    healthy_after = ctx.backend.timings["service_healthy_after"]
    targets = eligible(ctx, service)
    target_ids = {i.id for i in targets}
    desired = service.desired_count = service.primary.desired_count = len(targets)
    primary = service.primary
    stops: list[Task] = []
    primary_on: dict[str, Task] = {}
    for task in primary.live:
        where = _instance_id(task)
        if where not in target_ids or where in primary_on:
            stops.append(task)  # its instance drains, left or no longer meets the constraints; or a duplicate
        else:
            primary_on[str(where)] = task
    old = [t for d in service.deployments[1:] for t in d.live]
    for task in old:
        if _instance_id(task) not in target_ids or (task.last_status != "RUNNING" and task.id not in protected):
            stops.append(task)
    config = service.deployment_configuration
    minimum = math.ceil(desired * config.get("minimumHealthyPercent", DAEMON_MINIMUM_HEALTHY_PERCENT) / 100)
    everyone = [t for d in service.deployments for t in d.live]
    healthy_left = sum(1 for t in everyone if t not in stops and healthy(t, at, healthy_after))
    if primary.rollout_state != "FAILED":
        for task in old:
            if task in stops or task.id in protected:
                continue
            replacement = primary_on.get(str(_instance_id(task)))
            is_healthy = healthy(task, at, healthy_after)
            if replacement is not None and healthy(replacement, at, healthy_after):
                stops.append(task)  # replaced on its instance by a healthy task
                healthy_left -= is_healthy
            elif healthy_left - is_healthy >= minimum:
                stops.append(task)
                healthy_left -= is_healthy
    # maximumPercent bounds the tasks RUNNING or PENDING while older deployments still have tasks.
    old_left = {_instance_id(t) for t in old if t not in stops}
    maximum = config.get("maximumPercent", DAEMON_MAXIMUM_PERCENT)
    cap = math.floor(desired * maximum / 100) if old_left else desired
    live_after = sum(1 for t in everyone if t not in stops)
    stopping_on = {_instance_id(t) for t in stops}
    group = f"service:{service.name}"
    starts: list[ContainerInstance] = []
    if primary.rollout_state == "FAILED":
        return stops, starts
    for instance in targets:
        if instance.id in primary_on:
            continue
        if instance.id in old_left:
            if maximum <= 100:
                continue  # a second task beside the old one only when maximumPercent leaves room above 100
        elif instance.id in stopping_on or instance.group_count(group):
            continue  # the task it had is still stopping: wait until it is STOPPED and its resources are back
        if live_after >= cap:
            break
        starts.append(instance)
        live_after += 1
    return stops, starts
