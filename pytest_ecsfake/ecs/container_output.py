"""What containers write, to CloudWatch Logs through the ``awslogs`` log driver [DG:using_awslogs].

A container definition's ``logConfiguration: {"logDriver": "awslogs", "options": {...}}`` names the group
(``awslogs-group``), the region (``awslogs-region``, else the task's) and the stream: ``<awslogs-stream-prefix>
/<container name>/<task id>``, or without a prefix the container's runtime id (EC2's Docker container id).

* When the containers are created (the image pulled, before ACTIVATING), the group must exist: with
  ``awslogs-create-group: "true"`` it is created, else the task fails to start (TaskFailedToStart), as AWS
  reports it (Fargate: ResourceInitializationError, EC2: CannotStartContainerError; ``GROUP_MISSING``).
  While moto is active (it answers Logs) the group is created instead.
* When a container starts (the task reaches RUNNING) its stream is created, its untimed ``logs`` lines are
  written at that instant, and each ``(seconds, line)`` is an event that much later on the fake clock.
* A line timed after the container exited is never written: the process is gone (a line due at the very
  instant of the exit is written).

Timestamps and ingestion times are the fake clock's (the driver ships lines as they are written).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core import hooks
from ..core.context import logs_state
from ..logs.state import LogGroup, LogStream, append, create_group, create_stream, ms

if TYPE_CHECKING:
    from ..core.backend import Backend
    from .task_model import Container, Task

# The stoppedReason of a task whose awslogs group does not exist [obs: airbnb/ottr#7 (Fargate);
# ryfeus/stepfunctions2processing#5, cn-terraform/terraform-aws-nexus#35 (Docker's awslogs driver)].
GROUP_MISSING = {
    "FARGATE": "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 "
               "times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log "
               "group does not exist. : exit status 1",
    "EC2": "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to "
           "create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.",
}


def awslogs_options(task: Task, container: Container) -> dict[str, Any] | None:
    """The ``awslogs`` options of the container's definition; None for another driver or none."""
    for definition in task.definition.body.get("containerDefinitions", []):
        if definition.get("name") == container.name:
            config = definition.get("logConfiguration") or {}
            if config.get("logDriver") != "awslogs":
                return None
            options: dict[str, Any] = config.get("options") or {}
            return options if options.get("awslogs-group") else None
    return None


def _region(task: Task, options: dict[str, Any]) -> str:
    return str(options.get("awslogs-region") or task.arn.split(":")[3])


def stream_name(task: Task, container: Container, options: dict[str, Any]) -> str:
    prefix = options.get("awslogs-stream-prefix")
    if prefix:
        return f"{prefix}/{container.name}/{task.id}"
    return container.runtime_id or f"{task.id}-{task.containers.index(container)}"


def create_groups(backend: Backend, task: Task, at: float) -> str | None:
    """At container creation: create the groups asked for; the stoppedReason if a group is missing."""
    for container in task.containers:
        options = awslogs_options(task, container)
        if options is None:
            continue
        region = _region(task, options)
        logs = logs_state(backend.region_state(region))
        name = str(options["awslogs-group"])
        if name in logs.groups:
            continue
        moto = hooks.moto_holds_logs()  # moto answers Logs: a group the test made went there, so create it
        if str(options.get("awslogs-create-group", "")).lower() == "true" or moto:
            if moto:  # one CloudWatch Logs: moto lists the group too (it may hold it already)
                hooks.mirror_log_group(region, name)
            create_group(logs, region, backend.account_id, name, ms(at))
            continue
        reason = GROUP_MISSING["FARGATE" if task.launch_type == "FARGATE" else "EC2"]
        container.reason = reason
        return reason
    return None


def started(backend: Backend, task: Task, container: Container, at: float) -> None:
    """The container reached RUNNING: its stream exists from now, its lines are written now or later."""
    options = awslogs_options(task, container)
    if options is None:
        return
    region = _region(task, options)
    logs = logs_state(backend.region_state(region))
    group = logs.groups.get(str(options["awslogs-group"]))
    if group is None:  # deleted since the containers were created: the driver has nowhere to write
        return
    name = stream_name(task, container, options)
    stream = group.streams.get(name) or create_stream(group, name, ms(at))
    for seconds, line in container.behavior.logs:
        if seconds is None:
            append(logs, stream, ms(at), line, ms(at))
        else:
            backend.events.schedule(at + seconds, _writer(backend, region, group, stream, container, line))


def _writer(backend: Backend, region: str, group: LogGroup, stream: LogStream, container: Container,
            line: str) -> Any:
    def write(at: float) -> None:
        if container.stopped_at is not None and container.stopped_at < at:
            return  # the container exited before this line was due
        logs = logs_state(backend.region_state(region))
        if logs.groups.get(group.name) is not group or group.streams.get(stream.name) is not stream:
            return  # the group or stream was deleted meanwhile
        append(logs, stream, ms(at), line, ms(at))

    return write
