"""The state-change events the fake emits, as ECS and Batch send them to Amazon EventBridge.

Each service builds an event's ``detail`` when the change happens (a snapshot of the resource then) and hands it
here; the record keeps it in order (``fake.events``), and, while moto is active, puts it on moto's default event
bus too (``core.hooks``), so that rules and targets set up in moto receive it. The envelope is EventBridge's
[EB: eb-events-structure]: ``version`` "0", an ``id``, ``detail-type``, ``source``, ``account``, ``time`` (the
fake clock, seconds, ``Z``), ``region``, ``resources``, ``detail``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from . import hooks

if TYPE_CHECKING:
    from .backend import Backend


@dataclass
class StateEvents:
    """The events emitted so far, oldest first."""

    emitted: list[dict[str, Any]] = field(default_factory=list)

    def clear(self) -> None:
        self.emitted.clear()


def iso(at: float) -> str:
    """An instant in the ISO 8601 form of the events' ``detail`` timestamps: milliseconds, ``Z``."""
    moment = datetime.fromtimestamp(at, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def seconds(time: str) -> float:
    """An event's ``time`` (``2025-01-01T00:00:56Z``) as epoch seconds."""
    return datetime.strptime(time, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def emit(backend: Backend, *, source: str, detail_type: str, region: str, resources: list[str],
         detail: dict[str, Any], at: float) -> dict[str, Any]:
    """Record one event (and forward it to moto's EventBridge while moto is active); return it."""
    event = {
        "version": "0",
        "id": backend.ids.uuid(),
        "detail-type": detail_type,
        "source": source,
        "account": backend.account_id,
        "time": datetime.fromtimestamp(int(at), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": resources,
        "detail": detail,
    }
    backend.state_events.emitted.append(event)
    if hooks.moto_active():
        hooks.put_event(event)
    return event


def involving(events: list[dict[str, Any]], arn: str) -> list[dict[str, Any]]:
    """The events about ``arn``: it is one of their ``resources``, or their ``detail`` names it as its task,
    job or container instance."""
    keys = ("taskArn", "jobArn", "containerInstanceArn")
    return [e for e in events if arn in e["resources"] or any(e["detail"].get(k) == arn for k in keys)]
