"""ECS resources of one region, as plain records. Handlers own the rules; these only hold state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .task_index import TaskIndex


@dataclass
class Cluster:
    name: str
    arn: str
    status: str = "ACTIVE"
    settings: list[dict[str, Any]] = field(default_factory=list)
    configuration: dict[str, Any] | None = None
    capacity_providers: list[str] = field(default_factory=list)
    default_strategy: list[dict[str, Any]] = field(default_factory=list)
    service_connect_defaults: dict[str, Any] | None = None
    # as_policy attachments of its Auto Scaling group providers, and their status (ecs/cluster_updates.py).
    attachments: list[dict[str, Any]] = field(default_factory=list)
    attachments_status: str | None = None
    attachments_update: int = 0  # which PutClusterCapacityProviders update is the latest
    # Counters kept up to date by the task lifecycle, so describing a cluster never scans its tasks.
    running_tasks: int = 0
    pending_tasks: int = 0
    active_services: int = 0
    container_instances: int = 0
    tasks: TaskIndex = field(default_factory=TaskIndex)
    # Called with the fake time whenever one of its container instances registers, changes status or
    # attributes, or deregisters: how DAEMON services follow the instances (ecs/daemon.py).
    instance_watchers: list[Callable[[float], None]] = field(default_factory=list, repr=False)


@dataclass
class TaskDefinition:
    arn: str
    family: str
    revision: int
    body: dict[str, Any]  # the TaskDefinition shape as DescribeTaskDefinition returns it
    deleted: bool = False  # DeleteTaskDefinitions finished: gone from every answer, its revision number kept

    @property
    def status(self) -> str:
        status: str = self.body["status"]
        return status


@dataclass
class CapacityProvider:
    """An Auto Scaling group capacity provider (ecs/capacity_providers.py owns the rules, ecs/provider_scaling.py
    the managed scaling)."""

    name: str
    arn: str
    asg: dict[str, Any]  # the AutoScalingGroupProvider shape, defaults filled in
    status: str = "ACTIVE"
    update_status: str | None = None
    update_status_reason: str | None = None
    cluster: str | None = None  # the one cluster it is associated with, by name
    waiting: list[Any] = field(default_factory=list)  # tasks in PROVISIONING for want of capacity, in order
    step_due: float | None = None  # when the next scale-out step lands, while one is under way
    launched: list[Any] = field(default_factory=list)  # container instances its scale-outs registered


@dataclass
class EcsState:
    clusters: dict[str, Cluster] = field(default_factory=dict)  # by name, in creation order
    families: dict[str, list[TaskDefinition]] = field(default_factory=dict)  # revision r at index r-1
    tags: dict[str, dict[str, str]] = field(default_factory=dict)  # by resource ARN, insertion-ordered
    # Container instances by their 32-hex id (ecs/instance_model.py owns the records).
    container_instances: dict[str, Any] = field(default_factory=dict)
    # Tasks by their 32-hex id (ecs/tasks owns the records and the per-cluster indexes).
    tasks: dict[str, Any] = field(default_factory=dict)
    services: dict[str, Any] = field(default_factory=dict)  # by service ARN (ecs/services.py owns the records)
    # Service deployments and revisions by ARN, in creation order (ecs/service_history.py owns the records).
    service_deployments: dict[str, Any] = field(default_factory=dict)
    service_revisions: dict[str, Any] = field(default_factory=dict)
    capacity_providers: dict[str, CapacityProvider] = field(default_factory=dict)  # by name, creation order
    next_seq: int = 0  # creation order of tasks in this region
    # RunTask clientToken → (the request as recorded, the ARNs it launched) [M:RunTask].
    client_tokens: dict[str, tuple[dict[str, Any], list[str]]] = field(default_factory=dict)
    # Account settings set by principal ARN; the root user's are the account defaults (ecs/account_settings.py).
    account_settings: dict[str, dict[str, str]] = field(default_factory=dict)
    # Cloud Map namespaces ECS was told of, name → ARN (ecs/namespaces.py); an ARN given alone maps to itself.
    namespaces: dict[str, str] = field(default_factory=dict)
    # Managed daemons (ecs/daemon_model.py owns the records): daemon task definitions by family (revision r at
    # index r-1), daemons by ARN, their deployments and revisions by ARN, each in creation order.
    daemon_families: dict[str, list[Any]] = field(default_factory=dict)
    daemons: dict[str, Any] = field(default_factory=dict)
    daemon_deployments: dict[str, Any] = field(default_factory=dict)
    daemon_revisions: dict[str, Any] = field(default_factory=dict)
    gateways: Any = None  # a GatewayState once a gateway operation ran (ecs/gateway_model.py owns the records)
    # Express services by service ARN (ecs/express_services.py owns the records).
    express_services: dict[str, Any] = field(default_factory=dict)
