"""The Describe* pattern ECS shares: each reference is described, or reported as a MISSING failure."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


def describe_each(
    refs: Iterable[str],
    find: Callable[[str], T | None],
    describe: Callable[[T], Any],
    missing_arn: Callable[[str], str],
) -> tuple[list[Any], list[dict[str, str]]]:
    found: list[Any] = []
    failures: list[dict[str, str]] = []
    for ref in refs:
        item = find(ref)
        if item is None:
            failures.append({"arn": missing_arn(ref), "reason": "MISSING"})
        else:
            found.append(describe(item))
    return found, failures
