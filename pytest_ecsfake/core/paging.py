"""Pagination with opaque ``nextToken``s, as every ECS and Batch List* operation does.

A token carries the operation and the position to resume from, plus a short keyed digest: a token that
was not handed out by the fake (forged, truncated, or from another operation) is refused as AWS refuses
an invalid one, instead of silently restarting the listing.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from .errors import AwsError

T = TypeVar("T")
_KEY = b"pytest-ecsfake/next-token/v1"


def _digest(payload: bytes) -> str:
    return hashlib.blake2s(payload, key=_KEY, digest_size=6).hexdigest()


def make_token(operation: str, position: Any) -> str:
    payload = json.dumps([operation, position], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + _digest(payload)


def read_token(operation: str, token: str, error: type[AwsError]) -> Any:
    # AWS does not document the message for a bad token; this wording is the fake's own.
    invalid = error(f"Invalid nextToken {token[:40]!r}: pass the nextToken of the previous {operation} response")
    encoded, _, digest = token.rpartition(".")
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except ValueError:
        raise invalid from None
    if _digest(payload) != digest:
        raise invalid
    name, position = json.loads(payload)
    if name != operation:
        raise invalid
    return position


def page(
    items: Sequence[T], params: dict[str, Any], operation: str, error: type[AwsError], default_max: int = 100
) -> tuple[list[T], str | None]:
    """The slice of ``items`` this request asks for, and the token of the next slice (None on the last)."""
    start = 0
    token = params.get("nextToken")
    if token:
        start = read_token(operation, token, error)
        if not isinstance(start, int) or start < 0:
            raise error(f"Invalid nextToken for {operation}")
    size = params.get("maxResults") or default_max
    chunk = list(items[start : start + size])
    more = start + size < len(items)
    return chunk, make_token(operation, start + size) if more else None


def with_token(body: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token:
        body["nextToken"] = token
    return body
