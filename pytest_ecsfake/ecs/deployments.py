"""Service deployments: starting one, completing it at steady state, and the deployment circuit breaker.

Wording of rolloutStateReason and of the deployment events follows what ECS is observed to write; where no
source gives it, it is the fake's own (see ``docs/fidelity-services.md``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from . import change_events
from . import service_history as history
from .service_model import Deployment, Service
from .state import TaskDefinition
from .task_model import Task

if TYPE_CHECKING:
    from ..core.backend import Backend

# A task stopped for one of these reasons before it was healthy is a failed task [M:Deployment].
FAILURE_CODES = frozenset({"TaskFailedToStart", "EssentialContainerExited"})
# The circuit breaker's threshold is half the desired count, held between 3 and 200 [DG:deployment-circuit-breaker].
BREAKER_MIN, BREAKER_MAX = 3, 200


def deployment_id(backend: Backend) -> str:
    """``ecs-svc/`` and 19 digits, from the fake's seeded generator."""
    digits = int(backend.ids.hex32()[:16], 16) % (9 * 10**18) + 10**18
    return f"ecs-svc/{digits}"


def start_deployment(backend: Backend, service: Service, definition: TaskDefinition, at: float,
                     platform_version: str | None, *, reason: str | None = None,
                     rollback_to: Deployment | None = None) -> Deployment:
    """A new PRIMARY deployment of ``definition`` with the service's current launch settings; the previous
    PRIMARY (if any) becomes ACTIVE, to be drained by the scheduler. A new service deployment records it,
    unless it is a rollback to ``rollback_to`` (which it then redeploys: the same service revision)."""
    ident = deployment_id(backend)
    deployment = Deployment(
        id=ident,
        definition=definition,
        launch_type=service.launch_type,
        capacity_provider_strategy=service.capacity_provider_strategy,
        platform_version=platform_version,
        network_configuration=service.network_configuration,
        created_at=at,
        updated_at=at,
        desired_count=service.desired_count,
        rollout_state_reason=reason or f"ECS deployment {ident} in progress.",
        service_connect=service.service_connect,
    )
    for older in service.deployments:
        older.status = "ACTIVE"
        older.updated_at = at
    service.deployments.insert(0, deployment)
    service.steady = False
    if rollback_to is None:
        history.record_start(backend, service, deployment, at)
    else:
        deployment.revision = rollback_to.revision
    change_events.deployment_changed(backend, service, ident, "SERVICE_DEPLOYMENT_IN_PROGRESS", at,
                                     deployment.rollout_state_reason)
    return deployment


def healthy(task: Task, at: float, healthy_after: float) -> bool:
    """RUNNING for ``healthy_after`` seconds: what counts towards minimumHealthyPercent [M:DeploymentConfiguration]."""
    started = task.times.get("startedAt")
    return task.last_status == "RUNNING" and started is not None and started + healthy_after <= at


def note_stop(deployment: Deployment, task: Task, healthy_after: float) -> None:
    """Count ``task`` (whose stop was just requested) as a failure of its deployment if it never got healthy."""
    if task.id in deployment.counted:
        return
    deployment.counted.add(task.id)
    started = task.times.get("startedAt")
    stopping = task.times.get("stoppingAt", started)
    if started is not None and stopping is not None and stopping - started >= healthy_after:
        deployment.proven = True  # it was healthy: the breaker stops counting [M:Deployment]
        deployment.failed_tasks = 0
    elif task.stop_code in FAILURE_CODES and not deployment.proven and deployment.rollout_state == "IN_PROGRESS":
        deployment.failed_tasks += 1


def note_unplaced(deployment: Deployment, count: int) -> None:
    """Tasks the scheduler could not launch count as failed tasks too [M:Deployment]."""
    if not deployment.proven and deployment.rollout_state == "IN_PROGRESS":
        deployment.failed_tasks += count


def breaker_threshold(desired: int) -> int:
    return min(BREAKER_MAX, max(BREAKER_MIN, math.ceil(desired / 2)))


def trip_breaker(backend: Backend, service: Service, at: float) -> None:
    """Fail the PRIMARY deployment when the circuit breaker is on and its failed tasks reached the threshold;
    with ``rollback``, start a deployment of the last COMPLETED one."""
    primary = service.primary
    breaker = service.deployment_configuration.get("deploymentCircuitBreaker") or {}
    if not breaker.get("enable") or primary.rollout_state != "IN_PROGRESS" or primary.proven:
        return
    if primary.failed_tasks < breaker_threshold(service.desired_count):
        return
    primary.rollout_state = "FAILED"
    primary.rollout_state_reason = "ECS deployment circuit breaker: tasks failed to start."
    primary.updated_at = at
    change_events.deployment_changed(backend, service, primary.id, "SERVICE_DEPLOYMENT_FAILED", at,
                                     primary.rollout_state_reason)
    service.add_event(backend.ids.uuid(), at,
                      f"(service {service.name}) (deployment {primary.id}) deployment failed: tasks failed to start.")
    record = history.record_of(backend, primary, service)
    if record is not None:
        record.breaker_status = "TRIGGERED"
    target = service.last_completed
    if not breaker.get("rollback") or target is None or target is primary:
        if record is not None:  # a FAILED deployment launches no new task; nothing to return to
            failed = "ROLLBACK_FAILED" if record.rollback_deployment is primary else "STOPPED"
            record.finish(failed, at, primary.rollout_state_reason, stopped=True)
        return
    rollback = _roll_back(backend, service, target, at,
                          f"ECS deployment circuit breaker: rolling back to deploymentId {target.id}.")
    if record is not None and record.rollback_deployment is None:
        record.set("ROLLBACK_IN_PROGRESS", at, "ECS deployment circuit breaker: tasks failed to start.")
        record.rollback = {"reason": "ECS deployment circuit breaker: tasks failed to start.", "startedAt": at,
                           "serviceRevisionArn": target.revision.arn}
        record.rollback_deployment = rollback
    elif record is not None:
        record.finish("ROLLBACK_FAILED", at, primary.rollout_state_reason, stopped=True)


def _roll_back(backend: Backend, service: Service, target: Deployment, at: float, reason: str) -> Deployment:
    """A new PRIMARY deployment of ``target``'s revision, with its launch settings."""
    service.launch_type = target.launch_type
    service.capacity_provider_strategy = target.capacity_provider_strategy
    service.network_configuration = target.network_configuration
    rollback = start_deployment(backend, service, target.definition, at, target.platform_version, reason=reason,
                                rollback_to=target)
    service.add_event(backend.ids.uuid(), at, f"(service {service.name}) rolling back to deployment {target.id}.")
    return rollback


def advance_history(backend: Backend, service: Service, at: float) -> None:
    """The scheduler's step moves its service deployments on: PENDING ones start, and a rollback that
    StopServiceDeployment requested starts rolling back."""
    for record in history.records_of(backend, service):
        if record.status == "PENDING":
            record.set("IN_PROGRESS", at)
            record.started_at = at
        elif record.status == "ROLLBACK_REQUESTED":
            source = record.rollback_source
            if source is None or source.revision is None:
                # Nothing to return to (the service's first deployment): the fake's choice and words.
                record.finish("ROLLBACK_FAILED", at, "There is no previous service revision to roll back to.")
                continue
            stopped = record.deployment
            stopped.rollout_state = "FAILED"
            stopped.rollout_state_reason = "Service deployment stopped: rolling back."  # the fake's words
            stopped.updated_at = at
            record.rollback_deployment = _roll_back(
                backend, service, source, at, f"Service deployment rolling back to deploymentId {source.id}.")
            record.set("ROLLBACK_IN_PROGRESS", at)
            record.rollback = {"reason": "StopServiceDeployment requested a rollback.", "startedAt": at,
                               "serviceRevisionArn": source.revision.arn}


def forget_replaced(service: Service, at: float) -> None:
    """ACTIVE deployments with no task left in RUNNING or PENDING become INACTIVE and leave the list."""
    for deployment in service.deployments[1:]:
        if any(t.desired_status == "RUNNING" or t.last_status == "RUNNING" for t in deployment.tasks):
            continue
        if any(t.last_status in ("PROVISIONING", "PENDING", "ACTIVATING") for t in deployment.tasks):
            continue
        deployment.status = "INACTIVE"
        deployment.desired_count = 0
        deployment.updated_at = at
        service.deployments.remove(deployment)


def settle_steady(backend: Backend, service: Service, at: float) -> None:
    """Note a steady state (one deployment, desiredCount tasks healthy, none pending): the PRIMARY's rollout
    is COMPLETED and the service says so in its events, once per arrival at steady state. Healthy, not just
    RUNNING: a release whose tasks crash soon after they start must not count as completed."""
    primary = service.primary
    live = primary.live
    healthy_after = backend.timings["service_healthy_after"]
    steady = (
        service.status == "ACTIVE"
        and len(service.deployments) == 1
        and len(live) == service.desired_count
        and all(healthy(t, at, healthy_after) for t in live)
        and primary.running_count == service.desired_count
        and primary.pending_count == 0
    )
    if steady and not service.steady:
        if primary.rollout_state == "IN_PROGRESS":
            primary.rollout_state = "COMPLETED"
            primary.rollout_state_reason = f"ECS deployment {primary.id} completed."
            primary.updated_at = at
            change_events.deployment_changed(backend, service, primary.id, "SERVICE_DEPLOYMENT_COMPLETED", at,
                                             primary.rollout_state_reason)
            service.add_event(backend.ids.uuid(), at,
                              f"(service {service.name}) (deployment {primary.id}) deployment completed.")
        if primary.rollout_state == "COMPLETED":
            service.last_completed = primary
            record = history.record_of(backend, primary, service)
            if record is not None and record.status in history.ONGOING:
                rolled_back = record.rollback_deployment is primary
                record.finish("ROLLBACK_SUCCESSFUL" if rolled_back else "SUCCESSFUL", at, None)
        service.add_event(backend.ids.uuid(), at, f"(service {service.name}) has reached a steady state.")
        change_events.service_action(backend, service, "SERVICE_STEADY_STATE", at)
    service.steady = steady
