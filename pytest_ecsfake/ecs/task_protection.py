"""UpdateTaskProtection and GetTaskProtection: task scale-in protection of a service's tasks.

A protected task keeps ``Task.protected_until`` (its ``expirationDate``); the service scheduler
(``scheduler.py``, ``daemon.py``) does not stop it for scale-in or a deployment while it holds, and wakes when
it ends [DG:task-scale-in-protection]. Protection expires by itself on the fake's clock: an event at the
expiration date clears it [M:UpdateTaskProtectionRequest.expiresInMinutes]. The request's limits (10 or 100
tasks, 1 to 2880 minutes) are the schema's (``schemas/overlay_ecs.json``).
"""

from __future__ import annotations

from typing import Any

from ..core.context import Context
from ..core.registry import handler
from .clusters import get_cluster
from .scheduler import soon
from .service_model import Service
from .state import Cluster
from .task_model import Task
from .tasks import find_task

DEFAULT_MINUTES = 120  # "the task is automatically protected for 120 minutes (2 hours)" [M:UpdateTaskProtection]
# "Invoking this operation for a standalone task will result in an TASK_NOT_VALID failure." [M:UpdateTaskProtection]
NOT_VALID = "TASK_NOT_VALID"
# A task the cluster does not have: ECS's usual reason for a resource not found (not confirmed for this call).
MISSING = "MISSING"


def _service_of(ctx: Context, task: Task) -> Service | None:
    """The service whose deployment launched ``task`` and keeps it (until STOPPED), if any."""
    for service in ctx.ecs.services.values():
        if service.cluster is task.cluster and service.status != "INACTIVE" and any(
                task in d.tasks for d in service.deployments):
            found: Service = service
            return found
    return None


def _lookup(ctx: Context, cluster: Cluster, refs: list[str]) -> tuple[list[tuple[Task, Service]],
                                                                         list[dict[str, str]]]:
    """The service tasks ``refs`` name, and a failure for each of the others."""
    found: list[tuple[Task, Service]] = []
    failures: list[dict[str, str]] = []
    for ref in refs:
        task = find_task(ctx, ref)
        arn = ref if ref.startswith("arn:") else ctx.arn("ecs", f"task/{cluster.name}/{ref}")
        if task is None or task.cluster is not cluster:
            failures.append({"arn": arn, "reason": MISSING})
            continue
        service = _service_of(ctx, task) if task.last_status != "STOPPED" else None
        if service is None:
            failures.append({"arn": task.arn, "reason": NOT_VALID,
                             "detail": "The task is not part of an Amazon ECS service."})  # detail: the fake's words
            continue
        found.append((task, service))
    return found, failures


def _protection(task: Task, at: float) -> dict[str, Any]:
    body: dict[str, Any] = {"taskArn": task.arn, "protectionEnabled": task.protected(at)}
    if task.protected(at):
        body["expirationDate"] = task.protected_until
    return body


def _expire(ctx: Context, task: Task, service: Service, until: float) -> None:
    """Clear the protection at ``until`` unless it was renewed or removed since, and wake the scheduler."""
    backend = ctx.backend

    def expire(at: float) -> None:
        if task.protected_until == until:
            task.protected_until = None
            soon(backend, service, at)

    backend.events.schedule(until, expire)


@handler("ecs", "UpdateTaskProtection")
def update_task_protection(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req["cluster"])
    found, failures = _lookup(ctx, cluster, req["tasks"])
    enabled = req["protectionEnabled"]
    minutes = req.get("expiresInMinutes", DEFAULT_MINUTES)
    for task, service in found:
        if enabled:
            # "The expiresInMinutes property is always reset when you invoke this operation for a task that
            # already has protectionEnabled set to true." [M:UpdateTaskProtection]
            task.protected_until = ctx.now + minutes * 60
            _expire(ctx, task, service, task.protected_until)
        else:
            task.protected_until = None
            soon(ctx.backend, service, ctx.now)  # a stop the protection held back may go ahead now
    return {"protectedTasks": [_protection(t, ctx.now) for t, _ in found], "failures": failures}


@handler("ecs", "GetTaskProtection")
def get_task_protection(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req["cluster"])
    found, failures = _lookup(ctx, cluster, req.get("tasks", []))
    return {"protectedTasks": [_protection(t, ctx.now) for t, _ in found], "failures": failures}
