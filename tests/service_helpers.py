"""Shared set-up for the service tests: what a user's own test module would have."""

from __future__ import annotations

from typing import Any

from ecs_helpers import SUBNETS, fargate_definition

# A default Fargate task is RUNNING 18 s after launch, and the scheduler launches 1 s after a change.
STARTED_AFTER = 20
HEALTHY_AFTER = 40  # service_healthy_after


def web_service(ecs: Any, name: str = "web", desired: int = 2, cluster: str = "c", **extra: Any) -> dict[str, Any]:
    """CreateService of a Fargate service of the ``web`` family (registered if needed); the answer's service."""
    if not ecs.list_task_definitions(familyPrefix="web")["taskDefinitionArns"]:
        fargate_definition(ecs, family="web", image="web:1")
    body: dict[str, Any] = {"cluster": cluster, "serviceName": name, "taskDefinition": "web", "desiredCount": desired,
                            "launchType": "FARGATE", "networkConfiguration": SUBNETS}
    body.update(extra)
    if "capacityProviderStrategy" in extra:
        del body["launchType"]
    service: dict[str, Any] = ecs.create_service(**body)["service"]
    return service


def service(ecs: Any, name: str = "web", cluster: str = "c") -> dict[str, Any]:
    answer = ecs.describe_services(cluster=cluster, services=[name])
    assert answer["failures"] == []
    found: dict[str, Any] = answer["services"][0]
    return found


def messages(ecs: Any, name: str = "web", cluster: str = "c") -> list[str]:
    """The service's event messages, oldest first (DescribeServices lists them newest first)."""
    return [e["message"] for e in reversed(service(ecs, name, cluster)["events"])]


def service_tasks(ecs: Any, name: str = "web", cluster: str = "c", status: str = "RUNNING") -> list[dict[str, Any]]:
    """The service's tasks of that desiredStatus, described, found through ListTasks' serviceName filter."""
    arns = ecs.list_tasks(cluster=cluster, serviceName=name, desiredStatus=status)["taskArns"]
    if not arns:
        return []
    tasks: list[dict[str, Any]] = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]
    return tasks


def counts(ecs: Any, name: str = "web", cluster: str = "c") -> tuple[int, int, int]:
    """(desiredCount, pendingCount, runningCount) of the service."""
    found = service(ecs, name, cluster)
    return found["desiredCount"], found["pendingCount"], found["runningCount"]


def deployments(ecs: Any, name: str = "web", cluster: str = "c") -> list[tuple[str, str, int, int, int, str]]:
    """Each deployment as (status, task definition family:revision, desired, pending, running, rolloutState)."""
    return [(d["status"], d["taskDefinition"].rsplit("/", 1)[1], d["desiredCount"], d["pendingCount"],
             d["runningCount"], d["rolloutState"]) for d in service(ecs, name, cluster)["deployments"]]


def new_revision(ecs: Any, image: str) -> str:
    """Register another revision of the ``web`` family running ``image``; its ARN."""
    return fargate_definition(ecs, family="web", image=image)
