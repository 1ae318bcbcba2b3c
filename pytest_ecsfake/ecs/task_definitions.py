"""RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions, ListTaskDefinitionFamilies,
DeregisterTaskDefinition, and ``resolve_task_definition`` for the operations that launch tasks.
DeleteTaskDefinitions is in ``task_definition_deletion.py``: a deleted revision is found by none of these."""

from __future__ import annotations

import copy
import re
from typing import Any

from ..core.context import Context
from ..core.errors import ClientException, InvalidParameterException
from ..core.paging import page, with_token
from ..core.registry import handler
from .state import TaskDefinition
from .tags import resolver, set_tags, tag_list, tags_of

# Task cpu → the memory values Fargate accepts with it (MiB) [DG:task-cpu-memory-error].
FARGATE_MEMORY: dict[int, range | tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: range(1024, 4096 + 1, 1024),
    1024: range(2048, 8192 + 1, 1024),
    2048: range(4096, 16384 + 1, 1024),
    4096: range(8192, 30720 + 1, 1024),
    8192: range(16384, 61440 + 1, 4096),
    16384: range(32768, 122880 + 1, 8192),
}
_UNITS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")


def _units(value: str, field: str, units: dict[str, int]) -> int:
    """'1024', '1 vCPU', '2 GB' → an integer in the base unit; AWS answers the normalised number."""
    match = _UNITS.match(str(value))
    scale = units.get(match.group(2).lower()) if match else None
    if match is None or scale is None:
        # AWS's sentence, seen for 'cpu' (hashicorp/waypoint#574, cds-snc/notification-terraform#329); 'memory'
        # by analogy
        raise ClientException(f"Invalid '{field}' setting for task. For more information, see the Troubleshooting "
                              "section of the Amazon ECS Developer Guide.")
    return int(float(match.group(1)) * scale)


def _container(definition: dict[str, Any], network_mode: str) -> dict[str, Any]:
    container = copy.deepcopy(definition)
    container.setdefault("cpu", 0)
    container.setdefault("essential", True)
    for key in ("portMappings", "environment", "mountPoints", "volumesFrom", "systemControls"):
        container.setdefault(key, [])
    for mapping in container["portMappings"]:
        mapping.setdefault("protocol", "tcp")
        if network_mode in ("awsvpc", "host") and "containerPort" in mapping:
            mapping.setdefault("hostPort", mapping["containerPort"])
    return container


def _volume(volume: dict[str, Any]) -> dict[str, Any]:
    stored = copy.deepcopy(volume)
    efs = stored.get("efsVolumeConfiguration")
    if isinstance(efs, dict):
        # "If this parameter is omitted, the root of the Amazon EFS volume will be used" and AWS answers "/"
        # [M:EFSVolumeConfiguration.rootDirectory; FIDELITY "Observed since"].
        efs.setdefault("rootDirectory", "/")
    return stored


def _requires_attributes(req: dict[str, Any], mode: str) -> list[dict[str, str]]:
    names = []
    if mode == "awsvpc":
        names.append("ecs.capability.task-eni")
    if req.get("taskRoleArn"):
        names.append("com.amazonaws.ecs.capability.task-iam-role")
    for container in req["containerDefinitions"]:
        driver = (container.get("logConfiguration") or {}).get("logDriver")
        if driver:
            names.append(f"com.amazonaws.ecs.capability.logging-driver.{driver}")
            if driver == "awslogs" and req.get("executionRoleArn"):
                names.append("ecs.capability.execution-role-awslogs")
        if ".dkr.ecr." in container.get("image", ""):
            names.append("com.amazonaws.ecs.capability.ecr-auth")
            if req.get("executionRoleArn"):
                names.append("ecs.capability.execution-role-ecr-pull")
    return [{"name": n} for n in dict.fromkeys(names)]


def _check_containers(req: dict[str, Any], fargate: bool) -> None:
    containers = req["containerDefinitions"]
    if not containers:
        raise ClientException("Container list cannot be empty.")
    seen: set[str] = set()
    for container in containers:
        name = container.get("name")
        if not name:
            raise ClientException("Container.name should not be null or empty.")
        if name in seen:
            raise ClientException(f"Duplicate container name '{name}': container names must be unique.")
        seen.add(name)
        if not fargate and "memory" not in req and not (container.get("memory") or container.get("memoryReservation")):
            raise ClientException(
                f"Invalid setting for container '{name}'. At least one of 'memory' or 'memoryReservation' "
                "must be specified."
            )
        if not container.get("image"):
            # AWS's sentence names no container; which one it was goes on the call record.
            error = ClientException("Container.image should not be null or empty.")
            error.violations = (f"containerDefinitions: the container '{name}' has no image",)
            raise error
    if not any(c.get("essential", True) for c in containers):
        raise ClientException("Task definition must have at least one essential container.")


def _fargate_config(cpu: int | None, memory: int | None, mode: str) -> None:
    if mode != "awsvpc":
        raise ClientException("Fargate only supports network mode 'awsvpc'.")
    if cpu is None:
        raise ClientException("Fargate requires that 'cpu' be defined at the task level.")
    if memory is None:
        raise ClientException("Fargate requires that 'memory' be defined at the task level.")
    if memory not in FARGATE_MEMORY.get(cpu, ()):
        # AWS's sentence, with the request's values as the fake normalised them ("1 vCPU" → 1024).
        raise ClientException(
            f"No Fargate configuration exists for given values: {cpu} CPU, {memory} memory. "
            "See the Amazon ECS documentation for the valid values."
        )


def fargate_compatible(body: dict[str, Any]) -> bool:
    cpu, memory = body.get("cpu"), body.get("memory")
    return (
        body.get("networkMode") == "awsvpc"
        and cpu is not None
        and memory is not None
        and int(memory) in FARGATE_MEMORY.get(int(cpu), ())
    )


@handler("ecs", "RegisterTaskDefinition")
def register_task_definition(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    family = req["family"]  # its pattern is a schema rule
    requires = req.get("requiresCompatibilities", [])
    fargate = "FARGATE" in requires
    cpu = _units(req["cpu"], "cpu", {"": 1, "vcpu": 1024}) if "cpu" in req else None
    memory = _units(req["memory"], "memory", {"": 1, "mb": 1, "mib": 1, "gb": 1024, "gib": 1024}) \
        if "memory" in req else None
    mode = req.get("networkMode", "bridge")
    _check_containers(req, fargate)
    if fargate:
        _fargate_config(cpu, memory, mode)
        if req.get("pidMode") == "host":  # the reference's rule; AWS's refusal and its wording are not known
            ctx.documented("RegisterTaskDefinition: on Fargate for Linux containers, the only valid pidMode is task")
    revisions = ctx.ecs.families.setdefault(family, [])
    revision = len(revisions) + 1
    arn = ctx.arn("ecs", f"task-definition/{family}:{revision}")
    body: dict[str, Any] = {
        key: copy.deepcopy(value)
        for key, value in req.items()
        if key not in ("tags", "containerDefinitions", "cpu", "memory")
    }
    body.update(
        taskDefinitionArn=arn,
        family=family,
        revision=revision,
        status="ACTIVE",
        containerDefinitions=[_container(c, mode) for c in req["containerDefinitions"]],
        volumes=[_volume(v) for v in req.get("volumes", [])],
        placementConstraints=copy.deepcopy(req.get("placementConstraints", [])),
        requiresAttributes=_requires_attributes(req, mode),
        registeredAt=ctx.now,
        registeredBy=f"arn:aws:iam::{ctx.account_id}:root",
    )
    if cpu is not None:
        body["cpu"] = str(cpu)
    if memory is not None:
        body["memory"] = str(memory)
    compatibilities = ["EC2"]
    if fargate or fargate_compatible(body):
        compatibilities.append("FARGATE")
    if "EXTERNAL" in requires:
        compatibilities.append("EXTERNAL")
    body["compatibilities"] = compatibilities
    revisions.append(TaskDefinition(arn, family, revision, body))
    set_tags(ctx, arn, req.get("tags", []), replace=True)
    response: dict[str, Any] = {"taskDefinition": copy.deepcopy(body)}
    if req.get("tags"):
        response["tags"] = tag_list(tags_of(ctx, arn))
    return response


def find_task_definition(ctx: Context, ref: str) -> TaskDefinition | None:
    """``family`` (latest ACTIVE revision), ``family:revision`` or a full ARN."""
    if ref.startswith("arn:"):
        prefix = ctx.arn("ecs", "task-definition/")
        if not ref.startswith(prefix):
            return None
        ref = ref[len(prefix) :]
    family, _, revision = ref.partition(":")
    revisions = ctx.ecs.families.get(family, [])
    if not revision:
        active = [d for d in revisions if d.status == "ACTIVE"]
        return active[-1] if active else None
    if not revision.isdigit() or not 1 <= int(revision) <= len(revisions):
        return None
    found = revisions[int(revision) - 1]
    return None if found.deleted else found


def resolve_task_definition(ctx: Context, ref: str) -> TaskDefinition:
    """The task definition a launch names; AWS's ClientException when there is none."""
    definition = find_task_definition(ctx, ref)
    if definition is None:
        raise ClientException("TaskDefinition not found.")
    return definition


@handler("ecs", "DescribeTaskDefinition")
def describe_task_definition(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    definition = find_task_definition(ctx, req["taskDefinition"])
    if definition is None:
        raise ClientException("Unable to describe task definition.")
    response: dict[str, Any] = {"taskDefinition": copy.deepcopy(definition.body)}
    if "TAGS" in req.get("include", []):
        response["tags"] = tag_list(tags_of(ctx, definition.arn))
    return response


@handler("ecs", "DeregisterTaskDefinition")
def deregister_task_definition(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    ref = req["taskDefinition"]
    if ":" not in ref.rpartition("/")[2]:
        raise ClientException(
            f"Invalid revision number in {ref!r}: deregistering needs 'family:revision' or a full ARN."
        )
    definition = find_task_definition(ctx, ref)
    if definition is None:
        raise ClientException("The specified task definition does not exist.")
    if definition.status == "ACTIVE":
        definition.body["status"] = "INACTIVE"
        definition.body["deregisteredAt"] = ctx.now
    return {"taskDefinition": copy.deepcopy(definition.body)}


@handler("ecs", "ListTaskDefinitions")
def list_task_definitions(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    status = req.get("status", "ACTIVE")
    family = req.get("familyPrefix")  # despite its name, the full family name [M:ListTaskDefinitions]
    families = [family] if family else sorted(ctx.ecs.families)
    arns = [
        d.arn
        for name in families
        for d in ctx.ecs.families.get(name, [])
        if d.status == status and not d.deleted
    ]
    if req.get("sort") == "DESC":
        arns.reverse()
    chunk, token = page(arns, req, "ListTaskDefinitions", InvalidParameterException)
    return with_token({"taskDefinitionArns": chunk}, token)


@handler("ecs", "ListTaskDefinitionFamilies")
def list_task_definition_families(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    status = req.get("status", "ALL")
    prefix = req.get("familyPrefix", "")
    names = []
    for name in sorted(ctx.ecs.families):
        if not name.startswith(prefix) or all(d.deleted for d in ctx.ecs.families[name]):
            continue  # a family whose every revision is deleted is no longer returned [M:DeleteTaskDefinitions]
        active = any(d.status == "ACTIVE" for d in ctx.ecs.families[name])
        if status == "ALL" or (status == "ACTIVE") == active:
            names.append(name)
    chunk, token = page(names, req, "ListTaskDefinitionFamilies", InvalidParameterException)
    return with_token({"families": chunk}, token)


@resolver("task-definition")
def _task_definition_exists(ctx: Context, rest: str) -> bool:
    return ":" in rest and find_task_definition(ctx, rest) is not None
