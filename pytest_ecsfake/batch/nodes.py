"""Multi-node parallel jobs on the clock (user guide "Job lifecycle for MNP jobs", "Multi-node parallel jobs").

The job (the parent) is queued as any job. It gets its node jobs ``<jobId>#<index>`` when it first becomes
RUNNABLE (they are RUNNABLE too). The scheduler places the parent only when the compute environment has room for
every node at once (gang scheduling; the fake checks the CPU and memory of the cluster's container instances);
then the main node starts (the job is STARTING), and once the main node is RUNNING (the job too) the child
nodes start. Each node is an ECS task of its node range's container, with the multi-node variables
(``AWS_BATCH_JOB_NODE_INDEX``, ``AWS_BATCH_JOB_MAIN_NODE_INDEX``, ``AWS_BATCH_JOB_NUM_NODES`` and, on the child
nodes, ``AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS``); its behaviour is ``fake.behavior("<jobName>#<index>")``
if given, else matched by image and job name as for any job.

"The job is finished only if the main node exits. All child nodes are then stopped." and "The final job status
(SUCCEEDED or FAILED) is determined by the final job status of the main node": when the main node ends, the job
ends with its outcome and the child nodes still running are stopped. A failed main node is retried per the job's
``retryStrategy`` (the whole job: its nodes run again once they have all stopped); the timeout applies to the
whole job, counted from the main node's start. The job's ``attempts`` are its main node's.

The records live on ``Job.multinode`` and the hooks on ``Job.on_status`` (transitions.set_status calls it), and
attempts.start calls ``ParentRecord.start`` for a parent, so that none of those modules imports this one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from ..core.backend import Backend
from ..ecs import lifecycle
from . import attempts, transitions
from .multinode import Plan
from .scheduler import registered_instances
from .state import BatchState, ComputeEnvironment, Job, grown

# The stop reason of the child nodes still running when the main node ended: the fake's wording (AWS's is not known).
CHILD_STOP_REASON = "The main node of the multi-node parallel job ended"


@dataclass(eq=False)
class ParentRecord:
    plan: Plan
    nodes: list[Job] = field(default_factory=list)
    env: ComputeEnvironment | None = None
    is_node = False

    def start(self, backend: Backend, state: BatchState, job: Job, env: ComputeEnvironment, at: float) -> bool:
        """The scheduler places the job in ``env``: start the main node if every node fits; False if not."""
        if env.fargate or any(n.current is not None for n in self.nodes) or not _room(backend, env, self.plan):
            return False
        for node in self.nodes:
            if node.finished:  # a retry: the nodes run again
                node.status_reason, node.timed_out, node.terminate_reason = None, False, None
                node.is_terminated = node.is_cancelled = False
                transitions.set_status(backend, node, "RUNNABLE", at)
        main = self.nodes[self.plan.main_node]
        if not attempts.start(backend, state, main, env, at):
            return False
        _node_behavior(backend, main)
        self.env = env
        job.attempts = grown(job.attempts, main.attempts[-1])
        job.status_reason = None
        transitions.set_status(backend, job, "STARTING", at)
        return True

    def describe(self, job: Job, body: dict[str, Any]) -> None:
        body.pop("container", None)
        body["nodeProperties"] = self.plan.node_properties

    def summarize(self, job: Job, body: dict[str, Any]) -> None:
        body["nodeProperties"] = {"numNodes": self.plan.num_nodes}


@dataclass(eq=False)
class NodeRecord:
    parent: Job
    index: int
    is_node = True

    @property
    def main(self) -> bool:
        record: ParentRecord = self.parent.multinode
        return self.index == record.plan.main_node

    def variables(self) -> list[dict[str, str]]:
        record: ParentRecord = self.parent.multinode
        found = [
            {"name": "AWS_BATCH_JOB_MAIN_NODE_INDEX", "value": str(record.plan.main_node)},
            {"name": "AWS_BATCH_JOB_NODE_INDEX", "value": str(self.index)},
            {"name": "AWS_BATCH_JOB_NUM_NODES", "value": str(record.plan.num_nodes)},
        ]
        if not self.main:
            address = main_address(record.nodes[record.plan.main_node])
            if address:
                found.append({"name": "AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS", "value": address})
        return found

    def describe(self, job: Job, body: dict[str, Any]) -> None:
        body["nodeDetails"] = {"nodeIndex": self.index, "isMainNode": self.main}

    def summarize(self, job: Job, body: dict[str, Any]) -> None:
        record: ParentRecord = self.parent.multinode
        body["nodeProperties"] = {"isMainNode": self.main, "numNodes": record.plan.num_nodes, "nodeIndex": self.index}


def attach(job: Job, plan: Plan) -> None:
    """Make ``job`` (just submitted) a multi-node parallel job of ``plan``."""
    job.multinode = ParentRecord(plan)
    job.on_status = _parent_moved


def main_address(main: Job) -> str | None:
    """The main node's private IPv4 address: its task's, or (bridge tasks have none in the fake) an address of
    10.0.0.0/16 derived from its task id, the same for every child node."""
    if not main.attempts:
        return None
    task = main.attempts[-1].task
    if task.private_ip:
        return str(task.private_ip)
    number = int(hashlib.sha256(task.id.encode()).hexdigest()[:6], 16)
    return f"10.0.{(number // 250) % 250}.{number % 250 + 4}"


def _room(backend: Backend, env: ComputeEnvironment, plan: Plan) -> bool:
    """Every node fits on the environment's container instances now (first fit, by CPU and memory)."""
    free = [[i.remaining_cpu, i.remaining_memory] for i in registered_instances(backend, env)]
    for node in plan.nodes:
        cpu = int(node.vcpus * 1024)
        spot = next((f for f in free if f[0] >= cpu and f[1] >= node.memory), None)
        if spot is None:
            return False
        spot[0] -= cpu
        spot[1] -= node.memory
    return True


def _spawn(backend: Backend, parent: Job, at: float) -> None:
    record: ParentRecord = parent.multinode
    state = transitions.state_of(backend, parent)
    for node_plan in record.plan.nodes:
        index = node_plan.index
        node = Job(
            id=f"{parent.id}#{index}",
            arn=f"{parent.arn}#{index}",
            name=parent.name,
            key=(parent.key[0], index + 1),
            queue=parent.queue,
            definition=node_plan.definition,
            created_at=at,
            container=node_plan.container,
            vcpus=node_plan.vcpus,
            memory=node_plan.memory,
            parameters=parent.parameters,
            retry=None,  # the job is retried as a whole (its main node's outcome)
            timeout=parent.timeout if index == record.plan.main_node else None,  # "applies to the whole job"
            tags=parent.tags,
            propagate_tags=parent.propagate_tags,
            depends_on=[],
            status="RUNNABLE",
            multinode=NodeRecord(parent, index),
            on_status=_node_moved,
        )
        node.history += ((at, "RUNNABLE"),)
        record.nodes.append(node)
        state.jobs[node.id] = node


def _parent_moved(backend: Backend, job: Job, old: str, at: float) -> None:
    record: ParentRecord = job.multinode
    if job.status == "RUNNABLE" and not record.nodes:
        _spawn(backend, job, at)
    if not job.finished:
        return
    # A terminated or cancelled job's reason; else (the main node ended) the fake's own.
    reason = job.terminate_reason or (job.status_reason if job.is_cancelled else None) or CHILD_STOP_REASON
    for node in record.nodes:
        if node.finished:
            continue
        current = node.current
        if current is not None:
            lifecycle.request_stop(backend, current.task, at, "UserInitiated", reason)
        elif job.is_cancelled:
            transitions.cancel_now(backend, node, reason, at)
        else:
            transitions.finish(backend, node, "FAILED", reason, at)


def _node_moved(backend: Backend, node: Job, old: str, at: float) -> None:
    record: NodeRecord = node.multinode
    parent = record.parent
    parent_record: ParentRecord = parent.multinode
    if record.main and node.status == "RUNNING" and parent.status == "STARTING":
        parent.started_at = at
        transitions.set_status(backend, parent, "RUNNING", at)
        for child in parent_record.nodes:
            if child is not node and child.status == "RUNNABLE":
                _start_child(backend, parent, child, at)
    if not node.finished:
        return
    if record.main and parent.status in ("STARTING", "RUNNING"):
        _main_ended(backend, parent, node, at)
    if parent.status == "RUNNABLE" and all(n.current is None for n in parent_record.nodes):
        parent.queue.request_pass(at)  # a retry can be placed now that every node has stopped


def _start_child(backend: Backend, parent: Job, child: Job, at: float) -> None:
    record: ParentRecord = parent.multinode
    env = record.env
    if env is None or parent.status != "RUNNING" or child.status != "RUNNABLE":
        return
    if attempts.start(backend, transitions.state_of(backend, parent), child, env, at):
        _node_behavior(backend, child)
        return
    # No room on the instances right now (taken since the job was placed): look again at the next cycle.
    backend.events.schedule(at + backend.timings["batch_scheduling"],
                            lambda t: _start_child(backend, parent, child, t))


def _main_ended(backend: Backend, parent: Job, main: Job, at: float) -> None:
    """The job's outcome is its main node's; the child nodes still running are stopped."""
    attempt = main.attempts[-1]
    if parent.terminate_reason is not None:
        transitions.finish(backend, parent, "FAILED", parent.terminate_reason, at)
    elif main.timed_out:
        transitions.finish(backend, parent, "FAILED", attempts.TIMEOUT_REASON, at)
    elif main.status == "SUCCEEDED":
        transitions.finish(backend, parent, "SUCCEEDED", main.status_reason, at)
    elif attempts.should_retry(parent, attempt):
        for node in parent.multinode.nodes:
            if node.current is not None:
                lifecycle.request_stop(backend, node.current.task, at, "UserInitiated", CHILD_STOP_REASON)
        transitions.make_runnable(backend, parent, at)
    else:
        transitions.finish(backend, parent, "FAILED", main.status_reason, at)


def _node_behavior(backend: Backend, node: Job) -> None:
    """``fake.behavior("<jobName>#<index>")`` decides this node's container, before its image or job name."""
    record: NodeRecord = node.multinode
    chosen = backend.behaviors.get(f"{node.name}#{record.index}")
    current = node.current
    if chosen is not None and current is not None:
        current.task.containers[0].behavior = chosen
