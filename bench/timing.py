"""Wall-clock timing that freezegun cannot touch, and medians over rounds."""

from __future__ import annotations

import statistics
from collections.abc import Callable

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
