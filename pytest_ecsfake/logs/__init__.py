"""CloudWatch Logs: log groups, log streams and their events, and the writer the ECS and Batch lifecycles use
for their containers' output (``state.write``).

Handler modules register their operations (``@handler``) when imported; the registry imports one at the first
call of one of its operations.

May import: ``schemas`` and ``core``. Never ``ecs`` or ``batch``, the wire or a way in.
"""

from ..core.context import SERVICE_STATES


def _new_state() -> object:
    from .state import LogsState

    return LogsState()


SERVICE_STATES["logs"] = _new_state  # a region's logs state, made at its first use (core.context)
