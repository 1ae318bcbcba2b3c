"""A request without the members its API does not define, for the handler.

The schema check reports a member the API reference does not define (raw HTTP can send one, and so can a client
newer than the installed botocore) and, since AWS is not known to refuse one, the request is answered. The
handler must neither trip over the member nor keep it: handlers copy request structures into what they answer
(task definitions, overrides, compute resources, ...), and an unknown member echoed back would be an answer AWS
never gives. AWS's JSON services ignore members they do not know, so the handler gets the request without them;
the recorded call keeps the request as sent. The dispatcher calls this with the paths of the violations it
already has: a clean request costs nothing more.
"""

from __future__ import annotations

import copy
import re
from typing import Any

_INDEX = re.compile(r"\[(\d+)\]")


def without_members(req: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """A copy of ``req`` without the members ``paths`` name (``Violation.path`` of unknown members)."""
    pruned = copy.deepcopy(req)
    for path in paths:
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
            node, remainder = node[key], rest[len(key):]
            if remainder == "." and isinstance(node, dict):  # the path ends in the member named "" (an empty key)
                node.pop("", None)
                return
            rest = remainder.removeprefix(".")
        else:
            return
