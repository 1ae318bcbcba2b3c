"""Job attempts as ECS tasks: start, follow, end, retry, time out.

An attempt starts when the scheduler places the job (STARTING: the ECS task exists, ``container.taskArn``
is set). The job follows its task through ``Task.watchers``: RUNNING when the task is RUNNING (``startedAt``,
``logStreamName``), and the attempt ends when ECS reports its container stopped. The container's behaviour is
``fake.behavior(...)`` matched by image, else by job name, taken when the attempt starts.

The attempt's outcome [M:RetryStrategy; M:JobTimeout; M:TerminateJob]:

* terminated (TerminateJob) → FAILED, statusReason = the reason, not retried;
* timed out (``attemptDurationSeconds`` from the attempt's startedAt; SIGTERM, then SIGKILL after 30 s)
  → FAILED, "Job attempt duration exceeded timeout", not retried;
* exit code 0 from the container's own exit → SUCCEEDED;
* anything else (non-zero exit, image pull failure, an interrupted or externally stopped task) → retried
  while attempts remain and ``evaluateOnExit`` says RETRY (or no rule matches), else FAILED.

The attempt's vCPUs go back to the environment when the task is STOPPED; then the scheduler runs again (asked
through the job's queue, ``JobQueue.request_pass``: the scheduler imports this module, not the other way).
"""

from __future__ import annotations

from typing import Any

from ..core.backend import Backend
from ..core.behavior import behavior_for
from ..core.errors import AwsError
from ..ecs import container_output, lifecycle
from ..ecs.launch import create_task, place_and_create
from ..ecs.task_model import Task
from . import consumables, ecs_properties, launch, transitions
from .state import Attempt, BatchState, ComputeEnvironment, Job, event_context, grown

TIMEOUT_REASON = "Job attempt duration exceeded timeout"
TIMEOUT_KILL_AFTER = 30.0  # "on expiry SIGTERM then SIGKILL after 30 s" [FIDELITY.md "AWS Batch"]


def start(backend: Backend, state: BatchState, job: Job, env: ComputeEnvironment, at: float) -> bool:
    """Start an attempt of ``job`` in ``env`` if it has room now; False (and nothing changed) if not."""
    if not consumables.can_take(state, job):
        return False  # a consumable resource is short: the job waits RUNNABLE at the head of its queue
    if job.multinode is not None and not job.multinode.is_node:  # a multi-node parallel job (nodes.py)
        placed: bool = job.multinode.start(backend, state, job, env, at)
        if placed:
            consumables.take(state, job)
        return placed
    ctx = event_context(backend, state.region, at)
    number = len(job.attempts) + 1
    spec = launch.spec(ctx, job, env, number)
    task: Task
    if env.fargate:
        if env.used_vcpus + job.vcpus > env.max_vcpus:
            return False
        task = create_task(ctx, spec, capacity_provider=env.resource_type)
        env.used_vcpus += job.vcpus
    else:
        try:
            tasks, _ = place_and_create(ctx, spec, 1, [], [])
        except AwsError:  # no container instance in the cluster (an UNMANAGED environment not yet scaled)
            return False
        if not tasks:
            return False
        task = tasks[0]
    if job.containers is not None:  # a multi-container job: by image, container name, job name
        ecs_properties.behaviors(backend, task, job)
    else:
        container = task.containers[0]
        container.behavior = behavior_for(backend.behaviors, container.image, job.name)
    attempt = Attempt(number=number, environment=env, task=task, vcpus=job.vcpus)
    job.attempts = grown(job.attempts, attempt)
    consumables.take(state, job)
    env.active_attempts += 1
    job.status_reason = None
    transitions.set_status(backend, job, "STARTING", at)
    task.add_watcher(lambda t, status, when: _task_moved(backend, job, attempt, status, when))
    return True


def _task_moved(backend: Backend, job: Job, attempt: Attempt, status: str, at: float) -> None:
    task = attempt.task
    if status == "RUNNING" and not attempt.ended:
        attempt.started_at = job.started_at = at
        options = container_output.awslogs_options(task, task.containers[0])
        prefix = options.get("awslogs-stream-prefix") if options else None
        attempt.log_stream = f"{prefix or job.definition.name}/{launch.CONTAINER_NAME}/{task.id}"
        transitions.set_status(backend, job, "RUNNING", at)
        seconds = (job.timeout or {}).get("attemptDurationSeconds")
        if seconds:
            attempt.timeout = backend.events.schedule(at + seconds, lambda t: _timed_out(backend, job, attempt, t))
    elif not attempt.ended and all(c.last_status == "STOPPED" for c in task.containers):
        _end(backend, job, attempt, at)
    if status == "STOPPED" and not attempt.released:
        attempt.released = True
        env = attempt.environment
        env.active_attempts -= 1
        if env.fargate:
            env.used_vcpus -= attempt.vcpus
        job.queue.request_pass(at)


def _timed_out(backend: Backend, job: Job, attempt: Attempt, at: float) -> None:
    if attempt.ended or job.terminate_reason is not None:
        return
    job.timed_out = True
    for container in attempt.task.containers:
        container.stop_timeout = TIMEOUT_KILL_AFTER
    lifecycle.request_stop(backend, attempt.task, at, "UserInitiated", TIMEOUT_REASON)


def _end(backend: Backend, job: Job, attempt: Attempt, at: float) -> None:
    task = attempt.task
    # A multi-container job's attempt is decided by its essential containers (ecs_properties.py).
    container = task.containers[0] if job.containers is None else ecs_properties.deciding_container(task)
    attempt.ended = True
    attempt.stopped_at = at
    attempt.exit_code = container.exit_code
    attempt.reason = container.reason
    attempt.status_reason = task.stopped_reason
    if attempt.timeout is not None:
        attempt.timeout.cancel()
    if job.terminate_reason is not None:
        transitions.finish(backend, job, "FAILED", job.terminate_reason, at)
    elif job.timed_out:
        transitions.finish(backend, job, "FAILED", TIMEOUT_REASON, at)
    elif attempt.exit_code == 0 and task.stop_code == "EssentialContainerExited":
        transitions.finish(backend, job, "SUCCEEDED", task.stopped_reason, at)
    elif should_retry(job, attempt):
        transitions.make_runnable(backend, job, at)
    else:
        transitions.finish(backend, job, "FAILED", task.stopped_reason, at)


def should_retry(job: Job, attempt: Any, tried: int | None = None) -> bool:
    """Attempts left, and the first ``evaluateOnExit`` rule whose conditions all match says RETRY (no rule
    matching: retry) [M:RetryStrategy.evaluateOnExit]. ``attempt``: an ECS ``Attempt`` or an EKS pod attempt
    (pods.py), both with ``exit_code``, ``reason``, ``status_reason``; ``tried``: attempts made, if not
    ``job.attempts``."""
    strategy: dict[str, Any] = job.retry or {}
    if (len(job.attempts) if tried is None else tried) >= strategy.get("attempts", 1):
        return False
    exit_code = "" if attempt.exit_code is None else str(attempt.exit_code)
    for rule in strategy.get("evaluateOnExit", []):
        if (_glob(rule.get("onStatusReason"), attempt.status_reason or "")
                and _glob(rule.get("onReason"), attempt.reason or "")
                and _glob(rule.get("onExitCode"), exit_code)):
            return str(rule["action"]).upper() == "RETRY"
    return True


def _glob(pattern: str | None, value: str) -> bool:
    """AWS's patterns: exact, or a prefix when they end with ``*``; an absent pattern matches anything."""
    if pattern is None:
        return True
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    return value == pattern
