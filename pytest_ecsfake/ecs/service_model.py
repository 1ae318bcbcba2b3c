"""ECS services and their deployments as records, and their wire shapes (DescribeServices' ``Service``).

A ``Service`` owns ``Deployment`` records, PRIMARY first then ACTIVE ones newest first; a deployment that has
been completely replaced becomes INACTIVE and leaves the list, as DescribeServices shows it (the
ServicesStable waiter counts on exactly one deployment once a rollout is over). Each deployment keeps the
tasks it launched until they reach STOPPED; the counts a describe shows are read from those tasks' states,
so they can never drift from what DescribeTasks says. The scheduler (``scheduler.py``) changes the records.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core.clock import Event
from ..core.records import Record
from .state import Cluster, TaskDefinition
from .task_model import PENDING_STATES, Task

# AWS's defaults for a REPLICA service of the rolling-update (ECS) controller [M:DeploymentConfiguration].
DEFAULT_MAXIMUM_PERCENT = 200
DEFAULT_MINIMUM_HEALTHY_PERCENT = 100
MAX_EVENTS = 100  # "A maximum of 100 of the latest events are displayed." [M:Service]


def deployment_configuration(given: dict[str, Any] | None, current: dict[str, Any] | None = None, *,
                             daemon: bool = False) -> dict[str, Any]:
    """``given`` over ``current`` (or over AWS's defaults: 100/0 for a DAEMON service, 200/100 for a REPLICA
    one [M:DeploymentConfiguration]), as DescribeServices answers it."""
    config: dict[str, Any] = copy.deepcopy(current) if current else {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 100 if daemon else DEFAULT_MAXIMUM_PERCENT,
        "minimumHealthyPercent": 0 if daemon else DEFAULT_MINIMUM_HEALTHY_PERCENT,
    }
    config.update(copy.deepcopy(given or {}))
    return config


def _launch_fields(owner: Any, body: dict[str, Any]) -> None:
    """Either capacityProviderStrategy or launchType, never both [M:CreateService]; Fargate's platform."""
    if owner.capacity_provider_strategy is not None:
        body["capacityProviderStrategy"] = copy.deepcopy(owner.capacity_provider_strategy)
    else:
        body["launchType"] = owner.launch_type
    if owner.platform_version is not None:
        body["platformVersion"] = owner.platform_version
        body["platformFamily"] = "Linux"


@dataclass(eq=False)
class Deployment:
    """One revision of a service's launch settings and the tasks launched from it."""

    id: str  # ecs-svc/<19 digits>: the startedBy of its tasks
    definition: TaskDefinition
    launch_type: str | None  # None when a capacity provider strategy is used
    capacity_provider_strategy: list[dict[str, Any]] | None
    platform_version: str | None  # resolved ("1.4.0"); Fargate only
    network_configuration: dict[str, Any] | None
    created_at: float
    updated_at: float
    desired_count: int = 0
    status: str = "PRIMARY"  # PRIMARY | ACTIVE | INACTIVE
    rollout_state: str = "IN_PROGRESS"  # IN_PROGRESS | COMPLETED | FAILED
    rollout_state_reason: str = ""
    failed_tasks: int = 0  # consecutive failures while no task of it has been healthy [M:Deployment]
    proven: bool = False  # one of its tasks has been healthy: the circuit breaker stops counting
    tasks: list[Task] = field(default_factory=list)  # launched and not yet STOPPED, in launch order
    counted: set[str] = field(default_factory=set)  # ids of tasks already counted as failures
    service_connect: dict[str, Any] | None = None  # the service's serviceConnectConfiguration when it started
    revision: Any = None  # the ServiceRevision it deploys (ecs/service_history.py)

    def subject(self, service: str) -> str:
        """How the service's events name what started its tasks: "(service <name>)"."""
        return f"(service {service})"

    @property
    def live(self) -> list[Task]:
        """Its tasks the scheduler keeps: desiredStatus RUNNING."""
        return [t for t in self.tasks if t.desired_status == "RUNNING"]

    @property
    def running_count(self) -> int:
        return sum(1 for t in self.tasks if t.last_status == "RUNNING")

    @property
    def pending_count(self) -> int:
        return sum(1 for t in self.tasks if t.last_status in PENDING_STATES)

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "taskDefinition": self.definition.arn,
            "desiredCount": self.desired_count,
            "pendingCount": self.pending_count,
            "runningCount": self.running_count,
            "failedTasks": self.failed_tasks,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "rolloutState": self.rollout_state,
            "rolloutStateReason": self.rollout_state_reason,
        }
        _launch_fields(self, body)
        if self.network_configuration is not None:
            body["networkConfiguration"] = copy.deepcopy(self.network_configuration)
        if self.service_connect is not None:
            body["serviceConnectConfiguration"] = copy.deepcopy(self.service_connect)
        return body


class Service(Record):
    """A REPLICA or DAEMON service of the rolling-update (ECS) deployment controller."""

    name: str
    arn: str
    region: str
    cluster: Cluster
    created_at: float
    created_by: str
    desired_count: int
    launch_type: str | None
    capacity_provider_strategy: list[dict[str, Any]] | None
    platform_version: str | None  # as asked ("LATEST"); Fargate only
    network_configuration: dict[str, Any] | None
    deployment_configuration: dict[str, Any]
    placement_constraints: list[dict[str, Any]]
    placement_strategy: list[dict[str, Any]]
    load_balancers: list[dict[str, Any]]
    service_registries: list[dict[str, Any]]
    propagate_tags: str
    enable_ecs_managed_tags: bool
    enable_execute_command: bool
    availability_zone_rebalancing: str
    health_check_grace_period: int | None
    role_arn: str | None
    scheduling_strategy: str  # REPLICA | DAEMON (ecs/daemon.py)
    fingerprint: str  # the CreateService request, for its idempotence
    service_connect: dict[str, Any] | None  # serviceConnectConfiguration as asked
    namespace_arn: str | None  # its Cloud Map namespace, resolved (ecs/namespaces.py), when enabled
    status: str  # ACTIVE | DRAINING | INACTIVE
    resource_management_type: str  # ECS for an Express service (ecs/express_services.py)
    deployments: list[Deployment]
    events: list[dict[str, Any]]  # newest first
    steady: bool
    last_completed: Deployment | None  # what a circuit-breaker rollback returns to
    next_step: Event | None  # the scheduler's next step for this service, if one is due
    problem: tuple[str, float] | None  # the last placement problem reported, and when
    deployment_controller: str  # ECS | EXTERNAL | CODE_DEPLOY (task sets: ecs/task_set_model.py)
    # The scheduler's step for a service that is not the ECS controller's (ecs/task_set_scheduler.py), or None.
    stepper: Callable[[Any, Service, float], None] | None

    def __init__(self, name: str, arn: str, region: str, cluster: Cluster, created_at: float, created_by: str,
                 desired_count: int, launch_type: str | None,
                 capacity_provider_strategy: list[dict[str, Any]] | None, platform_version: str | None,
                 network_configuration: dict[str, Any] | None, deployment_configuration: dict[str, Any],
                 placement_constraints: list[dict[str, Any]], placement_strategy: list[dict[str, Any]],
                 load_balancers: list[dict[str, Any]], service_registries: list[dict[str, Any]],
                 propagate_tags: str = "NONE", enable_ecs_managed_tags: bool = False,
                 enable_execute_command: bool = False, availability_zone_rebalancing: str = "ENABLED",
                 health_check_grace_period: int | None = None, role_arn: str | None = None,
                 scheduling_strategy: str = "REPLICA", fingerprint: str = "",
                 service_connect: dict[str, Any] | None = None, namespace_arn: str | None = None,
                 status: str = "ACTIVE", resource_management_type: str = "CUSTOMER",
                 deployments: list[Deployment] | None = None, events: list[dict[str, Any]] | None = None,
                 steady: bool = False, last_completed: Deployment | None = None, next_step: Event | None = None,
                 problem: tuple[str, float] | None = None, deployment_controller: str = "ECS",
                 stepper: Callable[[Any, Service, float], None] | None = None) -> None:
        self.name, self.arn, self.region, self.cluster, self.created_at = name, arn, region, cluster, created_at
        self.created_by, self.desired_count, self.launch_type = created_by, desired_count, launch_type
        self.capacity_provider_strategy, self.platform_version = capacity_provider_strategy, platform_version
        self.network_configuration, self.deployment_configuration = network_configuration, deployment_configuration
        self.placement_constraints, self.placement_strategy = placement_constraints, placement_strategy
        self.load_balancers, self.service_registries = load_balancers, service_registries
        self.propagate_tags, self.enable_ecs_managed_tags = propagate_tags, enable_ecs_managed_tags
        self.enable_execute_command = enable_execute_command
        self.availability_zone_rebalancing = availability_zone_rebalancing
        self.health_check_grace_period, self.role_arn = health_check_grace_period, role_arn
        self.scheduling_strategy, self.fingerprint = scheduling_strategy, fingerprint
        self.service_connect, self.namespace_arn, self.status = service_connect, namespace_arn, status
        self.resource_management_type = resource_management_type
        self.deployments = [] if deployments is None else deployments
        self.events = [] if events is None else events
        self.steady, self.last_completed, self.next_step, self.problem = steady, last_completed, next_step, problem
        self.deployment_controller, self.stepper = deployment_controller, stepper

    @property
    def primary(self) -> Deployment:
        return self.deployments[0]

    @property
    def tasks(self) -> list[Task]:
        return [t for d in self.deployments for t in d.tasks]

    def add_event(self, event_id: str, at: float, message: str) -> None:
        """Record a service event, newest first, keeping the latest ``MAX_EVENTS``."""
        self.events.insert(0, {"id": event_id, "createdAt": at, "message": message})
        del self.events[MAX_EVENTS:]

    def describe(self, tags: list[dict[str, str]] | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "serviceArn": self.arn,
            "serviceName": self.name,
            "clusterArn": self.cluster.arn,
            "loadBalancers": copy.deepcopy(self.load_balancers),
            "serviceRegistries": copy.deepcopy(self.service_registries),
            "status": self.status,
            "desiredCount": self.desired_count,
            "runningCount": sum(d.running_count for d in self.deployments),
            "pendingCount": sum(d.pending_count for d in self.deployments),
            "deploymentConfiguration": copy.deepcopy(self.deployment_configuration),
            "deployments": [d.describe() for d in self.deployments],
            "events": [dict(e) for e in self.events],
            "createdAt": self.created_at,
            "placementConstraints": copy.deepcopy(self.placement_constraints),
            "placementStrategy": copy.deepcopy(self.placement_strategy),
            "schedulingStrategy": self.scheduling_strategy,
            "createdBy": self.created_by,
            "enableECSManagedTags": self.enable_ecs_managed_tags,
            "propagateTags": self.propagate_tags,
            "enableExecuteCommand": self.enable_execute_command,
            "availabilityZoneRebalancing": self.availability_zone_rebalancing,
            # The default controller, stated: "If no deployment controller is specified, the default value of ECS
            # is used" [M:CreateService.deploymentController]; services carry it [FIDELITY "Observed since"].
            "deploymentController": {"type": "ECS"},
            "resourceManagementType": self.resource_management_type,
        }
        # "A service will return either a capacityProviderStrategy or launchType parameter, but not both"
        # [M:CreateService]; taskSets are not returned for the ECS controller.
        _launch_fields(self, body)
        if self.deployments:  # a service of task sets may have none (ecs/task_set_model.py)
            body["taskDefinition"] = self.primary.definition.arn
        optional = {
            "networkConfiguration": copy.deepcopy(self.network_configuration),
            "healthCheckGracePeriodSeconds": self.health_check_grace_period,
            "roleArn": self.role_arn,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        if tags is not None:
            body["tags"] = tags
        return body
