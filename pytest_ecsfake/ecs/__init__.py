"""ECS: clusters, task definitions, tasks and their lifecycle, container instances and placement, services
and deployments, tags; the ECS timings (``timings``).

Handler modules register their operations (``@handler``) when imported; the registry imports one at the first
call of one of its operations. The model of a resource sits in its own module beside its handlers.

May import: ``logs`` (containers write their output there), ``schemas`` and ``core``. Never ``batch``, the
wire or a way in.
"""

from ..core.context import SERVICE_STATES


def _new_state() -> object:
    from .state import EcsState

    return EcsState()


SERVICE_STATES["ecs"] = _new_state  # a region's ecs state, made at its first use (core.context)
