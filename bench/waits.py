"""Waits in fake time: what a background poller costs, and how long fake sleeps take in wall time.

Part of ``python -m bench`` (section "waits"); see docs/bench.md.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from typing import Any

from bench.timing import wall

Results = dict[str, dict[str, float]]


class _Poller(threading.Thread):
    """A thread looping ``time.sleep(interval)`` until stopped, as Airflow's log fetcher does."""

    def __init__(self, interval: float) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.stopped = threading.Event()
        self.cpu = 0.0

    def run(self) -> None:
        start = time.thread_time()  # the thread's CPU time (freezegun leaves it alone)
        while not self.stopped.is_set():
            time.sleep(self.interval)
        self.cpu = time.thread_time() - start


def _poller_cpu(fake: Any, seconds: float) -> float:
    """CPU seconds per wall second of a poller looping sleep(1) while the test thread advances the clock."""
    poller = _Poller(1.0)
    poller.start()
    took = wall(lambda: [threading.Event().wait(seconds / 60) or fake.advance(1) for _ in range(60)])
    poller.stopped.set()
    poller.join()
    return poller.cpu / took


def _join_after_stop(interval: float) -> float:
    poller = _Poller(interval)
    poller.start()
    threading.Event().wait(0.02)  # it is sleeping now
    poller.stopped.set()
    return wall(poller.join)


def _two_sleepers() -> None:
    async def main() -> None:
        await asyncio.gather(asyncio.sleep(5), asyncio.sleep(3))

    asyncio.run(main())


def waits_figures(rounds: int) -> Results:
    from pytest_ecsfake import EcsFake

    results: Results = {}
    with EcsFake() as fake:
        results["poller thread: CPU per wall second"] = {"ecsfake": _poller_cpu(fake, 1.0)}
        results["poller thread: stop(); join() (30 s interval)"] = {
            "ecsfake": statistics.median(_join_after_stop(30.0) for _ in range(rounds))}
        results["asyncio.sleep(5) and (3) concurrently"] = {
            "ecsfake": statistics.median(wall(_two_sleepers) for _ in range(rounds))}
        results["20 × time.sleep(30)"] = {
            "ecsfake": statistics.median(wall(lambda: [time.sleep(30) for _ in range(20)]) for _ in range(rounds))}
    return results
