"""The fake's time source and its discrete-event queue.

Time is read from freezegun's active factory when time is frozen (whoever froze it: the fake itself or the
test), otherwise from the real clock plus an offset that ``advance()`` grows. The factory is read directly,
not through ``time.time()``: freezegun answers real time to callers in its ignore list (threads, the HTTP
server), and the fake must see one clock whichever thread asks.

State changes are events at future instants in a heap ordered by (due, sequence). ``run_due(now)`` applies
every event due at or before ``now`` in that order, each with its own due time, so a transition recorded
during ``advance(600)`` carries the instant it happened, not the instant it was observed. An event may
schedule more events; those run in the same call when they are due too.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

_EPOCH_NAIVE = datetime(1970, 1, 1)
_EPOCH_AWARE = datetime(1970, 1, 1, tzinfo=timezone.utc)


def to_epoch(value: datetime) -> float:
    """Epoch seconds of an aware datetime, or of a naive one taken as UTC (freezegun's factories)."""
    if value.tzinfo is None:
        return (value - _EPOCH_NAIVE).total_seconds()
    return (value - _EPOCH_AWARE).total_seconds()


def from_epoch(seconds: float) -> datetime:
    return _EPOCH_AWARE + timedelta(seconds=seconds)


def parse_start(start: str | datetime) -> datetime:
    """An aware UTC datetime from an ISO-8601 string (``Z`` allowed) or a datetime (naive = UTC)."""
    if isinstance(start, str):
        try:
            value = datetime.fromisoformat(start.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"EcsFake(start={start!r}): not an ISO-8601 date-time; use e.g. '2025-01-01T00:00:00Z'"
            ) from None
    elif isinstance(start, datetime):
        value = start
    else:
        raise TypeError(f"EcsFake(start=...) takes an ISO-8601 str or a datetime, not {type(start).__name__}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


# The longest single step of the fake clock: 100 years. Longer (or infinite, or NaN) is a mistake, and
# freezegun's datetimes would overflow on the way.
MAX_STEP = 100 * 365.25 * 86400


def seconds_of(delta: float | int | timedelta) -> float:
    if isinstance(delta, timedelta):
        seconds = delta.total_seconds()
    elif isinstance(delta, bool) or not isinstance(delta, (int, float)):
        raise TypeError(f"advance() takes seconds (int/float) or a timedelta, not {type(delta).__name__}")
    else:
        seconds = float(delta)
    if not (seconds <= MAX_STEP):  # also NaN
        raise ValueError(f"advance() moves the clock at most {MAX_STEP:.0f} s (100 years) at a time, got {seconds}")
    return seconds


class Clock:
    """Now, in epoch seconds: frozen (freezegun) or real plus an offset."""

    def __init__(self) -> None:
        # Bound at activation (importing freezegun costs ~50 ms, so the plugin does not do it at import).
        self._factories: list[Any] | None = None
        self._real_time: Callable[[], float] | None = None
        self.offset = 0.0

    def bind(self, factories: list[Any], real_time: Callable[[], float]) -> None:
        self._factories = factories
        self._real_time = real_time

    @property
    def frozen(self) -> bool:
        return bool(self._factories)

    def now(self) -> float:
        factories = self._factories
        if factories:
            return to_epoch(peek(factories[-1])) + self.offset
        if self._real_time is None:
            import time

            return time.time() + self.offset
        return self._real_time() + self.offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"advance() cannot go back in time (got {seconds} s)")
        if self._factories:
            # Tick the innermost freezer: it is the one that says what time it is.
            if seconds:  # StepTickTimeFactory.tick(0) would tick by its step
                try:
                    _tick(self._factories[-1], timedelta(seconds=seconds))
                except OverflowError:
                    raise ValueError(f"advance({seconds}): the fake clock cannot go past the year 9999") from None
        else:
            self.offset += seconds


_TICKING: dict[type, bool] = {}  # factory type -> whether it computes the time at each call (tick=True)


def peek(factory: Any) -> datetime:
    """What time a freezegun factory says, without the auto-tick a read by user code gets (``tick=<float>``):
    the fake reads the clock many times per call, and its timeline must not depend on how many. Frozen and
    step-tick factories hold the time in ``time_to_freeze``; a ticking one computes it (on every call's path:
    the kind of factory is looked up once per type)."""
    kind = type(factory)
    ticking = _TICKING.get(kind)
    if ticking is None:
        ticking = _TICKING[kind] = not hasattr(factory, "step_width") and hasattr(factory, "start")
    value: datetime = factory() if ticking else factory.time_to_freeze
    return value


def _tick(factory: Any, delta: timedelta) -> None:
    if hasattr(factory, "start") and hasattr(factory, "move_to"):
        # TickingDateTimeFactory (tick=True): its own tick() moves from the *start* instant, losing the wall
        # time that flowed since (freezegun 1.5); move from what it says now instead.
        factory.move_to(factory() + delta)
    else:
        factory.tick(delta)


class Event:
    """A scheduled state change, ``action(*args, due)``; ``cancel()`` makes it a no-op when its time comes."""

    __slots__ = ("due", "action", "args", "cancelled")

    def __init__(self, due: float, action: Callable[..., None], args: tuple[Any, ...] = ()) -> None:
        self.due = due
        self.action = action
        self.args = args
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class EventQueue:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Event]] = []
        self._seq = itertools.count()

    def __len__(self) -> int:
        return len(self._heap)

    def schedule(self, due: float, action: Callable[[float], None]) -> Event:
        """Schedule ``action(due)``."""
        return self.schedule_call(due, action)

    def schedule_call(self, due: float, action: Callable[..., None], *args: Any) -> Event:
        """Schedule ``action(*args, due)``: no closure to make per event (a task's lifecycle has many)."""
        event = Event(due, action, args)
        heapq.heappush(self._heap, (due, next(self._seq), event))
        return event

    def next_due(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def run_due(self, now: float) -> int:
        """Apply every event due at or before ``now`` in (due, sequence) order; return how many ran."""
        heap = self._heap
        ran = 0
        while heap and heap[0][0] <= now:
            due, _, event = heapq.heappop(heap)
            if not event.cancelled:
                event.action(*event.args, due)
                ran += 1
        return ran

    def clear(self) -> None:
        self._heap.clear()
