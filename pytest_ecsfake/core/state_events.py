"""The state-change events the fake emits, as ECS and Batch send them to Amazon EventBridge.

Each service hands over, when a change happens, a snapshot of the resource then (its Describe* shape, which is
built fresh) and how to make the event's ``detail`` of it; the record keeps them in order. The event itself
(the envelope, the ISO timestamps) is made when a test reads ``fake.events`` (or the failure report does): the
hot path pays for the snapshot only. While moto is active each event is made at once and also put on moto's
default event bus (``core.hooks``), so that rules and targets set up in moto receive it. The envelope is
EventBridge's [EB: eb-events-structure]: ``version`` "0", an ``id``, ``detail-type``, ``source``, ``account``,
``time`` (the fake clock, seconds, ``Z``), ``region``, ``resources``, ``detail``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from . import hooks
from .records import ValueRecord

if TYPE_CHECKING:
    from .backend import Backend

Finish = Callable[[Any, float], dict[str, Any]]  # (snapshot, at) → the event's detail


class Kind:
    """A family of events (one source and detail-type) recorded as one flat tuple each, ``(kind, at, ...)``:
    ``subject(entry)`` gives (region, resource), ``finish(entry, at)`` the detail. One tuple per event matters
    for a task's events (100,000 tasks, four events each before they run)."""

    __slots__ = ("source", "detail_type", "subject", "finish")

    def __init__(self, source: str, detail_type: str, subject: Callable[[Any], tuple[str, str]],
                 finish: Finish) -> None:
        self.source, self.detail_type, self.subject, self.finish = source, detail_type, subject, finish


class StateEvents(ValueRecord):
    """The events emitted so far, oldest first: ``made`` events, then ``pending`` snapshots not made yet:
    (source, detail_type, region, resource, snapshot, at, finish), or (kind, at, ...) (``emit_kind``)."""

    made: list[dict[str, Any]]
    pending: list[tuple[Any, ...]]

    def __init__(self) -> None:
        self.made, self.pending = [], []

    def clear(self) -> None:
        self.made.clear()
        self.pending.clear()

    def all(self, backend: Backend) -> list[dict[str, Any]]:
        """Every event, made now if it was not yet (in order; the ids do not depend on when)."""
        for entry in self.pending:
            kind = entry[0]
            if type(kind) is Kind:
                snapshot, at = entry, entry[1]
                region, resource = kind.subject(entry)
                source, detail_type, finish = kind.source, kind.detail_type, kind.finish
            else:
                source, detail_type, region, resource, snapshot, at, finish = entry
            detail: dict[str, Any] = snapshot if finish is None else finish(snapshot, at)
            self.made.append(_envelope(backend, len(self.made), source, detail_type, region, resource, detail, at))
        self.pending.clear()
        return self.made


def iso(at: float) -> str:
    """An instant in the ISO 8601 form of the events' ``detail`` timestamps: milliseconds, ``Z``."""
    moment = datetime.fromtimestamp(at, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def seconds(time: str) -> float:
    """An event's ``time`` (``2025-01-01T00:00:56Z``) as epoch seconds."""
    return datetime.strptime(time, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def _envelope(backend: Backend, number: int, source: str, detail_type: str, region: str, resource: str,
              detail: dict[str, Any], at: float) -> dict[str, Any]:
    # The id: a UUID of the fake's seed and the event's number, so that it is the same every run and making
    # events never moves the ids of resources (Backend.ids). Imported here: only reading events needs them.
    import hashlib
    import uuid

    digest = hashlib.blake2b(f"{backend.seed}/{number}".encode(), digest_size=16).digest()
    return {
        "version": "0",
        "id": str(uuid.UUID(bytes=digest, version=4)),
        "detail-type": detail_type,
        "source": source,
        "account": backend.account_id,
        "time": datetime.fromtimestamp(int(at), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [resource],
        "detail": detail,
    }


def emit(backend: Backend, *, source: str, detail_type: str, region: str, resource: str,
         snapshot: Any, at: float, finish: Finish | None = None) -> None:
    """Record one event about ``resource``: ``snapshot`` (the detail itself, a fresh dict the record keeps, or
    what ``finish`` makes it of when it is read); while moto is active the event is made now and put on moto's
    bus too."""
    emit_kind(backend, (source, detail_type, region, resource, snapshot, at, finish))


def involving(events: list[dict[str, Any]], arn: str) -> list[dict[str, Any]]:
    """The events about ``arn``: it is one of their ``resources``, or their ``detail`` names it as its task,
    job or container instance."""
    keys = ("taskArn", "jobArn", "containerInstanceArn")
    return [e for e in events if arn in e["resources"] or any(e["detail"].get(k) == arn for k in keys)]


def emit_kind(backend: Backend, entry: tuple[Any, ...]) -> None:
    """Record one event: ``(kind, at, ...)`` of a ``Kind``, or the tuple ``emit`` makes; it is made when read, or
    now while moto is active (and put on moto's bus too)."""
    record = backend.state_events
    record.pending.append(entry)
    if hooks.moto_active():
        hooks.put_event(record.all(backend)[-1])
