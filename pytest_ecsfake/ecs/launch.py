"""Building tasks from a task definition: launch type, network, containers, tags — shared by RunTask,
StartTask, and (later) services and Batch jobs, which all create ECS tasks."""

from __future__ import annotations

import re
import zlib
from typing import Any

from ..core.behavior import behavior_for
from ..core.context import Context
from ..core.errors import AwsError, InvalidParameterException
from ..core.records import ValueRecord
from . import lifecycle
from .state import Cluster, TaskDefinition
from .tags import set_tags, tag_dict, tags_of
from .task_model import Container, Task

PLATFORM_VERSIONS = {"LATEST": "1.4.0", "1.4.0": "1.4.0", "1.3.0": "1.3.0"}
_FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")


class LaunchSpec(ValueRecord):
    """What a launch asks for, after the request has been checked against the cluster and definition."""

    cluster: Cluster
    definition: TaskDefinition
    launch_type: str
    network_mode: str
    overrides: dict[str, Any]
    group: str
    started_by: str | None
    subnets: list[str]
    platform_version: str | None
    tags: list[dict[str, str]]
    enable_execute_command: bool
    echoed: dict[str, Any] | None  # the tasks' overrides, made once (_echo_overrides)
    _hidden = ("echoed",)

    def __init__(self, cluster: Cluster, definition: TaskDefinition, launch_type: str, network_mode: str,
                 overrides: dict[str, Any], group: str, started_by: str | None, subnets: list[str],
                 platform_version: str | None, tags: list[dict[str, str]],
                 enable_execute_command: bool = False) -> None:
        self.cluster = cluster
        self.definition = definition
        self.launch_type = launch_type
        self.network_mode = network_mode
        self.overrides = overrides
        self.group = group
        self.started_by = started_by
        self.subnets = subnets
        self.platform_version = platform_version
        self.tags = tags
        self.enable_execute_command = enable_execute_command
        self.echoed = None


def network_mode(definition: TaskDefinition) -> str:
    mode: str = definition.body.get("networkMode", "bridge")
    return mode


def check_launch_type(definition: TaskDefinition, launch_type: str) -> None:
    if launch_type not in definition.body["compatibilities"]:
        raise InvalidParameterException(f"Task definition does not support launch_type {launch_type}.")


def check_network(req: dict[str, Any], mode: str) -> list[str]:
    """The subnets of an awsvpc launch; AWS's errors for a missing or misplaced network configuration."""
    config = (req.get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if mode == "awsvpc":
        if config is None:
            raise InvalidParameterException(
                "Network Configuration must be provided when networkMode 'awsvpc' is specified."
            )
        subnets: list[str] = config["subnets"]
        if not subnets:
            raise InvalidParameterException("subnets can not be empty.")
        return subnets
    if config is not None:
        raise InvalidParameterException(
            "Network Configuration is not valid for the given networkMode of this task definition."
        )
    return []


def platform_version(req: dict[str, Any], launch_type: str) -> str | None:
    if launch_type != "FARGATE":
        return None
    asked = req.get("platformVersion", "LATEST")
    if asked not in PLATFORM_VERSIONS:
        raise AwsError("The specified platform version does not exist.", code="PlatformUnknownException")
    return PLATFORM_VERSIONS[asked]


def check_overrides(definition: TaskDefinition, overrides: dict[str, Any]) -> None:
    names = {c["name"] for c in definition.body["containerDefinitions"]}
    for override in overrides.get("containerOverrides", []):
        name = override.get("name")
        if name not in names:
            raise InvalidParameterException(
                f"Override for container named {name} is not a container in the TaskDefinition."
            )


def strategy_launch_type(strategy: list[dict[str, Any]]) -> str:
    """The launch type of a strategy's tasks: FARGATE for the Fargate providers, EC2 for Auto Scaling group
    providers. A strategy mixes no Fargate provider with an Auto Scaling group one [DG:capacity providers]."""
    fargate = {item["capacityProvider"] in _FARGATE_PROVIDERS for item in strategy}
    if len(fargate) > 1:
        # Not confirmed: the rule is the Developer Guide's, the wording ours.
        raise InvalidParameterException(
            "A capacity provider strategy can't contain both Fargate capacity providers and Auto Scaling group "
            "capacity providers."
        )
    return "FARGATE" if fargate != {False} else "EC2"


def split_by_strategy(cluster: Cluster, strategy: list[dict[str, Any]], count: int) -> list[str]:
    """The capacity provider of each of ``count`` tasks: ``base`` first, the rest by ``weight``."""
    for item in strategy:
        provider = item["capacityProvider"]
        if provider not in cluster.capacity_providers:
            raise InvalidParameterException(
                "The specified capacity provider strategy cannot contain a capacity provider that is not "
                "associated with the cluster. Associate the capacity provider with the cluster or specify a "
                "valid capacity provider and try again."
            )
    chosen: list[str] = []
    for item in strategy:
        chosen.extend([item["capacityProvider"]] * min(item.get("base", 0), count - len(chosen)))
    weighted = [(item["capacityProvider"], item.get("weight", 0)) for item in strategy if item.get("weight", 0) > 0]
    if len(chosen) < count and not weighted:
        raise InvalidParameterException("The capacity provider strategy must have a weight greater than 0.")
    given = {provider: 0 for provider, _ in weighted}
    total = sum(weight for _, weight in weighted)
    while len(chosen) < count:
        # The provider furthest below its weighted share takes the next task (ties: strategy order).
        placed = sum(given.values()) + 1
        provider = max(weighted, key=lambda pw: pw[1] / total * placed - given[pw[0]])[0]
        given[provider] += 1
        chosen.append(provider)
    return chosen


def _availability_zone(ctx: Context, subnet: str) -> str:
    return ctx.region + "abc"[zlib.crc32(subnet.encode()) % 3]


def _containers(ctx: Context, spec: LaunchSpec, task_id: str) -> list[Container]:
    overrides = {o["name"]: o for o in spec.overrides.get("containerOverrides", [])}
    containers = []
    for definition in spec.definition.body["containerDefinitions"]:
        name, image = definition["name"], definition["image"]
        override = overrides.get(name, {})
        bindings = _network_bindings(definition, spec.network_mode) if spec.network_mode in ("bridge", "host") else ()
        containers.append(Container(
            name=name,
            arn=ctx.arn("ecs", f"container/{spec.cluster.name}/{task_id}/{ctx.backend.ids.uuid()}"),
            image=image,
            essential=definition.get("essential", True),
            cpu=override.get("cpu", definition.get("cpu", 0)),
            memory=override.get("memory", definition.get("memory")),
            memory_reservation=override.get("memoryReservation", definition.get("memoryReservation")),
            stop_timeout=float(definition.get("stopTimeout", ctx.backend.stop_timeout)),
            behavior=behavior_for(ctx.backend.behaviors, image, name),
            network_bindings=bindings,
        ))
    return containers


_PORT_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def _network_bindings(definition: dict[str, Any], mode: str) -> list[dict[str, Any]]:
    """The host ports a bridge/host container gets. Without a ``hostPort``, bridge mode takes ports from the
    ephemeral range (from 32768) and host mode the container's own; a ``containerPortRange`` (no
    ``containerPort``) binds a host range of the same width [M:PortMapping.containerPortRange]."""
    bindings: list[dict[str, Any]] = []
    dynamic = 32768
    for mapping in definition.get("portMappings", []):
        protocol = mapping.get("protocol", "tcp")
        if "containerPort" in mapping:
            port = mapping["containerPort"]
            host_port = mapping.get("hostPort") or (port if mode == "host" else dynamic + len(bindings))
            bindings.append({"bindIP": "0.0.0.0", "containerPort": port, "hostPort": host_port, "protocol": protocol})
        elif mapping.get("containerPortRange"):
            given = mapping["containerPortRange"]
            match = _PORT_RANGE.match(given)
            host_range = given
            if match is not None and mode != "host":
                first, last = int(match.group(1)), int(match.group(2) or match.group(1))
                start = dynamic + len(bindings)
                width = max(last - first, 0)
                host_range = f"{start}-{start + width}"
                dynamic += width  # the range's ports after its first are taken too
            bindings.append({"bindIP": "0.0.0.0", "containerPortRange": given, "hostPortRange": host_range,
                             "protocol": protocol})
    return bindings


def _echo_overrides(spec: LaunchSpec) -> dict[str, Any]:
    """The task's ``overrides`` as DescribeTasks answers them. Shared, never changed in place: by the tasks of
    one launch, and by every task of a definition launched without overrides (made once per definition)."""
    if not spec.overrides:
        echoed = spec.definition.bare_overrides
        if echoed is None:
            echoed = spec.definition.bare_overrides = _echo(spec)
        return echoed
    if spec.echoed is None:
        spec.echoed = _echo(spec)
    return spec.echoed


def _echo(spec: LaunchSpec) -> dict[str, Any]:
    given = {o["name"]: o for o in spec.overrides.get("containerOverrides", [])}
    echoed = dict(spec.overrides)
    echoed["containerOverrides"] = [
        given.get(c["name"], {"name": c["name"]}) for c in spec.definition.body["containerDefinitions"]
    ]
    echoed.setdefault("inferenceAcceleratorOverrides", [])
    return echoed


def _eni(ctx: Context, subnet: str, number: int) -> tuple[dict[str, Any], str]:
    ids = ctx.backend.ids
    ip = f"10.0.{(number // 250) % 250}.{number % 250 + 4}"
    eni_id = "eni-" + ids.hex32()[:17]
    mac = ids.mac()
    # (name, value) pairs, made into the wire's {"name", "value"} objects when described: a task holds
    # immutable tuples (which the garbage collector stops tracking) rather than six containers.
    details = (
        ("subnetId", subnet),
        ("networkInterfaceId", eni_id),
        ("macAddress", mac),
        ("privateDnsName", f"ip-{ip.replace('.', '-')}.ec2.internal"),
        ("privateIPv4Address", ip),
    )
    return {"id": ids.uuid(), "type": "ElasticNetworkInterface", "status": "PRECREATED", "details": details}, ip


def create_task(ctx: Context, spec: LaunchSpec, *, capacity_provider: str | None = None,
                container_instance: Any = None, waiting: bool = False) -> Task:
    """Create one task, register it in the region and cluster, and start its lifecycle at ``ctx.now``; a
    ``waiting`` task stays in PROVISIONING, without an instance, until capacity is found (``provider_scaling``)."""
    state = ctx.ecs
    task_id = ctx.backend.ids.hex32()
    state.next_seq += 1
    containers = _containers(ctx, spec, task_id)
    eni, ip, zone = None, None, None
    if spec.network_mode == "awsvpc":
        subnet = ctx.backend.ids.choice(spec.subnets)
        eni, ip = _eni(ctx, subnet, state.next_seq)
        zone = _availability_zone(ctx, subnet)
    if container_instance is not None:
        zone = container_instance.availability_zone
    body = spec.definition.body
    task_overrides = spec.overrides
    task = Task(
        id=task_id,
        arn=ctx.arn("ecs", f"task/{spec.cluster.name}/{task_id}"),
        seq=state.next_seq,
        cluster=spec.cluster,
        definition=spec.definition,
        launch_type=spec.launch_type,
        network_mode=spec.network_mode,
        containers=containers,
        created_at=ctx.now,
        group=spec.group,
        started_by=spec.started_by,
        overrides=_echo_overrides(spec),
        cpu=task_overrides.get("cpu", body.get("cpu")),
        memory=task_overrides.get("memory", body.get("memory")),
        availability_zone=zone,
        capacity_provider=capacity_provider,
        platform_version=spec.platform_version,
        container_instance=container_instance,
        eni=eni,
        private_ip=ip,
        last_status="PROVISIONING" if eni is not None or waiting else "PENDING",
        enable_execute_command=spec.enable_execute_command,
    )
    state.tasks[task_id] = task
    spec.cluster.tasks.add(task)
    set_tags(ctx, task.arn, spec.tags, replace=True)
    if waiting:
        lifecycle.hold(task, ctx.now)
    else:
        lifecycle.launch(ctx.backend, task, ctx.now)
    return task


def task_tags(ctx: Context, req: dict[str, Any], definition: TaskDefinition, cluster: Cluster,
              service: str | None = None) -> list[dict[str, str]]:
    """Request tags, plus the definition's when ``propagateTags=TASK_DEFINITION``, plus AWS-managed tags."""
    tags: dict[str, str] = {}
    if req.get("propagateTags") == "TASK_DEFINITION":
        tags.update(tags_of(ctx, definition.arn))
    tags.update(tag_dict(req.get("tags", [])))
    if req.get("enableECSManagedTags"):
        tags["aws:ecs:clusterName"] = cluster.name
        if service:
            tags["aws:ecs:serviceName"] = service
    return [{"key": k, "value": v} for k, v in tags.items()]


INACTIVE_DEFINITION = "TaskDefinition is inactive"
# ECS Exec needs a task role [M:RunTaskRequest.enableExecuteCommand]. RunTask's sentence: boto/boto3#3173 (2022);
# UpdateService's: aws/aws-toolkit-jetbrains#3649 (2023). StartTask and CreateService take the nearest of them
# (their own wording is not confirmed).
EXEC_NEEDS_ROLE_TASK = (
    "The execute command failed because a valid task role is not being used. Specify a valid task role in your "
    "task definition or as a task override and try again."
)
EXEC_NEEDS_ROLE_SERVICE = (
    "The service couldn't be {verb} because a valid taskRoleArn is not being used. Specify a valid task role in "
    "your task definition and try again."
)


def require_exec_role(definition: TaskDefinition, overrides: dict[str, Any] | None, message: str) -> None:
    """AWS's refusal of ``enableExecuteCommand`` for a task with no task role (definition or override)."""
    if not (overrides or {}).get("taskRoleArn") and not definition.body.get("taskRoleArn"):
        raise InvalidParameterException(message)


def require_active(definition: TaskDefinition, error: type[AwsError] = InvalidParameterException) -> None:
    """AWS's refusal to launch from an INACTIVE revision: InvalidParameterException from RunTask (FIDELITY.md
    "Observed since"); services pass ClientException, the fake's older choice, which nothing sources yet."""
    if definition.status != "ACTIVE":
        raise error(INACTIVE_DEFINITION)


def place_and_create(
    ctx: Context, spec: LaunchSpec, count: int, strategies: list[dict[str, Any]], constraints: list[dict[str, Any]]
) -> tuple[list[Task], list[dict[str, Any]]]:
    """Place ``count`` tasks on the cluster's container instances (EC2/EXTERNAL) and create those that fit.

    The task definition's placement constraints apply besides ``constraints``; tasks that fit nowhere come
    back as ECS ``failures`` (RESOURCE:CPU, ...), as RunTask answers them.
    """
    from .placement import demand_for, place, reserve

    body = spec.definition.body
    demand = demand_for(body, spec.overrides)
    requires = [a["name"] for a in body.get("requiresAttributes", [])]
    instances, failures = place(ctx, spec.cluster.name, demand, count, spec.group, list(strategies),
                                list(body.get("placementConstraints", [])) + list(constraints),
                                launch_type=spec.launch_type, requires=requires)
    tasks = []
    for instance in instances:
        task = create_task(ctx, spec, container_instance=instance)
        reserve(instance, task.arn, spec.group, demand)
        tasks.append(task)
    return tasks, failures


def start_on(ctx: Context, spec: LaunchSpec, instance: Any, demand: Any, tasks: list[Task],
             failures: list[dict[str, Any]]) -> None:
    """Start one task of ``spec`` on ``instance`` (StartTask, a DAEMON service), appended to ``tasks``; or, when it
    does not fit there, a failure naming the resource it lacks."""
    from .placement import misfit, reserve

    reason = misfit(instance, demand)
    if reason is not None:
        failures.append({"arn": instance.arn, "reason": reason})
        return
    task = create_task(ctx, spec, container_instance=instance)
    reserve(instance, task.arn, spec.group, demand)
    tasks.append(task)
