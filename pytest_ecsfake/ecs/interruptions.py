"""``fake.interrupt``: infrastructure-initiated stops (Fargate Spot reclaim, instance retirement)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import lifecycle
from .task_model import Task

if TYPE_CHECKING:
    from ..ways_in.fake import EcsFake

# Default stoppedReason per code. AWS documents the Spot wording [DG:fargate-capacity-providers]; the
# scheduler's wording for a task outside a service is the fake's own, and so is InfrastructureHealth's (a code
# botocore 1.44 added; AWS's stoppedReason for it is not known).
INTERRUPTION_REASONS = {
    "SpotInterruption": "Your Spot Task was interrupted.",
    "TerminationNotice": "Your Spot Task was interrupted.",
    "ServiceSchedulerInitiated": "Task stopped by the service scheduler.",
    "InfrastructureHealth": "Task stopped due to an infrastructure health issue.",
}


def _known(stop_code: str) -> bool:
    """Whether the installed botocore knows ``stop_code``: a code it does not know cannot be answered."""
    from ..schemas._source import installed_model

    return stop_code in installed_model("ecs")["shapes"]["TaskStopCode"].get("enum", ())


def _find(fake: EcsFake, ref: str) -> Task | None:
    if ref.startswith("arn:"):
        regions = [ref.split(":")[3]]
        ref = ref.rsplit("/", 1)[-1]
    else:
        regions = list(fake._backend.regions)
    for region in regions:
        state = fake._backend.regions.get(region)
        task = state.ecs.tasks.get(ref) if state is not None and state.ecs is not None else None
        if task is not None:
            return task  # type: ignore[no-any-return]
    return None


def interrupt(fake: EcsFake, ref: str, stop_code: str, reason: str | None) -> None:
    if stop_code not in INTERRUPTION_REASONS or not _known(stop_code):
        import botocore

        known = ", ".join(code for code in INTERRUPTION_REASONS if _known(code))
        raise ValueError(
            f"interrupt(stop_code={stop_code!r}): expected one of {known} (the stop codes of an infrastructure "
            f"stop that botocore {botocore.__version__} knows)"
        )
    task = _find(fake, ref)
    if task is None:
        raise LookupError(f"interrupt({ref!r}): no such task in this fake (pass a task ARN or id from RunTask)")
    backend = fake._backend
    lifecycle.request_stop(backend, task, backend.clock.now(), stop_code, reason or INTERRUPTION_REASONS[stop_code])
