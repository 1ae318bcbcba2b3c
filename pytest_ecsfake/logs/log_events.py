"""PutLogEvents, GetLogEvents, FilterLogEvents.

GetLogEvents' tokens say a place in the stream and a direction: ``f/<place>/s`` reads forward from just
after that place, ``b/<place>/s`` backward from just before it. A place is an event's (timestamp, ingestion
order), so a token stays right when older events arrive later. When a page holds nothing new the token that
was passed in comes back unchanged: that is how readers detect the end [M:GetLogEventsResponse].
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable
from typing import Any

from ..core.context import Context
from ..core.errors import InvalidParameterException
from ..core.paging import make_token, read_token
from ..core.registry import handler
from .state import MAX_BYTES, MAX_EVENTS, LogEvent, append, event_size, group_of, ms, stream_of

_TOO_NEW_MS = 2 * 3600 * 1000  # [M:PutLogEvents] "Events more than 2 hours in the future are rejected"
_TOO_OLD_MS = 14 * 24 * 3600 * 1000  # "Events older than 14 days ... are rejected"
_SPAN_MS = 24 * 3600 * 1000
# AWS's wording [obs: dibog/cloudwatch-logback-appender#17; aws/amazon-cloudwatch-logs-for-fluent-bit#29].
NOT_CHRONOLOGICAL = "Log events in a single PutLogEvents request must be in chronological order."
TOO_LONG_SPAN = "The batch of log events in a single PutLogEvents request cannot span more than 24 hours."
BAD_TOKEN = "The specified nextToken is invalid."  # inferred: AWS's wording is not known


@handler("logs", "PutLogEvents")
def put_log_events(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    group = group_of(ctx, params)
    stream = stream_of(group, params["logStreamName"])
    events = params["logEvents"]
    stamps = [event["timestamp"] for event in events]
    if any(later < earlier for earlier, later in zip(stamps, stamps[1:], strict=False)):
        raise InvalidParameterException(NOT_CHRONOLOGICAL)
    now = ms(ctx.now)
    valid = [t for t in stamps if now - _TOO_OLD_MS <= t <= now + _TOO_NEW_MS]
    if valid and valid[-1] - valid[0] > _SPAN_MS:
        raise InvalidParameterException(TOO_LONG_SPAN)
    # The sequence token is ignored since 2023: every batch is accepted [M:PutLogEvents].
    too_old_end = sum(1 for t in stamps if t < now - _TOO_OLD_MS)
    too_new_start = next((i for i, t in enumerate(stamps) if t > now + _TOO_NEW_MS), None)
    state = ctx.logs
    for index, event in enumerate(events):
        if index >= too_old_end and (too_new_start is None or index < too_new_start):
            append(state, stream, event["timestamp"], event["message"], now)
    body: dict[str, Any] = {"nextSequenceToken": f"{state.seq:056d}"}
    rejected: dict[str, int] = {}
    if too_new_start is not None:
        rejected["tooNewLogEventStartIndex"] = too_new_start
    if too_old_end:
        rejected["tooOldLogEventEndIndex"] = too_old_end
    if rejected:
        body["rejectedLogEventsInfo"] = rejected
    return body


Place = tuple[int, int]
_BEFORE_ALL: Place = (-1, 0)
_GET_TOKEN = re.compile(r"^([fb])/(\d{20})(\d{20})/s$")


def _token(direction: str, place: Place) -> str:
    return f"{direction}/{place[0] + 1:020d}{place[1]:020d}/s"


def _read_get_token(token: str) -> tuple[str, Place]:
    match = _GET_TOKEN.match(token)
    if match is None:
        raise InvalidParameterException(BAD_TOKEN)
    return match.group(1), (int(match.group(2)) - 1, int(match.group(3)))


def _page_forward(events: list[LogEvent], limit: int) -> list[LogEvent]:
    chosen: list[LogEvent] = []
    size = 0
    for event in events:
        size += event_size(event.message)
        if len(chosen) >= limit or size > MAX_BYTES:
            break
        chosen.append(event)
    return chosen


def _page_backward(events: list[LogEvent], limit: int) -> list[LogEvent]:
    chosen: list[LogEvent] = []
    size = 0
    for event in reversed(events):
        size += event_size(event.message)
        if len(chosen) >= limit or size > MAX_BYTES:
            break
        chosen.append(event)
    chosen.reverse()
    return chosen


def _in_range(event: LogEvent, start: int | None, end: int | None, *, end_inclusive: bool) -> bool:
    if start is not None and event.timestamp < start:
        return False
    if end is None:
        return True
    return event.timestamp <= end if end_inclusive else event.timestamp < end


@handler("logs", "GetLogEvents")
def get_log_events(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stream = stream_of(group_of(ctx, params), params["logStreamName"])
    start, end = params.get("startTime"), params.get("endTime")
    # [M:GetLogEventsRequest.endTime] "Events with a timestamp equal to or later than this time are not included."
    events = [e for e in stream.events if _in_range(e, start, end, end_inclusive=False)]
    limit = params.get("limit") or MAX_EVENTS
    token = params.get("nextToken")
    if token:
        # The token's own direction decides (the reference asks for startFromHead=true with a forward token;
        # whether AWS refuses one without it is not known, so nothing is refused).
        direction, place = _read_get_token(token)
        if direction == "f":
            chosen = _page_forward([e for e in events if e.key > place], limit)
        else:
            chosen = _page_backward([e for e in events if e.key < place], limit)
    else:
        direction, place = "", _BEFORE_ALL
        chosen = (_page_forward if params.get("startFromHead") else _page_backward)(events, limit)
    if chosen:
        forward, backward = _token("f", chosen[-1].key), _token("b", chosen[0].key)
    elif token:  # nothing new in the token's direction: the same token comes back
        # (Just before the place a backward token names: the first event of the page it came with.)
        forward = token if direction == "f" else _token("f", (place[0], max(place[1] - 1, 0)))
        backward = token if direction == "b" else _token("b", (place[0], place[1] + 1))
    else:  # an empty stream (or range): both tokens stand before everything, so new events are read forward
        forward, backward = _token("f", _BEFORE_ALL), _token("b", _BEFORE_ALL)
    return {
        "events": [{"timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion} for e in chosen],
        "nextForwardToken": forward,
        "nextBackwardToken": backward,
    }


Matcher = Callable[[str], bool]


def compile_filter(pattern: str | None) -> Matcher | None:
    """A matcher for the term syntax of filter patterns: terms (all must appear), quoted phrases, ``?term``
    (any of these), ``-term`` (must not appear); case-sensitive, as AWS's. None: the JSON (``{ ... }``),
    space-delimited (``[ ... ]``) and regular-expression (``%...%``) syntaxes, which the fake does not match."""
    if pattern is None or not pattern.strip():
        return lambda message: True
    text = pattern.strip()
    if text[0] in "{[%":
        return None
    try:
        words = shlex.split(text)
    except ValueError:  # an unbalanced quote: match the text as one term (inferred)
        words = [text]
    required = [w for w in words if not w.startswith(("?", "-")) or len(w) == 1]
    anyof = [w[1:] for w in words if w.startswith("?") and len(w) > 1]
    excluded = [w[1:] for w in words if w.startswith("-") and len(w) > 1]

    def matches(message: str) -> bool:
        return (all(w in message for w in required) and (not anyof or any(w in message for w in anyof))
                and not any(w in message for w in excluded))

    return matches


def _event_id(event: LogEvent) -> str:
    # AWS's event ids are 56-digit decimal strings; these are unique and sort as the events do.
    return f"{event.timestamp:020d}{event.seq:036d}"


@handler("logs", "FilterLogEvents")
def filter_log_events(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    group = group_of(ctx, params)
    names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
    if names is not None and prefix is not None:
        # [M:FilterLogEventsRequest.logStreamNames] "If you specify a value for both logStreamNames and
        # logStreamNamePrefix, the action returns an InvalidParameterException error." (the fake's wording)
        raise InvalidParameterException("logStreamNames and logStreamNamePrefix cannot both be specified.")
    matches = compile_filter(params.get("filterPattern"))
    if matches is None:
        ctx.unsupported("filter patterns other than terms and quoted phrases (JSON, space-delimited, regex)")
    if names is not None:
        streams = [group.streams[name] for name in names if name in group.streams]
    else:
        streams = [s for name, s in group.streams.items() if prefix is None or name.startswith(prefix)]
    start, end = params.get("startTime"), params.get("endTime")
    # Interleaved across streams, by timestamp then ingestion [M:FilterLogEvents].
    found: Iterable[LogEvent] = (
        e for s in streams for e in s.events
        if _in_range(e, start, end, end_inclusive=True) and matches(e.message)
    )
    ordered = sorted(found, key=lambda e: (e.timestamp, e.ingestion, e.seq))
    token = params.get("nextToken")
    if token:
        after = read_token("FilterLogEvents", token, InvalidParameterException)
        if not (isinstance(after, list) and len(after) == 3 and all(isinstance(n, int) for n in after)):
            raise InvalidParameterException(BAD_TOKEN)
        ordered = [e for e in ordered if (e.timestamp, e.ingestion, e.seq) > tuple(after)]
    chosen = _page_forward(ordered, params.get("limit") or MAX_EVENTS)
    body: dict[str, Any] = {
        "events": [
            {"logStreamName": e.stream, "timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion,
             "eventId": _event_id(e)}
            for e in chosen
        ],
        # "As of May 15, 2020, this parameter is no longer supported. This parameter returns an empty list."
        "searchedLogStreams": [],
    }
    if len(chosen) < len(ordered):
        last = chosen[-1]
        body["nextToken"] = make_token("FilterLogEvents", [last.timestamp, last.ingestion, last.seq])
    return body
