"""Container instances: RegisterContainerInstance, DeregisterContainerInstance, DescribeContainerInstances,
ListContainerInstances, UpdateContainerInstancesState, and ``add_container_instance`` (the function behind
``fake.add_container_instance``).

A ``ContainerInstance`` keeps what it registered (CPU units, MiB of memory, reserved host ports) and the
tasks placed on it; what remains is computed from those, so it cannot drift. Placement (``placement.py``)
reserves and releases tasks on instances. Choices where AWS is silent: ``docs/fidelity-container-instances.md``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.context import Context
from ..core.errors import ClusterNotFoundException, InvalidParameterException
from ..core.paging import page, with_token
from ..core.registry import handler
from .clusters import cluster_name, get_cluster
from .lookup import describe_each
from .query import Value, parse
from .state import Cluster
from .tags import resolver, set_tags, tag_list, tags_of

if TYPE_CHECKING:
    from .placement import Demand

# Ports the ECS agent reserves on every EC2 instance it registers (SSH, Docker, the agent's own).
AGENT_PORTS = ("22", "2375", "2376", "51678", "51679")
# What the agent reports about itself; the fake's placeholders.
VERSION_INFO = {"agentVersion": "1.89.2", "agentHash": "4b9d1ac3", "dockerVersion": "DockerVersion: 25.0.8"}
# Capabilities a current ECS-optimized Amazon Linux instance advertises, so that task definitions'
# ``requiresAttributes`` (task ENI, task role, awslogs, ECR pulls) are met on fake instances.
CAPABILITIES = (
    "com.amazonaws.ecs.capability.docker-remote-api.1.17",
    "com.amazonaws.ecs.capability.docker-remote-api.1.18",
    "com.amazonaws.ecs.capability.docker-remote-api.1.19",
    "com.amazonaws.ecs.capability.docker-remote-api.1.21",
    "com.amazonaws.ecs.capability.docker-remote-api.1.22",
    "com.amazonaws.ecs.capability.docker-remote-api.1.23",
    "com.amazonaws.ecs.capability.docker-remote-api.1.24",
    "com.amazonaws.ecs.capability.docker-remote-api.1.25",
    "com.amazonaws.ecs.capability.docker-remote-api.1.26",
    "com.amazonaws.ecs.capability.docker-remote-api.1.27",
    "com.amazonaws.ecs.capability.docker-remote-api.1.28",
    "com.amazonaws.ecs.capability.docker-remote-api.1.29",
    "com.amazonaws.ecs.capability.docker-remote-api.1.30",
    "com.amazonaws.ecs.capability.docker-remote-api.1.31",
    "com.amazonaws.ecs.capability.docker-remote-api.1.32",
    "com.amazonaws.ecs.capability.ecr-auth",
    "com.amazonaws.ecs.capability.logging-driver.awslogs",
    "com.amazonaws.ecs.capability.logging-driver.json-file",
    "com.amazonaws.ecs.capability.logging-driver.none",
    "com.amazonaws.ecs.capability.logging-driver.syslog",
    "com.amazonaws.ecs.capability.privileged-container",
    "com.amazonaws.ecs.capability.task-iam-role",
    "com.amazonaws.ecs.capability.task-iam-role-network-host",
    "ecs.capability.container-health-check",
    "ecs.capability.container-ordering",
    "ecs.capability.efsAuth",
    "ecs.capability.env-files.s3",
    "ecs.capability.execution-role-awslogs",
    "ecs.capability.execution-role-ecr-pull",
    "ecs.capability.secrets.asm.environment-variables",
    "ecs.capability.secrets.ssm.environment-variables",
    "ecs.capability.task-cpu-mem-limit",
    "ecs.capability.task-eni",
)
EXTERNAL_ATTRIBUTE = "ecs.capability.external"
LISTED_STATUSES = ("ACTIVE", "DRAINING", "REGISTERING", "DEREGISTERING", "REGISTRATION_FAILED")


@dataclass
class Placed:
    """A task reserved on an instance: its group, what it reserves, and the statuses the counters read."""

    group: str
    demand: Demand
    last_status: str = "PENDING"
    desired_status: str = "RUNNING"


@dataclass(eq=False)
class ContainerInstance:
    id: str
    arn: str
    cluster: str  # the cluster's name
    cluster_ref: Cluster = field(repr=False)  # the very cluster (a re-created cluster of that name is another)
    ec2_instance_id: str
    registered_at: float
    cpu: int
    memory: int
    ports: tuple[str, ...] = AGENT_PORTS  # host TCP ports reserved at registration
    ports_udp: tuple[str, ...] = ()
    other_resources: list[dict[str, Any]] = field(default_factory=list)  # e.g. GPU, echoed back as given
    attributes: dict[str, str | None] = field(default_factory=dict)
    version_info: dict[str, str] = field(default_factory=lambda: dict(VERSION_INFO))
    external: bool = False  # an ECS Anywhere (EXTERNAL launch type) instance
    status: str = "ACTIVE"
    status_reason: str | None = None
    agent_connected: bool = True
    version: int = 1
    tasks: dict[str, Placed] = field(default_factory=dict)  # by task ARN, in placement order

    # -- derived ----------------------------------------------------------------------------------------
    @property
    def instance_type(self) -> str | None:
        return self.attributes.get("ecs.instance-type")

    @property
    def availability_zone(self) -> str | None:
        return self.attributes.get("ecs.availability-zone")

    @property
    def remaining_cpu(self) -> int:
        return self.cpu - sum(p.demand.cpu for p in self.tasks.values())

    @property
    def remaining_memory(self) -> int:
        return self.memory - sum(p.demand.memory for p in self.tasks.values())

    def used_ports(self, protocol: str) -> list[str]:
        """Host ports of ``protocol`` ("tcp"/"udp") taken: reserved at registration, then by tasks."""
        taken = list(self.ports if protocol == "tcp" else self.ports_udp)
        for placed in self.tasks.values():
            taken.extend(str(port) for port, proto in placed.demand.ports if proto == protocol)
        return list(dict.fromkeys(taken))

    def group_count(self, group: str) -> int:
        return sum(1 for p in self.tasks.values() if p.group == group)

    @property
    def running_tasks_count(self) -> int:
        return sum(1 for p in self.tasks.values() if p.desired_status == "RUNNING")

    @property
    def pending_tasks_count(self) -> int:
        return sum(1 for p in self.tasks.values() if p.last_status == "PENDING")

    def query_value(self, subject: str) -> Value:
        """The value of a cluster query language subject (see ``query.py``)."""
        if subject.startswith("attribute:"):
            name = subject[len("attribute:") :]
            if name not in self.attributes:
                return None
            return self.attributes[name] or ""
        values: dict[str, Value] = {
            "ec2InstanceId": self.ec2_instance_id,
            "registeredAt": self.registered_at,
            "agentConnected": self.agent_connected,
            "agentVersion": self.version_info.get("agentVersion"),
            "runningTasksCount": self.running_tasks_count,
            "task:group": frozenset(p.group for p in self.tasks.values()),
        }
        return values.get(subject)


# -- lookups -------------------------------------------------------------------------------------------
def instances_of(ctx: Context, cluster: Cluster) -> list[ContainerInstance]:
    """The container instances of ``cluster`` (every status), in registration order."""
    return [i for i in ctx.ecs.container_instances.values() if i.cluster_ref is cluster]


def _find(ctx: Context, cluster: Cluster, ref: str) -> ContainerInstance | None:
    if ref.startswith("arn:"):
        prefix = ctx.arn("ecs", "container-instance/")
        if not ref.startswith(prefix):
            return None
        owner, _, ident = ref[len(prefix) :].rpartition("/")
        if owner and owner != cluster.name:
            return None
    else:
        ident = ref
    instance: ContainerInstance | None = ctx.ecs.container_instances.get(ident)
    if instance is None or instance.cluster_ref is not cluster:
        return None
    return instance


def instance_by_ref(ctx: Context, cluster_name: str, ref: str) -> ContainerInstance | None:
    """The instance of the cluster that ``ref`` (a 32-hex id or an ARN) names, whatever its status."""
    cluster = ctx.ecs.clusters.get(_name_of(ctx, cluster_name))
    return None if cluster is None else _find(ctx, cluster, ref)


def _name_of(ctx: Context, ref: str | None) -> str:
    try:
        return cluster_name(ctx, ref)
    except ClusterNotFoundException:  # a cluster ARN of another region or account names no cluster here
        return ""


def refresh(ctx: Context, instance: ContainerInstance) -> None:
    """Bring the statuses of the instance's tasks up to date from the task records (``ctx.ecs.tasks``), so
    runningTasksCount/pendingTasksCount follow the lifecycle without the lifecycle telling each instance."""
    records = ctx.ecs.tasks
    for arn, placed in instance.tasks.items():
        record = records.get(arn.rsplit("/", 1)[-1])
        if record is not None and getattr(record, "arn", None) == arn:
            placed.last_status = getattr(record, "last_status", placed.last_status)
            placed.desired_status = getattr(record, "desired_status", placed.desired_status)


def _failure_arn(ctx: Context, cluster: Cluster, ref: str) -> str:
    if ref.startswith("arn:") or "/" in ref:
        return ref
    return ctx.arn("ecs", f"container-instance/{cluster.name}/{ref}")


# -- the response shape ------------------------------------------------------------------------------
def _integer(name: str, value: int) -> dict[str, Any]:
    return {"name": name, "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": value}


def _string_set(name: str, values: Iterable[str]) -> dict[str, Any]:
    return {
        "name": name,
        "type": "STRINGSET",
        "doubleValue": 0.0,
        "longValue": 0,
        "integerValue": 0,
        "stringSetValue": list(values),
    }


def describe(ctx: Context, instance: ContainerInstance, include: Iterable[str] = ()) -> dict[str, Any]:
    """The ContainerInstance shape. Tags only with ``TAGS``, health only with ``CONTAINER_INSTANCE_HEALTH``."""
    include = list(include)
    refresh(ctx, instance)
    body: dict[str, Any] = {
        "containerInstanceArn": instance.arn,
        "ec2InstanceId": instance.ec2_instance_id,
        "version": instance.version,
        "versionInfo": dict(instance.version_info),
        "remainingResources": [
            _integer("CPU", instance.remaining_cpu),
            _integer("MEMORY", instance.remaining_memory),
            _string_set("PORTS", instance.used_ports("tcp")),
            _string_set("PORTS_UDP", instance.used_ports("udp")),
        ],
        "registeredResources": [
            _integer("CPU", instance.cpu),
            _integer("MEMORY", instance.memory),
            _string_set("PORTS", instance.ports),
            _string_set("PORTS_UDP", instance.ports_udp),
            *(dict(r) for r in instance.other_resources),
        ],
        "status": instance.status,
        "agentConnected": instance.agent_connected,
        "runningTasksCount": instance.running_tasks_count,
        "pendingTasksCount": instance.pending_tasks_count,
        "attributes": [
            {"name": name} if value is None else {"name": name, "value": value}
            for name, value in instance.attributes.items()
        ],
        "registeredAt": instance.registered_at,
        "attachments": [],
        "tags": tag_list(tags_of(ctx, instance.arn)) if "TAGS" in include else [],
    }
    if instance.status_reason:
        body["statusReason"] = instance.status_reason
    if "CONTAINER_INSTANCE_HEALTH" in include:
        body["healthStatus"] = {
            "overallStatus": "OK",
            "details": [
                {
                    "type": "CONTAINER_RUNTIME",
                    "status": "OK",
                    "lastUpdated": ctx.now,
                    "lastStatusChange": instance.registered_at,
                }
            ],
        }
    return body


# -- registration --------------------------------------------------------------------------------------
def _ami(region: str) -> str:
    """One AMI id per region, as an auto-scaling group of ECS-optimized instances would have."""
    return "ami-" + hashlib.sha256(f"ecs-optimized/{region}".encode()).hexdigest()[:17]


def _next_zone(ctx: Context, cluster: Cluster) -> str:
    """Instances without a zone go to <region>a, <region>b, <region>c in turn, per cluster."""
    return ctx.region + "abc"[len(instances_of(ctx, cluster)) % 3]


def _builtin_attributes(
    ctx: Context, instance_type: str | None, zone: str | None, ami: str | None, external: bool
) -> dict[str, str | None]:
    attributes: dict[str, str | None] = {}
    if not external:
        attributes["ecs.ami-id"] = ami or _ami(ctx.region)
        attributes["ecs.availability-zone"] = zone
        attributes["ecs.instance-type"] = instance_type
    attributes["ecs.os-type"] = "linux"
    attributes["ecs.os-family"] = "LINUX"
    attributes["ecs.cpu-architecture"] = "x86_64"
    for name in CAPABILITIES:
        attributes[name] = None
    if external:
        attributes[EXTERNAL_ATTRIBUTE] = None
    return attributes


def _register(
    ctx: Context,
    cluster: Cluster,
    *,
    cpu: int,
    memory: int,
    ports: tuple[str, ...] = AGENT_PORTS,
    ports_udp: tuple[str, ...] = (),
    other_resources: list[dict[str, Any]] | None = None,
    instance_type: str | None = None,
    availability_zone: str | None = None,
    ami: str | None = None,
    ec2_instance_id: str | None = None,
    attributes: Mapping[str, str | None] | None = None,
    version_info: Mapping[str, str] | None = None,
    external: bool = False,
    tags: list[dict[str, Any]] | None = None,
) -> ContainerInstance:
    ids = ctx.backend.ids
    ident = ids.hex32()
    if ec2_instance_id is None:
        ec2_instance_id = ("mi-" if external else "i-") + ids.hex32()[:17]
    zone = None if external else availability_zone or _next_zone(ctx, cluster)
    merged = _builtin_attributes(ctx, instance_type, zone, ami, external)
    merged.update(attributes or {})
    instance = ContainerInstance(
        id=ident,
        arn=ctx.arn("ecs", f"container-instance/{cluster.name}/{ident}"),
        cluster=cluster.name,
        cluster_ref=cluster,
        ec2_instance_id=ec2_instance_id,
        registered_at=ctx.now,
        cpu=cpu,
        memory=memory,
        ports=ports,
        ports_udp=ports_udp,
        other_resources=list(other_resources or []),
        attributes=merged,
        version_info={**VERSION_INFO, **(version_info or {})},
        external=external,
    )
    if tags:
        set_tags(ctx, instance.arn, tags, replace=True)
    ctx.ecs.container_instances[ident] = instance
    cluster.container_instances += 1
    return instance


def add_container_instance(
    ctx: Context,
    cluster: str = "default",
    *,
    cpu: int = 2048,
    memory: int = 4096,
    instance_type: str = "m5.large",
    availability_zone: str | None = None,
    attributes: Mapping[str, str | None] | None = None,
    external: bool = False,
) -> str:
    """Register an ACTIVE container instance in ``cluster`` (which must exist) and return its ARN.

    ``cpu`` in CPU units, ``memory`` in MiB; ``attributes`` maps custom attribute names to values (None: an
    attribute without a value). Without ``availability_zone`` instances go to <region>a, b, c in turn.
    ``external=True`` registers an ECS Anywhere instance (``mi-`` id, attribute ``ecs.capability.external``).
    """
    for label, amount in (("cpu", cpu), ("memory", memory)):
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise TypeError(f"add_container_instance({label}=...) takes an int >= 0, got {amount!r}")
    if not isinstance(instance_type, str) or not instance_type:
        raise TypeError(f"add_container_instance(instance_type=...) takes a string, got {instance_type!r}")
    if availability_zone is not None and (not isinstance(availability_zone, str) or not availability_zone):
        raise TypeError(f"add_container_instance(availability_zone=...) takes a string, got {availability_zone!r}")
    custom = dict(attributes or {})
    for name, value in custom.items():
        if not isinstance(name, str) or not name or not (value is None or isinstance(value, str)):
            raise TypeError(
                "add_container_instance(attributes=...) maps attribute names to string values or None, "
                f"got {name!r}: {value!r}"
            )
    target = get_cluster(ctx, cluster)
    instance = _register(
        ctx,
        target,
        cpu=cpu,
        memory=memory,
        instance_type=None if external else instance_type,
        availability_zone=availability_zone,
        attributes=custom,
        external=external,
    )
    return instance.arn


# -- handlers ------------------------------------------------------------------------------------------
def _resource_int(resource: dict[str, Any]) -> int:
    for key in ("integerValue", "longValue", "doubleValue"):
        if key in resource:
            value = int(resource[key])
            if value < 0:
                raise InvalidParameterException(
                    f"totalResources: {resource.get('name')} must not be negative, got {resource[key]}."
                )
            return value
    raise InvalidParameterException(
        f"totalResources: {resource.get('name')} needs an integerValue (e.g. "
        f"{{'name': '{resource.get('name')}', 'type': 'INTEGER', 'integerValue': 2048}})."
    )


def _total_resources(items: list[dict[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {"cpu": 2048, "memory": 4096, "ports": AGENT_PORTS, "ports_udp": (), "other": []}
    for resource in items:
        name = resource.get("name")
        if name == "CPU":
            found["cpu"] = _resource_int(resource)
        elif name == "MEMORY":
            found["memory"] = _resource_int(resource)
        elif name in ("PORTS", "PORTS_UDP"):
            ports = tuple(str(p) for p in resource.get("stringSetValue", []))
            for port in ports:
                if not port.isdigit() or not 0 < int(port) < 65536:
                    raise InvalidParameterException(f"totalResources: {name} holds ports 1-65535, not {port!r}.")
            found["ports" if name == "PORTS" else "ports_udp"] = ports
        else:
            found["other"].append(dict(resource))
    return found


def _identity(document: str | None) -> dict[str, Any]:
    if not document:
        return {}
    try:
        parsed = json.loads(document)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise InvalidParameterException(
            "instanceIdentityDocument must be the EC2 instance identity document, a JSON object such as "
            '{"instanceId": "i-0123456789abcdef0", "instanceType": "m5.large", "availabilityZone": "us-east-1a"}.'
        )
    return parsed


def _request_attributes(req: dict[str, Any]) -> dict[str, str | None]:
    return {a["name"]: a.get("value") for a in req.get("attributes", [])}


@handler("ecs", "RegisterContainerInstance")
def register_container_instance(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req.get("cluster"))
    identity = _identity(req.get("instanceIdentityDocument"))
    resources = _total_resources(req.get("totalResources", []))
    custom = _request_attributes(req)
    external = EXTERNAL_ATTRIBUTE in custom
    existing = _reregistration(ctx, cluster, req.get("containerInstanceArn"), identity.get("instanceId"))
    if existing is not None:
        if "totalResources" in req:
            existing.cpu, existing.memory = resources["cpu"], resources["memory"]
            existing.ports, existing.ports_udp = resources["ports"], resources["ports_udp"]
            existing.other_resources = resources["other"]
        existing.attributes.update(custom)
        existing.version_info.update(req.get("versionInfo", {}))
        existing.agent_connected = True
        existing.version += 1
        set_tags(ctx, existing.arn, req.get("tags", []))
        return {"containerInstance": describe(ctx, existing, ["TAGS"])}
    instance = _register(
        ctx,
        cluster,
        cpu=resources["cpu"],
        memory=resources["memory"],
        ports=resources["ports"],
        ports_udp=resources["ports_udp"],
        other_resources=resources["other"],
        instance_type=None if external else identity.get("instanceType", "m5.large"),
        availability_zone=identity.get("availabilityZone"),
        ami=identity.get("imageId"),
        ec2_instance_id=identity.get("instanceId"),
        attributes=custom,
        version_info=req.get("versionInfo"),
        external=external,
        tags=req.get("tags"),
    )
    return {"containerInstance": describe(ctx, instance, ["TAGS"])}


def _reregistration(
    ctx: Context, cluster: Cluster, arn: str | None, ec2_instance_id: str | None
) -> ContainerInstance | None:
    """The registered instance a registration renews: the one ``containerInstanceArn`` names, or the one
    of the cluster with the same EC2 instance id (an agent that restarted)."""
    if arn:
        instance = _find(ctx, cluster, arn)
        if instance is None or instance.status == "INACTIVE":
            raise InvalidParameterException(
                f"containerInstanceArn {arn!r} is not a registered container instance of cluster "
                f"{cluster.name!r}; a deregistered instance registers again without containerInstanceArn."
            )
        return instance
    if ec2_instance_id:
        for instance in instances_of(ctx, cluster):
            if instance.ec2_instance_id == ec2_instance_id and instance.status != "INACTIVE":
                return instance
    return None


def _deregister(ctx: Context, instance: ContainerInstance) -> None:
    if instance.status in ("ACTIVE", "DRAINING"):
        instance.cluster_ref.container_instances -= 1
    instance.status = "INACTIVE"
    instance.agent_connected = False
    instance.version += 1


@handler("ecs", "DeregisterContainerInstance")
def deregister_container_instance(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req.get("cluster"))
    instance = _find(ctx, cluster, req["containerInstance"])
    if instance is None or instance.status == "INACTIVE":
        raise InvalidParameterException("The referenced container instance was not found.")
    refresh(ctx, instance)
    if instance.running_tasks_count and not req.get("force"):
        raise InvalidParameterException("Found running tasks on the instance.")
    _deregister(ctx, instance)
    return {"containerInstance": describe(ctx, instance)}


@handler("ecs", "DescribeContainerInstances")
def describe_container_instances(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req.get("cluster"))
    refs = req["containerInstances"]
    if not refs:
        raise InvalidParameterException("Container instances cannot be empty.")
    include = req.get("include", [])
    found, failures = describe_each(
        refs,
        lambda ref: _find(ctx, cluster, ref),
        lambda instance: describe(ctx, instance, include),
        lambda ref: _failure_arn(ctx, cluster, ref),
    )
    return {"containerInstances": found, "failures": failures}


@handler("ecs", "ListContainerInstances")
def list_container_instances(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req.get("cluster"))
    status = req.get("status")
    selected = [
        i for i in instances_of(ctx, cluster) if (i.status == status if status else i.status != "INACTIVE")
    ]
    if req.get("filter"):
        expression = parse(req["filter"])
        for instance in selected:
            refresh(ctx, instance)
        selected = [i for i in selected if expression.matches(i)]
    chunk, token = page([i.arn for i in selected], req, "ListContainerInstances", InvalidParameterException)
    return with_token({"containerInstanceArns": chunk}, token)


@handler("ecs", "UpdateContainerInstancesState")
def update_container_instances_state(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req.get("cluster"))
    status = req["status"]
    if status not in ("ACTIVE", "DRAINING"):
        raise InvalidParameterException(
            f"Container instance status can be updated only to ACTIVE or DRAINING, not {status}."
        )
    updated, failures = [], []
    for ref in req["containerInstances"]:
        instance = _find(ctx, cluster, ref)
        if instance is None:
            failures.append({"arn": _failure_arn(ctx, cluster, ref), "reason": "MISSING"})
            continue
        if instance.status not in ("ACTIVE", "DRAINING"):
            failures.append({"arn": instance.arn, "reason": instance.status})
            continue
        if instance.status != status:
            instance.status = status
            instance.version += 1
        updated.append(describe(ctx, instance))
    return {"containerInstances": updated, "failures": failures}


@resolver("container-instance")
def _container_instance_exists(ctx: Context, rest: str) -> bool:
    owner, _, ident = rest.rpartition("/")
    instance = ctx.ecs.container_instances.get(ident)
    return (
        instance is not None
        and instance.cluster == owner
        and instance.status != "INACTIVE"
        and ctx.ecs.clusters.get(owner) is instance.cluster_ref
    )
