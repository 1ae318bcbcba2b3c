"""AWS Batch resources of one region, as plain records. The modules beside this one own the rules.

Every record keeps fake time in epoch seconds (floats); the wire shows Batch timestamps in epoch
milliseconds, converted by ``ms`` at the edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from ..core.context import Context

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..core.backend import Backend
    from ..core.clock import Event
    from ..ecs.state import Cluster, TaskDefinition
    from ..ecs.task_model import Task
    from .pods import PodAttempt

# Job statuses in the order a job walks them [M:JobDetail.status; FIDELITY.md "AWS Batch"].
JOB_STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")
FINISHED = frozenset({"SUCCEEDED", "FAILED"})
NOT_STARTED = frozenset({"SUBMITTED", "PENDING", "RUNNABLE"})
FARGATE_TYPES = frozenset({"FARGATE", "FARGATE_SPOT"})
# Memory of a MANAGED EC2/SPOT environment's stand-in instance per vCPU (compute_environments.py): an r-family
# ratio, so vCPUs are the usual limit.
MIB_PER_VCPU = 8192


def ms(seconds: float) -> int:
    """Epoch seconds of the fake clock → the epoch milliseconds Batch puts on the wire."""
    return int(round(seconds * 1000))


def with_times(body: dict[str, Any], started_at: float | None, stopped_at: float | None,
               status_reason: str | None) -> dict[str, Any]:
    """An attempt's ``startedAt``/``stoppedAt`` (epoch ms) and ``statusReason``, those it has, added to ``body``."""
    if started_at is not None:
        body["startedAt"] = ms(started_at)
    if stopped_at is not None:
        body["stoppedAt"] = ms(stopped_at)
    if status_reason:
        body["statusReason"] = status_reason
    return body


def json_copy(value: Any) -> Any:
    """A copy of JSON-shaped data (dicts, lists, scalars) that shares nothing mutable with ``value``: what
    ``copy.deepcopy`` gives for such data, a few times faster (no memo, no dispatch on every type)."""
    if type(value) is dict:
        return {key: json_copy(item) for key, item in value.items()}
    if type(value) is list:
        return [json_copy(item) for item in value]
    return value


Item = TypeVar("Item")


def grown(items: Sequence[Item], item: Item) -> list[Item]:
    """``items`` with ``item`` appended: the same list, or a new one in place of the ``()`` a record starts with."""
    if isinstance(items, list):
        items.append(item)
        return items
    return [*items, item]


@dataclass(eq=False)
class ComputeEnvironment:
    name: str
    arn: str
    uuid: str
    kind: str  # MANAGED | UNMANAGED
    state: str  # ENABLED | DISABLED
    resources: dict[str, Any] | None  # the ComputeResource shape as given (MANAGED only)
    service_role: str | None
    tags: dict[str, str]
    status: str = "CREATING"
    status_reason: str | None = None
    cluster: Cluster | None = None  # the ECS cluster, created when the environment becomes VALID
    unmanaged_vcpus: int | None = None
    update_policy: dict[str, Any] | None = None
    used_vcpus: float = 0.0  # Fargate accounting; EC2 capacity is accounted on the ECS container instance
    instance: Any = None  # MANAGED EC2/SPOT: the ECS container instance that stands for the capacity
    active_attempts: int = 0
    pending: Event | None = None  # the status change under way (CREATING/UPDATING/DELETING → ...)
    eks: dict[str, Any] | None = None  # eksConfiguration: the environment runs pods on EKS (eks.py), no ECS cluster

    @property
    def resource_type(self) -> str:
        """EC2, SPOT, FARGATE or FARGATE_SPOT; an UNMANAGED environment runs EC2 instances."""
        return str(self.resources["type"]) if self.resources else "EC2"

    @property
    def fargate(self) -> bool:
        return self.resource_type in FARGATE_TYPES

    @property
    def max_vcpus(self) -> int:
        return int(self.resources["maxvCpus"]) if self.resources else 0

    @property
    def schedulable(self) -> bool:
        return (self.state == "ENABLED" and self.status in ("VALID", "UPDATING")
                and (self.cluster is not None or self.eks is not None))


@dataclass(eq=False)
class JobQueue:
    name: str
    arn: str
    seq: int  # creation order: ties between queues of equal priority
    priority: int
    state: str
    order: list[tuple[int, ComputeEnvironment]]  # (order, environment), ascending
    tags: dict[str, str]
    # Asks for a scheduler pass of the queue's region at an instant: scheduler.request_pass bound to the
    # backend and BatchState (job_queues.py). transitions.py and attempts.py call it; they cannot import the
    # scheduler, which imports them.
    request_pass: Callable[[float], None] = field(repr=False)
    time_limit_actions: list[dict[str, Any]] = field(default_factory=list)
    scheduling_policy: str | None = None  # the ARN of its scheduling policy: a fair-share queue (fair_share.py)
    status: str = "CREATING"
    status_reason: str | None = None
    pending: Event | None = None
    # RUNNABLE jobs by scheduling key (submission order; array children after their parent's position).
    runnable: dict[tuple[int, int], Job] = field(default_factory=dict)
    runnable_keys: list[tuple[int, int]] = field(default_factory=list)  # the same keys, sorted
    # A SAGEMAKER_TRAINING queue: (order, ServiceEnvironment) ascending (service_environments.py); ``order`` is empty.
    service_order: list[tuple[int, Any]] = field(default_factory=list)

    @property
    def environments(self) -> list[ComputeEnvironment]:
        return [env for _, env in sorted(self.order, key=lambda pair: pair[0])]


@dataclass(eq=False)
class JobDefinition:
    name: str
    revision: int
    arn: str
    body: dict[str, Any]  # the JobDefinition shape as DescribeJobDefinitions answers it (without tags)
    tags: dict[str, str]
    task_definition: TaskDefinition | None = None  # the ECS task definition its attempts run, made on first use
    # SubmitJob's (vCPUs, MiB) from containerProperties alone (no containerOverrides of them), worked out on
    # first use. Never invalidated: only ``status`` of a registered revision ever changes.
    resources: tuple[float, int] | None = None
    fargate: bool = field(init=False)  # platformCapabilities name FARGATE: fixed at registration

    def __post_init__(self) -> None:
        self.fargate = "FARGATE" in self.body.get("platformCapabilities", ["EC2"])

    @property
    def status(self) -> str:
        return str(self.body["status"])

    @property
    def eks(self) -> bool:
        """An Amazon EKS job definition (``eksProperties``): its jobs run as pods (pods.py)."""
        return "eksProperties" in self.body


@dataclass(eq=False)
class Attempt:
    """One run of a job: an ECS task in a compute environment's cluster."""

    number: int  # 1-based
    environment: ComputeEnvironment
    task: Task
    vcpus: float
    started_at: float | None = None
    stopped_at: float | None = None
    exit_code: int | None = None
    reason: str | None = None
    status_reason: str | None = None
    log_stream: str | None = None
    timeout: Event | None = None
    ended: bool = False
    released: bool = False


@dataclass(eq=False, slots=True)
class Job:
    """A job. Its lists that most jobs never fill (attempts, pods, children, dependents, what it holds) start as
    ``()`` and become lists at their first item (``grown``); its history is a tuple of plain pairs: a job held
    for the fake's life costs the garbage collector less."""

    id: str
    arn: str
    name: str
    key: tuple[int, int]  # scheduling order: (submission sequence, array index + 1 or 0)
    queue: JobQueue
    definition: JobDefinition
    created_at: float
    # Effective ContainerProperties (definition + overrides, parameters applied). Read-only: members not
    # overridden are the definition's own objects (jobs._container), and array children share their parent's.
    container: dict[str, Any]
    vcpus: float
    memory: int
    parameters: dict[str, str]
    retry: dict[str, Any] | None
    timeout: dict[str, Any] | None
    tags: dict[str, str]
    propagate_tags: bool
    depends_on: list[dict[str, str]]  # as submitted
    scheduling_priority: int | None = None
    share_identifier: str | None = None  # fair-share queues only (fair_share.py)
    eks: dict[str, Any] | None = None  # EKS jobs: the effective EksProperties (eks.py); ``container`` is then {}
    pods: Sequence[PodAttempt] = ()  # EKS jobs' attempts (pods.py); ``attempts`` stays empty
    status: str = "SUBMITTED"
    status_reason: str | None = None
    started_at: float | None = None
    stopped_at: float | None = None
    attempts: Sequence[Attempt] = ()
    # Jobs this one waits for, and jobs that wait for this one.
    waits_for: list[Job] = field(default_factory=list)
    dependents: Sequence[Job] = ()
    runnable_since: float | None = None
    eligible_at: float = 0.0
    # Array jobs: the parent has size and children; a child has parent and index.
    size: int | None = None
    children: Sequence[Job] = ()
    parent: Job | None = None
    index: int | None = None
    summary: dict[str, int] = field(default_factory=dict)
    summary_at: float | None = None
    # Why the job is stopping or was stopped by a user or a rule.
    cancel_reason: str | None = None  # CancelJob on a PENDING job: applied once its dependencies finish
    is_cancelled: bool = False
    is_terminated: bool = False
    terminate_reason: str | None = None
    timed_out: bool = False
    head_since: float | None = None  # when the job became the blocked head of its queue
    history: tuple[tuple[float, str], ...] = ()  # (at, status) after SUBMITTED: the report
    # Consumable resources (consumables.py): the effective consumableResourceProperties, and what it holds.
    consumables: dict[str, Any] | None = None
    holding: Sequence[tuple[Any, int]] = ()
    # Multi-node parallel jobs (multinode.py, nodes.py): the parent's or the node's record, and the hook that
    # transitions.set_status calls after each move, ``on_status(backend, job, old_status, at)``.
    multinode: Any = None
    on_status: Any = None
    # Multi-container jobs (ecs_properties.py): the effective TaskContainerProperties of each container.
    containers: Any = None

    @property
    def current(self) -> Attempt | None:
        """The attempt under way (STARTING/RUNNING), if any."""
        if self.attempts and not self.attempts[-1].ended:
            return self.attempts[-1]
        return None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


@dataclass
class BatchState:
    region: str
    compute_environments: dict[str, ComputeEnvironment] = field(default_factory=dict)  # by name
    job_queues: dict[str, JobQueue] = field(default_factory=dict)  # by name
    job_definitions: dict[str, list[JobDefinition]] = field(default_factory=dict)  # revision r at r-1
    jobs: dict[str, Job] = field(default_factory=dict)  # by id, children included (``<parent>:<index>``)
    scheduling_policies: dict[str, Any] = field(default_factory=dict)  # by name (scheduling_policies.py)
    quota_shares: dict[str, Any] = field(default_factory=dict)  # by ARN (quota_shares.py)
    # Service environments by name and service jobs by id (service_environments.py, service_jobs.py).
    service_environments: dict[str, Any] = field(default_factory=dict)
    service_jobs: dict[str, Any] = field(default_factory=dict)
    service_passes: set[float] = field(default_factory=set)  # instants a service-job pass is due at
    service_tokens: dict[str, Any] = field(default_factory=dict)  # SubmitServiceJob clientToken → its request
    next_seq: int = 0
    passes: set[float] = field(default_factory=set)  # instants a scheduler pass is already due at
    consumable_resources: dict[str, Any] = field(default_factory=dict)  # by name (consumables.py)

    def seq(self) -> int:
        self.next_seq += 1
        return self.next_seq


def batch_state(ctx: Context) -> BatchState:
    """The region's Batch state, created on first use (as ``Context.ecs`` does for ECS)."""
    region_state = ctx.state
    if region_state.batch is None:
        region_state.batch = BatchState(ctx.region)
    state: BatchState = region_state.batch
    return state


def event_context(backend: Backend, region: str, at: float) -> Context:
    """A Context for work an event does at ``at`` (creating ECS tasks, ARNs) outside any request."""
    return Context(backend, "batch", "event", region, at)
