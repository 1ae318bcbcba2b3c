"""Which fakes are active: a stack, the innermost serving every intercepted call, and which thread drives it.

Every way in asks ``current()``; this module imports nothing of the package, so they all can. The patches that
exist only while a fake is active are ``activation``'s: it passes them to ``push``/``pop`` so they go in with
the first fake and out with the last, under the same lock as the stack.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .fake import EcsFake

_stack: list[EcsFake] = []
_lock = threading.Lock()


def current() -> EcsFake | None:
    return _stack[-1] if _stack else None


def push(fake: EcsFake, first: Callable[[], None]) -> None:
    """Make ``fake`` the innermost active fake; ``first()`` runs before it when no fake was active."""
    with _lock:
        if not _stack:
            first()
        _stack.append(fake)


def pop(fake: EcsFake, last: Callable[[], None]) -> None:
    """Deactivate ``fake`` (wherever it is in the stack); ``last()`` runs when no fake is left active."""
    with _lock:
        for index in range(len(_stack) - 1, -1, -1):
            if _stack[index] is fake:
                del _stack[index]
                break
        if not _stack:
            last()


def is_driver() -> bool:
    """Whether the calling thread drives the test: it activated one of the active fakes."""
    ident = threading.get_ident()
    return any(fake._thread == ident for fake in _stack)
