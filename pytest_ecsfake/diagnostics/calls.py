"""Assertions on ``fake.calls`` that read like the test's intent and fail with a diff of what was sent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..core.backend import Call

_MISSING = object()


def select(calls: Sequence[Call], operation: str) -> list[Call]:
    """Calls of ``operation`` (``"RunTask"`` or ``"ecs:RunTask"``), in order."""
    service, _, name = operation.rpartition(":")
    return [c for c in calls if c.operation == name and (not service or c.service == service)]


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where ``actual`` does not contain ``expected``: dicts by subset (recursively), anything else by equality."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found: list[str] = []
        for key, value in expected.items():
            here = f"{path}.{key}" if path else key
            if key not in actual:
                found.append(f"{here}: expected {value!r}, missing")
            else:
                found.extend(differences(value, actual[key], here))
        return found
    if expected != actual:
        return [f"{path or 'request'}: expected {expected!r}, got {actual!r}"]
    return []


def _describe(call: Call, index: int) -> str:
    when = call.at.strftime("%H:%M:%S")
    outcome = call.error or str(call.status)
    return f"  #{index} at {when} ({outcome}): {call.request!r}"


def assert_called(calls: Sequence[Call], operation: str, times: int | None, subset: dict[str, Any]) -> list[Call]:
    matching = select(calls, operation)
    hits = [c for c in matching if not differences(subset, c.request)]
    if hits and (times is None or len(hits) == times):
        return hits
    wanted = f"{operation} call" + (f" with a request containing {subset!r}" if subset else "")
    if times is not None and hits:
        raise AssertionError(f"expected {times} {wanted}, got {len(hits)}:\n" + "\n".join(
            _describe(c, calls.index(c) + 1) for c in hits))
    if not matching:
        seen = ", ".join(dict.fromkeys(c.operation for c in calls)) or "none"
        raise AssertionError(f"expected a {wanted}; {operation} was never called (operations called: {seen})")
    lines = [f"expected a {wanted}; {operation} was called {len(matching)} time(s), none matching:"]
    for call in matching:
        lines.append(_describe(call, calls.index(call) + 1))
        lines.extend(f"      - {d}" for d in differences(subset, call.request))
    raise AssertionError("\n".join(lines))


def assert_not_called(calls: Sequence[Call], operation: str) -> None:
    matching = select(calls, operation)
    if matching:
        raise AssertionError(f"expected no {operation} call, got {len(matching)}:\n" + "\n".join(
            _describe(c, calls.index(c) + 1) for c in matching))
