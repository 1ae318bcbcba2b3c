"""Task sets as records, and their wire shapes (DescribeTaskSets' ``TaskSet``; a service's ``taskSets``).

A service of the EXTERNAL or CODE_DEPLOY deployment controller owns task sets instead of ECS deployments. A
``TaskSet`` is a ``Deployment`` (``service_model.py``) with the task set's own members, so the service scheduler's
launch and stop helpers serve both: a service of those controllers keeps its task sets in ``Service.deployments``
(in creation order) and ``task_set_scheduler.py`` keeps each one at its computed desired count. Choices where
AWS is silent: ``docs/fidelity-task-sets.md``.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

from .service_model import Deployment, Service

CONTROLLED = ("EXTERNAL", "CODE_DEPLOY")  # the controllers whose services have task sets
MAX_TASK_SETS = 5  # "Task sets per service": 5 [DG:service-quotas]


def computed_count(desired: int, scale: float) -> int:
    """The service's desiredCount times the scale percentage, "always rounded up" [M:TaskSet.computedDesiredCount]
    (rounded to 9 digits first, so 3 x 33.333333333 % is 1, not 2)."""
    return math.ceil(round(desired * scale / 100, 9))


@dataclass(eq=False)
class TaskSet(Deployment):
    """One task set: a task definition, launch settings, a scale, and the tasks it launched."""

    arn: str = ""  # arn:aws:ecs:<region>:<account>:task-set/<cluster>/<service>/<id>
    service_arn: str = ""
    cluster_arn: str = ""
    scale: float = 0.0  # percent of the service's desiredCount
    external_id: str | None = None
    started_by: str | None = None  # CODE_DEPLOY for a task set of a CODE_DEPLOY service [M:TaskSet.startedBy]
    load_balancers: list[dict[str, Any]] = field(default_factory=list)
    service_registries: list[dict[str, Any]] = field(default_factory=list)
    platform_asked: str | None = None  # platformVersion as asked ("LATEST"); Fargate only
    stability_status: str = "STABILIZING"  # STABILIZING | STEADY_STATE
    stability_at: float = 0.0
    client_token: str | None = None
    fingerprint: str = ""  # the CreateTaskSet request, for clientToken's idempotence

    def subject(self, service: str) -> str:
        """A task set's tasks are announced as "(service <name>, taskSet <id>) has started 1 tasks: ..." (real
        events of EXTERNAL and CODE_DEPLOY services, e.g. mtyurt/ecstui's recorded service, altis-cli logs)."""
        return f"(service {service}, taskSet {self.id})"

    def describe_set(self, tags: list[dict[str, str]] | None) -> dict[str, Any]:
        """The ``TaskSet`` shape."""
        body: dict[str, Any] = {
            "id": self.id,
            "taskSetArn": self.arn,
            "serviceArn": self.service_arn,
            "clusterArn": self.cluster_arn,
            "status": self.status,
            "taskDefinition": self.definition.arn,
            "computedDesiredCount": self.desired_count,
            "pendingCount": self.pending_count,
            "runningCount": self.running_count,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "loadBalancers": copy.deepcopy(self.load_balancers),
            "serviceRegistries": copy.deepcopy(self.service_registries),
            "scale": {"value": float(self.scale), "unit": "PERCENT"},
            "stabilityStatus": self.stability_status,
            "stabilityStatusAt": self.stability_at,
        }
        if self.capacity_provider_strategy is not None:
            body["capacityProviderStrategy"] = copy.deepcopy(self.capacity_provider_strategy)
        else:
            body["launchType"] = self.launch_type
        if self.platform_asked is not None:
            body["platformVersion"] = self.platform_asked
            body["platformFamily"] = "Linux"
        if self.network_configuration is not None:
            body["networkConfiguration"] = copy.deepcopy(self.network_configuration)
        for key, value in (("startedBy", self.started_by), ("externalId", self.external_id)):
            if value is not None:
                body[key] = value
        if tags is not None:
            body["tags"] = tags
        return body

    def describe(self) -> dict[str, Any]:
        """The task set as one of its service's ``deployments``: PRIMARY, or ACTIVE (a DRAINING one too, while its
        tasks stop); no rolloutState, which "is only returned for services that use the rolling update (ECS)
        deployment type" [M:Deployment.rolloutState]."""
        body = super().describe()
        body["status"] = "PRIMARY" if self.status == "PRIMARY" else "ACTIVE"
        del body["rolloutState"], body["rolloutStateReason"]
        return body


def task_sets(service: Service) -> list[TaskSet]:
    return [d for d in service.deployments if isinstance(d, TaskSet)]


def primary_task_set(service: Service) -> TaskSet | None:
    return next((t for t in task_sets(service) if t.status == "PRIMARY"), None)


def service_body(service: Service, body: dict[str, Any]) -> dict[str, Any]:
    """A service of the EXTERNAL or CODE_DEPLOY controller as DescribeServices answers it: its taskSets, and the
    launch settings and task definition of its PRIMARY task set ("Any parameters that are updated on the primary
    task set in a service will transition to the service" [M:UpdateServicePrimaryTaskSet]); none without one."""
    for key in ("taskDefinition", "launchType", "capacityProviderStrategy", "platformVersion", "platformFamily",
                "networkConfiguration"):
        body.pop(key, None)
    body["deploymentController"] = {"type": service.deployment_controller}
    body["taskSets"] = [t.describe_set(None) for t in task_sets(service)]
    primary = primary_task_set(service)
    if primary is not None:
        shape = primary.describe_set(None)
        body["taskDefinition"] = primary.definition.arn
        own = ("loadBalancers", "serviceRegistries") if service.deployment_controller == "CODE_DEPLOY" else ()
        for key in ("launchType", "capacityProviderStrategy", "platformVersion", "platformFamily",
                    "networkConfiguration", "loadBalancers", "serviceRegistries"):
            if key in shape and key not in own:
                body[key] = shape[key]
    return body
