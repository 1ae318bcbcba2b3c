"""Answers reused while nothing changed: a record's description, encoded once per state of the fake.

``Backend.epoch`` grows whenever state may have changed (events applied, any operation but
Describe*/List*/Get*, the fake's own state-changing methods), so a description made at the current epoch is
still true. A poll that finds nothing changed (DescribeTasks, DescribeJobs) then skips building and encoding
the shape. With ECSFAKE_VALIDATE_RESPONSES (the test suite) every reuse is compared with a fresh description:
a change that did not move the epoch is reported as a problem of the fake and fails the test.

The descriptions of one epoch are kept in one table per fake, dropped as a whole when the epoch moves: a
record never holds its last description (which would stay on each of 100,000 tasks long after it could no
longer be reused, about 1.3 KB a task).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .encoded import Encoded, encoded

if TYPE_CHECKING:
    from .backend import Backend


def described(backend: Backend, record: Any, variant: object, describe: Callable[[], Any]) -> Encoded:
    """``describe()`` encoded, reused when made at this epoch for ``record`` and ``variant`` (what else shapes
    the answer, e.g. whether tags are included)."""
    table = backend.described
    if table[0] != backend.epoch:
        table = backend.described = (backend.epoch, {})
    key = (id(record), variant)
    cached = table[1].get(key)
    if cached is not None and cached[0] is record:
        if backend.validate_responses:
            fresh = encoded(describe()).text
            if fresh != cached[1].text:
                backend.problems.append(
                    f"pytest-ecsfake bug: {getattr(record, 'arn', record)} changed without Backend.epoch "
                    f"moving: described {cached[1].text}, now {fresh}"
                )
        answer: Encoded = cached[1]
        return answer
    answer = encoded(describe())
    table[1][key] = (record, answer)  # the record is held with it: its id names no other record meanwhile
    return answer
