"""The Batch scheduler: RUNNABLE → STARTING, by queue priority, then submission order, as capacity allows.

A pass runs whenever something could let a job start: a job became eligible (``batch_scheduling`` after it
became RUNNABLE), an attempt's ECS task stopped and gave its capacity back, a queue or compute environment
became VALID or was updated. Queues are evaluated in descending priority (ties: creation order); within a
queue, jobs in submission order (array children at their parent's place, by index), or, for a queue with a
fair-share scheduling policy, in fair-share order (fair_share.py). Each job goes to the
first compute environment of its queue, in ``order``, that is ENABLED, VALID (or UPDATING) and has room.
When the head job of a queue fits nowhere, the pass moves on to the next queue: jobs behind it wait,
as in AWS's FIFO queues ("A job is dispatched from a queue only if resources are available when the queue is
evaluated. If there are insufficient resources available at that time, the cycle proceeds to the next
queue." [M:JobQueueDetail.priority]).

Room: Fargate environments count vCPUs of running attempts against ``maxvCpus``; EC2 environments place the
attempt's ECS task on their container instances (CPU and memory), see compute_environments.py.

This module starts attempts (attempts.py) and moves jobs (transitions.py); those two ask for a pass through
the job's queue, ``JobQueue.request_pass`` (this module's ``request_pass``, bound to the queue's region when
job_queues.py creates the queue), so that neither imports this module. The handler modules import it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..core.backend import Backend
from . import attempts, fair_share, pods, transitions
from .state import MIB_PER_VCPU, BatchState, ComputeEnvironment, Job, JobQueue

# AWS's statusReason for a RUNNABLE job no compute environment of its queue can ever run [M:JobDetail.statusReason].
MAX_RESOURCE = ("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job queue cannot "
                "meet the CPU requirement of the job.")
RESOURCE_REQUIREMENT = ("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job resource requirement (vCPU/memory/GPU) "
                        "is higher than that can be met by the CE(s) attached to the job queue.")


def request_pass(backend: Backend, state: BatchState, at: float) -> None:
    """Make sure a scheduler pass runs at ``at`` (one per instant, however many ask)."""
    if at in state.passes:
        return
    state.passes.add(at)
    backend.events.schedule(at, lambda t: run_pass(backend, state, t))


def run_pass(backend: Backend, state: BatchState, at: float) -> None:
    state.passes.discard(at)
    for queue in sorted(state.job_queues.values(), key=lambda q: (-q.priority, q.seq)):
        if queue.status not in ("VALID", "UPDATING"):
            continue
        _serve(backend, state, queue, at)


def _serve(backend: Backend, state: BatchState, queue: JobQueue, at: float) -> None:
    environments = [env for env in queue.environments if env.schedulable]
    fair = fair_share.policy_of(state, queue) is not None
    for job in fair_share.ordered(state, queue, at) if fair else _fifo(queue, at):
        if _tags_over_limit(job):
            transitions.finish(backend, job, "FAILED", "The job's tags and its job definition's tags are more than 50 "
                               "and can't be propagated to its ECS task", at)
            continue
        if (not fair or fair_share.has_room(state, queue, job, at)) and any(
                (pods.start if env.eks is not None else attempts.start)(backend, state, job, env, at)
                for env in environments):
            transitions.unqueue(queue, job)
            if fair:
                fair_share.started(queue, job, at)
            continue
        job.status_reason = _misconfiguration(backend, job, queue.environments)
        _time_limits(backend, state, queue, job, at)
        if any(env.kind == "UNMANAGED" for env in environments):
            # Instances you register tell the fake nothing: look again at the next scheduler cycle.
            request_pass(backend, state, at + backend.timings["batch_scheduling"])
        return  # the head of the queue waits; so do the jobs behind it


def _fifo(queue: JobQueue, at: float) -> Iterator[Job]:
    """The queue's eligible RUNNABLE jobs in submission order (the scheduler unqueues those it takes)."""
    keys = queue.runnable_keys
    index = 0
    while index < len(keys):
        job = queue.runnable[keys[index]]
        if job.eligible_at > at:
            index += 1  # not seen by the scheduler yet; a pass is already due when it is
            continue
        yield job
        if index < len(keys) and keys[index] == job.key:
            index += 1  # still queued: the scheduler went on without it


def _tags_over_limit(job: Job) -> bool:
    # AWS: "If the total number of combined tags from the job and job definition is over 50, the job is moved
    # to the FAILED state." [M:SubmitJobRequest.propagateTags]
    return job.propagate_tags and len({**job.definition.tags, **job.tags}) > 50


def _misconfiguration(backend: Backend, job: Job, environments: list[ComputeEnvironment]) -> str | None:
    """AWS's reason when no environment of the queue could ever run the job; None when it only waits."""
    if not environments:
        return None
    reasons = [_never_fits(backend, job, env) for env in environments]
    if all(reasons):
        return MAX_RESOURCE if MAX_RESOURCE in reasons else RESOURCE_REQUIREMENT
    return None


def _never_fits(backend: Backend, job: Job, env: ComputeEnvironment) -> str | None:
    if env.kind == "UNMANAGED":
        sizes = [(i.cpu, i.memory) for i in registered_instances(backend, env)]
        fits = any(cpu >= job.vcpus * 1024 and memory >= job.memory for cpu, memory in sizes)
        return None if fits or not sizes else RESOURCE_REQUIREMENT
    if job.vcpus > env.max_vcpus:
        return MAX_RESOURCE
    if not env.fargate and job.memory > env.max_vcpus * MIB_PER_VCPU:
        return RESOURCE_REQUIREMENT
    return None


def registered_instances(backend: Backend, env: ComputeEnvironment) -> list[Any]:
    """The ACTIVE container instances of the environment's ECS cluster."""
    ecs = backend.region_state(env.arn.split(":")[3]).ecs
    if env.cluster is None or ecs is None:
        return []
    return [i for i in ecs.container_instances.values() if i.cluster_ref is env.cluster and i.status == "ACTIVE"]


def _names(reason: str, job: Job) -> bool:
    """An action's reason is AWS's code ("MISCONFIGURATION:..."); the job's statusReason adds " - <why>"."""
    current = job.status_reason or ""
    return bool(reason) and (current == reason or current.startswith(reason + " - "))


def _time_limits(backend: Backend, state: BatchState, queue: JobQueue, job: Job, at: float) -> None:
    """``jobStateTimeLimitActions``: cancel a job that stayed at the head of the queue, RUNNABLE for the given
    statusReason, longer than ``maxTimeSeconds``; the job's statusReason becomes the action's reason
    [M:CreateJobQueueRequest.jobStateTimeLimitActions]."""
    actions = [a for a in queue.time_limit_actions if a["state"] == "RUNNABLE" and _names(a["reason"], job)]
    if not actions:
        job.head_since = None
        return
    if job.head_since is None:
        job.head_since = at
    for action in actions:
        due = job.head_since + action["maxTimeSeconds"]
        if at >= due:
            transitions.cancel_now(backend, job, action["reason"], at)
            request_pass(backend, state, at)  # the next job may fit
            return
        request_pass(backend, state, due)
