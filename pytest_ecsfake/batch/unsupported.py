"""Batch features the fake does not model (multi-node jobs, EKS, fair-share policies, ...).

They are refused as ``UnsupportedOperation`` (HTTP 501) and fail the test at teardown, like an operation that
is not implemented: a silently ignored feature would make a test pass that AWS would run differently.
"""

from __future__ import annotations

from typing import NoReturn

from .._context import Context
from .._errors import UnsupportedOperation


def unsupported(ctx: Context, feature: str) -> NoReturn:
    """Refuse the request: ``feature`` is real AWS Batch, but pytest-ecsfake does not fake it."""
    message = f"pytest-ecsfake does not support {feature} in batch:{ctx.operation} yet."
    ctx.backend.problems.append(message)
    raise UnsupportedOperation(message)
