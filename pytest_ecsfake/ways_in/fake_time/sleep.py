"""``time.sleep`` while a fake is active: fake time for the thread driving the test, a bounded wait for others.

On a frozen clock, a sleep in a *driving* thread (one that activated an active fake: the test's thread)
advances the fake clock by its length and applies every transition due, at once. A sleep in any other thread
never moves the clock: it returns when the fake clock reaches its deadline (the test moved it) or after
``OTHER_THREAD_BOUND`` seconds of real time, whichever comes first. A background poller then neither runs
away with the clock nor holds up its own shutdown (``stop(); join()`` returns within the bound).

Calls from the modules in ``REAL_SLEEP_CALLERS`` really sleep: their waits are about wall time (subprocess
timeouts, thread pools, servers), not about the fake's clock. Arguments are checked as ``time.sleep`` checks
them (a negative, NaN or infinite length, a str), with its own errors.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from typing import Any

from .. import active

real_sleep = time.sleep

# Real seconds a sleep in a thread other than the test's waits at most for the fake clock to reach its
# deadline. Short enough that joining a stopped poller takes a tenth of a second; long enough that a poller
# looping on sleep() wakes ten times a second, not thousands.
OTHER_THREAD_BOUND = 0.1

REAL_SLEEP_CALLERS = (
    "subprocess",
    "threading",
    "asyncio",
    "socketserver",
    "selectors",
    "concurrent.",
    "queue",
    "http.server",
    "multiprocessing",
    "urllib3",
    "_pytest",
    "pytest_ecsfake.ways_in.server",
)

# freezegun's clock moves in whole microseconds (timedelta): a deadline within one of now has been reached.
RESOLUTION = 1e-6

_moved = threading.Condition()


def clock_moved() -> None:
    """Wake the other threads' sleeps so they see the new time (called after every ``advance()``)."""
    with _moved:
        _moved.notify_all()


def checked_seconds(value: Any) -> float | None:
    """``value`` as float seconds when ``time.sleep`` accepts it; None when it would raise (it does, then)."""
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif hasattr(type(value), "__float__") or hasattr(type(value), "__index__"):
        try:
            seconds = float(value)
        except (TypeError, ValueError, OverflowError):
            return None
    else:
        return None
    if seconds < 0 or not math.isfinite(seconds):
        return None
    return seconds


def sleep(value: Any) -> None:
    """The ``time.sleep`` every binding of it calls while a fake is active."""
    fake = active.current()
    if fake is None or not fake._backend.clock.frozen:
        return real_sleep(value)
    caller = sys._getframe(1).f_globals.get("__name__") or ""
    if caller.startswith(REAL_SLEEP_CALLERS):
        return real_sleep(value)
    seconds = checked_seconds(value)
    if seconds is None:
        return real_sleep(value)  # raises time.sleep's own TypeError/ValueError/OverflowError
    if active.is_driver():
        fake.advance(seconds)
    else:
        wait_in_other_thread(fake, seconds)
    return None


def wait_in_other_thread(fake: Any, seconds: float) -> None:
    clock = fake._backend.clock
    deadline = clock.now() + seconds
    with _moved:
        # threading measures the timeout on the real monotonic clock (freezegun leaves threading alone).
        _moved.wait_for(lambda: clock.now() + RESOLUTION >= deadline, timeout=OTHER_THREAD_BOUND)
