"""``EcsFake``'s options checked, and its timings: every service's default durations (``ecs/timings``,
``batch/timings``) with the test's overrides (``EcsFake(timings={...})``) on top."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from ..batch.timings import BATCH_TIMINGS
from ..ecs.timings import ECS_TIMINGS, SERVICE_TIMINGS

DEFAULT_TIMINGS: dict[str, float] = {**ECS_TIMINGS, **SERVICE_TIMINGS, **BATCH_TIMINGS}


def merged(overrides: Mapping[str, float] | None) -> dict[str, float]:
    timings = dict(DEFAULT_TIMINGS)
    for key, value in (overrides or {}).items():
        if key not in DEFAULT_TIMINGS:
            known = ", ".join(sorted(DEFAULT_TIMINGS))
            raise TypeError(f"EcsFake(timings=...): unknown phase {key!r}; known phases: {known}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise TypeError(f"EcsFake(timings={{{key!r}: ...}}) takes seconds >= 0, got {value!r}")
        timings[key] = float(value)
    return timings


def check_options(region: Any, account_id: Any, stop_timeout: Any, seed: Any) -> None:
    if not isinstance(region, str) or not region:
        raise TypeError(f"EcsFake(region=...) takes a region name such as 'us-east-1', got {region!r}")
    if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
        raise TypeError(f"EcsFake(account_id=...) takes 12 digits such as '123456789012', got {account_id!r}")
    if isinstance(stop_timeout, bool) or not isinstance(stop_timeout, (int, float)) or stop_timeout < 0:
        raise TypeError(f"EcsFake(stop_timeout=...) takes seconds >= 0, got {stop_timeout!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"EcsFake(seed=...) takes an int, got {seed!r}")


def check_tick(tick: Any, freeze: Any) -> None:
    if not isinstance(tick, (bool, int, float)) or (not isinstance(tick, bool) and not tick > 0):
        raise TypeError(f"EcsFake(tick=...) takes True, False or seconds > 0 to add at every clock read, "
                        f"got {tick!r}")
    if tick is not False and not freeze:
        raise ValueError("EcsFake(tick=...) needs the frozen clock: with freeze=False time flows already")


README = "https://github.com/pytest-ecsfake/pytest-ecsfake"
README_OPTIONS = README + "#quick-start"
README_BEHAVIORS = README + "#tasks-on-the-clock"


@contextlib.contextmanager
def explained(where: str) -> Iterator[None]:
    """Errors at a test author name the README section that explains the option (same exception type)."""
    try:
        yield
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{exc}. See {where}") from None
