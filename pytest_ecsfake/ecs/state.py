"""ECS resources of one region, as plain records. Handlers own the rules; these only hold state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.records import ValueRecord
from .task_index import TaskIndex


class Cluster(ValueRecord):
    name: str
    arn: str
    status: str
    settings: list[dict[str, Any]]
    configuration: dict[str, Any] | None
    capacity_providers: list[str]
    default_strategy: list[dict[str, Any]]
    service_connect_defaults: dict[str, Any] | None
    # as_policy attachments of its Auto Scaling group providers, and their status (ecs/cluster_updates.py).
    attachments: list[dict[str, Any]]
    attachments_status: str | None
    attachments_update: int  # which PutClusterCapacityProviders update is the latest
    # Counters kept up to date by the task lifecycle, so describing a cluster never scans its tasks.
    running_tasks: int
    pending_tasks: int
    active_services: int
    container_instances: int
    tasks: TaskIndex
    # Called with the fake time whenever one of its container instances registers, changes status or
    # attributes, or deregisters: how DAEMON services follow the instances (ecs/daemon.py).
    instance_watchers: list[Callable[[float], None]]
    _hidden = ("instance_watchers",)

    def __init__(self, name: str, arn: str, status: str = "ACTIVE", settings: list[dict[str, Any]] | None = None,
                 configuration: dict[str, Any] | None = None, capacity_providers: list[str] | None = None,
                 default_strategy: list[dict[str, Any]] | None = None) -> None:
        self.name, self.arn, self.status = name, arn, status
        self.settings = [] if settings is None else settings
        self.configuration = configuration
        self.capacity_providers = [] if capacity_providers is None else capacity_providers
        self.default_strategy = [] if default_strategy is None else default_strategy
        self.service_connect_defaults = None
        self.attachments = []
        self.attachments_status = None
        self.attachments_update = 0
        self.running_tasks = self.pending_tasks = self.active_services = self.container_instances = 0
        self.tasks = TaskIndex()
        self.instance_watchers = []


class TaskDefinition(ValueRecord):
    arn: str
    family: str
    revision: int
    body: dict[str, Any]  # the TaskDefinition shape as DescribeTaskDefinition returns it
    deleted: bool  # DeleteTaskDefinitions finished: gone from every answer, its revision number kept
    # The overrides DescribeTasks answers for its tasks launched without any (ecs/launch.py), made once.
    bare_overrides: dict[str, Any] | None
    _hidden = ("bare_overrides",)

    def __init__(self, arn: str, family: str, revision: int, body: dict[str, Any], deleted: bool = False) -> None:
        self.arn, self.family, self.revision, self.body, self.deleted = arn, family, revision, body, deleted
        self.bare_overrides = None

    @property
    def status(self) -> str:
        status: str = self.body["status"]
        return status


class CapacityProvider(ValueRecord):
    """An Auto Scaling group capacity provider (ecs/capacity_providers.py owns the rules, ecs/provider_scaling.py
    the managed scaling)."""

    name: str
    arn: str
    asg: dict[str, Any]  # the AutoScalingGroupProvider shape, defaults filled in
    status: str
    update_status: str | None
    update_status_reason: str | None
    cluster: str | None  # the one cluster it is associated with, by name
    waiting: list[Any]  # tasks in PROVISIONING for want of capacity, in order
    step_due: float | None  # when the next scale-out step lands, while one is under way
    launched: list[Any]  # container instances its scale-outs registered

    def __init__(self, name: str, arn: str, asg: dict[str, Any]) -> None:
        self.name, self.arn, self.asg, self.status = name, arn, asg, "ACTIVE"
        self.update_status = self.update_status_reason = self.cluster = None
        self.waiting = []
        self.step_due = None
        self.launched = []


class EcsState(ValueRecord):
    clusters: dict[str, Cluster]  # by name, in creation order
    families: dict[str, list[TaskDefinition]]  # revision r at index r-1
    tags: dict[str, dict[str, str]]  # by resource ARN, insertion-ordered
    # Container instances by their 32-hex id (ecs/instance_model.py owns the records).
    container_instances: dict[str, Any]
    # Tasks by their 32-hex id (ecs/tasks owns the records and the per-cluster indexes).
    tasks: dict[str, Any]
    services: dict[str, Any]  # by service ARN (ecs/services.py owns the records)
    # Service deployments and revisions by ARN, in creation order (ecs/service_history.py owns the records).
    service_deployments: dict[str, Any]
    service_revisions: dict[str, Any]
    capacity_providers: dict[str, CapacityProvider]  # by name, creation order
    next_seq: int  # creation order of tasks in this region
    # RunTask clientToken → (the request: its JSON body, or as decoded; the ARNs it launched) [M:RunTask].
    client_tokens: dict[str, tuple[bytes | dict[str, Any], tuple[str, ...]]]
    # Account settings set by principal ARN; the root user's are the account defaults (ecs/account_settings.py).
    account_settings: dict[str, dict[str, str]]
    # Cloud Map namespaces ECS was told of, name → ARN (ecs/namespaces.py); an ARN given alone maps to itself.
    namespaces: dict[str, str]
    # Managed daemons (ecs/daemon_model.py owns the records): daemon task definitions by family (revision r at
    # index r-1), daemons by ARN, their deployments and revisions by ARN, each in creation order.
    daemon_families: dict[str, list[Any]]
    daemons: dict[str, Any]
    daemon_deployments: dict[str, Any]
    daemon_revisions: dict[str, Any]
    gateways: Any  # a GatewayState once a gateway operation ran (ecs/gateway_model.py owns the records)
    # Express services by service ARN (ecs/express_services.py owns the records).
    express_services: dict[str, Any]

    def __init__(self) -> None:
        self.clusters, self.families, self.tags, self.container_instances, self.tasks = {}, {}, {}, {}, {}
        self.services, self.service_deployments, self.service_revisions, self.capacity_providers = {}, {}, {}, {}
        self.next_seq = 0
        self.client_tokens, self.account_settings, self.namespaces = {}, {}, {}
        self.daemon_families, self.daemons, self.daemon_deployments, self.daemon_revisions = {}, {}, {}, {}
        self.gateways = None
        self.express_services = {}
