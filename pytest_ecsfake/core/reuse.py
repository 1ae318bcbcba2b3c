"""Answers reused while nothing changed: a record's description, encoded once per state of the fake.

``Backend.epoch`` grows whenever state may have changed (events applied, any operation but
Describe*/List*/Get*, the fake's own state-changing methods), so a description made at the current epoch is
still true. A poll that finds nothing changed (DescribeTasks, DescribeJobs) then skips building and encoding
the shape. With ECSFAKE_VALIDATE_RESPONSES (the test suite) every reuse is compared with a fresh description:
a change that did not move the epoch is reported as a problem of the fake and fails the test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .encoded import Encoded, encoded

if TYPE_CHECKING:
    from .backend import Backend


def described(backend: Backend, record: Any, variant: object, describe: Callable[[], Any]) -> Encoded:
    """``describe()`` encoded, reused from ``record.described`` when made at this epoch for ``variant``
    (what else shapes the answer, e.g. whether tags are included)."""
    cached = record.described
    if cached is not None and cached[0] == backend.epoch and cached[1] == variant:
        answer: Encoded = cached[2]
        if backend.validate_responses:
            fresh = encoded(describe()).text
            if fresh != answer.text:
                backend.problems.append(
                    f"pytest-ecsfake bug: {getattr(record, 'arn', record)} changed without Backend.epoch "
                    f"moving: described {answer.text}, now {fresh}"
                )
        return answer
    answer = encoded(describe())
    record.described = (backend.epoch, variant, answer)
    return answer
