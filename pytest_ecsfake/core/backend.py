"""All state of one fake: the clock and event queue, per-region resources, recorded calls, injected faults.

Nothing here is global; an ``EcsFake`` owns exactly one ``Backend``. One lock serialises operations,
event application and ``advance()``, so threads sharing a fake see a consistent timeline.
"""

from __future__ import annotations

import json
import random
import threading
import zlib
from datetime import datetime
from typing import Any

from .clock import Clock, EventQueue, from_epoch
from .records import ValueRecord
from .state_events import StateEvents


class Call:
    """One request the fake answered (or refused): what was asked, at what fake time, and the outcome.

    ``response`` is the answer's body as a dict. For an answer it is decoded from the bytes that went on the
    wire when first read (recording a call is on every call's path; reading ``fake.calls`` is not).
    ``violations`` lists the API reference's rules the request broke, one line each naming field, rule and,
    for a rule AWS is not known to enforce (the request was answered), its source; ``()`` for a clean request.
    """

    __slots__ = ("service", "operation", "_request", "_raw", "status", "error", "violations", "region", "_response",
                 "_payload", "_packed", "_at", "_epoch")

    def __init__(self, service: str, operation: str, request: dict[str, Any] | None, status: int, error: str | None,
                 response: dict[str, Any] | None, epoch: float, *, payload: bytes = b"",
                 violations: tuple[str, ...] = (), region: str = "", pack: bool = False, raw: bytes = b"") -> None:
        """``request``: the request as decoded, or None to decode ``raw`` (its JSON body, which was all of it)
        when read; ``response``: the body, or None to decode ``payload`` when read; ``epoch``: fake time in
        seconds; ``region``: the region the request went to; ``pack``: keep a large payload compressed (the
        answers of operations that create things: their records stay as long as the fake, see _PACK_OVER).

        A record of a call that made something stays as long as the fake: holding bytes rather than decoded
        JSON saves ~0.8 KiB a RunTask and the five containers of its request the garbage collector would
        otherwise walk at each full collection for as long as the fake lives."""
        self.service, self.operation, self._request, self._raw = service, operation, request, raw
        self.status, self.error, self.violations, self.region = status, error, violations, region
        self._packed = pack and len(payload) >= _PACK_OVER
        self._response, self._payload = response, zlib.compress(payload, 1) if self._packed else payload
        self._epoch: float = epoch
        self._at: datetime | None = None

    @property
    def request(self) -> dict[str, Any]:
        if self._request is None:
            self._request = json.loads(self._raw) if self._raw.strip() else {}
        return self._request

    @property
    def response(self) -> dict[str, Any]:
        if self._response is None:
            payload = zlib.decompress(self._payload) if self._packed else self._payload
            self._response = json.loads(payload) if payload else {}
        return self._response

    @property
    def at(self) -> datetime:
        """The fake time of the call (an aware UTC datetime)."""
        if self._at is None:
            self._at = from_epoch(self._epoch)
        return self._at

    def _fields(self) -> tuple[Any, ...]:
        return (self.service, self.operation, self.request, self.status, self.error, self.response, self.at)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Call) and self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaces

    def __repr__(self) -> str:
        return (f"Call(service={self.service!r}, operation={self.operation!r}, request={self.request!r}, "
                f"status={self.status!r}, error={self.error!r}, response={self.response!r}, at={self.at!r})")


# A recorded answer this large is kept compressed when ``pack`` says so: a RunTask of 10 tasks answers ~12.7 KB
# (1.27 KB a task, the largest part of a task's memory in the fake), 1.5 KB once compressed (zlib level 1: ~40 µs
# here; ~14 µs to decompress when the call's response is first read). zlib's set-up costs ~20 µs whatever the
# size, so an answer of one task (~1.3 KB, 0.65 KB compressed) is kept as it is: that would add ~4 % to a RunTask.
_PACK_OVER = 4096


class Fault(ValueRecord):
    operation: str
    service: str | None
    code: str
    message: str
    remaining: int

    def __init__(self, operation: str, service: str | None, code: str, message: str, remaining: int) -> None:
        self.operation, self.service, self.code, self.message, self.remaining = \
            operation, service, code, message, remaining


# What uuid.UUID(int=n, version=4) does to n (RFC 4122 variant and version bits), without building a UUID
# object: one per request (its request id), so this is on every call's path. Same strings, same draws.
_V4_KEEP = ~((0xC000 << 48) | (0xF000 << 64)) & ((1 << 128) - 1)
_V4_SET = (0x8000 << 48) | (4 << 76)


class Ids:
    """Identifiers from a generator seeded per fake: the same test gives the same ARNs every run."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self.draws = 0  # how many draws so far: an answer that drew none may be reused (wire.reads)

    def uuid(self) -> str:
        h = self.hex32()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def hex32(self) -> str:
        self.draws += 1
        return "%032x" % ((self._rng.getrandbits(128) & _V4_KEEP) | _V4_SET)

    def mac(self) -> str:
        """A MAC address: byte k of the k-th of six ``hex32()`` draws (the same draws, not formatted whole)."""
        self.draws += 1
        bits = self._rng.getrandbits
        return ":".join(["%02x" % ((bits(128) >> (120 - 8 * k)) & 0xFF) for k in range(6)])

    def choice(self, items: list[Any]) -> Any:
        self.draws += 1
        return self._rng.choice(items)

    def random(self) -> float:
        self.draws += 1
        return self._rng.random()


class RegionState(ValueRecord):
    """Resources of one region. Services add their state lazily (see ``ecs_state``)."""

    region: str
    ecs: Any
    batch: Any
    logs: Any

    def __init__(self, region: str) -> None:
        self.region = region
        self.ecs = self.batch = self.logs = None


class Backend(ValueRecord):
    region: str
    account_id: str
    seed: int
    stop_timeout: float
    timings: dict[str, float]
    clock: Clock
    events: EventQueue
    lock: threading.RLock
    regions: dict[str, RegionState]
    calls: list[Call]
    faults: list[Fault]
    behaviors: dict[str, Any]
    # Problems of the fake itself (bugs, unsupported operations): they fail the test at teardown.
    problems: list[str]
    validate_responses: bool
    strict: bool  # a schema-rejected request is also a problem (fails the test at teardown)
    # Grows whenever state may have changed: events applied, any operation but Describe*/List*/Get*, the
    # fake's own methods (see ``changed``). Answers described at one epoch may be reused within it (ecs/tasks).
    epoch: int
    ids: Ids
    # The state-change events emitted (core.state_events): fake.events.
    state_events: StateEvents
    # Descriptions made at an epoch: (epoch, {(id(record), variant): (record, answer)}): see core/reuse.py.
    described: tuple[int, dict[tuple[int, object], tuple[Any, Any]]]
    # The one task watcher of this fake that emits a task's state-change events, as a 1-tuple shared by the tasks
    # that have no other watcher (ecs/change_events.watching).
    task_watcher: Any
    # Whole answers of read-only calls made at (epoch, now), by request: see wire/reads.py.
    read_answers: dict[tuple[Any, ...], tuple[str, dict[str, Any], bytes]]
    read_answers_at: tuple[int, float]

    def __init__(self, region: str, account_id: str, seed: int, stop_timeout: float, timings: dict[str, float], *,
                 validate_responses: bool = False, strict: bool = False) -> None:
        self.region, self.account_id, self.seed, self.stop_timeout, self.timings = \
            region, account_id, seed, stop_timeout, timings
        self.clock, self.events, self.lock = Clock(), EventQueue(), threading.RLock()
        self.regions, self.calls, self.faults, self.behaviors, self.problems = {}, [], [], {}, []
        self.validate_responses, self.strict = validate_responses, strict
        self.epoch = 0
        self.ids = Ids(seed)
        self.state_events = StateEvents()
        self.described = (-1, {})
        self.task_watcher = None
        self.read_answers = {}
        self.read_answers_at = (-1, 0.0)

    def region_state(self, region: str) -> RegionState:
        state = self.regions.get(region)
        if state is None:
            state = self.regions[region] = RegionState(region)
        return state

    def settle(self) -> float:
        """Apply every event due now; return now."""
        now = self.clock.now()
        if self.events.run_due(now):
            self.epoch += 1
        return now

    def changed(self) -> None:
        """Say that state changed outside an operation or an event (the fake's own methods)."""
        self.epoch += 1

    def take_fault(self, service: str, operation: str) -> Fault | None:
        for fault in self.faults:
            if fault.operation == operation and fault.service in (None, service):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def reset(self) -> None:
        self.events.clear()
        self.regions.clear()
        self.calls.clear()
        self.faults.clear()
        self.behaviors.clear()
        self.state_events.clear()
        self.ids = Ids(self.seed)
