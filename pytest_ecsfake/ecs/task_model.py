"""ECS tasks and their containers as records, and their wire shape (DescribeTasks' ``Task``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..core.behavior import Behavior
from ..core.clock import Event
from ..core.records import Record
from .state import Cluster, TaskDefinition

# lastStatus values a task passes through, in order [DG:task-lifecycle].
PENDING_STATES = frozenset({"PROVISIONING", "PENDING", "ACTIVATING"})
EXEC_AGENT = "ExecuteCommandAgent"  # the managed agent of ECS Exec [M:ManagedAgent.name]


class Container(Record):
    __slots__ = (
        "name", "arn", "image", "essential", "cpu", "memory", "memory_reservation", "stop_timeout", "behavior",
        "network_bindings", "last_status", "exit_code", "reason", "runtime_id", "image_digest", "exit_event",
        "stopped_at", "reported_agents"
    )
    name: str
    arn: str
    image: str
    essential: bool
    cpu: int
    memory: int | None
    memory_reservation: int | None
    stop_timeout: float
    behavior: Behavior
    network_bindings: Sequence[dict[str, Any]]  # () when there are none (awsvpc): a task's containers are many
    last_status: str
    exit_code: int | None
    reason: str | None
    runtime_id: str | None
    image_digest: str | None
    exit_event: Event | None  # the pending exit (by itself or after a signal), earliest wins
    stopped_at: float | None  # when it exited: the task's executionStoppedAt is the last of these
    # Managed agents as an agent reported them (SubmitTaskStateChange's managedAgents), by name.
    reported_agents: dict[str, dict[str, Any]]

    def __init__(self, name: str, arn: str, image: str, essential: bool, cpu: int, memory: int | None,
                 memory_reservation: int | None, stop_timeout: float, behavior: Behavior,
                 network_bindings: Sequence[dict[str, Any]], last_status: str = "PENDING", exit_code: int | None = None,
                 reason: str | None = None, runtime_id: str | None = None, image_digest: str | None = None,
                 exit_event: Event | None = None, stopped_at: float | None = None) -> None:
        self.name = name
        self.arn = arn
        self.image = image
        self.essential = essential
        self.cpu = cpu
        self.memory = memory
        self.memory_reservation = memory_reservation
        self.stop_timeout = stop_timeout
        self.behavior = behavior
        self.network_bindings = network_bindings
        self.last_status = last_status
        self.exit_code = exit_code
        self.reason = reason
        self.runtime_id = runtime_id
        self.image_digest = image_digest
        self.exit_event = exit_event
        self.stopped_at = stopped_at
        self.reported_agents = {}

    def describe(self, task: Task) -> dict[str, Any]:
        body: dict[str, Any] = {
            "containerArn": self.arn,
            "taskArn": task.arn,
            "name": self.name,
            "image": self.image,
            "lastStatus": self.last_status,
            "networkBindings": [dict(b) for b in self.network_bindings],
            "healthStatus": "UNKNOWN",
            "cpu": str(self.cpu),
        }
        if self.image_digest:
            body["imageDigest"] = self.image_digest
        if self.runtime_id:
            body["runtimeId"] = self.runtime_id
        if self.exit_code is not None:
            body["exitCode"] = self.exit_code
        if self.reason:
            body["reason"] = self.reason
        if self.memory is not None:
            body["memory"] = str(self.memory)
        if self.memory_reservation is not None:
            body["memoryReservation"] = str(self.memory_reservation)
        body["networkInterfaces"] = task.network_interfaces()
        exec_simulated = task.enable_execute_command and EXEC_AGENT not in self.reported_agents
        agents = [self.exec_agent(task)] if exec_simulated else []
        agents.extend(dict(agent) for agent in self.reported_agents.values())
        if agents:
            body["managedAgents"] = agents
        return body

    def exec_agent(self, task: Task) -> dict[str, Any]:
        """The container's ECS Exec agent [M:ManagedAgent]: PENDING until the container runs, RUNNING with it,
        STOPPED once it stopped; it starts with the container (the task's startedAt) and follows it."""
        status = {"PENDING": "PENDING", "RUNNING": "RUNNING"}.get(self.last_status, "STOPPED")
        agent: dict[str, Any] = {"name": EXEC_AGENT, "lastStatus": status}
        started = task.times.get("startedAt")
        if started is not None and self.runtime_id is not None:
            agent["lastStartedAt"] = started
        return agent


class Task(Record):
    __slots__ = (
        "id", "arn", "seq", "cluster", "definition", "launch_type", "network_mode", "containers", "created_at",
        "group", "started_by", "overrides", "cpu", "memory", "availability_zone", "capacity_provider",
        "platform_version", "container_instance", "eni", "private_ip", "last_status", "desired_status",
        "version", "connectivity", "times", "stop_code", "stopped_reason", "enable_execute_command",
        "_exec_sessions", "protected_until", "agent_reported", "watchers", "history", "last_event"
    )
    id: str
    arn: str
    seq: int  # creation order: ListTasks' stable order and its page tokens
    cluster: Cluster
    definition: TaskDefinition
    launch_type: str
    network_mode: str
    containers: list[Container]
    created_at: float
    group: str
    started_by: str | None
    overrides: dict[str, Any]
    cpu: str | None
    memory: str | None
    availability_zone: str | None  # None on EXTERNAL (ECS Anywhere) instances
    capacity_provider: str | None
    platform_version: str | None
    container_instance: Any  # a ContainerInstance on EC2/EXTERNAL
    eni: dict[str, Any] | None
    private_ip: str | None
    last_status: str
    desired_status: str
    version: int
    connectivity: str | None
    times: dict[str, float]  # connectivityAt, pullStartedAt, ... as set
    stop_code: str | None
    stopped_reason: str | None
    enable_execute_command: bool
    # ECS Exec sessions started on the task (ExecuteCommand), oldest first: what a test can check was run (the
    # ``exec_sessions`` property; None until it is first asked for: most tasks never have one).
    _exec_sessions: list[dict[str, Any]] | None
    protected_until: float | None  # scale-in protection's expirationDate (ecs/task_protection.py)
    # An agent (code playing the ECS agent) reported on the task: the fake's own lifecycle steps aside.
    agent_reported: bool
    # Called as watcher(task, new_last_status, at) after every lastStatus change: how services and Batch
    # follow the tasks they own without the lifecycle knowing about them.
    watchers: tuple[Callable[[Task, str, float], None], ...]  # add_watcher adds one
    history: tuple[tuple[float, str], ...]  # (at, lastStatus): the failure report's timeline
    # The snapshot of the task's last state-change event (ecs/change_events.py): the next one shares its parts.
    last_event: tuple[Any, ...] | None
    _hidden = ("last_event",)

    def __init__(self, id: str, arn: str, seq: int, cluster: Cluster, definition: TaskDefinition, launch_type: str,
                 network_mode: str, containers: list[Container], created_at: float, group: str,
                 started_by: str | None, overrides: dict[str, Any], cpu: str | None, memory: str | None,
                 availability_zone: str | None, capacity_provider: str | None = None,
                 platform_version: str | None = None, container_instance: Any = None,
                 eni: dict[str, Any] | None = None, private_ip: str | None = None, last_status: str = "PENDING",
                 desired_status: str = "RUNNING", version: int = 1, connectivity: str | None = None,
                 stop_code: str | None = None, stopped_reason: str | None = None,
                 enable_execute_command: bool = False, protected_until: float | None = None,
                 agent_reported: bool = False, last_event: tuple[Any, ...] | None = None) -> None:
        self.id = id
        self.arn = arn
        self.seq = seq
        self.cluster = cluster
        self.definition = definition
        self.launch_type = launch_type
        self.network_mode = network_mode
        self.containers = containers
        self.created_at = created_at
        self.group = group
        self.started_by = started_by
        self.overrides = overrides
        self.cpu = cpu
        self.memory = memory
        self.availability_zone = availability_zone
        self.capacity_provider = capacity_provider
        self.platform_version = platform_version
        self.container_instance = container_instance
        self.eni = eni
        self.private_ip = private_ip
        self.last_status = last_status
        self.desired_status = desired_status
        self.version = version
        self.connectivity = connectivity
        self.times = {}
        self.stop_code = stop_code
        self.stopped_reason = stopped_reason
        self.enable_execute_command = enable_execute_command
        self._exec_sessions = None
        self.protected_until = protected_until
        self.agent_reported = agent_reported
        self.watchers = ()
        self.history = ()
        self.last_event = last_event

    def add_watcher(self, watcher: Callable[[Task, str, float], None]) -> None:
        """Call ``watcher(task, new_last_status, at)`` after every later lastStatus change, after those before it.
        ``watchers`` and ``history`` are tuples (of plain values, for history): a task costs the garbage
        collector less, and most tasks share the one tuple of their fake's own watcher."""
        self.watchers = (*self.watchers, watcher)

    @property
    def exec_sessions(self) -> list[dict[str, Any]]:
        sessions = self._exec_sessions
        if sessions is None:
            sessions = self._exec_sessions = []
        return sessions

    def network_interfaces(self) -> list[dict[str, Any]]:
        """A container's ``networkInterfaces``: the task's ENI in awsvpc mode once it exists, else none."""
        if self.eni is None or self.eni["status"] == "PRECREATED":
            return []
        return [{"attachmentId": self.eni["id"], "privateIpv4Address": self.private_ip}]

    def _attachments(self) -> list[dict[str, Any]]:
        eni = self.eni
        if eni is None:
            return []
        # While PRECREATED the ENI does not exist yet: its details hold only the subnet; its id, MAC, DNS name and
        # address appear when it is ATTACHED (aws/amazon-ecs-cli#522; RunTask samples) [FIDELITY "Observed since"].
        details = eni["details"][:1] if eni["status"] == "PRECREATED" else eni["details"]
        return [dict(eni, details=[{"name": name, "value": value} for name, value in details])]

    def protected(self, at: float) -> bool:
        """Under scale-in protection at ``at``: a service's scale-in and deployments do not stop it."""
        return self.protected_until is not None and at < self.protected_until

    @property
    def running_containers(self) -> list[Container]:
        return [c for c in self.containers if c.last_status == "RUNNING"]

    def describe(self, tags: list[dict[str, str]] | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "taskArn": self.arn,
            "clusterArn": self.cluster.arn,
            "taskDefinitionArn": self.definition.arn,
            "lastStatus": self.last_status,
            "desiredStatus": self.desired_status,
            "launchType": self.launch_type,
            "attachments": self._attachments(),
            "attributes": [{"name": "ecs.cpu-architecture", "value": "x86_64"}],
            "containers": [c.describe(self) for c in self.containers],
            "createdAt": self.created_at,
            "group": self.group,
            "healthStatus": "UNKNOWN",
            "overrides": self.overrides,
            "version": self.version,
            "enableExecuteCommand": self.enable_execute_command,
        }
        body.update(self.times)
        # The members set only when known, in this order.
        if self.availability_zone is not None:
            body["availabilityZone"] = self.availability_zone
        if self.cpu is not None:
            body["cpu"] = self.cpu
        if self.memory is not None:
            body["memory"] = self.memory
        if self.started_by is not None:
            body["startedBy"] = self.started_by
        if self.capacity_provider is not None:
            body["capacityProviderName"] = self.capacity_provider
        if self.connectivity is not None:
            body["connectivity"] = self.connectivity
        if self.stop_code is not None:
            body["stopCode"] = self.stop_code
        if self.stopped_reason is not None:
            body["stoppedReason"] = self.stopped_reason
        if self.container_instance is not None:
            body["containerInstanceArn"] = self.container_instance.arn
        if self.launch_type == "FARGATE":
            body["platformVersion"] = self.platform_version
            body["platformFamily"] = "Linux"
            body["ephemeralStorage"] = {"sizeInGiB": 20}
        if tags is not None:
            body["tags"] = tags
        return body
