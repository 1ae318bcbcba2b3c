"""Container instances as records, how they are looked up, and their wire shape (DescribeContainerInstances'
``ContainerInstance``).

A ``ContainerInstance`` keeps what it registered (CPU units, MiB of memory, reserved host ports) and the
tasks placed on it; what remains is computed from those, so it cannot drift. Placement (``placement.py``)
reserves and releases tasks on instances. Records are made in ``instance_registration.py``; the handlers are
in ``container_instances.py``. The tag resolver of ``container-instance`` ARNs is here, so that it is registered
wherever instances can be made.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..core.context import Context
from ..core.errors import ClusterNotFoundException
from ..core.records import Record, ValueRecord
from .clusters import cluster_name
from .query import Value
from .state import Cluster
from .tags import resolver, tag_list, tags_of

if TYPE_CHECKING:
    from .placement import Demand

# Ports the ECS agent reserves on every EC2 instance it registers (SSH, Docker, the agent's own).
AGENT_PORTS = ("22", "2375", "2376", "51678", "51679")
# What the agent reports about itself; the fake's placeholders.
VERSION_INFO = {"agentVersion": "1.89.2", "agentHash": "4b9d1ac3", "dockerVersion": "DockerVersion: 25.0.8"}


class Placed(ValueRecord):
    """A task reserved on an instance: its group, what it reserves, and the statuses the counters read."""

    group: str
    demand: Demand
    last_status: str
    desired_status: str

    def __init__(self, group: str, demand: Demand, last_status: str = "PENDING",
                 desired_status: str = "RUNNING") -> None:
        self.group, self.demand, self.last_status, self.desired_status = group, demand, last_status, desired_status

class ContainerInstance(Record):
    id: str
    arn: str
    cluster: str  # the cluster's name
    cluster_ref: Cluster  # the very cluster (a re-created cluster of that name is another)
    ec2_instance_id: str
    registered_at: float
    cpu: int
    memory: int
    ports: tuple[str, ...]  # host TCP ports reserved at registration
    ports_udp: tuple[str, ...]
    other_resources: list[dict[str, Any]]  # e.g. GPU, echoed back as given
    attributes: dict[str, str | None]
    version_info: dict[str, str]
    external: bool  # an ECS Anywhere (EXTERNAL launch type) instance
    capacity_provider: str | None  # the Auto Scaling group provider whose scale-out launched it
    status: str
    status_reason: str | None
    agent_connected: bool
    agent_update_status: str | None  # of the latest UpdateContainerAgent (ecs/agent_updates.py)
    version: int
    tasks: dict[str, Placed]  # by task ARN, in placement order

    # -- derived ----------------------------------------------------------------------------------------
    _hidden = ("cluster_ref",)

    def __init__(self, id: str, arn: str, cluster: str, cluster_ref: Cluster, ec2_instance_id: str,
                 registered_at: float, cpu: int, memory: int, ports: tuple[str, ...] = AGENT_PORTS,
                 ports_udp: tuple[str, ...] = (), other_resources: list[dict[str, Any]] | None = None,
                 attributes: dict[str, str | None] | None = None, version_info: dict[str, str] | None = None,
                 external: bool = False, capacity_provider: str | None = None, status: str = "ACTIVE",
                 status_reason: str | None = None, agent_connected: bool = True,
                 agent_update_status: str | None = None, version: int = 1,
                 tasks: dict[str, Placed] | None = None) -> None:
        self.id, self.arn, self.cluster, self.cluster_ref = id, arn, cluster, cluster_ref
        self.ec2_instance_id, self.registered_at, self.cpu, self.memory = ec2_instance_id, registered_at, cpu, memory
        self.ports, self.ports_udp = ports, ports_udp
        self.other_resources = [] if other_resources is None else other_resources
        self.attributes = {} if attributes is None else attributes
        self.version_info = dict(VERSION_INFO) if version_info is None else version_info
        self.external, self.capacity_provider, self.status = external, capacity_provider, status
        self.status_reason, self.agent_connected = status_reason, agent_connected
        self.agent_update_status, self.version = agent_update_status, version
        self.tasks = {} if tasks is None else tasks

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


def instances_changed(cluster: Cluster, at: float) -> None:
    """Tell whoever follows the cluster's instances (DAEMON services) that they changed at ``at``."""
    for watch in list(cluster.instance_watchers):
        watch(at)


# -- lookups -------------------------------------------------------------------------------------------
def instances_of(ctx: Context, cluster: Cluster) -> list[ContainerInstance]:
    """The container instances of ``cluster`` (every status), in registration order."""
    return [i for i in ctx.ecs.container_instances.values() if i.cluster_ref is cluster]


def find_instance(ctx: Context, cluster: Cluster, ref: str) -> ContainerInstance | None:
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
    return None if cluster is None else find_instance(ctx, cluster, ref)


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
    if instance.agent_update_status is not None:  # "If an update wasn't ever requested, this value is NULL."
        body["agentUpdateStatus"] = instance.agent_update_status
    if instance.capacity_provider:
        body["capacityProviderName"] = instance.capacity_provider
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


def announce(ctx: Context, instance: ContainerInstance) -> None:
    """Emit the instance's "ECS Container Instance State Change" event, as it is now (ecs/change_events.py)."""
    from .change_events import instance_changed

    instance_changed(ctx.backend, describe(ctx, instance), ctx.now)

