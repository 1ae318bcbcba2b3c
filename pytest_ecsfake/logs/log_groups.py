"""CreateLogGroup, DeleteLogGroup, DescribeLogGroups."""

from __future__ import annotations

from typing import Any

from ..core import hooks
from ..core.context import Context
from ..core.errors import InvalidParameterException, ResourceAlreadyExistsException, ResourceNotFoundException
from ..core.paging import page, with_token
from ..core.registry import handler
from .state import GROUP_EXISTS, NO_GROUP, create_group, ms

_DEFAULT_LIMIT = 50  # [M:DescribeLogGroupsRequest.limit] "the default is up to 50 items"


@handler("logs", "CreateLogGroup")
def create_log_group(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    name = params["logGroupName"]
    state = ctx.logs
    if name in state.groups:
        raise ResourceAlreadyExistsException(GROUP_EXISTS)
    group = create_group(state, ctx.region, ctx.account_id, name, ms(ctx.now))
    group.log_class = params.get("logGroupClass", "STANDARD")
    group.kms_key_id = params.get("kmsKeyId")
    group.tags = dict(params.get("tags") or {})
    group.deletion_protection = params.get("deletionProtectionEnabled")
    return {}


@handler("logs", "DeleteLogGroup")
def delete_log_group(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if ctx.logs.groups.pop(params["logGroupName"], None) is None:
        raise ResourceNotFoundException(NO_GROUP)
    if hooks.moto_holds_logs():  # one CloudWatch Logs: moto's copy of the group goes too
        hooks.mirror_log_group(ctx.region, params["logGroupName"], delete=True)
    return {}


@handler("logs", "DescribeLogGroups")
def describe_log_groups(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    prefix = params.get("logGroupNamePrefix")
    pattern = params.get("logGroupNamePattern")
    if prefix is not None and pattern is not None:
        # [M:DescribeLogGroupsRequest] "logGroupNamePrefix and logGroupNamePattern are mutually exclusive."
        raise InvalidParameterException("logGroupNamePrefix and logGroupNamePattern are mutually exclusive. "
                                        "Only one of these parameters can be passed.")
    wanted = params.get("logGroupIdentifiers")
    names = {w.split(":log-group:", 1)[-1].removesuffix(":*") for w in wanted} if wanted else None
    groups = [
        group for name, group in sorted(ctx.logs.groups.items())  # AWS lists groups by name
        if (prefix is None or name.startswith(prefix))
        and (pattern is None or pattern in name)  # a case-sensitive substring search
        and (names is None or name in names)
        and (params.get("logGroupClass") is None or group.log_class == params["logGroupClass"])
    ]
    chunk, token = page(groups, {"nextToken": params.get("nextToken"), "maxResults": params.get("limit")},
                        "DescribeLogGroups", InvalidParameterException, _DEFAULT_LIMIT)
    described = [group.describe() for group in chunk]
    if pattern is not None:  # "only arn, creationTime, and logGroupName are included in the response"
        described = [{key: body[key] for key in ("arn", "creationTime", "logGroupName")} for body in described]
    return with_token({"logGroups": described}, token)
