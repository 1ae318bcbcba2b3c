"""CreateLogStream, DeleteLogStream, DescribeLogStreams."""

from __future__ import annotations

from typing import Any

from ..core.context import Context
from ..core.errors import InvalidParameterException, ResourceAlreadyExistsException
from ..core.paging import page, with_token
from ..core.registry import handler
from .state import STREAM_EXISTS, create_stream, group_of, ms, stream_of

_DEFAULT_LIMIT = 50  # [M:DescribeLogStreamsRequest.limit]


@handler("logs", "CreateLogStream")
def create_log_stream(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    group = group_of(ctx, params)
    name = params["logStreamName"]
    if name in group.streams:
        raise ResourceAlreadyExistsException(STREAM_EXISTS)
    create_stream(group, name, ms(ctx.now))
    return {}


@handler("logs", "DeleteLogStream")
def delete_log_stream(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    group = group_of(ctx, params)
    stream = stream_of(group, params["logStreamName"])
    del group.streams[stream.name]
    return {}


@handler("logs", "DescribeLogStreams")
def describe_log_streams(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    group = group_of(ctx, params)
    prefix = params.get("logStreamNamePrefix")
    by_time = params.get("orderBy") == "LastEventTime"
    if by_time and prefix is not None:
        # [M:DescribeLogStreamsRequest.orderBy] "If you order the results by event time, you cannot specify
        # the logStreamNamePrefix parameter." (the fake's wording)
        raise InvalidParameterException("Cannot order by LastEventTime with a logStreamNamePrefix.")
    streams = [stream for name, stream in group.streams.items() if prefix is None or name.startswith(prefix)]
    if by_time:
        # A stream without events sorts first (inferred), ties by name.
        streams.sort(key=lambda s: (s.events[-1].timestamp if s.events else -1, s.name))
    else:
        streams.sort(key=lambda s: s.name)
    if params.get("descending"):
        streams.reverse()
    chunk, token = page(streams, {"nextToken": params.get("nextToken"), "maxResults": params.get("limit")},
                        "DescribeLogStreams", InvalidParameterException, _DEFAULT_LIMIT)
    return with_token({"logStreams": [stream.describe() for stream in chunk]}, token)
