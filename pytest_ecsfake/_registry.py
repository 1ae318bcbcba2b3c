"""The table of implemented operations: one handler per botocore operation name.

Handlers register with ``@handler("ecs", "RunTask")``. They take the request context and the decoded,
schema-valid request, and return the response body; they raise ``AwsError`` subclasses for AWS errors.
They never see HTTP. The handler modules are imported on first use, not when the plugin loads.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._context import Context

Handler = Callable[["Context", dict[str, Any]], dict[str, Any]]

_HANDLERS: dict[tuple[str, str], Handler] = {}
_HANDLER_PACKAGES = ("pytest_ecsfake.ecs", "pytest_ecsfake.batch")
_loaded = False

SERVICES = ("ecs", "batch")


def handler(service: str, operation: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        key = (service, operation)
        if key in _HANDLERS:
            raise RuntimeError(f"two handlers for {service}:{operation}")
        _HANDLERS[key] = func
        return func

    return register


def _load() -> None:
    global _loaded
    if not _loaded:
        for package in _HANDLER_PACKAGES:
            importlib.import_module(package)
        _loaded = True


def get(service: str, operation: str) -> Handler | None:
    _load()
    return _HANDLERS.get((service, operation))


def supported(service: str) -> list[str]:
    """The operations of ``service`` the fake implements, sorted."""
    _load()
    return sorted(op for (svc, op) in _HANDLERS if svc == service)
