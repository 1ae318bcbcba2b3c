"""ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions, StopServiceDeployment and
ContinueServiceDeployment over the records of ``service_history.py``.

The records follow the scheduler's rolling deployments (their transitions are in ``deployments.py``);
StopServiceDeployment asks for a rollback that the scheduler starts at its next step. The fake has no
lifecycle hooks (they belong to the BLUE_GREEN strategy it does not run), so no deployment is ever paused and
ContinueServiceDeployment always answers the refusal for a deployment with nothing to continue.
"""

from __future__ import annotations

from typing import Any

from ..core.context import Context
from ..core.errors import AwsError, ConflictException, InvalidParameterException
from ..core.paging import page, with_token
from ..core.registry import handler
from .clusters import get_cluster
from .deployments import breaker_threshold
from .scheduler import soon
from .service_history import ServiceDeploymentRecord, ServiceRevision, records_of
from .services import find_service

# Without maxResults ListServiceDeployments "returns up to 20 results" [M:ListServiceDeploymentsRequest.maxResults].
DEFAULT_PAGE = 20
# Not confirmed: no source quotes AWS's words for these refusals.
NOT_FOUND = "The service deployment does not exist."
NOT_ONGOING = "The service deployment has already completed and cannot be stopped."
NOT_PAUSED = "The service deployment is not paused at a lifecycle hook."
# A deployment in one of these states is stopped by a rollback; in the others it is already stopping
# [DG:stop-service-deployment].
ROLLS_BACK = frozenset({"PENDING", "IN_PROGRESS"})
CONTINUES = frozenset({"STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"})


def _record(ctx: Context, arn: str) -> ServiceDeploymentRecord | None:
    record: ServiceDeploymentRecord | None = ctx.ecs.service_deployments.get(arn)
    return record


def _describe(record: ServiceDeploymentRecord) -> dict[str, Any]:
    return record.describe(breaker_threshold(record.service.desired_count))


def _known(ctx: Context, arn: str) -> ServiceDeploymentRecord:
    record = _record(ctx, arn)
    if record is None:
        raise AwsError(NOT_FOUND, code="ServiceDeploymentNotFoundException")
    return record


@handler("ecs", "ListServiceDeployments")
def list_service_deployments(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req.get("cluster"))
    service = find_service(ctx, cluster, req["service"])
    if service is None or service.status == "INACTIVE":
        raise AwsError("Service not found.", code="ServiceNotFoundException")
    statuses = set(req.get("status") or [])
    created = req.get("createdAt") or {}
    before, after = created.get("before"), created.get("after")
    chosen = [
        r for r in reversed(records_of(ctx.backend, service))  # newest first
        if (not statuses or r.status in statuses)
        and (before is None or r.created_at < _seconds(before))
        and (after is None or r.created_at > _seconds(after))
    ]
    chunk, token = page(chosen, req, "ListServiceDeployments", InvalidParameterException, default_max=DEFAULT_PAGE)
    return with_token({"serviceDeployments": [r.brief() for r in chunk]}, token)


def _seconds(value: Any) -> float:
    """A request timestamp (epoch seconds on the wire; a datetime when called in-process) as epoch seconds."""
    if hasattr(value, "timestamp"):
        return float(value.timestamp())
    return float(value)


@handler("ecs", "DescribeServiceDeployments")
def describe_service_deployments(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    found: list[dict[str, Any]] = []
    failures: list[dict[str, str]] = []
    for arn in req["serviceDeploymentArns"]:
        record = _record(ctx, arn)
        if record is None:
            failures.append({"arn": arn, "reason": "MISSING"})  # [M:DescribeServiceDeploymentsResponse.failures]
        else:
            found.append(_describe(record))
    return {"serviceDeployments": found, "failures": failures}


@handler("ecs", "DescribeServiceRevisions")
def describe_service_revisions(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    found: list[dict[str, Any]] = []
    failures: list[dict[str, str]] = []
    for arn in req["serviceRevisionArns"]:
        revision: ServiceRevision | None = ctx.ecs.service_revisions.get(arn)
        if revision is None:
            failures.append({"arn": arn, "reason": "MISSING"})
        else:
            found.append(revision.describe())
    return {"serviceRevisions": found, "failures": failures}


@handler("ecs", "StopServiceDeployment")
def stop_service_deployment(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    record = _known(ctx, req["serviceDeploymentArn"])
    stop_type = req.get("stopType", "ROLLBACK")  # ROLLBACK is the only stop type AWS documents as valid
    if stop_type != "ROLLBACK":
        ctx.unsupported(f"stopType {stop_type} (only ROLLBACK)")
    if record.status in ROLLS_BACK:
        record.rollback_source = record.sources[0][1] if record.sources else None
        record.set("ROLLBACK_REQUESTED", ctx.now, "Rollback requested by StopServiceDeployment.")  # the fake's words
        soon(ctx.backend, record.service, ctx.now)
    elif record.status not in CONTINUES:
        raise ConflictException(NOT_ONGOING)
    return {"serviceDeploymentArn": record.arn}


@handler("ecs", "ContinueServiceDeployment")
def continue_service_deployment(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    _known(ctx, req["serviceDeploymentArn"])
    # Nothing is ever paused at a lifecycle hook in the fake (no BLUE_GREEN deployments), whatever the hookId.
    raise InvalidParameterException(NOT_PAUSED)
