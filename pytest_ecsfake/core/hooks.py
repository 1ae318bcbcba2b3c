"""Hooks that a way in sets for the layers below it, which never import a way in.

moto beside the fake (``ways_in/with_moto``): while moto is active it answers CloudWatch Logs, so the Logs
handlers and the ECS container output ask it, through here, whether it is in play and to mirror a log group; the
state-change events (``core.state_events``) go on moto's default EventBridge bus through here too.
The module registers itself when it is loaded (at activation, when moto is installed).
"""

from __future__ import annotations

from typing import Any

_moto: Any = None  # the loaded ways_in.with_moto module, or None


def register_moto(module: Any) -> None:
    global _moto
    _moto = module


def moto_holds_logs() -> bool:
    """Whether moto's ``mock_aws`` is started beside the fake: it then answers CloudWatch Logs."""
    return _moto is not None and bool(_moto.moto_active())


def mirror_log_group(region: str, name: str, *, delete: bool = False) -> None:
    """Create (or delete) log group ``name`` in moto too (see ``with_moto.mirror_log_group``)."""
    _moto.mirror_log_group(region, name, delete=delete)


def moto_active() -> bool:
    """Whether moto's ``mock_aws`` is started beside the fake."""
    return _moto is not None and bool(_moto.moto_active())


def put_event(event: dict[str, Any]) -> None:
    """Put a state-change event on moto's default event bus (see ``with_moto.put_event``)."""
    _moto.put_event(event)
