"""A job's status on the clock: SUBMITTED → PENDING or RUNNABLE → STARTING → RUNNING → SUCCEEDED / FAILED
[M:JobDetail.status; FIDELITY.md "AWS Batch"].

SUBMITTED lasts ``batch_submitted``; then a job with unfinished dependencies is PENDING, one whose dependency
FAILED fails too ("Dependent Job failed"), and the rest are RUNNABLE until the scheduler places them. An
array parent spawns its children instead and stays PENDING until they have all finished. Every finished job
releases its dependents (by events, so a chain of 10,000 sequential children never recurses) and is
forgotten ``batch_job_retention`` after it finished.

A job that becomes RUNNABLE asks for a scheduler pass through its queue: ``JobQueue.request_pass`` is
``scheduler.request_pass`` bound to the queue's region, given to the queue when job_queues.py creates it. The
scheduler imports this module (it starts and ends jobs), so this module cannot import the scheduler.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

from ..core.backend import Backend
from . import arrays, change_events, consumables
from .state import FINISHED, BatchState, Job, JobQueue

DEPENDENCY_FAILED = "Dependent Job failed"


def state_of(backend: Backend, job: Job) -> BatchState:
    state: BatchState = backend.region_state(job.arn.split(":")[3]).batch
    return state


def set_status(backend: Backend, job: Job, status: str, at: float) -> None:
    """Move ``job`` to ``status`` at ``at``; a finished job stamps stoppedAt and releases its dependents."""
    old, job.status = job.status, status
    job.history += ((at, status),)
    if status in FINISHED:
        job.stopped_at = at
    change_events.job_changed(backend, job, at)  # the job as it is now, before what follows from it
    if job.parent is not None and arrays.child_moved(job, old, at):
        _parent_done(backend, job.parent, at)
    if status in FINISHED:
        for dependent in job.dependents:
            backend.events.schedule(at, _release(backend, dependent))
        state = state_of(backend, job)
        if job.holding and consumables.release(state, job):
            for queue in state.job_queues.values():
                queue.request_pass(at)  # a job waiting for a consumable resource may start
        backend.events.schedule(at + backend.timings["batch_job_retention"], lambda t: _forget(state, job))
    if job.on_status is not None:
        job.on_status(backend, job, old, at)


def _parent_done(backend: Backend, parent: Job, at: float) -> None:
    """End an array parent whose children have all finished [arrays.py]."""
    if parent.terminate_reason is not None:
        finish(backend, parent, "FAILED", parent.terminate_reason, at)
    elif parent.cancel_reason is not None:
        parent.is_cancelled = True
        finish(backend, parent, "FAILED", parent.cancel_reason, at)
    elif parent.summary["FAILED"]:
        finish(backend, parent, "FAILED", arrays.CHILD_FAILED, at)
    else:
        finish(backend, parent, "SUCCEEDED", None, at)


def leave_submitted(backend: Backend, job: Job, at: float) -> None:
    """The scheduler has seen the submission: spawn an array's children, or resolve the dependencies."""
    if job.status != "SUBMITTED":
        return  # cancelled meanwhile
    if job.size is not None:
        set_status(backend, job, "PENDING", at)
        arrays.spawn(state_of(backend, job), job, at)
        for child in job.children:
            if child.status == "PENDING":
                resolve(backend, child, at)
        return
    resolve(backend, job, at)


def _release(backend: Backend, job: Job) -> Callable[[float], None]:
    def dependency_finished(at: float) -> None:
        if job.status == "PENDING" and job.size is None:
            resolve(backend, job, at)

    return dependency_finished


def resolve(backend: Backend, job: Job, at: float) -> None:
    """PENDING while a dependency is unfinished; FAILED when one failed; else RUNNABLE (or cancelled, when a
    CancelJob came while it was PENDING: "A PENDING job is canceled after all dependency jobs are completed"
    [M:CancelJob])."""
    if any(dep.status == "FAILED" for dep in job.waits_for):
        if job.cancel_reason is not None:
            cancel_now(backend, job, job.cancel_reason, at)
        else:
            finish(backend, job, "FAILED", DEPENDENCY_FAILED, at)
    elif any(dep.status not in FINISHED for dep in job.waits_for):
        if job.status != "PENDING":
            set_status(backend, job, "PENDING", at)
    elif job.cancel_reason is not None:
        cancel_now(backend, job, job.cancel_reason, at)
    else:
        make_runnable(backend, job, at)


def make_runnable(backend: Backend, job: Job, at: float) -> None:
    """Queue the job: the scheduler may place it ``batch_scheduling`` seconds from now, capacity allowing."""
    set_status(backend, job, "RUNNABLE", at)
    job.runnable_since = at
    job.eligible_at = at + backend.timings["batch_scheduling"]
    queue = job.queue
    queue.runnable[job.key] = job
    bisect.insort(queue.runnable_keys, job.key)
    queue.request_pass(job.eligible_at)


def unqueue(queue: JobQueue, job: Job) -> None:
    if queue.runnable.pop(job.key, None) is not None:
        at = bisect.bisect_left(queue.runnable_keys, job.key)
        del queue.runnable_keys[at]
    job.head_since = None


def finish(backend: Backend, job: Job, status: str, reason: str | None, at: float) -> None:
    """End the job: SUCCEEDED or FAILED with ``reason`` as its statusReason."""
    if job.finished:
        return
    unqueue(job.queue, job)
    job.status_reason = reason
    set_status(backend, job, status, at)


def cancel_now(backend: Backend, job: Job, reason: str, at: float) -> None:
    """Cancel a job that has not started: FAILED, ``isCancelled``, ``statusReason`` = the reason."""
    job.is_cancelled = True
    finish(backend, job, "FAILED", reason, at)


def _forget(state: BatchState, job: Job) -> None:
    if state.jobs.get(job.id) is job:
        del state.jobs[job.id]
