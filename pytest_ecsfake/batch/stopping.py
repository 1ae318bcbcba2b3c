"""TerminateJob and CancelJob [seed 004; M:TerminateJob; M:CancelJob].

TerminateJob: a STARTING or RUNNING job's ECS task is stopped (SIGTERM, SIGKILL after the stop timeout) and
the job becomes FAILED with the reason as statusReason once its container has exited (exit code 137 when it
had to be killed); a job that has not reached STARTING is cancelled at once. CancelJob: SUBMITTED and
RUNNABLE jobs are cancelled at once, PENDING ones once their dependencies have finished ("A PENDING job is
canceled after all dependency jobs are completed"); STARTING and RUNNING jobs are left alone, and the call
still succeeds. Both answer ``{}``, cascade from an array parent to its children, and are never retried.
"""

from __future__ import annotations

from typing import Any

from ..core.backend import Backend
from ..core.context import Context
from ..core.registry import handler
from ..ecs import lifecycle
from . import pods, transitions
from .refs import name_of
from .state import NOT_STARTED, Job, batch_state


def find_job(ctx: Context, ref: str) -> Job | None:
    """A job by id or ARN (children: ``<parent id>:<index>``)."""
    ident = name_of(ctx, ref, "job")
    return None if ident is None else batch_state(ctx).jobs.get(ident)


def _spawned_parent(job: Job) -> bool:
    return job.size is not None and job.status != "SUBMITTED"


def terminate(backend: Backend, job: Job, reason: str, at: float) -> None:
    """TerminateJob's effect on ``job`` (and, for an array parent, on every child)."""
    if job.finished:
        return
    if _spawned_parent(job):
        job.is_terminated = True
        job.terminate_reason = job.terminate_reason or reason
        for child in job.children:
            terminate(backend, child, reason, at)
        return
    if job.status in NOT_STARTED:
        transitions.cancel_now(backend, job, reason, at)
        return
    if job.eks is not None:  # an EKS job: its pod (pods.py)
        pod = pods.current(job)
        assert pod is not None
        job.is_terminated = True
        if job.terminate_reason is None and not job.timed_out:
            job.terminate_reason = reason
        pods.stop(backend, job, pod, at)
        return
    attempt = job.current
    assert attempt is not None  # STARTING and RUNNING jobs always have an attempt under way
    job.is_terminated = True
    if job.terminate_reason is None and not job.timed_out:
        job.terminate_reason = reason
    lifecycle.request_stop(backend, attempt.task, at, "UserInitiated", reason)


def cancel(backend: Backend, job: Job, reason: str, at: float) -> None:
    """CancelJob's effect on ``job`` (and, for an array parent, on every child)."""
    if job.finished:
        return
    if _spawned_parent(job):
        job.cancel_reason = job.cancel_reason or reason
        for child in job.children:
            cancel(backend, child, reason, at)
        return
    if job.status == "PENDING":
        job.cancel_reason = job.cancel_reason or reason  # applied when its dependencies have finished
    elif job.status in NOT_STARTED:
        transitions.cancel_now(backend, job, reason, at)


@handler("batch", "TerminateJob")
def terminate_job(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    job = find_job(ctx, req["jobId"])
    if job is not None:  # AWS answers 200 {} for a job id it does not know (FIDELITY.md "Observed since")
        terminate(ctx.backend, job, req["reason"], ctx.now)
    return {}


@handler("batch", "CancelJob")
def cancel_job(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    job = find_job(ctx, req["jobId"])
    if job is not None:  # as TerminateJob: an unknown id answers 200 {} (FIDELITY.md "Observed since")
        cancel(ctx.backend, job, req["reason"], ctx.now)
    return {}
