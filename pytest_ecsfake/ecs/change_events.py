"""ECS's EventBridge events [DG:ecs_cwe_events]: task, container instance, service action and deployment state
changes, each built when the change happens (``core.state_events`` keeps and forwards them).

- "ECS Task State Change" [DG:ecs_task_events]: when a task is created (RunTask, StartTask, a service's
  scheduler), at every ``lastStatus`` change and when its ``desiredStatus`` becomes STOPPED. The ``detail`` is the
  task as DescribeTasks answers it, with the members the event documents (the EventBridge schema's
  ``ECSTaskStateChange``), timestamps as ISO 8601 strings, ``updatedAt`` the instant of the change and
  ``version`` the task's version then.
- "ECS Container Instance State Change" [DG:ecs_container_instance_events]: registration, status changes,
  deregistration, and the changes of remaining resources a task's placement or end makes.
- "ECS Service Action" [DG:ecs_service_events]: SERVICE_STEADY_STATE (INFO), SERVICE_TASK_PLACEMENT_FAILURE
  (WARN), with the cluster and ``createdAt``.
- "ECS Deployment State Change" [DG:ecs_service_deployment_events]: SERVICE_DEPLOYMENT_IN_PROGRESS, _COMPLETED
  (INFO) and _FAILED (ERROR), with ``deploymentId``, ``updatedAt`` and ``reason``.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from ..core.state_events import Kind, emit, emit_kind, iso

if TYPE_CHECKING:
    from ..core.backend import Backend
    from .service_model import Service
    from .task_model import Task

# The members of the event's detail [EventBridge schema registry aws.ecs@ECSTaskStateChange].
_TASK_KEYS = frozenset({
    "attachments", "attributes", "availabilityZone", "clusterArn", "connectivity", "connectivityAt",
    "containerInstanceArn", "containers", "cpu", "createdAt", "desiredStatus", "executionStoppedAt", "group",
    "lastStatus", "launchType", "memory", "overrides", "platformVersion", "pullStartedAt", "pullStoppedAt",
    "startedAt", "startedBy", "stopCode", "stoppedAt", "stoppedReason", "stoppingAt", "taskArn", "taskDefinitionArn",
    "capacityProviderName", "version",
})
_CONTAINER_KEYS = frozenset({
    "containerArn", "cpu", "exitCode", "gpuIds", "image", "imageDigest", "lastStatus", "memory", "memoryReservation",
    "name", "networkBindings", "networkInterfaces", "reason", "runtimeId", "taskArn",
})
_TASK_TIMES = ("createdAt", "connectivityAt", "pullStartedAt", "pullStoppedAt", "startedAt", "stoppingAt",
               "executionStoppedAt", "stoppedAt")
_INSTANCE_KEYS = frozenset({
    "agentConnected", "attributes", "clusterArn", "containerInstanceArn", "ec2InstanceId", "registeredResources",
    "remainingResources", "status", "version", "versionInfo", "agentUpdateStatus", "capacityProviderName",
    "registeredAt", "statusReason", "attachments",
})


def _region(arn: str) -> str:
    return arn.split(":")[3]


_TIME_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {}  # each order of a task's time keys, kept once
_NOT_STARTED: dict[tuple[Any, ...], tuple[Any, ...]] = {}  # containers' states before any started, kept once


def task_changed(backend: Backend, task: Task, at: float) -> None:
    """An "ECS Task State Change" event with the task as it is at ``at``. What changes in a task is kept as a
    tuple of plain values (cheap, and left alone by the garbage collector); the detail is made when read.
    The parts that did not change since the task's previous event (its rarely changing members, its
    containers) are that event's own tuples: four events of a task cost little more than one."""
    eni = task.eni
    times = task.times
    keys = tuple(times)
    keys = _TIME_KEYS.setdefault(keys, keys)
    instance = task.container_instance
    rare = (task.stop_code, task.stopped_reason, task.connectivity,
            instance.arn if instance is not None else None, task.capacity_provider)
    containers = tuple([(c.last_status, c.exit_code, c.reason, c.runtime_id, c.image_digest,
                         tuple([tuple(b.items()) for b in c.network_bindings]) if c.network_bindings else ())
                        for c in task.containers])
    if not [c for c in containers if c[3] is not None or c[2] is not None or c[1] is not None]:
        # Not started yet: the same few tuples for every task (no runtime id, no digest), kept once.
        containers = _NOT_STARTED.setdefault(containers, containers)
    previous = task.last_event
    if previous is not None:
        if previous[7] == rare:
            rare = previous[7]
        if previous[9] == containers:
            containers = previous[9]
    # (kind, at, task, lastStatus, desiredStatus, version, time keys, rare, ENI status, containers, *time values)
    entry = (_TASK_EVENT, at, task, task.last_status, task.desired_status, task.version, keys, rare,
             None if eni is None else eni["status"], containers, *times.values())
    task.last_event = entry
    emit_kind(backend, entry)


def _set(body: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        body.pop(key, None)
    else:
        body[key] = value


def _task_subject(entry: tuple[Any, ...]) -> tuple[str, str]:
    arn: str = entry[2].arn
    return _region(arn), arn


def _task_detail(entry: tuple[Any, ...], at: float) -> dict[str, Any]:
    """The detail of a task's event: the task described now, with what has changed since put back as it was."""
    task, last, desired, version, keys, rare, eni_status, containers = entry[2:10]
    values = entry[10:]
    stop_code, reason, connectivity, instance, provider = rare
    body = task.describe(None)
    body.update(lastStatus=last, desiredStatus=desired, version=version)
    for key in _TASK_TIMES[1:]:
        body.pop(key, None)
    body.update(zip(keys, values, strict=True))
    for key, value in (("stopCode", stop_code), ("stoppedReason", reason), ("connectivity", connectivity),
                       ("containerInstanceArn", instance), ("capacityProviderName", provider)):
        _set(body, key, value)
    eni = task.eni
    if eni is not None:  # as Task._attachments, with the ENI's status then
        details = eni["details"][:1] if eni_status == "PRECREATED" else eni["details"]
        body["attachments"] = [dict(eni, status=eni_status,
                                    details=[{"name": name, "value": value} for name, value in details])]
    for described, (status, code, why, runtime, digest, bindings) in zip(body["containers"], containers,
                                                                          strict=True):
        described.update(lastStatus=status, networkBindings=[dict(b) for b in bindings])
        for key, value in (("exitCode", code), ("reason", why), ("runtimeId", runtime), ("imageDigest", digest)):
            _set(described, key, value)
        if eni_status in (None, "PRECREATED"):
            described["networkInterfaces"] = []
    detail = {key: value for key, value in body.items() if key in _TASK_KEYS}
    for key in _TASK_TIMES:
        if key in detail:
            detail[key] = iso(detail[key])
    detail["containers"] = [{k: v for k, v in c.items() if k in _CONTAINER_KEYS} for c in body["containers"]]
    detail["overrides"] = copy.deepcopy(detail["overrides"])  # the task's are shared with others (ecs/launch.py)
    detail["updatedAt"] = iso(at)
    return detail


_TASK_EVENT = Kind("aws.ecs", "ECS Task State Change", _task_subject, _task_detail)


def watching(backend: Backend, others: tuple[Any, ...]) -> tuple[Any, ...]:
    """A task's watchers (``Task.watchers``) with, first, the one that emits the task's event at every
    ``lastStatus`` change: one per fake, shared by its tasks, as is the tuple of it alone (most tasks'), which
    then costs a task nothing the garbage collector walks."""
    shared: Any = backend.task_watcher
    if shared is None:
        def watch(task: Task, status: str, at: float) -> None:
            task_changed(backend, task, at)

        shared = backend.task_watcher = (watch,)
    return shared if not others else (*shared, *others)


def instance_changed(backend: Backend, described: dict[str, Any], at: float) -> None:
    """An "ECS Container Instance State Change" event; ``described`` is the DescribeContainerInstances entry."""
    arn = described["containerInstanceArn"]
    emit(backend, source="aws.ecs", detail_type="ECS Container Instance State Change", region=_region(arn),
         resource=arn, snapshot=described, at=at, finish=_instance_detail)


def _instance_detail(described: dict[str, Any], at: float) -> dict[str, Any]:
    detail = {key: value for key, value in described.items() if key in _INSTANCE_KEYS}
    if isinstance(detail.get("registeredAt"), (int, float)):
        detail["registeredAt"] = iso(detail["registeredAt"])
    detail["updatedAt"] = iso(at)
    return detail


def service_action(backend: Backend, service: Service, name: str, at: float, *, event_type: str = "INFO",
                   **extra: Any) -> None:
    """An "ECS Service Action" event (``name``: SERVICE_STEADY_STATE, SERVICE_TASK_PLACEMENT_FAILURE, ...)."""
    detail = {"eventType": event_type, "eventName": name, "clusterArn": service.cluster.arn, "createdAt": iso(at),
              **extra}
    emit(backend, source="aws.ecs", detail_type="ECS Service Action", region=_region(service.arn),
         resource=service.arn, snapshot=detail, at=at)


_DEPLOYMENT_REASONS = {
    "SERVICE_DEPLOYMENT_IN_PROGRESS": ("INFO", "ECS deployment {} in progress."),
    "SERVICE_DEPLOYMENT_COMPLETED": ("INFO", "ECS deployment {} completed."),
    "SERVICE_DEPLOYMENT_FAILED": ("ERROR", "ECS deployment circuit breaker: tasks failed to start."),
}


def deployment_changed(backend: Backend, service: Service, deployment_id: str, name: str, at: float,
                       reason: str | None = None) -> None:
    """An "ECS Deployment State Change" event of ``service``'s deployment ``deployment_id``."""
    event_type, template = _DEPLOYMENT_REASONS[name]
    detail = {"eventType": event_type, "eventName": name, "deploymentId": deployment_id, "updatedAt": iso(at),
              "reason": reason or template.format(deployment_id)}
    emit(backend, source="aws.ecs", detail_type="ECS Deployment State Change", region=_region(service.arn),
         resource=service.arn, snapshot=detail, at=at)

