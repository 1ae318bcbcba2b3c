"""Fair-share scheduling of a job queue with a fair-share scheduling policy [BUG:fair-share-scheduling;
BUG:share-identifiers; M:FairsharePolicy; M:ShareAttributes].

What the Batch user guide says, and how the fake reads it:

* "The AWS Batch scheduler tracks usage for each share identifier by using the (T * weightFactor) formula,
  where T is the vCPU usage over time. The scheduler picks jobs with the lowest usage from the share
  identifier." A share's *usage* here is weightFactor × (the vCPUs its attempts hold now + the decayed
  history of the vCPU-seconds they held, ``history``): each vCPU-second decays by e^(-age/W), W =
  ``shareDecaySeconds`` (0 means the default window of 600 s [M:FairsharePolicy.shareDecaySeconds]). The
  next job is taken from the share of lowest usage that has one eligible (ties: the share whose next job was
  submitted first); a job started counts at once, so within one pass two shares of weight factors 1 and 3
  on 8 vCPUs end up with 6 and 2 running (usage 6 × 1 = 2 × 3).
* Within a share: higher ``schedulingPriority`` first, then submission order [M:JobDetail.schedulingPriority;
  M:SubmitJobRequest.schedulingPriorityOverride: "works only within a single share identifier"].
* Weight factors come from ``shareDistribution``: the exact identifier, else a ``prefix*`` entry it starts
  with, else 1.0 [M:ShareAttributes].
* ``computeReservation``: the queue's jobs together may hold no more than (1 - (computeReservation/100) ^
  ActiveFairShares) of the maximum vCPUs of its compute environments; a share is active while it has a job
  SUBMITTED, PENDING, RUNNABLE, STARTING or RUNNING, and for the decay window after its last job finished
  [BUG:fair-share-scheduling].

The book of a queue (its shares' jobs and attempts) lives here, keyed by the queue: the scheduler tells it of
every attempt it starts (``started``), SubmitJob of every job (``submitted``).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..core.context import Context
from ..core.errors import ClientException
from .state import FINISHED, Attempt, BatchState, Job, JobDefinition, JobQueue, batch_state

DEFAULT_WINDOW = 600.0  # "A value of zero (0) indicates the default minimum time window (600 seconds)"
MAX_ACTIVE_SHARES = 500  # "a maximum of 500 active share identifiers" [M:CreateJobQueueRequest.schedulingPolicyArn]
_FORGET_AFTER = 20  # windows: an attempt that ended this long ago weighs e^-20 of what it did


@dataclass
class Share:
    identifier: str
    jobs: list[Job] = field(default_factory=list)  # unfinished jobs (pruned as they finish)
    attempts: list[tuple[float, Attempt]] = field(default_factory=list)  # (dispatched at, attempt)
    last_finished: float | None = None


@dataclass
class Book:
    shares: dict[str, Share] = field(default_factory=dict)


_BOOKS: weakref.WeakKeyDictionary[JobQueue, Book] = weakref.WeakKeyDictionary()


def book(queue: JobQueue) -> Book:
    found = _BOOKS.get(queue)
    if found is None:
        found = _BOOKS[queue] = Book()
    return found


def policy_of(state: BatchState, queue: JobQueue) -> dict[str, Any] | None:
    """The queue's FairsharePolicy, or None for a FIFO queue (or one with a quota-share policy)."""
    if queue.scheduling_policy is None:
        return None
    policy = state.scheduling_policies.get(queue.scheduling_policy.rsplit("/", 1)[-1])
    fairshare: dict[str, Any] | None = getattr(policy, "fairshare", None)
    return fairshare


def window(policy: dict[str, Any]) -> float:
    return float(policy.get("shareDecaySeconds") or DEFAULT_WINDOW)


def weight(policy: dict[str, Any], identifier: str) -> float:
    prefix_weight: float | None = None
    for item in policy.get("shareDistribution", []):
        pattern = item["shareIdentifier"]
        if pattern == identifier:
            return float(item.get("weightFactor", 1.0))
        if pattern.endswith("*") and identifier.startswith(pattern[:-1]):
            prefix_weight = float(item.get("weightFactor", 1.0))
    return 1.0 if prefix_weight is None else prefix_weight


def submitted(queue: JobQueue, job: Job) -> None:
    assert job.share_identifier is not None
    shares = book(queue).shares
    share = shares.get(job.share_identifier)
    if share is None:
        share = shares[job.share_identifier] = Share(job.share_identifier)
    share.jobs.append(job)


def started(queue: JobQueue, job: Job, at: float) -> None:
    """The scheduler started an attempt of ``job``: it counts against its share from now."""
    if job.share_identifier is None or not job.attempts:
        return
    share = book(queue).shares.get(job.share_identifier)
    if share is not None:
        share.attempts.append((at, job.attempts[-1]))


def _prune(share: Share, at: float, span: float) -> None:
    done = [job for job in share.jobs if job.status in FINISHED]
    if done:
        ends = [job.stopped_at for job in done if job.stopped_at is not None]
        if ends:
            share.last_finished = max([*ends, share.last_finished or 0.0])
        share.jobs = [job for job in share.jobs if job.status not in FINISHED]
    share.attempts = [(start, a) for start, a in share.attempts
                      if not a.ended or a.stopped_at is None or at - a.stopped_at < _FORGET_AFTER * span]


def running_vcpus(share: Share) -> float:
    return sum(a.vcpus for _, a in share.attempts if not a.released)


def history(share: Share, at: float, span: float) -> float:
    """The share's vCPU-seconds, each decayed by e^(-age/W) (W the decay window), in units of vCPUs held for the
    default window (600 s): an attempt that held v vCPUs from s to e weighs v × W × (e^(-(at-e)/W) -
    e^(-(at-s)/W)) / 600. A share that held v vCPUs for long weighs v × W / 600: a longer window remembers
    more usage, for longer ("A longer decay time gives more weight to time" [BUG:fair-share-scheduling])."""
    total = 0.0
    for start, attempt in share.attempts:
        end = attempt.stopped_at if attempt.released and attempt.stopped_at is not None else at
        total += attempt.vcpus * span * (math.exp(-(at - end) / span) - math.exp(-(at - start) / span))
    return total / DEFAULT_WINDOW


def usage(policy: dict[str, Any], share: Share, at: float) -> float:
    """weightFactor × (vCPUs held now + their decayed history): the share of lowest usage goes first."""
    span = window(policy)
    return weight(policy, share.identifier) * (running_vcpus(share) + history(share, at, span))


def active(share: Share, at: float, span: float) -> bool:
    if share.jobs or any(not a.released for _, a in share.attempts):
        return True
    return share.last_finished is not None and at - share.last_finished < span


def active_shares(state: BatchState, queue: JobQueue, at: float) -> list[Share]:
    policy = policy_of(state, queue)
    span = window(policy) if policy is not None else DEFAULT_WINDOW
    found = []
    for share in book(queue).shares.values():
        _prune(share, at, span)
        if active(share, at, span):
            found.append(share)
    return found


def _within(job: Job) -> tuple[int, tuple[int, int]]:
    return (-(job.scheduling_priority or 0), job.key)


def ordered(state: BatchState, queue: JobQueue, at: float, *, eligible_only: bool = True) -> Iterator[Job]:
    """The queue's RUNNABLE jobs in the order the fair-share scheduler takes them: each next job comes from the
    share of lowest usage, counting the jobs yielded before it as started (a started job counts against its
    share at once). The scheduler pulls from it and stops at the first job that can't start; the snapshot
    lists the first 100."""
    policy = policy_of(state, queue)
    assert policy is not None
    now = {ident: usage(policy, share, at) for ident, share in book(queue).shares.items()}
    lines: dict[str, list[Job]] = {}
    for job in queue.runnable.values():
        if job.share_identifier is not None and not (eligible_only and job.eligible_at > at):
            lines.setdefault(job.share_identifier, []).append(job)
    for line in lines.values():
        line.sort(key=_within, reverse=True)  # the next job of each share at the end
    while lines:
        ident = min(lines, key=lambda s: (now.get(s, 0.0), lines[s][-1].key))
        job = lines[ident].pop()
        if not lines[ident]:
            del lines[ident]
        yield job
        now[ident] = now.get(ident, 0.0) + weight(policy, ident) * job.vcpus


def capacity(queue: JobQueue) -> float:
    """The maximum vCPUs of the queue's environments (an UNMANAGED one: its ``unmanagedvCpus``, if given)."""
    return float(sum(env.max_vcpus if env.kind == "MANAGED" else env.unmanaged_vcpus or 0
                     for env in queue.environments))


def reserved_fraction(state: BatchState, queue: JobQueue, at: float) -> float:
    policy = policy_of(state, queue)
    reservation = (policy or {}).get("computeReservation", 0)
    if not reservation:
        return 0.0
    count = len(active_shares(state, queue, at))
    return float((reservation / 100) ** max(count, 1))


def queue_vcpus(queue: JobQueue) -> float:
    return sum(running_vcpus(share) for share in book(queue).shares.values())


def has_room(state: BatchState, queue: JobQueue, job: Job, at: float) -> bool:
    """The compute reservation: the queue's jobs may hold (1 - reserved fraction) of its maximum vCPUs."""
    if queue.scheduling_policy is None:
        return True
    fraction = reserved_fraction(state, queue, at)
    total = capacity(queue)
    if not fraction or not total:  # no reservation, or no known maximum to reserve a part of
        return True
    return queue_vcpus(queue) + job.vcpus <= (1 - fraction) * total + 1e-9


def check_submission(ctx: Context, queue: JobQueue, req: dict[str, Any], definition: JobDefinition) -> str | None:
    """SubmitJob's ``shareIdentifier``: "If the job queue has a fair-share scheduling policy, then this parameter
    must be specified" and "Don't specify this parameter if the job queue doesn't have a fair-share scheduling
    policy" [M:SubmitJobRequest.shareIdentifier]. The share identifier of the job, or None."""
    state = batch_state(ctx)
    share: str | None = req.get("shareIdentifier")
    if policy_of(state, queue) is None:
        if share is not None:  # the fake's own wording (not confirmed)
            raise ClientException("shareIdentifier can only be given for a job queue with a fair-share scheduling "
                                  "policy.")
        return None
    if share is None:
        raise ClientException("shareIdentifier must be specified.")  # AWS's words (boto/boto3#3158)
    if "schedulingPriorityOverride" not in req and "schedulingPriority" not in definition.body:
        # AWS's words (nextflow-io/nextflow#3505)
        raise ClientException("Either schedulingPriority in job definition or schedulingPriorityOverride should be "
                              "specified.")
    shares = active_shares(state, queue, ctx.now)
    if len(shares) >= MAX_ACTIVE_SHARES and all(s.identifier != share for s in shares):
        # "When the limit has been reached, submissions of any jobs that add a new share identifier fail"
        # [M:CreateJobQueueRequest.schedulingPolicyArn]; AWS's wording is not known.
        raise ClientException(f"Job queue {queue.name} already has {MAX_ACTIVE_SHARES} active share identifiers: "
                              f"a job of the new share identifier {share} can't be submitted.")
    return share
