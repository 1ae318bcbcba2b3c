"""The table of implemented operations: one handler per botocore operation name.

Handlers register with ``@handler("ecs", "RunTask")``. They take the request context and the decoded,
schema-valid request, and return the response body; they raise ``AwsError`` subclasses for AWS errors.
They never see HTTP. A handler module is imported at the first call of one of its operations (``MODULES``, the
generated ``handler_index``), not when the plugin loads: the first call of a session imports what it needs, not
every handler module.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import handler_index

if TYPE_CHECKING:
    from .context import Context

Handler = Callable[["Context", dict[str, Any]], dict[str, Any]]

_HANDLERS: dict[tuple[str, str], Handler] = {}
_loaded = False

# The module that registers each operation's handler: generated from the handlers' @handler decorators into
# handler_index.py by `python -m pytest_ecsfake.scaffold docs` (docs/adding-an-operation.md), never kept by hand.
MODULES: dict[str, dict[str, str]] = handler_index.MODULES

SERVICES = ("ecs", "batch", "logs")


def handler(service: str, operation: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        key = (service, operation)
        found = _HANDLERS.get(key)
        # The same module imported again (pytester's in-process runs drop the modules a run imported) replaces
        # its own handlers; another module registering the same operation is a mistake.
        if found is not None and found.__module__ != func.__module__:
            raise RuntimeError(f"two handlers for {service}:{operation}: {found.__module__} and {func.__module__}")
        _HANDLERS[key] = func
        return func

    return register


def _load() -> None:
    global _loaded
    if not _loaded:
        for modules in MODULES.values():
            for module in sorted(set(modules.values())):
                importlib.import_module(module)
        _loaded = True


def _live() -> Any:
    """This module as ``sys.modules`` holds it now. pytester's in-process runs drop the modules a run imported;
    the next run imports them again, but ``from ..core import registry`` can still hand out the dropped copy (the
    package keeps it as an attribute), while handler modules register into the new one. Lookups go there."""
    return importlib.import_module(__name__)


def _is_live(func: Handler) -> bool:
    """Whether ``func``'s module is the one ``sys.modules`` holds now (not a copy a pytester run dropped)."""
    module = sys.modules.get(func.__module__)
    return module is not None and module.__dict__ is func.__globals__


def get(service: str, operation: str) -> Handler | None:
    found = _HANDLERS.get((service, operation))
    if found is not None and _is_live(found):
        return found
    # Not imported yet, or imported by a pytester run that dropped it since: the live copy of the module serves,
    # with what it registers into the live copies of its neighbours (e.g. ecs/tags' resolvers).
    module = MODULES.get(service, {}).get(operation)
    if module is None:
        return None
    importlib.import_module(module)
    found = _HANDLERS.get((service, operation))
    live = _live()
    if (found is None or not _is_live(found)) and live.__dict__ is not globals():
        result: Handler | None = live.get(service, operation)
        return result
    return found


def supported(service: str) -> list[str]:
    """The operations of ``service`` the fake implements, sorted."""
    live = _live()
    if live.__dict__ is not globals():
        names: list[str] = live.supported(service)
        return names
    _load()
    return sorted(op for (svc, op) in _HANDLERS if svc == service)
