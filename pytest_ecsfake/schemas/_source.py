"""Which botocore model the schemas come from: the installed botocore's, read at run time.

A request is checked against the schema of the botocore that sent it, so a member or enum value that a
newer botocore added is accepted the day the user upgrades, and an operation it added is known (and answered
UnsupportedOperation until the fake implements it). The committed ``schemas/`` is the reviewed copy for the
pinned botocore; it still answers for an operation the installed model lacks (an older botocore, a newer
client talking to the HTTP server).

ECS's model is 1.5 MB of JSON (about 18 ms to load), and the botocore client that sent a request has already
loaded it: the botocore interception offers that client's model on its first call of each service
(``offer``), so the model is not loaded twice. Only when nothing offered one (the HTTP server, raw
``requests`` calls, ``validate_request`` with no client) is it loaded from the installed botocore's data.
"""

from __future__ import annotations

import threading
from typing import Any

_models: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()


def offer(service: str, model: Any) -> None:
    """A botocore model of ``service`` already in memory (a client's ``service_model._service_description``).

    The first model of a service wins; it is only read, never changed. Anything but a model dict is ignored.
    """
    if service not in _models and isinstance(model, dict) and "operations" in model and "shapes" in model:
        with _lock:
            _models.setdefault(service, model)


def has_model(service: str) -> bool:
    return service in _models


def installed_model(service: str) -> dict[str, Any]:
    """The installed botocore's model of ``service``: the one a client offered, else loaded from its data."""
    model = _models.get(service)
    if model is None:
        from ._generate import load_model

        loaded = load_model(service)
        with _lock:
            model = _models.setdefault(service, loaded)
    return model
