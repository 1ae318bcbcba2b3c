"""What the container agent reports: SubmitTaskStateChange, SubmitContainerStateChange, SubmitAttachmentStateChanges.

"This action is only used by the Amazon ECS agent" [M:SubmitTaskStateChange]: code that plays the agent of an
EC2 or EXTERNAL container instance (RegisterContainerInstance) tells ECS what its tasks and containers did. Once
a task has received a report, the fake's own simulated agent steps aside for it (``Task.agent_reported``: the
lifecycle's scheduled steps do nothing, its containers' scheduled exits are cancelled) and the task follows the
reports: statuses, timestamps, exit codes, network bindings, managed agents and ENI attachments. StopTask still
sets desiredStatus STOPPED (and stopCode, stoppedReason, stoppingAt); the agent then reports the stop. ECS keeps
what is ECS's: a STOPPED task releases its instance's resources, its ENI is deleted, and it is forgotten after
``stopped_visible``. Choices where AWS is silent: docs/fidelity-container-instances.md ("Agent reports").
"""

from __future__ import annotations

from typing import Any

from ..core.context import Context
from ..core.errors import InvalidParameterException
from ..core.registry import handler
from . import lifecycle
from .clusters import get_cluster
from .state import Cluster
from .task_model import Container, Task
from .tasks import TASK_NOT_FOUND, find_task

# The order of a task's lastStatus values [DG:task-lifecycle]: a report never moves a task back.
TASK_ORDER = ("PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING",
              "STOPPED")
CONTAINER_ORDER = ("PENDING", "RUNNING", "STOPPED")
ATTACHMENT_STATUSES = ("PRECREATED", "CREATED", "ATTACHING", "ATTACHED", "DETACHING", "DETACHED", "DELETED",
                       "FAILED")  # [M:Attachment.status]
# What the answers acknowledge with: the agent does not read it, and AWS's value is not confirmed.
ACK = {"acknowledgment": "ACK"}
TASK_FAILED = "Task failed to start"  # the fake's reason for a task stopped before it ran, when none is reported


# -- lookups -------------------------------------------------------------------------------------------
def _reported_task(ctx: Context, cluster: Cluster, ref: str | None) -> Task:
    """The task a report names, in the report's cluster (default: ``default``)."""
    if not ref:
        # Not confirmed: the model does not require ``task``, but a report without one names nothing to change.
        raise InvalidParameterException("task can not be blank.")
    task = find_task(ctx, ref)
    if task is None or task.cluster is not cluster:
        # StopTask's observed wording; this operation's own is not confirmed.
        raise InvalidParameterException(TASK_NOT_FOUND)
    return task


def take_over(task: Task) -> None:
    """An agent reported on ``task``: the fake's simulated agent steps aside (its steps and exits do nothing)."""
    if task.agent_reported:
        return
    task.agent_reported = True
    for container in task.containers:
        if container.exit_event is not None:
            container.exit_event.cancel()
            container.exit_event = None


def _later(order: tuple[str, ...], current: str, reported: str | None) -> bool:
    """Whether ``reported`` is a known status after ``current``: earlier, repeated or unknown ones change nothing."""
    return reported in order and (current not in order or order.index(reported) > order.index(current))


# -- containers ----------------------------------------------------------------------------------------
def apply_container(task: Task, change: dict[str, Any], at: float) -> bool:
    """A container's reported state (a ContainerStateChange, or SubmitContainerStateChange's members); False when
    the task has no container of that name (acknowledged, nothing changes)."""
    container: Container | None = next((c for c in task.containers if c.name == change.get("containerName")), None)
    if container is None:
        return False
    if change.get("runtimeId"):
        container.runtime_id = change["runtimeId"]
    if change.get("imageDigest"):
        container.image_digest = change["imageDigest"]
    if "networkBindings" in change:
        container.network_bindings = [dict(binding) for binding in change["networkBindings"]]
    if _later(CONTAINER_ORDER, container.last_status, change.get("status")):
        container.last_status = change["status"]
        if container.last_status == "STOPPED":
            container.stopped_at = at
    if change.get("exitCode") is not None:
        container.exit_code = change["exitCode"]
    if change.get("reason"):
        container.reason = change["reason"]
    task.version += 1
    return True


def _apply_managed_agent(task: Task, change: dict[str, Any], at: float) -> None:
    """A managed agent's reported status [M:ManagedAgentStateChange]; ``lastStartedAt`` when it reports RUNNING."""
    container = next((c for c in task.containers if c.name == change["containerName"]), None)
    if container is None:
        return
    name = change["managedAgentName"]
    agent = dict(container.reported_agents.get(name) or {"name": name})
    if change["status"] == "RUNNING" and agent.get("lastStatus") != "RUNNING":
        agent["lastStartedAt"] = at
    agent["lastStatus"] = change["status"]
    if change.get("reason"):
        agent["reason"] = change["reason"]
    container.reported_agents[name] = agent
    task.version += 1


# -- attachments ---------------------------------------------------------------------------------------
def _attachment_id(ctx: Context, ref: str) -> str:
    """The id in an attachment ARN (``arn:aws:ecs:<region>:<account>:attachment/<id>``), or a bare id."""
    prefix = ctx.arn("ecs", "attachment/")
    return ref[len(prefix):] if ref.startswith(prefix) else ref


def _apply_attachment(ctx: Context, task: Task, status: str, at: float) -> None:
    """The task's ENI attachment took ``status``. ATTACHED ends PROVISIONING: the task is PENDING and connected,
    as when the fake attaches the ENI itself."""
    eni = task.eni
    if eni is None or status not in ATTACHMENT_STATUSES:
        return
    eni["status"] = status
    task.version += 1
    if status == "ATTACHED" and task.last_status == "PROVISIONING" and task.desired_status == "RUNNING":
        _connect(task, at)
        lifecycle.set_status(task, "PENDING", at)


def _task_with_attachment(ctx: Context, cluster: Cluster, ident: str) -> Task | None:
    for task in ctx.ecs.tasks.values():
        if task.eni is not None and task.eni["id"] == ident and task.cluster is cluster:
            found: Task = task
            return found
    return None


# -- tasks ---------------------------------------------------------------------------------------------
def _connect(task: Task, at: float) -> None:
    if task.connectivity is None:
        task.connectivity = "CONNECTED"
        task.times["connectivityAt"] = at


def _advance(ctx: Context, task: Task, status: str, reason: str | None, at: float) -> None:
    """Move the task to the reported ``status`` (a later one than its lastStatus)."""
    backend = ctx.backend
    if TASK_ORDER.index(status) > TASK_ORDER.index("RUNNING") and task.desired_status != "STOPPED":
        # The task stops by itself (no StopTask): an essential container exited, or it never started.
        started = "startedAt" in task.times
        code = "EssentialContainerExited" if started else "TaskFailedToStart"
        default = lifecycle.ESSENTIAL_EXITED if started else TASK_FAILED
        lifecycle.request_stop(backend, task, at, code, reason or default)
    if task.eni is not None and task.eni["status"] == "PRECREATED" and status != "STOPPED":
        task.eni["status"] = "ATTACHED"  # past PROVISIONING: ECS attached the task's ENI
    if status in ("ACTIVATING", "RUNNING"):
        _connect(task, at)
    if status == "RUNNING":
        task.times.setdefault("startedAt", at)
    if status != "STOPPED":
        lifecycle.set_status(task, status, at)
        return
    for container in task.containers:  # a stopped task's containers are all stopped
        if container.last_status != "STOPPED":
            container.last_status = "STOPPED"
            container.stopped_at = at
    task.times.setdefault("stoppingAt", at)
    task.times.setdefault("executionStoppedAt", at)
    lifecycle.stopped(backend, task, at)


# -- handlers ------------------------------------------------------------------------------------------
@handler("ecs", "SubmitTaskStateChange")
def submit_task_state_change(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """Sent to acknowledge that a task changed states [M:SubmitTaskStateChange]: its containers, attachments and
    managed agents, the pull and execution timestamps, and its status. Containers, attachments and agents the
    task does not have, statuses not in the task lifecycle (e.g. the agent's MANIFEST_PULLED) and statuses
    earlier than the task's own are acknowledged and change nothing."""
    cluster = get_cluster(ctx, req.get("cluster"))
    task = _reported_task(ctx, cluster, req.get("task"))
    take_over(task)
    if task.last_status == "STOPPED":
        return dict(ACK)  # the stop is final: later reports change nothing (inferred)
    at = ctx.now
    for change in req.get("containers", []):
        apply_container(task, change, at)
    for change in req.get("attachments", []):
        if task.eni is not None and _attachment_id(ctx, change["attachmentArn"]) == task.eni["id"]:
            _apply_attachment(ctx, task, change["status"], at)
    for change in req.get("managedAgents", []):
        _apply_managed_agent(task, change, at)
    for key in ("pullStartedAt", "pullStoppedAt", "executionStoppedAt"):
        if req.get(key) is not None:
            task.times[key] = float(req[key])
            task.version += 1
    if _later(TASK_ORDER, task.last_status, req.get("status")):
        _advance(ctx, task, req["status"], req.get("reason"), at)
    return dict(ACK)


@handler("ecs", "SubmitContainerStateChange")
def submit_container_state_change(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """Sent to acknowledge that a container changed states [M:SubmitContainerStateChange]: its status, exit code,
    reason, Docker id and network bindings. A container's stop does not stop its task: the agent reports the
    task's own change (SubmitTaskStateChange), as the real agent does."""
    cluster = get_cluster(ctx, req.get("cluster"))
    task = _reported_task(ctx, cluster, req.get("task"))
    take_over(task)
    if task.last_status != "STOPPED":
        apply_container(task, req, ctx.now)
    return dict(ACK)


@handler("ecs", "SubmitAttachmentStateChanges")
def submit_attachment_state_changes(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """Sent to acknowledge that an attachment changed states [M:SubmitAttachmentStateChanges]: the ENI
    attachments of the cluster's awsvpc tasks, by attachment ARN (or id). An attachment the cluster has no task
    for (e.g. a container instance's trunk ENI, which the fake does not model) is acknowledged and ignored."""
    cluster = get_cluster(ctx, req.get("cluster"))
    for change in req["attachments"]:
        task = _task_with_attachment(ctx, cluster, _attachment_id(ctx, change["attachmentArn"]))
        if task is None or task.last_status == "STOPPED":
            continue
        take_over(task)
        _apply_attachment(ctx, task, change["status"], ctx.now)
    return dict(ACK)
