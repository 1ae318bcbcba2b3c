"""AWS Batch resources of one region, as plain records. The modules beside this one own the rules.

Every record keeps fake time in epoch seconds (floats); the wire shows Batch timestamps in epoch
milliseconds, converted by ``ms`` at the edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ..core.context import Context
from ..core.records import Record, ValueRecord

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


class ComputeEnvironment(Record):
    name: str
    arn: str
    uuid: str
    kind: str  # MANAGED | UNMANAGED
    state: str  # ENABLED | DISABLED
    resources: dict[str, Any] | None  # the ComputeResource shape as given (MANAGED only)
    service_role: str | None
    tags: dict[str, str]
    status: str
    status_reason: str | None
    cluster: Cluster | None  # the ECS cluster, created when the environment becomes VALID
    unmanaged_vcpus: int | None
    update_policy: dict[str, Any] | None
    used_vcpus: float  # Fargate accounting; EC2 capacity is accounted on the ECS container instance
    instance: Any  # MANAGED EC2/SPOT: the ECS container instance that stands for the capacity
    active_attempts: int
    pending: Event | None  # the status change under way (CREATING/UPDATING/DELETING → ...)
    eks: dict[str, Any] | None  # eksConfiguration: the environment runs pods on EKS (eks.py), no ECS cluster

    def __init__(self, name: str, arn: str, uuid: str, kind: str, state: str, resources: dict[str, Any] | None,
                 service_role: str | None, tags: dict[str, str], status: str = "CREATING",
                 status_reason: str | None = None, cluster: Cluster | None = None,
                 unmanaged_vcpus: int | None = None, update_policy: dict[str, Any] | None = None,
                 used_vcpus: float = 0.0, instance: Any = None, active_attempts: int = 0,
                 pending: Event | None = None, eks: dict[str, Any] | None = None) -> None:
        self.name, self.arn, self.uuid, self.kind, self.state = name, arn, uuid, kind, state
        self.resources, self.service_role, self.tags, self.status = resources, service_role, tags, status
        self.status_reason, self.cluster, self.unmanaged_vcpus = status_reason, cluster, unmanaged_vcpus
        self.update_policy, self.used_vcpus, self.instance = update_policy, used_vcpus, instance
        self.active_attempts, self.pending, self.eks = active_attempts, pending, eks

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


class JobQueue(Record):
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
    request_pass: Callable[[float], None]
    time_limit_actions: list[dict[str, Any]]
    scheduling_policy: str | None  # the ARN of its scheduling policy: a fair-share queue (fair_share.py)
    status: str
    status_reason: str | None
    pending: Event | None
    # RUNNABLE jobs by scheduling key (submission order; array children after their parent's position).
    runnable: dict[tuple[int, int], Job]
    runnable_keys: list[tuple[int, int]]  # the same keys, sorted
    # A SAGEMAKER_TRAINING queue: (order, ServiceEnvironment) ascending (service_environments.py); ``order`` is empty.
    service_order: list[tuple[int, Any]]
    _hidden = ("request_pass",)

    def __init__(self, name: str, arn: str, seq: int, priority: int, state: str,
                 order: list[tuple[int, ComputeEnvironment]], tags: dict[str, str],
                 request_pass: Callable[[float], None], time_limit_actions: list[dict[str, Any]] | None = None,
                 scheduling_policy: str | None = None, status: str = "CREATING", status_reason: str | None = None,
                 pending: Event | None = None, runnable: dict[tuple[int, int], Job] | None = None,
                 runnable_keys: list[tuple[int, int]] | None = None,
                 service_order: list[tuple[int, Any]] | None = None) -> None:
        self.name, self.arn, self.seq, self.priority, self.state, self.order = name, arn, seq, priority, state, order
        self.tags, self.request_pass = tags, request_pass
        self.time_limit_actions = [] if time_limit_actions is None else time_limit_actions
        self.scheduling_policy, self.status, self.status_reason = scheduling_policy, status, status_reason
        self.pending = pending
        self.runnable = {} if runnable is None else runnable
        self.runnable_keys = [] if runnable_keys is None else runnable_keys
        self.service_order = [] if service_order is None else service_order

    @property
    def environments(self) -> list[ComputeEnvironment]:
        return [env for _, env in sorted(self.order, key=lambda pair: pair[0])]


class JobDefinition(Record):
    name: str
    revision: int
    arn: str
    body: dict[str, Any]  # the JobDefinition shape as DescribeJobDefinitions answers it (without tags)
    tags: dict[str, str]
    task_definition: TaskDefinition | None  # the ECS task definition its attempts run, made on first use
    # SubmitJob's (vCPUs, MiB) from containerProperties alone (no containerOverrides of them), worked out on
    # first use. Never invalidated: only ``status`` of a registered revision ever changes.
    resources: tuple[float, int] | None
    fargate: bool  # platformCapabilities name FARGATE: fixed at registration

    def __init__(self, name: str, revision: int, arn: str, body: dict[str, Any], tags: dict[str, str],
                 task_definition: TaskDefinition | None = None, resources: tuple[float, int] | None = None) -> None:
        self.name, self.revision, self.arn, self.body, self.tags = name, revision, arn, body, tags
        self.task_definition, self.resources = task_definition, resources
        self.fargate = "FARGATE" in self.body.get("platformCapabilities", ["EC2"])

    @property
    def status(self) -> str:
        return str(self.body["status"])

    @property
    def eks(self) -> bool:
        """An Amazon EKS job definition (``eksProperties``): its jobs run as pods (pods.py)."""
        return "eksProperties" in self.body


class Attempt(Record):
    """One run of a job: an ECS task in a compute environment's cluster."""

    number: int  # 1-based
    environment: ComputeEnvironment
    task: Task
    vcpus: float
    started_at: float | None
    stopped_at: float | None
    exit_code: int | None
    reason: str | None
    status_reason: str | None
    log_stream: str | None
    timeout: Event | None
    ended: bool
    released: bool

    def __init__(self, number: int, environment: ComputeEnvironment, task: Task, vcpus: float,
                 started_at: float | None = None, stopped_at: float | None = None, exit_code: int | None = None,
                 reason: str | None = None, status_reason: str | None = None, log_stream: str | None = None,
                 timeout: Event | None = None, ended: bool = False, released: bool = False) -> None:
        self.number, self.environment, self.task, self.vcpus = number, environment, task, vcpus
        self.started_at, self.stopped_at, self.exit_code, self.reason = started_at, stopped_at, exit_code, reason
        self.status_reason, self.log_stream, self.timeout, self.ended = status_reason, log_stream, timeout, ended
        self.released = released

class Job(Record):
    __slots__ = (
        "id", "arn", "name", "key", "queue", "definition", "created_at", "container", "vcpus", "memory",
        "parameters", "retry", "timeout", "tags", "propagate_tags", "depends_on", "scheduling_priority",
        "share_identifier", "eks", "pods", "status", "status_reason", "started_at", "stopped_at", "attempts",
        "waits_for", "dependents", "runnable_since", "eligible_at", "size", "children", "parent", "index",
        "summary", "summary_at", "cancel_reason", "is_cancelled", "is_terminated", "terminate_reason",
        "timed_out", "head_since", "history", "consumables", "holding", "multinode", "on_status", "containers"
    )
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
    scheduling_priority: int | None
    share_identifier: str | None  # fair-share queues only (fair_share.py)
    eks: dict[str, Any] | None  # EKS jobs: the effective EksProperties (eks.py); ``container`` is then {}
    pods: Sequence[PodAttempt]  # EKS jobs' attempts (pods.py); ``attempts`` stays empty
    status: str
    status_reason: str | None
    started_at: float | None
    stopped_at: float | None
    attempts: Sequence[Attempt]
    # Jobs this one waits for, and jobs that wait for this one.
    waits_for: list[Job]
    dependents: Sequence[Job]
    runnable_since: float | None
    eligible_at: float
    # Array jobs: the parent has size and children; a child has parent and index.
    size: int | None
    children: Sequence[Job]
    parent: Job | None
    index: int | None
    summary: dict[str, int]
    summary_at: float | None
    # Why the job is stopping or was stopped by a user or a rule.
    cancel_reason: str | None  # CancelJob on a PENDING job: applied once its dependencies finish
    is_cancelled: bool
    is_terminated: bool
    terminate_reason: str | None
    timed_out: bool
    head_since: float | None  # when the job became the blocked head of its queue
    history: tuple[tuple[float, str], ...]  # (at, status) after SUBMITTED: the report
    # Consumable resources (consumables.py): the effective consumableResourceProperties, and what it holds.
    consumables: dict[str, Any] | None
    holding: Sequence[tuple[Any, int]]
    # Multi-node parallel jobs (multinode.py, nodes.py): the parent's or the node's record, and the hook that
    # transitions.set_status calls after each move, ``on_status(backend, job, old_status, at)``.
    multinode: Any
    on_status: Any
    # Multi-container jobs (ecs_properties.py): the effective TaskContainerProperties of each container.
    containers: Any

    def __init__(self, id: str, arn: str, name: str, key: tuple[int, int], queue: JobQueue,
                 definition: JobDefinition, created_at: float, container: dict[str, Any], vcpus: float, memory: int,
                 parameters: dict[str, str], retry: dict[str, Any] | None, timeout: dict[str, Any] | None,
                 tags: dict[str, str], propagate_tags: bool, depends_on: list[dict[str, str]],
                 scheduling_priority: int | None = None, share_identifier: str | None = None,
                 eks: dict[str, Any] | None = None, pods: Sequence[PodAttempt] = (), status: str = "SUBMITTED",
                 status_reason: str | None = None, started_at: float | None = None, stopped_at: float | None = None,
                 attempts: Sequence[Attempt] = (), waits_for: list[Job] | None = None,
                 dependents: Sequence[Job] = (), runnable_since: float | None = None, eligible_at: float = 0.0,
                 size: int | None = None, children: Sequence[Job] = (), parent: Job | None = None,
                 index: int | None = None, summary: dict[str, int] | None = None, summary_at: float | None = None,
                 cancel_reason: str | None = None, is_cancelled: bool = False, is_terminated: bool = False,
                 terminate_reason: str | None = None, timed_out: bool = False, head_since: float | None = None,
                 history: tuple[tuple[float, str], ...] = (), consumables: dict[str, Any] | None = None,
                 holding: Sequence[tuple[Any, int]] = (), multinode: Any = None, on_status: Any = None,
                 containers: Any = None) -> None:
        self.id, self.arn, self.name, self.key, self.queue, self.definition = id, arn, name, key, queue, definition
        self.created_at, self.container, self.vcpus, self.memory = created_at, container, vcpus, memory
        self.parameters, self.retry, self.timeout, self.tags = parameters, retry, timeout, tags
        self.propagate_tags, self.depends_on = propagate_tags, depends_on
        self.scheduling_priority, self.share_identifier, self.eks = scheduling_priority, share_identifier, eks
        self.pods, self.status, self.status_reason, self.started_at = pods, status, status_reason, started_at
        self.stopped_at, self.attempts = stopped_at, attempts
        self.waits_for = [] if waits_for is None else waits_for
        self.dependents, self.runnable_since, self.eligible_at = dependents, runnable_since, eligible_at
        self.size, self.children, self.parent, self.index = size, children, parent, index
        self.summary = {} if summary is None else summary
        self.summary_at, self.cancel_reason, self.is_cancelled = summary_at, cancel_reason, is_cancelled
        self.is_terminated, self.terminate_reason, self.timed_out = is_terminated, terminate_reason, timed_out
        self.head_since, self.history, self.consumables, self.holding = head_since, history, consumables, holding
        self.multinode, self.on_status, self.containers = multinode, on_status, containers

    @property
    def current(self) -> Attempt | None:
        """The attempt under way (STARTING/RUNNING), if any."""
        if self.attempts and not self.attempts[-1].ended:
            return self.attempts[-1]
        return None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


class BatchState(ValueRecord):
    region: str
    compute_environments: dict[str, ComputeEnvironment]  # by name
    job_queues: dict[str, JobQueue]  # by name
    job_definitions: dict[str, list[JobDefinition]]  # revision r at r-1
    jobs: dict[str, Job]  # by id, children included (``<parent>:<index>``)
    scheduling_policies: dict[str, Any]  # by name (scheduling_policies.py)
    quota_shares: dict[str, Any]  # by ARN (quota_shares.py)
    # Service environments by name and service jobs by id (service_environments.py, service_jobs.py).
    service_environments: dict[str, Any]
    service_jobs: dict[str, Any]
    service_passes: set[float]  # instants a service-job pass is due at
    service_tokens: dict[str, Any]  # SubmitServiceJob clientToken → its request
    next_seq: int
    passes: set[float]  # instants a scheduler pass is already due at
    consumable_resources: dict[str, Any]  # by name (consumables.py)

    def __init__(self, region: str, compute_environments: dict[str, ComputeEnvironment] | None = None,
                 job_queues: dict[str, JobQueue] | None = None,
                 job_definitions: dict[str, list[JobDefinition]] | None = None, jobs: dict[str, Job] | None = None,
                 scheduling_policies: dict[str, Any] | None = None, quota_shares: dict[str, Any] | None = None,
                 service_environments: dict[str, Any] | None = None, service_jobs: dict[str, Any] | None = None,
                 service_passes: set[float] | None = None, service_tokens: dict[str, Any] | None = None,
                 next_seq: int = 0, passes: set[float] | None = None,
                 consumable_resources: dict[str, Any] | None = None) -> None:
        self.region = region
        self.compute_environments = {} if compute_environments is None else compute_environments
        self.job_queues = {} if job_queues is None else job_queues
        self.job_definitions = {} if job_definitions is None else job_definitions
        self.jobs = {} if jobs is None else jobs
        self.scheduling_policies = {} if scheduling_policies is None else scheduling_policies
        self.quota_shares = {} if quota_shares is None else quota_shares
        self.service_environments = {} if service_environments is None else service_environments
        self.service_jobs = {} if service_jobs is None else service_jobs
        self.service_passes = set() if service_passes is None else service_passes
        self.service_tokens = {} if service_tokens is None else service_tokens
        self.next_seq = next_seq
        self.passes = set() if passes is None else passes
        self.consumable_resources = {} if consumable_resources is None else consumable_resources

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
