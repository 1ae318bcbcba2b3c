"""DescribeDaemonDeployments, ListDaemonDeployments, DescribeDaemonRevisions: the history of managed daemons
(``daemons.py`` records it, ``daemon_rollout.py`` moves deployments through their statuses on the fake clock).

Deployments and revisions stay describable after their daemon is deleted (the fake's choice: AWS documents no
retention). Choices: docs/fidelity-daemons.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core.context import Context
from ..core.errors import ClientException, InvalidParameterException
from ..core.paging import page, with_token
from ..core.registry import handler
from .daemon_model import DaemonDeployment, DaemonRevision, parse_daemon_arn
from .lookup import describe_each

MAX_ARNS = 20  # "You can specify up to 20 ARNs" [M:DescribeDaemonDeploymentsRequest, M:DescribeDaemonRevisionsRequest]


def _at_most(arns: list[str], member: str) -> None:
    if not arns:
        # Not confirmed: DescribeTasks' observed sentence ("Tasks cannot be empty.") for this member.
        raise InvalidParameterException(f"{member} cannot be empty.")
    if len(arns) > MAX_ARNS:
        # Not confirmed: the sentence DescribeServices was seen to answer ("... can have at most 10 items.").
        raise InvalidParameterException(f"{member} can have at most {MAX_ARNS} items.")


@handler("ecs", "DescribeDaemonDeployments")
def describe_daemon_deployments(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    arns = req["daemonDeploymentArns"]
    _at_most(arns, "daemonDeploymentArns")
    records: dict[str, DaemonDeployment] = ctx.ecs.daemon_deployments
    # Unknown ARNs are MISSING failures [M:Failure]: the waiters read failures[].reason MISSING.
    found, failures = describe_each(arns, records.get, DaemonDeployment.describe, str)
    return {"daemonDeployments": found, "failures": failures}


@handler("ecs", "DescribeDaemonRevisions")
def describe_daemon_revisions(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    arns = req["daemonRevisionArns"]
    _at_most(arns, "daemonRevisionArns")
    records: dict[str, DaemonRevision] = ctx.ecs.daemon_revisions
    found, failures = describe_each(arns, records.get, DaemonRevision.describe, str)
    return {"daemonRevisions": found, "failures": failures}


def _epoch(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


@handler("ecs", "ListDaemonDeployments")
def list_daemon_deployments(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """The daemon's deployments, newest first (the fake's order: AWS documents none), filtered by status and by
    ``createdAt`` (``after`` and ``before`` inclusive); up to 20 a page by default [M:ListDaemonDeploymentsRequest]."""
    arn = req["daemonArn"]
    parsed = parse_daemon_arn(ctx, arn)
    if parsed is None:
        # Not confirmed: the wording is the fake's.
        raise InvalidParameterException(f"Invalid daemon ARN: {arn}.")
    mine = [d for d in ctx.ecs.daemon_deployments.values() if d.daemon_arn == arn]
    if not mine:
        if arn in ctx.ecs.daemons:
            mine = []
        else:
            # Not confirmed: the model lists no DaemonNotFoundException for ListDaemonDeployments.
            raise ClientException("Daemon not found.")
    statuses = set(req.get("status") or [])
    window = req.get("createdAt") or {}
    after = _epoch(window["after"]) if "after" in window else None
    before = _epoch(window["before"]) if "before" in window else None
    chosen = [d for d in reversed(mine)
              if (not statuses or d.status in statuses)
              and (after is None or d.created_at >= after) and (before is None or d.created_at <= before)]
    chunk, token = page(chosen, req, "ListDaemonDeployments", InvalidParameterException, default_max=20)
    return with_token({"daemonDeployments": [d.summary() for d in chunk]}, token)
