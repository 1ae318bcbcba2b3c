"""``fake.interrupt``: infrastructure-initiated stops (Fargate Spot reclaim, instance retirement)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import lifecycle
from .task_model import Task

if TYPE_CHECKING:
    from .._fake import EcsFake

# Default stoppedReason per code. AWS documents the Spot wording [DG:fargate-capacity-providers]; the
# scheduler's wording for a task outside a service is the fake's own.
INTERRUPTION_REASONS = {
    "SpotInterruption": "Your Spot Task was interrupted.",
    "TerminationNotice": "Your Spot Task was interrupted.",
    "ServiceSchedulerInitiated": "Task stopped by the service scheduler.",
}


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
    if stop_code not in INTERRUPTION_REASONS:
        raise ValueError(
            f"interrupt(stop_code={stop_code!r}): expected one of {', '.join(INTERRUPTION_REASONS)}"
        )
    task = _find(fake, ref)
    if task is None:
        raise LookupError(f"interrupt({ref!r}): no such task in this fake (pass a task ARN or id from RunTask)")
    backend = fake._backend
    lifecycle.request_stop(backend, task, backend.clock.now(), stop_code, reason or INTERRUPTION_REASONS[stop_code])
