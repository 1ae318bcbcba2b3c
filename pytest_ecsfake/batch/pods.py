"""EKS job attempts as simulated Kubernetes pods: start, run, end, retry, time out. No ECS task.

An attempt starts when the scheduler places the job on an EKS compute environment (STARTING: the pod
``aws-batch.<uuid>`` exists on a node ``ip-…ec2.internal``, as the Batch user guide's example names them). After
``batch_eks_pod_start`` seconds (the pod is bound, its images pulled) its init containers run one after the
other, each to its exit; then its containers start together and the job is RUNNING. Each container behaves as
``fake.behavior(...)`` says for its image (else its name), taken when the attempt starts: ``runs_for`` seconds
then ``exit_code``; a ``pull_error`` fails the pod before anything runs. The attempt ends when every container
has exited (restartPolicy Never: a container is not restarted) or an init container failed.

Outcome, as for ECS attempts (attempts.py): terminated or timed out → FAILED, not retried; every container
exited 0 → SUCCEEDED; otherwise retried per ``retryStrategy`` (``onExitCode`` matches the first non-zero exit
code), else FAILED. TerminateJob and the timeout send SIGTERM to the running containers and SIGKILL 30 s
later (Kubernetes' default ``terminationGracePeriodSeconds``, and Batch's 30 s). The pod's vCPUs are given
back when it ends.
"""

from __future__ import annotations

from typing import Any

from ..core.backend import Backend
from ..core.behavior import Behavior, behavior_for
from ..core.clock import Event
from ..core.records import Record
from . import transitions
from .attempts import TIMEOUT_KILL_AFTER, TIMEOUT_REASON, should_retry
from .state import BatchState, ComputeEnvironment, Job, grown

SIGKILL_EXIT = 137
DEFAULT_CONTAINER_NAME = "Default"  # "If the name isn't specified, the default name "Default" is used."
# [M:EksContainer.name]


class PodContainer(Record):
    name: str
    image: str
    behavior: Behavior
    container_id: str
    init: bool
    status: str  # WAITING | RUNNING | TERMINATED (Kubernetes' container states)
    exit_code: int | None
    reason: str | None
    exit: Event | None  # its scheduled exit

    def __init__(self, name: str, image: str, behavior: Behavior, container_id: str, init: bool = False,
                 status: str = "WAITING", exit_code: int | None = None, reason: str | None = None,
                 exit: Event | None = None) -> None:
        self.name, self.image, self.behavior, self.container_id, self.init = name, image, behavior, container_id, init
        self.status, self.exit_code, self.reason, self.exit = status, exit_code, reason, exit

class PodAttempt(Record):
    """One run of an EKS job: a pod in the environment's Kubernetes namespace."""

    number: int
    environment: ComputeEnvironment
    pod_name: str
    node_name: str
    containers: list[PodContainer]
    init_containers: list[PodContainer]
    vcpus: float
    started_at: float | None
    stopped_at: float | None
    exit_code: int | None  # the first non-zero exit code (else 0): what evaluateOnExit matches
    reason: str | None
    status_reason: str | None
    timeout: Event | None
    stopping: bool
    ended: bool
    events: list[Event]

    def __init__(self, number: int, environment: ComputeEnvironment, pod_name: str, node_name: str,
                 containers: list[PodContainer], init_containers: list[PodContainer], vcpus: float,
                 started_at: float | None = None, stopped_at: float | None = None, exit_code: int | None = None,
                 reason: str | None = None, status_reason: str | None = None, timeout: Event | None = None,
                 stopping: bool = False, ended: bool = False, events: list[Event] | None = None) -> None:
        self.number, self.environment, self.pod_name, self.node_name = number, environment, pod_name, node_name
        self.containers, self.init_containers, self.vcpus = containers, init_containers, vcpus
        self.started_at, self.stopped_at, self.exit_code, self.reason = started_at, stopped_at, exit_code, reason
        self.status_reason, self.timeout, self.stopping, self.ended = status_reason, timeout, stopping, ended
        self.events = [] if events is None else events

    @property
    def namespace(self) -> str:
        assert self.environment.eks is not None
        return str(self.environment.eks["kubernetesNamespace"])

    @property
    def cluster_arn(self) -> str:
        assert self.environment.eks is not None
        return str(self.environment.eks["eksClusterArn"])


def current(job: Job) -> PodAttempt | None:
    if job.pods and not job.pods[-1].ended:
        return job.pods[-1]
    return None


def _node_name(backend: Backend) -> str:
    octets = [int(backend.ids.random() * 256), 1 + int(backend.ids.random() * 254)]
    return f"ip-192-168-{octets[0]}-{octets[1]}.ec2.internal"


def _containers(backend: Backend, specs: list[dict[str, Any]], init: bool) -> list[PodContainer]:
    made = []
    for spec in specs:
        name = spec.get("name", DEFAULT_CONTAINER_NAME)
        made.append(PodContainer(name=name, image=spec["image"], init=init,
                                 container_id=backend.ids.hex32() + backend.ids.hex32(),
                                 behavior=behavior_for(backend.behaviors, spec["image"], name)))
    return made


def start(backend: Backend, state: BatchState, job: Job, env: ComputeEnvironment, at: float) -> bool:
    """Start a pod for ``job`` in ``env`` if its vCPUs fit under ``maxvCpus`` now; False if not."""
    if env.used_vcpus + job.vcpus > env.max_vcpus:
        return False
    assert job.eks is not None
    pod = job.eks["podProperties"]
    attempt = PodAttempt(
        number=len(job.pods) + 1,
        environment=env,
        pod_name=f"aws-batch.{backend.ids.uuid()}",
        node_name=_node_name(backend),
        containers=_containers(backend, pod["containers"], init=False),
        init_containers=_containers(backend, pod.get("initContainers", []), init=True),
        vcpus=job.vcpus,
    )
    env.used_vcpus += job.vcpus
    env.active_attempts += 1
    job.pods = grown(job.pods, attempt)
    job.status_reason = None
    transitions.set_status(backend, job, "STARTING", at)
    _later(backend, attempt, at + backend.timings["batch_eks_pod_start"], lambda t: _pulled(backend, job, attempt, t))
    return True


def _later(backend: Backend, attempt: PodAttempt, at: float, fn: Any) -> None:
    attempt.events.append(backend.events.schedule(at, fn))


def _pulled(backend: Backend, job: Job, attempt: PodAttempt, at: float) -> None:
    if attempt.ended:
        return
    for container in [*attempt.init_containers, *attempt.containers]:
        if container.behavior.pull_error is not None:
            # Kubernetes' reason for a failed pull; the attempt fails before any container runs (own wording).
            container.reason = f"ErrImagePull: {container.behavior.pull_error}"
            _end(backend, job, attempt, container.reason, at)
            return
    _next_init(backend, job, attempt, at)


def _next_init(backend: Backend, job: Job, attempt: PodAttempt, at: float) -> None:
    waiting = [c for c in attempt.init_containers if c.status == "WAITING"]
    if waiting:
        _run(backend, job, attempt, waiting[0], at)
        return
    attempt.started_at = job.started_at = at
    transitions.set_status(backend, job, "RUNNING", at)
    seconds = (job.timeout or {}).get("attemptDurationSeconds")
    if seconds:
        attempt.timeout = backend.events.schedule(at + seconds,
                                                  lambda t: stop(backend, job, attempt, t, timed_out=True))
    for container in attempt.containers:
        _run(backend, job, attempt, container, at)


def _run(backend: Backend, job: Job, attempt: PodAttempt, container: PodContainer, at: float) -> None:
    container.status = "RUNNING"
    runs_for = container.behavior.runs_for
    if runs_for is not None:
        code = container.behavior.exit_code
        container.exit = backend.events.schedule(at + runs_for,
                                                 lambda t: _exited(backend, job, attempt, container, code, t))


def _exited(backend: Backend, job: Job, attempt: PodAttempt, container: PodContainer, code: int, at: float) -> None:
    if container.status != "RUNNING" or attempt.ended:
        return
    container.status, container.exit_code = "TERMINATED", code
    container.reason = "Completed" if code == 0 else "Error"  # Kubernetes' terminated-state reasons
    if container.exit is not None:
        container.exit.cancel()
    if container.init:
        if code != 0 or attempt.stopping:
            _end(backend, job, attempt, f"Init container {container.name} exited with code {code}", at)
        else:
            _next_init(backend, job, attempt, at)
        return
    if all(c.status != "RUNNING" for c in attempt.containers):
        failed = next((c for c in attempt.containers if c.exit_code), None)
        reason = None if failed is None else f"Container {failed.name} exited with code {failed.exit_code}"
        _end(backend, job, attempt, reason, at)


def stop(backend: Backend, job: Job, attempt: PodAttempt, at: float, timed_out: bool = False) -> None:
    """TerminateJob or the attempt's timeout: SIGTERM to the running containers, SIGKILL 30 s later; a pod
    with nothing running yet ends at once."""
    if attempt.ended or attempt.stopping:
        return
    if timed_out:
        if job.terminate_reason is not None:
            return
        job.timed_out = True
    attempt.stopping = True
    running = [c for c in [*attempt.init_containers, *attempt.containers] if c.status == "RUNNING"]
    if not running:
        _end(backend, job, attempt, None, at)
        return
    for container in running:
        behavior = container.behavior
        if container.exit is not None:
            container.exit.cancel()
        if behavior.ignores_sigterm or behavior.stop_takes >= TIMEOUT_KILL_AFTER:
            when, code = at + TIMEOUT_KILL_AFTER, SIGKILL_EXIT
        else:
            when, code = at + behavior.stop_takes, behavior.sigterm_exit_code
        container.exit = backend.events.schedule(
            when, lambda t, c=container, x=code: _exited(backend, job, attempt, c, x, t))  # type: ignore[misc]
    for container in attempt.containers:
        if container.status == "WAITING":
            container.status = "TERMINATED"  # never started: no exit code


def _end(backend: Backend, job: Job, attempt: PodAttempt, reason: str | None, at: float) -> None:
    attempt.ended, attempt.stopped_at = True, at
    for event in [*attempt.events, *(c.exit for c in attempt.containers if c.exit is not None)]:
        event.cancel()
    if attempt.timeout is not None:
        attempt.timeout.cancel()
    codes = [c for c in [*attempt.init_containers, *attempt.containers] if c.exit_code is not None]
    failed = next((c for c in codes if c.exit_code), None)
    attempt.exit_code = failed.exit_code if failed is not None else (0 if codes else None)
    attempt.reason = failed.reason if failed is not None else next(
        (c.reason for c in [*attempt.init_containers, *attempt.containers] if c.reason), None)
    attempt.status_reason = reason
    env = attempt.environment
    env.used_vcpus -= attempt.vcpus
    env.active_attempts -= 1
    job.queue.request_pass(at)
    succeeded = (not attempt.stopping and failed is None and attempt.containers
                 and all(c.exit_code == 0 for c in attempt.containers))
    if job.terminate_reason is not None:
        transitions.finish(backend, job, "FAILED", job.terminate_reason, at)
    elif job.timed_out:
        transitions.finish(backend, job, "FAILED", TIMEOUT_REASON, at)
    elif succeeded:
        transitions.finish(backend, job, "SUCCEEDED", None, at)
    elif should_retry(job, attempt, tried=len(job.pods)):
        transitions.make_runnable(backend, job, at)
    else:
        transitions.finish(backend, job, "FAILED", reason, at)
