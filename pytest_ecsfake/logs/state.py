"""CloudWatch Logs resources of one region, as plain records, and the one writer every event goes through.

Timestamps here are what Logs puts on the wire: epoch milliseconds (ints) of the fake clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.errors import InvalidParameterException, ResourceNotFoundException
from ..core.records import Record, ValueRecord

if TYPE_CHECKING:
    from ..core.context import Context

# AWS's wording [FIDELITY.md "CloudWatch Logs"].
NO_GROUP = "The specified log group does not exist."
NO_STREAM = "The specified log stream does not exist."
GROUP_EXISTS = "The specified log group already exists."
STREAM_EXISTS = "The specified log stream already exists."
# PutLogEvents/GetLogEvents pages: up to 10,000 events or 1 MB, counted as AWS counts a batch (the UTF-8 bytes
# of each message plus 26 bytes per event) [M:PutLogEvents; M:GetLogEvents].
MAX_EVENTS = 10_000
MAX_BYTES = 1_048_576
EVENT_OVERHEAD = 26


def ms(seconds: float) -> int:
    """Epoch seconds of the fake clock → the epoch milliseconds Logs puts on the wire."""
    return int(round(seconds * 1000))


def event_size(message: str) -> int:
    return len(message.encode("utf-8")) + EVENT_OVERHEAD


class LogEvent(Record):
    timestamp: int
    message: str
    ingestion: int
    seq: int  # order of ingestion, unique in the region: with the timestamp, the event's place in a stream
    stream: str

    def __init__(self, timestamp: int, message: str, ingestion: int, seq: int, stream: str) -> None:
        self.timestamp, self.message, self.ingestion, self.seq = timestamp, message, ingestion, seq
        self.stream = stream

    @property
    def key(self) -> tuple[int, int]:
        return (self.timestamp, self.seq)


class LogStream(Record):
    name: str
    arn: str
    created: int
    events: list[LogEvent]  # sorted by key
    last_ingestion: int | None

    def __init__(self, name: str, arn: str, created: int, events: list[LogEvent] | None = None,
                 last_ingestion: int | None = None) -> None:
        self.name, self.arn, self.created = name, arn, created
        self.events = [] if events is None else events
        self.last_ingestion = last_ingestion

    def add(self, event: LogEvent) -> None:
        events = self.events
        if not events or events[-1].key <= event.key:
            events.append(event)
        else:  # an event older than the newest one (another writer's batch): keep the stream in time order
            from bisect import insort

            insort(events, event, key=lambda e: e.key)
        self.last_ingestion = event.ingestion

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {"logStreamName": self.name, "creationTime": self.created, "arn": self.arn,
                                "storedBytes": 0}  # always zero for streams since 2019 [M:LogStream.storedBytes]
        if self.events:
            body["firstEventTimestamp"] = self.events[0].timestamp
            body["lastEventTimestamp"] = self.events[-1].timestamp
        if self.last_ingestion is not None:
            body["lastIngestionTime"] = self.last_ingestion
        return body


class LogGroup(Record):
    name: str
    arn: str  # the ``arn`` AWS shows: the group's ARN followed by ``:*``
    created: int
    log_class: str
    kms_key_id: str | None
    tags: dict[str, str]
    deletion_protection: bool | None
    streams: dict[str, LogStream]

    def __init__(self, name: str, arn: str, created: int, log_class: str = "STANDARD", kms_key_id: str | None = None,
                 tags: dict[str, str] | None = None, deletion_protection: bool | None = None,
                 streams: dict[str, LogStream] | None = None) -> None:
        self.name, self.arn, self.created, self.log_class, self.kms_key_id = name, arn, created, log_class, kms_key_id
        self.tags = {} if tags is None else tags
        self.deletion_protection = deletion_protection
        self.streams = {} if streams is None else streams

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "logGroupName": self.name,
            "creationTime": self.created,
            "metricFilterCount": 0,
            "arn": self.arn,
            "storedBytes": sum(event_size(e.message) - EVENT_OVERHEAD for s in self.streams.values()
                               for e in s.events),
            "logGroupClass": self.log_class,
            "logGroupArn": self.arn[:-2],
        }
        if self.kms_key_id is not None:
            body["kmsKeyId"] = self.kms_key_id
        if self.deletion_protection is not None:
            body["deletionProtectionEnabled"] = self.deletion_protection
        return body


class LogsState(ValueRecord):
    groups: dict[str, LogGroup]
    seq: int

    def __init__(self, groups: dict[str, LogGroup] | None = None, seq: int = 0) -> None:
        self.groups = {} if groups is None else groups
        self.seq = seq

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq


def group_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:logs:{region}:{account_id}:log-group:{name}:*"


def create_group(state: LogsState, region: str, account_id: str, name: str, now: int) -> LogGroup:
    group = state.groups[name] = LogGroup(name, group_arn(region, account_id, name), now)
    return group


def create_stream(group: LogGroup, name: str, now: int) -> LogStream:
    arn = f"{group.arn[:-2]}:log-stream:{name}"
    stream = group.streams[name] = LogStream(name, arn, now)
    return stream


def append(state: LogsState, stream: LogStream, timestamp: int, message: str, now: int) -> LogEvent:
    event = LogEvent(timestamp, message, now, state.next_seq(), stream.name)
    stream.add(event)
    return event


def group_of(ctx: Context, params: dict[str, Any]) -> LogGroup:
    """The group a request names by ``logGroupName`` or ``logGroupIdentifier`` (a name or an ARN)."""
    name = params.get("logGroupName")
    identifier = params.get("logGroupIdentifier")
    if identifier is not None:
        named = group_name(identifier)
        if name is not None and name != named:
            # [M:GetLogEvents] "You must include one of these two parameters, but you can't include both."
            raise InvalidParameterException("logGroupName and logGroupIdentifier name different log groups: "
                                            "include one of these two parameters, not both.")
        name = named
    if name is None:  # the fake's own wording: AWS's is not known
        raise InvalidParameterException("Either logGroupName or logGroupIdentifier is required.")
    group = ctx.logs.groups.get(name)
    if group is None:
        raise ResourceNotFoundException(NO_GROUP)
    return group


def group_name(identifier: str) -> str:
    """The log group a ``logGroupIdentifier`` names: the name itself, or the name in its ARN."""
    # arn:aws:logs:<region>:<account>:log-group:<name>[:*]
    if identifier.startswith("arn:") and ":log-group:" in identifier:
        name = identifier.split(":log-group:", 1)[1]
        return name[:-2] if name.endswith(":*") else name
    return identifier


def stream_of(group: LogGroup, name: str) -> LogStream:
    stream = group.streams.get(name)
    if stream is None:
        raise ResourceNotFoundException(NO_STREAM)
    return stream
