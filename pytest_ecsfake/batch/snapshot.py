"""GetJobQueueSnapshot [M:GetJobQueueSnapshot; M:FrontOfQueueDetail; M:QueueSnapshotUtilizationDetail].

``frontOfQueue``: the first 100 RUNNABLE jobs "in order of dispatch": for a FIFO queue the scheduler's order
(submission order; array children at their parent's place), for a fair-share queue the order fair_share.py
takes them in (share usage, then ``schedulingPriority`` and submission within a share), each job counted as
started before the next is chosen. Jobs the scheduler has not seen yet (RUNNABLE for less than
``batch_scheduling``) are listed too: they are RUNNABLE. ``earliestTimeAtPosition`` is when the job took its
present place: the latest of when it became RUNNABLE, when a job ahead of it left RUNNABLE after that, and
when a job now ahead of it became RUNNABLE after it (the fake's reading; inferred).

``queueUtilization``: the vCPUs the queue's attempts hold now (``totalCapacityUsage``, unit VCPU), and for a
fair-share queue the shares using capacity (``activeShareCount``) and the top 20 by vCPUs. The snapshot is
computed when asked: every ``lastUpdatedAt`` is now.

A queue with a quota-share policy answers an empty ``frontOfQuotaShares``: its jobs are service jobs (SubmitJob
has no quota share), which this module does not list.
"""

from __future__ import annotations

from typing import Any

from ..core.context import Context
from ..core.errors import ClientException
from ..core.registry import handler
from . import fair_share
from .job_queues import find_queue
from .state import BatchState, Job, JobQueue, batch_state, ms

FRONT = 100  # "The first 100 RUNNABLE jobs in the job queue are listed in order of dispatch"
TOP_SHARES = 20  # "A list of the top 20 shares with the highest capacity utilization"


def front(state: BatchState, queue: JobQueue, at: float) -> list[Job]:
    """The first RUNNABLE jobs of the queue in the order the scheduler takes them."""
    if fair_share.policy_of(state, queue) is not None:
        found: list[Job] = []
        for job in fair_share.ordered(state, queue, at, eligible_only=False):
            found.append(job)
            if len(found) == FRONT:
                break
        return found
    return [queue.runnable[key] for key in queue.runnable_keys[:FRONT]]


def _runnable_spans(job: Job) -> list[tuple[float, float | None]]:
    """The job's stays in RUNNABLE: (from, until), until None while it is RUNNABLE."""
    spans: list[tuple[float, float | None]] = []
    for (at, status), after in zip(job.history, [*job.history[1:], None], strict=True):
        if status == "RUNNABLE":
            spans.append((at, after[0] if after is not None else None))
    return spans


def _since(state: BatchState, queue: JobQueue, jobs: list[Job], fair: bool) -> dict[str, float]:
    """earliestTimeAtPosition of each job of ``jobs`` (the front, in order)."""
    departures: list[tuple[float, tuple[int, int]]] = []
    for other in state.jobs.values():
        if other.queue is queue and other.size is None:
            departures.extend((until, other.key) for _, until in _runnable_spans(other) if until is not None)
    since: dict[str, float] = {}
    for place, job in enumerate(jobs):
        joined = job.runnable_since if job.runnable_since is not None else job.created_at
        latest = joined
        for until, key in departures:
            if until > latest and (fair or key < job.key):
                latest = until
        for ahead in jobs[:place]:
            if ahead.runnable_since is not None and ahead.runnable_since > latest:
                latest = ahead.runnable_since
        since[job.id] = latest
    return since


def _utilization(state: BatchState, queue: JobQueue, at: float, fair: bool) -> dict[str, Any]:
    held = sum(a.vcpus for job in state.jobs.values() if job.queue is queue
               for a in job.attempts if not a.released)
    body: dict[str, Any] = {"totalCapacityUsage": [{"capacityUnit": "VCPU", "quantity": float(held)}]}
    if fair:
        using = [(share.identifier, fair_share.running_vcpus(share))
                 for share in fair_share.book(queue).shares.values()]
        using = sorted((pair for pair in using if pair[1] > 0), key=lambda pair: (-pair[1], pair[0]))
        body["fairshareUtilization"] = {
            "activeShareCount": len(using),
            "topCapacityUtilization": [
                {"shareIdentifier": ident, "capacityUsage": [{"capacityUnit": "VCPU", "quantity": float(vcpus)}]}
                for ident, vcpus in using[:TOP_SHARES]
            ],
        }
    body["lastUpdatedAt"] = ms(at)
    return body


@handler("batch", "GetJobQueueSnapshot")
def get_job_queue_snapshot(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    state = batch_state(ctx)
    queue = find_queue(ctx, req["jobQueue"])
    if queue is None:  # the wording SubmitJob answers for an unknown queue (FIDELITY.md "Observed since")
        raise ClientException(f"JobQueue {req['jobQueue']} not found.")
    fair = fair_share.policy_of(state, queue) is not None
    jobs = front(state, queue, ctx.now)
    since = _since(state, queue, jobs, fair)
    body: dict[str, Any] = {
        "frontOfQueue": {
            "jobs": [{"jobArn": job.arn, "earliestTimeAtPosition": ms(since[job.id])} for job in jobs],
            "lastUpdatedAt": ms(ctx.now),
        },
        "queueUtilization": _utilization(state, queue, ctx.now, fair),
    }
    policy = state.scheduling_policies.get((queue.scheduling_policy or "").rsplit("/", 1)[-1])
    if policy is not None and getattr(policy, "quota_share", None) is not None:
        body["frontOfQuotaShares"] = {"quotaShares": {}, "lastUpdatedAt": ms(ctx.now)}
    return body
