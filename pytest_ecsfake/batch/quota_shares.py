"""CreateQuotaShare, DescribeQuotaShare, ListQuotaShares, UpdateQuotaShare, DeleteQuotaShare [M:CreateQuotaShare;
M:QuotaShareDetail].

"Each quota share operates as a virtual queue with a configured compute capacity, resource sharing strategy,
and borrow limits" inside one job queue, the queue of a quota-share scheduling policy (``quotaSharePolicy``:
GetJobQueueSnapshot lists "the first RUNNABLE job in each quota share" "For job queues with an attached
quota-share policy"). The job queue "must be in the VALID state before you can associate it with a quota
share" [M:CreateQuotaShareRequest.jobQueue].

What a quota share schedules are service jobs: SubmitServiceJob names one (``quotaShareName``: "If the job
queue has a quota share scheduling policy, then this parameter must be specified"); SubmitJob has no such
member, so quota shares never change how the container jobs of this fake are scheduled. The resource itself
is modelled in full: its capacity limits, sharing strategy and preemption as given, ``state`` (a DISABLED
share "won't accept new jobs"), and ``status`` on the clock: CREATING → VALID, UPDATING → VALID, DELETING →
gone, with the job queue's durations (``batch_job_queue_create`` / ``_update`` / ``_delete``). Deleting needs
the share DISABLED first ("You must first disable submissions for the share") [M:DeleteQuotaShare].

The ARN is ``arn:aws:batch:<region>:<account>:job-queue/<queue>/quota-share/<name>`` (inferred: AWS does not
document it); a quota share's name is unique within its job queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.backend import Backend
from ..core.clock import Event
from ..core.context import Context
from ..core.errors import ClientException
from ..core.paging import page, with_token
from ..core.registry import handler
from .job_queues import find_queue, get_queue
from .state import JobQueue, batch_state, json_copy


@dataclass(eq=False)
class QuotaShare:
    name: str
    arn: str
    queue: JobQueue
    capacity_limits: list[dict[str, Any]]
    sharing: dict[str, Any]
    preemption: dict[str, Any]
    state: str
    tags: dict[str, str]
    status: str = "CREATING"
    pending: Event | None = None


def _get(ctx: Context, arn: str) -> QuotaShare:
    share: QuotaShare | None = batch_state(ctx).quota_shares.get(arn)
    if share is None:  # wording not confirmed
        raise ClientException(f"Quota share {arn} does not exist.")
    return share


def _detail(share: QuotaShare) -> dict[str, Any]:
    """The QuotaShareDetail shape (DescribeQuotaShare adds the tags)."""
    return {
        "quotaShareName": share.name,
        "quotaShareArn": share.arn,
        "jobQueueArn": share.queue.arn,
        "capacityLimits": json_copy(share.capacity_limits),
        "resourceSharingConfiguration": dict(share.sharing),
        "preemptionConfiguration": dict(share.preemption),
        "state": share.state,
        "status": share.status,
    }


def _capacity_limits(given: list[dict[str, Any]]) -> list[dict[str, Any]]:
    units: set[str] = set()
    for limit in given:
        if limit["capacityUnit"] in units:  # wording not confirmed
            raise ClientException(f"capacityLimits names capacity unit {limit['capacityUnit']} twice.")
        units.add(limit["capacityUnit"])
    return [dict(limit) for limit in given]


def _sharing(ctx: Context, given: dict[str, Any]) -> dict[str, Any]:
    if "borrowLimit" in given and given["strategy"] != "LEND_AND_BORROW":
        # "borrowLimit can only be applied to quota shares with a strategy of LEND_AND_BORROW": stated, not known
        # to be refused.
        ctx.documented("QuotaShareResourceSharingConfiguration.borrowLimit applies only to the LEND_AND_BORROW "
                       "strategy")
    return dict(given)


def _quota_share_queue(ctx: Context, ref: str) -> JobQueue:
    queue = get_queue(ctx, ref)
    if queue.status != "VALID":  # "A job queue must be in the VALID state" (wording not confirmed)
        raise ClientException(f"Job queue {queue.name} is {queue.status}: it must be VALID to be associated with a "
                              "quota share.")
    policy = batch_state(ctx).scheduling_policies.get((queue.scheduling_policy or "").rsplit("/", 1)[-1])
    if policy is None or getattr(policy, "quota_share", None) is None:  # wording not confirmed
        raise ClientException(f"Job queue {queue.name} has no quota-share scheduling policy: quota shares can only "
                              "be created for a job queue with a quotaSharePolicy.")
    return queue


def _settle_later(ctx: Context, share: QuotaShare, timing: str) -> None:
    if share.pending is not None:
        share.pending.cancel()

    def valid(at: float) -> None:
        share.status, share.pending = "VALID", None

    share.pending = ctx.backend.events.schedule(ctx.now + ctx.backend.timings[timing], valid)


@handler("batch", "CreateQuotaShare")
def create_quota_share(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    queue = _quota_share_queue(ctx, req["jobQueue"])
    name = req["quotaShareName"]
    arn = f"{queue.arn}/quota-share/{name}"
    state = batch_state(ctx)
    if arn in state.quota_shares:
        raise ClientException("Object already exists")  # as for the other Batch resources (fidelity-batch.md)
    share = QuotaShare(name=name, arn=arn, queue=queue, capacity_limits=_capacity_limits(req["capacityLimits"]),
                       sharing=_sharing(ctx, req["resourceSharingConfiguration"]),
                       preemption=dict(req["preemptionConfiguration"]), state=req.get("state", "ENABLED"),
                       tags=dict(req.get("tags", {})))
    state.quota_shares[arn] = share
    _settle_later(ctx, share, "batch_job_queue_create")
    return {"quotaShareName": name, "quotaShareArn": arn}


@handler("batch", "DescribeQuotaShare")
def describe_quota_share(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    share = _get(ctx, req["quotaShareArn"])
    body = _detail(share)
    if share.tags:  # the model's tag map has at least one entry: an untagged share answers none
        body["tags"] = dict(share.tags)
    return body


@handler("batch", "ListQuotaShares")
def list_quota_shares(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    queue = find_queue(ctx, req["jobQueue"])  # an unknown queue lists nothing, as ListJobs does
    shares = [s for s in batch_state(ctx).quota_shares.values() if queue is not None and s.queue is queue]
    chunk, token = page(shares, req, "ListQuotaShares", ClientException)
    return with_token({"quotaShares": [_detail(share) for share in chunk]}, token)


@handler("batch", "UpdateQuotaShare")
def update_quota_share(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    share = _get(ctx, req["quotaShareArn"])
    creating = share.status == "CREATING"
    if creating:  # as UpdateJobQueue: applied at once, the rule recorded (AWS's answer is not known)
        ctx.documented(f"UpdateQuotaShare: quota share {share.name} is CREATING; update it once it is VALID")
    elif share.status == "DELETING":  # wording not confirmed
        raise ClientException(f"Quota share {share.name} is {share.status} and can't be updated now.")
    limits = _capacity_limits(req["capacityLimits"]) if "capacityLimits" in req else share.capacity_limits
    sharing = _sharing(ctx, req["resourceSharingConfiguration"]) if "resourceSharingConfiguration" in req \
        else share.sharing
    share.capacity_limits, share.sharing = limits, sharing
    share.preemption = dict(req.get("preemptionConfiguration", share.preemption))
    share.state = req.get("state", share.state)
    if not creating:
        share.status = "UPDATING"
        _settle_later(ctx, share, "batch_job_queue_update")
    return {"quotaShareName": share.name, "quotaShareArn": share.arn}


@handler("batch", "DeleteQuotaShare")
def delete_quota_share(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    share = _get(ctx, req["quotaShareArn"])
    if share.status == "DELETING":
        return {}
    if share.state != "DISABLED":  # "You must first disable submissions" (wording not confirmed)
        raise ClientException(f"Cannot delete, quota share {share.name} is ENABLED: disable it with UpdateQuotaShare "
                              "first.")
    if share.pending is not None:
        share.pending.cancel()
    share.status = "DELETING"
    state, backend = batch_state(ctx), ctx.backend
    share.pending = backend.events.schedule(ctx.now + backend.timings["batch_job_queue_delete"],
                                            lambda t: _deleted(backend, state.quota_shares, share))
    return {}


def _deleted(backend: Backend, shares: dict[str, Any], share: QuotaShare) -> None:
    share.pending = None
    if shares.get(share.arn) is share:
        del shares[share.arn]
