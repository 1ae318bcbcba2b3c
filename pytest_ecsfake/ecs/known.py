"""``handler``: the registry's decorator, giving each handler the request without members the API does not define.

The schema check reports a member the API reference does not define (raw HTTP can send one, and so can a botocore
newer than the schemas). Once such a request is answered rather than refused, the handler must neither trip
over the member nor keep it: handlers copy request structures into what they answer (task definitions,
overrides, compute resources, ...), and an unknown member echoed back would be an answer AWS never gives. AWS's
JSON services ignore members they do not know, so the handler gets the request without them. The recorded
call keeps the request as sent.

A valid request (nearly all of them) costs one compiled schema check and is passed on as it is.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable
from typing import Any

from .._context import Context
from .._registry import Handler
from .._registry import handler as register
from ..schemas import request_violations

_INDEX = re.compile(r"\[(\d+)\]")


def handler(service: str, operation: str) -> Callable[[Handler], Handler]:
    """``@handler("ecs", "RunTask")``: registers the function, which then sees only members the API defines."""

    def wrap(func: Handler) -> Handler:
        @functools.wraps(func)
        def answer(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
            return func(ctx, known_members(service, operation, req))

        return register(service, operation)(answer)

    return wrap


def known_members(service: str, operation: str, req: dict[str, Any]) -> dict[str, Any]:
    """``req`` without the members the request schema does not define, at any depth (a copy when any)."""
    unknown = [v.path for v in request_violations(service, operation, req) if v.rule == "unknown member"]
    if not unknown:
        return req
    pruned = copy.deepcopy(req)
    for path in unknown:
        _drop(pruned, path)
    return pruned


def _drop(node: Any, path: str) -> None:
    """Delete the member ``path`` names (``overrides.containerOverrides[0].extra``) from ``node``.

    A path joins member names with ``.`` and list indexes as ``[i]``; a map key may itself hold a ``.``, so at
    each object the longest key the path goes on from is taken. A path that names nothing is left alone.
    """
    rest = path
    while rest:
        if isinstance(node, list):
            match = _INDEX.match(rest)
            if match is None or int(match.group(1)) >= len(node):
                return
            node, rest = node[int(match.group(1))], rest[match.end():].removeprefix(".")
        elif isinstance(node, dict):
            if rest in node:
                del node[rest]
                return
            keys = [k for k in node if isinstance(k, str) and rest.startswith((k + ".", k + "["))]
            if not keys:
                return
            key = max(keys, key=len)
            node, rest = node[key], rest[len(key):].removeprefix(".")
        else:
            return
