"""``EcsFake`` and ``mock_ecs`` as decorators: a function, a coroutine, or a test class (each test method)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def decorate(fresh: Callable[[], Any], target: T) -> T:
    """Wrap ``target`` so that every call runs inside ``fresh()`` (a new, active fake)."""
    if isinstance(target, type):
        # Every test method gets its own fake (pytest classes and unittest.TestCase alike).
        for name, value in list(vars(target).items()):
            if name.startswith("test") and inspect.isfunction(value):
                setattr(target, name, decorate(fresh, value))
        return target
    if not callable(target):
        raise TypeError(f"EcsFake(...) decorates functions, coroutines and classes, not {target!r}")
    func: Callable[..., Any] = target
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            async with fresh():
                return await func(*args, **kwargs)

        return run_async  # type: ignore[return-value]

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        with fresh():
            return func(*args, **kwargs)

    return run  # type: ignore[return-value]
