"""ECS tasks and their containers as records, and their wire shape (DescribeTasks' ``Task``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core.behavior import Behavior
from ..core.clock import Event
from .state import Cluster, TaskDefinition

# lastStatus values a task passes through, in order [DG:task-lifecycle].
PENDING_STATES = frozenset({"PROVISIONING", "PENDING", "ACTIVATING"})
EXEC_AGENT = "ExecuteCommandAgent"  # the managed agent of ECS Exec [M:ManagedAgent.name]


@dataclass(slots=True, eq=False)
class Container:
    name: str
    arn: str
    image: str
    essential: bool
    cpu: int
    memory: int | None
    memory_reservation: int | None
    stop_timeout: float
    behavior: Behavior
    network_bindings: list[dict[str, Any]]
    last_status: str = "PENDING"
    exit_code: int | None = None
    reason: str | None = None
    runtime_id: str | None = None
    image_digest: str | None = None
    exit_event: Event | None = None  # the pending exit (by itself or after a signal), earliest wins
    stopped_at: float | None = None  # when it exited: the task's executionStoppedAt is the last of these
    # Managed agents as an agent reported them (SubmitTaskStateChange's managedAgents), by name.
    reported_agents: dict[str, dict[str, Any]] = field(default_factory=dict)

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


@dataclass(slots=True, eq=False)
class Task:
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
    capacity_provider: str | None = None
    platform_version: str | None = None
    container_instance: Any = None  # a ContainerInstance on EC2/EXTERNAL
    eni: dict[str, Any] | None = None
    private_ip: str | None = None
    last_status: str = "PENDING"
    desired_status: str = "RUNNING"
    version: int = 1
    connectivity: str | None = None
    times: dict[str, float] = field(default_factory=dict)  # connectivityAt, pullStartedAt, ... as set
    stop_code: str | None = None
    stopped_reason: str | None = None
    enable_execute_command: bool = False
    # ECS Exec sessions started on the task (ExecuteCommand), oldest first: what a test can check was run.
    exec_sessions: list[dict[str, Any]] = field(default_factory=list)
    protected_until: float | None = None  # scale-in protection's expirationDate (ecs/task_protection.py)
    # An agent (code playing the ECS agent) reported on the task: the fake's own lifecycle steps aside.
    agent_reported: bool = False
    # Called as watcher(task, new_last_status, at) after every lastStatus change: how services and Batch
    # follow the tasks they own without the lifecycle knowing about them.
    watchers: list[Callable[[Task, str, float], None]] = field(default_factory=list)
    history: list[tuple[float, str]] = field(default_factory=list)  # (at, lastStatus): the failure report's timeline
    # The snapshot of the task's last state-change event (ecs/change_events.py): the next one shares its parts.
    last_event: tuple[Any, ...] | None = field(default=None, repr=False)

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
