"""Wall-clock timing that freezegun cannot touch, and medians over rounds."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

import freezegun.api as _freezegun  # its real_perf_counter: freezegun rewrites copies held by other modules


def per_call(func: Callable[[], object], calls: int, rounds: int = 5) -> float:
    """Median over ``rounds`` of the mean seconds per call of ``func`` over ``calls`` calls."""
    for _ in range(min(calls, 5)):  # warm-up: first-use costs (model loading, caches) are not per call
        func()
    results = []
    for _ in range(rounds):
        start = _freezegun.real_perf_counter()
        for _ in range(calls):
            func()
        results.append((_freezegun.real_perf_counter() - start) / calls)
    return statistics.median(results)


def fmt(seconds: float) -> str:
    return f"{seconds * 1e6:9.1f} µs"


def wall(func: Callable[[], object]) -> float:
    """Real seconds one call of ``func`` takes (frozen clocks and patched sleeps included)."""
    start = _freezegun.real_perf_counter()
    func()
    return float(_freezegun.real_perf_counter() - start)


Case = tuple[Callable[[], AbstractContextManager[object]], Callable[[], object]]


def cpu_clock() -> float:
    """The process's CPU time (freezegun leaves ``time.process_time`` alone): what a round costs without the
    time other processes held the CPU, for the absolute goals on a shared machine."""
    return time.process_time()


def interleaved(cases: dict[str, Case], calls: int, rounds: int = 5,
                clock: Callable[[], float] | None = None) -> dict[str, float]:
    """``per_call`` for several (context, func) cases, their rounds taken in turn: a burst of load on the
    machine hits every case alike, so the ratios between them hold better than the absolute figures.
    ``clock``: wall time (``real_perf_counter``) unless given, e.g. ``cpu_clock``."""
    read = clock or (lambda: _freezegun.real_perf_counter())
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for context, func in cases.values():
        with context():
            for _ in range(min(calls, 5)):
                func()
    for _ in range(rounds):
        for name, (context, func) in cases.items():
            with context():
                start = read()
                for _ in range(calls):
                    func()
                samples[name].append((read() - start) / calls)
    return {name: statistics.median(values) for name, values in samples.items()}
