"""``asyncio.sleep`` while a fake is active: fake time, concurrent sleepers waking in deadline order.

On a frozen clock, a sleep on an event loop of a driving thread (see ``_sleep``) does not start a timer. It
joins the loop's queue of sleepers (deadline on the fake clock, then order of arrival) and waits for its turn:

* whenever the loop has nothing else ready to run (every task is waiting: on a sleep, or on something outside
  the loop), the fake clock is advanced to the earliest deadline, and every sleeper due by then wakes, in
  deadline order;
* a sleeper whose deadline the clock already passed (the test called ``advance()``, or a ``time.sleep`` ran)
  wakes at the next turn without moving the clock.

So two tasks sleeping 5 s and 3 s concurrently both finish after 5 s of fake time, the 3 s one first, and a
poller sleeping between calls finishes at once with realistic fake time elapsed. Timers the loop keeps itself
(``call_later``, ``wait_for`` and ``asyncio.timeout`` deadlines) stay on the real monotonic clock, as freezegun's
``real_asyncio`` leaves them.

``sleep(0)`` (a yield), non-positive and infinite delays (anyio's ``sleep_forever``) and sleeps while the clock
is not frozen are asyncio's own. asyncio itself only ever sleeps 0, so unlike ``time.sleep`` no caller is
exempt (a coroutine given straight to ``asyncio.run`` is called from asyncio's task machinery). On a loop in
another thread a sleep never moves the clock: it waits, in real slices, for the fake clock to reach its
deadline, at most ``OTHER_THREAD_BOUND`` seconds. "Nothing else ready" is read from the loop's queue of ready callbacks
(``_ready``, as in CPython's event loops); a loop without one (uvloop) advances at once, as a lone sleeper would.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import weakref
from typing import Any

from .. import active
from .sleep import OTHER_THREAD_BOUND, RESOLUTION

real_sleep = asyncio.sleep
_SLICE = 0.01  # real seconds between two looks at the fake clock, for a sleep on another thread's loop


class _Sleepers:
    """The fake sleeps pending on one event loop: (deadline, arrival, future) in a heap."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.heap: list[tuple[float, int, asyncio.Future[None]]] = []
        self.arrivals = itertools.count()
        self.turn_pending = False

    def add(self, deadline: float) -> asyncio.Future[None]:
        future = self.loop.create_future()
        heapq.heappush(self.heap, (deadline, next(self.arrivals), future))
        self._next_turn()
        return future

    def _next_turn(self) -> None:
        if not self.turn_pending:
            self.turn_pending = True
            self.loop.call_soon(self._turn)

    def _turn(self) -> None:
        self.turn_pending = False
        heap = self.heap
        while heap and heap[0][2].done():  # cancelled while sleeping
            heapq.heappop(heap)
        if not heap:
            return
        fake = active.current()
        if fake is None:  # the fake stopped under a sleeper: nothing will move its clock any more
            now = math.inf
        else:
            clock = fake._backend.clock
            now = clock.now()
            if heap[0][0] > now + RESOLUTION:
                if getattr(self.loop, "_ready", None):
                    self._next_turn()  # other callbacks first: time moves only when the loop is idle
                    return
                fake.advance(heap[0][0] - now)
                now = clock.now()
            now += RESOLUTION  # freezegun keeps microseconds: a deadline within one of now is due
        while heap and heap[0][0] <= now:
            future = heapq.heappop(heap)[2]
            if not future.done():
                future.set_result(None)
        if heap:
            self._next_turn()


_sleepers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Sleepers] = weakref.WeakKeyDictionary()


async def sleep(delay: float, result: Any = None) -> Any:
    """The ``asyncio.sleep`` every binding of it calls while a fake is active."""
    fake = active.current()
    if fake is None or not delay > 0 or not math.isfinite(delay) or not fake._backend.clock.frozen:
        return await real_sleep(delay, result)
    clock = fake._backend.clock
    if not active.is_driver():
        await _wait_in_other_thread(clock, clock.now() + delay)
        return result
    loop = asyncio.get_running_loop()
    sleepers = _sleepers.get(loop)
    if sleepers is None:
        sleepers = _sleepers[loop] = _Sleepers(loop)
    await sleepers.add(clock.now() + delay)
    return result


async def _wait_in_other_thread(clock: Any, deadline: float) -> None:
    from freezegun.api import real_monotonic

    end = real_monotonic() + OTHER_THREAD_BOUND
    while clock.now() + RESOLUTION < deadline:
        left = end - real_monotonic()
        if left <= 0:
            return
        await real_sleep(min(left, _SLICE))
