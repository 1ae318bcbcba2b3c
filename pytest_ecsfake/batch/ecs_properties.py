"""Multi-container jobs: ``ecsProperties.taskProperties[0].containers[]`` job definitions (user guide "Create
job definitions using EcsProperties"; [M:EcsProperties; M:EcsTaskProperties; M:TaskContainerProperties]).

One ECS task with every container of the job definition (up to 10), ``essential`` (default true) and
``dependsOn`` between them as ECS runs them (ecs/container_dependencies.py). The job's vCPUs and memory are the
sums of its containers'. SubmitJob's ``ecsPropertiesOverride`` replaces a named container's command and
resource requirements and merges its environment; each container gets Batch's variables. The job's outcome
comes from its essential containers: SUCCEEDED when the task ended by an essential container's exit and every
essential container exited 0; otherwise the attempt failed (exit code and reason of the first essential
container that did not exit 0) and is retried as any attempt. Each container logs to
``<jobDefName>/<container name>/<task id>``; DescribeJobs answers them in ``ecsProperties`` and
``attempts[].taskProperties`` (``container`` is empty, as the reference says of multi-container jobs).

launch.py builds the attempts' task definition and overrides from here; attempts.py and wire.py ask
``deciding_container``, ``behaviors`` and ``describe``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core.backend import Backend
from ..core.behavior import DEFAULT_BEHAVIOR
from ..core.context import Context
from ..core.errors import ClientException
from ..ecs.state import TaskDefinition
from ..ecs.task_model import Container, Task
from . import ecs_definitions
from .state import Attempt, ComputeEnvironment, Job, JobDefinition, json_copy, ms

MAX_CONTAINERS = 10  # "the task element can run up to 10 containers" [M:EcsProperties.taskProperties]
DEFAULT_LOG_GROUP = "/aws/batch/job"


def is_multi_container(definition: JobDefinition) -> bool:
    return "ecsProperties" in definition.body


def _requirement(container: dict[str, Any], kind: str) -> float | None:
    value = next((r["value"] for r in container.get("resourceRequirements", []) if r["type"] == kind), None)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise ClientException(f"resourceRequirements {kind} value {value!r} is not a number.") from None


def _names(containers: list[dict[str, Any]]) -> list[str]:
    """Each container's name; one without gets ``container-<index>`` (the fake's choice)."""
    return [str(c.get("name") or f"container-{i}") for i, c in enumerate(containers)]


def check_definition(ctx: Context, req: dict[str, Any], fargate: bool, check_environment: Callable[[Any], None],
                     fargate_resources: Callable[[float | None, int | None], None]) -> dict[str, Any]:
    """The ``ecsProperties`` of a RegisterJobDefinition, checked; as DescribeJobDefinitions answers them.
    Wording: the fake's own unless noted (not confirmed)."""
    props = json_copy(req["ecsProperties"])
    tasks = props["taskProperties"]
    if len(tasks) != 1:  # "This object is currently limited to one task element."
        raise ClientException("ecsProperties.taskProperties is limited to one task element.")
    task = tasks[0]
    containers = task["containers"]
    if not 1 <= len(containers) <= MAX_CONTAINERS:
        raise ClientException(f"A task can run from 1 to {MAX_CONTAINERS} containers, got {len(containers)}.")
    names = _names(containers)
    if len(set(names)) != len(names):
        raise ClientException("The containers of a task must have unique names.")
    if not any(c.get("essential", True) for c in containers):
        # "All jobs must have at least one essential container." [M:TaskContainerProperties.essential]
        raise ClientException("A task must have at least one essential container.")
    essential = {n for n, c in zip(names, containers, strict=True) if c.get("essential", True)}
    for name, container in zip(names, containers, strict=True):
        check_environment(container.get("environment", []))
        for dep in container.get("dependsOn", []):
            if dep.get("containerName") not in names:
                raise ClientException(f"Container {name} depends on {dep.get('containerName')}, which is not a "
                                      "container of the task.")
            if dep.get("condition") in ("COMPLETE", "SUCCESS") and dep.get("containerName") in essential:
                ctx.documented(f"dependsOn condition {dep.get('condition')} can't be set on an essential container "
                               "[M:TaskContainerDependency.condition]")
    if fargate and not task.get("executionRoleArn"):
        raise ClientException("taskProperties.executionRoleArn is required for jobs that run on Fargate resources.")
    totals(containers, fargate, fargate_resources)
    for container in containers:
        for key in ("environment", "mountPoints", "ulimits", "resourceRequirements", "secrets", "dependsOn"):
            container.setdefault(key, [])
        container.setdefault("essential", True)
    for name, container in zip(names, containers, strict=True):
        container.setdefault("name", name)
    task.setdefault("volumes", [])
    if fargate:
        task.setdefault("networkConfiguration", {"assignPublicIp": "DISABLED"})
        task.setdefault("platformVersion", "LATEST")
    return props  # type: ignore[no-any-return]


def totals(containers: list[dict[str, Any]], fargate: bool,
           fargate_resources: Callable[[float | None, int | None], None] | None = None) -> tuple[float, int]:
    """The task's vCPUs and MiB: the sums of its containers' VCPU and MEMORY requirements."""
    vcpus = sum(_requirement(c, "VCPU") or 0.0 for c in containers)
    memory = int(sum(_requirement(c, "MEMORY") or 0.0 for c in containers))
    if fargate:
        if fargate_resources is not None:
            fargate_resources(vcpus or None, memory or None)
    elif vcpus < 1 or memory < 4:
        raise ClientException("The containers of the job must reserve at least 1 vCPU and 4 MiB of memory in all "
                              "(VCPU and MEMORY in their resourceRequirements).")
    return vcpus, memory


@dataclass(eq=False)
class Containers:
    containers: list[dict[str, Any]]  # the job's effective TaskContainerProperties
    totals: tuple[float, int]


def for_job(definition: JobDefinition, req: dict[str, Any], parameters: dict[str, str],
            check_environment: Callable[[Any], None]) -> Containers:
    """SubmitJob of a multi-container job definition, with ``ecsPropertiesOverride`` [M:TaskContainerOverrides]."""
    containers = [dict(c) for c in definition.body["ecsProperties"]["taskProperties"][0]["containers"]]
    by_name = {c["name"]: c for c in containers}
    for task in (req.get("ecsPropertiesOverride") or {}).get("taskProperties", [])[:1]:
        for change in task.get("containers", []):
            target = by_name.get(change.get("name"))
            if target is None:
                raise ClientException(f"ecsPropertiesOverride names container {change.get('name')}, which is not a "
                                      "container of the job definition.")
            if "command" in change:
                target["command"] = list(change["command"])
            if "environment" in change:
                check_environment(change["environment"])
                merged = {v.get("name"): dict(v) for v in [*target.get("environment", []), *change["environment"]]}
                target["environment"] = list(merged.values())
            if "resourceRequirements" in change:
                kinds = {r["type"]: dict(r) for r in target.get("resourceRequirements", [])}
                kinds.update({r["type"]: dict(r) for r in change["resourceRequirements"]})
                target["resourceRequirements"] = list(kinds.values())
    for container in containers:
        if "command" in container:  # "Ref::name" placeholders take the parameter's value
            container["command"] = [parameters.get(a[5:], a) if a.startswith("Ref::") else a
                                    for a in container["command"]]
    return Containers(containers, totals(containers, definition.fargate))


def task_definition(ctx: Context, definition: JobDefinition) -> TaskDefinition:
    """The ECS task definition of a multi-container revision: ``batch-<name>:<revision>``, one container
    definition per container, made once (kept out of ECS's own listings, as for container jobs)."""
    if definition.task_definition is not None:
        return definition.task_definition
    task = definition.body["ecsProperties"]["taskProperties"][0]
    containers = []
    for container in task["containers"]:
        body: dict[str, Any] = {
            "name": container["name"], "image": container["image"], "essential": container["essential"],
            "cpu": int((_requirement(container, "VCPU") or 0) * 1024), "command": list(container.get("command", [])),
            "environment": [dict(v) for v in container.get("environment", [])], "portMappings": [],
            "mountPoints": [], "volumesFrom": [], "logConfiguration": _log_configuration(definition, container),
        }
        if container.get("dependsOn"):
            body["dependsOn"] = [dict(d) for d in container["dependsOn"]]
        if container.get("stopTimeout") is not None:
            body["stopTimeout"] = container["stopTimeout"]
        containers.append(body)
    return ecs_definitions.make(ctx, definition, containers, {"executionRoleArn": task.get("executionRoleArn"),
                                                              "taskRoleArn": task.get("taskRoleArn")})


def _log_configuration(definition: JobDefinition, container: dict[str, Any]) -> dict[str, Any]:
    """As launch.log_configuration: awslogs to /aws/batch/job with the job definition's name as prefix."""
    given = container.get("logConfiguration")
    config: dict[str, Any] = json_copy(given) if given else {"logDriver": "awslogs", "options": {}}
    if config.get("logDriver") == "awslogs":
        options = config.setdefault("options", {})
        options.setdefault("awslogs-group", DEFAULT_LOG_GROUP)
        options.setdefault("awslogs-stream-prefix", definition.name)
        if options["awslogs-group"] == DEFAULT_LOG_GROUP:
            options.setdefault("awslogs-create-group", "true")
    return config


def overrides(job: Job, env: ComputeEnvironment, batch_variables: list[dict[str, str]]) -> dict[str, Any]:
    """The ECS task overrides of one attempt: every container's command, environment and resources."""
    out: list[dict[str, Any]] = []
    for container in job.containers:
        item: dict[str, Any] = {"name": container["name"],
                                "environment": [dict(v) for v in container.get("environment", [])] + batch_variables}
        if container.get("command"):
            item["command"] = list(container["command"])
        if not env.fargate:
            item["cpu"] = int((_requirement(container, "VCPU") or 0) * 1024)
            memory = _requirement(container, "MEMORY")
            if memory is not None:
                item["memory"] = int(memory)
        out.append(item)
    body: dict[str, Any] = {"containerOverrides": out}
    if env.fargate:
        body["cpu"] = str(int(job.vcpus * 1024))
        body["memory"] = str(job.memory)
    return body


def behaviors(backend: Backend, task: Task, job: Job) -> None:
    """Each container's behaviour: ``fake.behavior`` of its image, else its name, else the job's name."""
    for container in task.containers:
        container.behavior = (backend.behaviors.get(container.image) or backend.behaviors.get(container.name)
                              or backend.behaviors.get(job.name) or DEFAULT_BEHAVIOR)


def deciding_container(task: Task) -> Container:
    """The container whose exit decides the attempt: the first essential one that did not exit 0, else the
    first essential one."""
    essential = [c for c in task.containers if c.essential] or task.containers
    return next((c for c in essential if c.exit_code != 0), essential[0])


def _stream(attempt: Attempt, container: Container) -> str | None:
    if attempt.started_at is None or container.runtime_id is None:
        return None
    options = (container_config(attempt.task, container.name) or {}).get("options", {})
    return f"{options.get('awslogs-stream-prefix')}/{container.name}/{attempt.task.id}"


def container_config(task: Task, name: str) -> dict[str, Any] | None:
    found = next((d for d in task.definition.body["containerDefinitions"] if d["name"] == name), None)
    return None if found is None else found.get("logConfiguration")


def _container_state(attempt: Attempt, container: Container) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if container.exit_code is not None and attempt.ended:
        body["exitCode"] = container.exit_code
    if container.reason and attempt.ended:
        body["reason"] = container.reason
    stream = _stream(attempt, container)
    if stream:
        body["logStreamName"] = stream
    body["networkInterfaces"] = attempt.task.network_interfaces()
    return body


def describe(job: Job, body: dict[str, Any]) -> None:
    """JobDetail of a multi-container job: ``ecsProperties`` with each container's state, ``attempts`` with
    ``taskProperties``, an empty ``container``."""
    body["container"] = {}
    task_props = json_copy(job.definition.body["ecsProperties"]["taskProperties"][0])
    task_props["containers"] = [dict(c) for c in job.containers]
    attempt = job.attempts[-1] if job.attempts else None
    if attempt is not None:
        task_props["taskArn"] = attempt.task.arn
        if attempt.task.container_instance is not None:
            task_props["containerInstanceArn"] = attempt.task.container_instance.arn
        for detail, container in zip(task_props["containers"], attempt.task.containers, strict=False):
            detail.update(_container_state(attempt, container))
    body["ecsProperties"] = {"taskProperties": [task_props]}
    attempts = []
    for ended in (a for a in job.attempts if a.ended):
        item: dict[str, Any] = {"taskArn": ended.task.arn,
                                "containers": [dict(name=c.name, **_container_state(ended, c))
                                               for c in ended.task.containers]}
        if ended.task.container_instance is not None:
            item["containerInstanceArn"] = ended.task.container_instance.arn
        shown: dict[str, Any] = {"taskProperties": [item]}
        if ended.started_at is not None:
            shown["startedAt"] = ms(ended.started_at)
        if ended.stopped_at is not None:
            shown["stoppedAt"] = ms(ended.stopped_at)
        if ended.status_reason:
            shown["statusReason"] = ended.status_reason
        attempts.append(shown)
    body["attempts"] = attempts
