"""Service jobs on the clock: SUBMITTED → RUNNABLE → SCHEDULED → STARTING → RUNNING → SUCCEEDED / FAILED
[M:ServiceJobStatus; M:SubmitServiceJob], and the pass that dispatches RUNNABLE jobs to service environments.

SUBMITTED lasts ``batch_submitted``; a service job has no dependencies, so it is then RUNNABLE (PENDING is not
walked). A pass dispatches it ``batch_scheduling`` later at the earliest: queues by descending priority, jobs in
submission order; the first service environment of the queue (``serviceEnvironmentOrder``) that is ENABLED,
VALID and has capacity for the job's instances takes it (SCHEDULED, ``scheduledAt``: the SageMaker training job
exists, the attempt's ``serviceResourceId``); a head job that fits nowhere holds the queue. SCHEDULED →
STARTING after ``batch_service_job_scheduled``, STARTING → RUNNING after ``batch_service_job_starting``
(``startedAt``). The outcome is ``fake.behavior(...)`` of the training image
(``AlgorithmSpecification.TrainingImage`` in the payload): ``runs_for`` seconds then ``exit_code`` (0: SUCCEEDED),
``pull_error`` fails it at STARTING; with no behaviour for the image it succeeds ``batch_service_job_run`` after
RUNNING. A failed attempt is retried per ``retryStrategy`` (``evaluateOnExit`` ``onStatusReason`` globs);
``timeoutConfig.attemptDurationSeconds`` counts from startedAt. TerminateServiceJob cancels a job not yet
SCHEDULED at once; a dispatched one stops (its training job is stopped) ``batch_service_job_stop`` later. Capacity
comes back when an attempt ends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.backend import Backend
from ..core.behavior import Behavior
from ..core.clock import Event
from .state import FINISHED, BatchState, JobQueue

if TYPE_CHECKING:
    from .service_environments import ServiceEnvironment

TIMEOUT_REASON = "Job attempt duration exceeded timeout"  # the container jobs' reason (attempts.py), reused
FROM_SAGEMAKER = "Received status from SageMaker: "
COMPLETED = FROM_SAGEMAKER + "Training job completed"  # [DG:service-job-events], an attempt's statusReason


@dataclass(eq=False)
class ServiceAttempt:
    number: int
    environment: ServiceEnvironment
    unit: str  # the capacity unit it counts against
    instances: float
    resource_arn: str  # the SageMaker training job's ARN
    started_at: float | None = None
    stopped_at: float | None = None
    status_reason: str | None = None
    ended: bool = False
    events: list[Event] = field(default_factory=list)


@dataclass(eq=False)
class ServiceJob:
    id: str
    arn: str
    name: str
    seq: int
    queue: JobQueue
    kind: str
    payload: str
    created_at: float
    retry: dict[str, Any] | None
    timeout: dict[str, Any] | None
    tags: dict[str, str]
    scheduling_priority: int | None
    extra: dict[str, Any]  # shareIdentifier, quotaShareName, preemptionConfiguration as submitted
    status: str = "SUBMITTED"
    status_reason: str | None = None
    scheduled_at: float | None = None
    started_at: float | None = None
    stopped_at: float | None = None
    is_terminated: bool = False
    terminate_reason: str | None = None
    timed_out: bool = False
    eligible_at: float = 0.0
    attempts: list[ServiceAttempt] = field(default_factory=list)

    @property
    def current(self) -> ServiceAttempt | None:
        return self.attempts[-1] if self.attempts and not self.attempts[-1].ended else None

    @property
    def request(self) -> dict[str, Any]:
        """The payload as SageMaker's CreateTrainingJob request; {} when it is not one ("The serviceRequestPayload
        is passed through without validation" [DG:service-job-submit]: the fake reads what it can)."""
        try:
            parsed = json.loads(self.payload)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    def _resource(self, key: str) -> Any:
        config = self.request.get("ResourceConfig")
        return config.get(key) if isinstance(config, dict) else None

    @property
    def instance_type(self) -> str:
        kind = self._resource("InstanceType")
        return kind if isinstance(kind, str) else "ml.m5.large"  # own default where the payload names none

    @property
    def instances(self) -> float:
        count = self._resource("InstanceCount")
        ok = isinstance(count, (int, float)) and not isinstance(count, bool) and count > 0
        return float(count) if ok else 1.0


def request_service_pass(backend: Backend, state: BatchState, at: float) -> None:
    if at in state.service_passes:
        return
    state.service_passes.add(at)
    backend.events.schedule(at, lambda t: _pass(backend, state, t))


def set_status(job: ServiceJob, status: str, at: float) -> None:
    job.status = status
    if status in FINISHED:
        job.stopped_at = at


def _unit(env: ServiceEnvironment, job: ServiceJob) -> str | None:
    """The capacity limit the job counts against: its instance type's (quota management), else NUM_INSTANCES."""
    units = {limit["capacityUnit"]: limit["maxCapacity"] for limit in env.limits}
    if job.instance_type in units:
        return job.instance_type
    return "NUM_INSTANCES" if "NUM_INSTANCES" in units else None


def _fits(env: ServiceEnvironment, job: ServiceJob) -> str | None:
    unit = _unit(env, job)
    if unit is None:
        return None
    limit = next(limit["maxCapacity"] for limit in env.limits if limit["capacityUnit"] == unit)
    return unit if env.used.get(unit, 0.0) + job.instances <= limit else None


def _pass(backend: Backend, state: BatchState, at: float) -> None:
    state.service_passes.discard(at)
    queues = sorted((q for q in state.job_queues.values() if q.service_order and q.status in ("VALID", "UPDATING")),
                    key=lambda q: (-q.priority, q.seq))
    for queue in queues:
        waiting = sorted((j for j in state.service_jobs.values() if j.queue is queue and j.status == "RUNNABLE"),
                         key=lambda j: j.seq)
        for job in waiting:
            if job.eligible_at > at:
                continue
            placed = next(((env, unit) for _, env in queue.service_order if env.schedulable
                           and (unit := _fits(env, job)) is not None), None)
            if placed is None:
                break  # the head of the queue waits for capacity; so do the jobs behind it
            _dispatch(backend, state, job, placed[0], placed[1], at)


def _dispatch(backend: Backend, state: BatchState, job: ServiceJob, env: ServiceEnvironment, unit: str,
              at: float) -> None:
    number = len(job.attempts) + 1
    # Each attempt is a new training job named "AWSBatch" + the payload's TrainingJobName + 32 hex digits, as the
    # Batch user guide's service job event shows ("training-job/AWSBatchmy-training-job88b610a6…")
    # [DG:service-job-events]; the job name stands in for a payload without TrainingJobName (own choice).
    given = job.request.get("TrainingJobName")
    name = f"AWSBatch{given if isinstance(given, str) else job.name}{backend.ids.hex32()}"
    region, account = job.arn.split(":")[3:5]
    attempt = ServiceAttempt(number=number, environment=env, unit=unit, instances=job.instances,
                             resource_arn=f"arn:aws:sagemaker:{region}:{account}:training-job/{name}")
    env.used[unit] = env.used.get(unit, 0.0) + job.instances
    job.attempts.append(attempt)
    job.status_reason = None
    job.scheduled_at = at
    set_status(job, "SCHEDULED", at)
    _later(backend, attempt, at + backend.timings["batch_service_job_scheduled"],
           lambda t: _starting(backend, state, job, attempt, t))


def _later(backend: Backend, attempt: ServiceAttempt, at: float, fn: Any) -> None:
    attempt.events.append(backend.events.schedule(at, fn))


def _behavior(backend: Backend, job: ServiceJob) -> Behavior | None:
    image = job.request.get("AlgorithmSpecification", {}).get("TrainingImage")
    return backend.behaviors.get(image) if isinstance(image, str) else None


def _starting(backend: Backend, state: BatchState, job: ServiceJob, attempt: ServiceAttempt, at: float) -> None:
    set_status(job, "STARTING", at)
    behavior = _behavior(backend, job)
    if behavior is not None and behavior.pull_error is not None:
        # SageMaker's failure class for a training image it can't use; the sentence after it is the behaviour's
        end_attempt(backend, state, job, attempt, f"{FROM_SAGEMAKER}ClientError: {behavior.pull_error}", at,
                    failed=True)
        return
    _later(backend, attempt, at + backend.timings["batch_service_job_starting"],
           lambda t: _running(backend, state, job, attempt, behavior, t))


def _running(backend: Backend, state: BatchState, job: ServiceJob, attempt: ServiceAttempt,
             behavior: Behavior | None, at: float) -> None:
    attempt.started_at = job.started_at = at
    set_status(job, "RUNNING", at)
    seconds = (job.timeout or {}).get("attemptDurationSeconds")
    if seconds:
        _later(backend, attempt, at + seconds, lambda t: _timed_out(backend, state, job, attempt, t))
    if behavior is None:
        runs_for: float | None = backend.timings["batch_service_job_run"]
        code = 0
    else:
        runs_for, code = behavior.runs_for, behavior.exit_code
    if runs_for is None:
        return  # runs until stopped
    # The success reason is the user guide's example [DG:service-job-events]; the failure's is inferred from it,
    # with SageMaker's FailureReason form "AlgorithmError: …" (own wording after the colon).
    reason = COMPLETED if code == 0 else (f"{FROM_SAGEMAKER}AlgorithmError: the training container exited with "
                                          f"code {code}")
    _later(backend, attempt, at + runs_for,
           lambda t: end_attempt(backend, state, job, attempt, reason, t, failed=code != 0))


def _timed_out(backend: Backend, state: BatchState, job: ServiceJob, attempt: ServiceAttempt, at: float) -> None:
    if attempt.ended or job.terminate_reason is not None:
        return
    job.timed_out = True
    stop_attempt(backend, state, job, attempt, at)


def stop_attempt(backend: Backend, state: BatchState, job: ServiceJob, attempt: ServiceAttempt, at: float) -> None:
    """Stop the attempt's training job: it ends ``batch_service_job_stop`` later."""
    for event in attempt.events:
        event.cancel()
    attempt.events = []
    reason = TIMEOUT_REASON if job.timed_out else job.terminate_reason
    _later(backend, attempt, at + backend.timings["batch_service_job_stop"],
           lambda t: end_attempt(backend, state, job, attempt, reason, t, failed=True))


def end_attempt(backend: Backend, state: BatchState, job: ServiceJob, attempt: ServiceAttempt, reason: str | None,
                at: float, failed: bool) -> None:
    if attempt.ended:
        return
    attempt.ended, attempt.stopped_at, attempt.status_reason = True, at, reason
    for event in attempt.events:
        event.cancel()
    env = attempt.environment
    env.used[attempt.unit] = env.used.get(attempt.unit, 0.0) - attempt.instances
    request_service_pass(backend, state, at)
    if job.terminate_reason is not None or job.timed_out:
        finish(backend, state, job, "FAILED", reason, at)
    elif not failed:
        finish(backend, state, job, "SUCCEEDED", reason, at)
    elif _should_retry(job, reason or ""):
        make_runnable(backend, state, job, at)
    else:
        finish(backend, state, job, "FAILED", reason, at)


def _should_retry(job: ServiceJob, reason: str) -> bool:
    """Attempts left and the first ``evaluateOnExit`` rule matching the statusReason says RETRY (none: retry)
    [M:ServiceJobRetryStrategy; M:ServiceJobEvaluateOnExit.onStatusReason]."""
    strategy = job.retry or {}
    if len(job.attempts) >= strategy.get("attempts", 1):
        return False
    for rule in strategy.get("evaluateOnExit", []):
        pattern = rule.get("onStatusReason")
        if pattern is None or (reason.startswith(pattern[:-1]) if pattern.endswith("*") else reason == pattern):
            return str(rule.get("action", "RETRY")).upper() == "RETRY"
    return True


def make_runnable(backend: Backend, state: BatchState, job: ServiceJob, at: float) -> None:
    set_status(job, "RUNNABLE", at)
    job.eligible_at = at + backend.timings["batch_scheduling"]
    request_service_pass(backend, state, job.eligible_at)


def finish(backend: Backend, state: BatchState, job: ServiceJob, status: str, reason: str | None,
           at: float) -> None:
    """End the job; like a container job it is forgotten ``batch_job_retention`` after it finished."""
    if job.status in FINISHED:
        return
    job.status_reason = reason
    set_status(job, status, at)
    backend.events.schedule(at + backend.timings["batch_job_retention"], lambda t: _forget(state, job))


def _forget(state: BatchState, job: ServiceJob) -> None:
    if state.service_jobs.get(job.id) is job:
        del state.service_jobs[job.id]


def terminate(backend: Backend, state: BatchState, job: ServiceJob, reason: str, at: float) -> None:
    """TerminateServiceJob's effect: cancelled at once before SCHEDULED, else its training job is stopped."""
    if job.status in FINISHED:
        return
    job.is_terminated = True
    if job.terminate_reason is None and not job.timed_out:
        job.terminate_reason = reason
    attempt = job.current
    if attempt is None:
        finish(backend, state, job, "FAILED", reason, at)
        request_service_pass(backend, state, at)
        return
    stop_attempt(backend, state, job, attempt, at)


def terminate_queue_jobs(backend: Backend, state: BatchState, queue: JobQueue, reason: str, at: float) -> None:
    """DeleteJobQueue of a SAGEMAKER_TRAINING queue: its unfinished service jobs are terminated."""
    for job in [j for j in state.service_jobs.values() if j.queue is queue]:
        terminate(backend, state, job, reason, at)
