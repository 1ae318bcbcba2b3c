"""Answers of read-only calls reused while nothing changed: the same request, at the same state and instant.

A poll (DescribeTasks, ListTasks, DescribeJobs, GetLogEvents, ...) repeated while ``Backend.epoch`` and the fake
clock stand still gets the answer's bytes of the first such call: decoding, the schema check, the handler and
the encoding are skipped; the call is recorded as any other (its own request id, the same request and answer).
Only clean answers are kept: a read-only operation, no rule broken, no problem of the fake, no identifier
drawn (a handler that draws one would draw it again), no fault waiting to be injected. Every entry is dropped
when the epoch or the clock moves. With ECSFAKE_VALIDATE_RESPONSES (the test suite) each reuse is compared with
a fresh answer: a change that did not move the epoch is reported as a problem of the fake.
"""

from __future__ import annotations

from typing import Any

from ..core.backend import Backend
from .protocol import HttpRequest

Key = tuple[Any, ...]
Answer = tuple[str, dict[str, Any], bytes]  # operation, request as decoded, the answer's body


def key(service: str, request: HttpRequest, region: str) -> Key:
    return service, request.method, request.url, request.headers.get("x-amz-target"), request.body, region


def reusable(backend: Backend, request_key: Key, now: float) -> Answer | None:
    """The answer kept for this request at this epoch and instant, if any (call with the lock held)."""
    at = (backend.epoch, now)
    if backend.read_answers_at != at:
        backend.read_answers.clear()
        backend.read_answers_at = at
        return None
    if backend.faults:  # a fault may be waiting for this operation: the call takes the usual path
        return None
    return backend.read_answers.get(request_key)


def keep(backend: Backend, request_key: Key, answer: Answer) -> None:
    backend.read_answers[request_key] = answer
