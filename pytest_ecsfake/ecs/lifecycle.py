"""The ECS task lifecycle as events on the fake's clock [DG:task-lifecycle; FIDELITY.md "ECS task lifecycle"].

Launch:  (awsvpc) PROVISIONING → PENDING (connectivityAt) → ACTIVATING: images pulled (pullStartedAt,
         pullStoppedAt), containers created → RUNNING (startedAt). bridge/host tasks start in PENDING.
         A container with ``dependsOn`` starts when its conditions hold (container_dependencies.py).
Stop:    desiredStatus STOPPED (stoppingAt) → DEACTIVATING → STOPPING: containers get SIGTERM, then SIGKILL
         at their stop timeout → executionStoppedAt → (awsvpc) DEPROVISIONING → STOPPED (stoppedAt).
Every step is an event due at an instant; a step records that instant, never the time it was observed.
Launch steps that come due after a stop was requested do nothing: the stop path has taken over. Every step is
the fake's own agent at work: once a real one (code playing the agent) reports on the task, they all do nothing
and the task follows the reports (``agent_reports.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import change_events, container_dependencies, container_output
from .task_model import PENDING_STATES, Container, Task

if TYPE_CHECKING:
    from ..core.backend import Backend

SIGKILL_EXIT = 137  # 128 + 9
ESSENTIAL_EXITED = "Essential container in task exited"


def _count(task: Task, status: str, delta: int) -> None:
    if status in PENDING_STATES:
        task.cluster.pending_tasks += delta
    elif status == "RUNNING":
        task.cluster.running_tasks += delta


def _later(backend: Backend, task: Task, due: float, step: Callable[[Backend, Task, float], None]) -> None:
    """Schedule a step of the fake's own (simulated) agent for ``task``. Once a real agent has reported a state
    change of the task (``ecs/agent_reports.py``), the simulated agent steps aside: its steps do nothing."""
    backend.events.schedule_call(due, _run, step, backend, task)


def _run(step: Callable[[Backend, Task, float], None], backend: Backend, task: Task, at: float) -> None:
    if not task.agent_reported:
        step(backend, task, at)


def set_status(task: Task, status: str, at: float) -> None:
    _count(task, task.last_status, -1)
    task.last_status = status
    task.history += ((at, status),)
    _count(task, status, +1)
    task.version += 1
    for watcher in task.watchers:  # a tuple: a watcher added meanwhile is not called for this change
        watcher(task, status, at)


def launch(backend: Backend, task: Task, at: float) -> None:
    """Start the lifecycle of a task created at ``at`` (its first status is already set)."""
    _count(task, task.last_status, +1)
    task.history += ((at, task.last_status),)
    # Its EventBridge events: this creation, then every lastStatus change, before whoever else follows it.
    change_events.task_changed(backend, task, at)
    task.watchers = change_events.watching(backend, task.watchers)
    timings = backend.timings
    if task.last_status == "PROVISIONING":
        _later(backend, task, at + timings["provisioning"], _pending)
    else:
        # bridge/host on EC2: no connectivity until the agent takes the task up (the AWS CLI's run-task sample at
        # PENDING has neither connectivity nor connectivityAt); it connects when it starts pulling.
        _later(backend, task, at + timings["pull_start"], _pull_start)


def resume(backend: Backend, task: Task, at: float) -> None:
    """Go on with a task that waited in PROVISIONING for capacity (``provider_scaling``) and is now placed: an
    awsvpc task gets its ENI (``provisioning``), a bridge/host task is PENDING at once."""
    if _stopping_requested(task):
        return
    task.version += 1
    if task.eni is not None:
        _later(backend, task, at + backend.timings["provisioning"], _pending)
    else:
        set_status(task, "PENDING", at)
        _later(backend, task, at + backend.timings["pull_start"], _pull_start)


def hold(task: Task, at: float) -> None:
    """Count a task that starts waiting in PROVISIONING for capacity; ``resume`` starts its lifecycle."""
    _count(task, task.last_status, +1)
    task.history += ((at, task.last_status),)


def _containers_created(task: Task) -> bool:
    """Whether the pull succeeded and the containers exist (their image digests are known)."""
    return any(c.image_digest is not None for c in task.containers)


def _stopping_requested(task: Task) -> bool:
    return task.desired_status == "STOPPED"


def _pending(backend: Backend, task: Task, at: float) -> None:
    if _stopping_requested(task):
        return
    set_status(task, "PENDING", at)
    task.connectivity = "CONNECTED"
    task.times["connectivityAt"] = at
    if task.eni is not None:
        task.eni["status"] = "ATTACHED"
    _later(backend, task, at + backend.timings["pull_start"], _pull_start)


def _pull_start(backend: Backend, task: Task, at: float) -> None:
    if _stopping_requested(task):
        return
    if task.connectivity is None:
        task.connectivity = "CONNECTED"
        task.times["connectivityAt"] = at
    task.times["pullStartedAt"] = at
    # "This is the state where Amazon ECS pulls your container images, creates the containers, configures the
    # task networking ..." [DG:task-lifecycle, ACTIVATING]
    set_status(task, "ACTIVATING", at)
    pull = backend.timings["pull" if task.launch_type == "FARGATE" else "pull_ec2"]
    _later(backend, task, at + pull, _pull_done)


def _pull_done(backend: Backend, task: Task, at: float) -> None:
    if _stopping_requested(task):
        return
    task.times["pullStoppedAt"] = at
    failed = next((c for c in task.containers if c.behavior.pull_error is not None), None)
    if failed is not None:
        reason = f"CannotPullContainerError: {failed.behavior.pull_error}"
        failed.reason = reason
        request_stop(backend, task, at, "TaskFailedToStart", reason)
        return
    # Creating the containers starts their log drivers: an awslogs group must exist (or be created) by now.
    missing_group = container_output.create_groups(backend, task, at)
    if missing_group is not None:
        request_stop(backend, task, at, "TaskFailedToStart", missing_group)
        return
    for container in task.containers:
        container.image_digest = "sha256:" + backend.ids.hex32() + backend.ids.hex32()
    _later(backend, task, at + backend.timings["activating"], _running)


def _running(backend: Backend, task: Task, at: float) -> None:
    if _stopping_requested(task):
        return
    waits = container_dependencies.has_dependencies(task)
    for container in task.containers:
        if not waits or container_dependencies.state(task, container)[0] is True:
            _start_container(backend, task, container, at)
    task.times["startedAt"] = at
    set_status(task, "RUNNING", at)
    if waits:
        _start_waiting(backend, task, at)


def _start_container(backend: Backend, task: Task, container: Container, at: float) -> None:
    container.last_status = "RUNNING"
    container.runtime_id = f"{task.id}-{task.containers.index(container)}"
    runs_for = container.behavior.runs_for
    if runs_for is not None:
        _exit_at(backend, task, container, at + runs_for, container.behavior.exit_code)
    container_output.started(backend, task, container, at)


def _start_waiting(backend: Backend, task: Task, at: float) -> None:
    """Start the containers whose ``dependsOn`` holds now; stop those whose never can (container_dependencies)."""
    changed = True
    while changed and not _stopping_requested(task):
        changed = False
        for container in task.containers:
            if container.last_status != "PENDING":
                continue
            ready, reason = container_dependencies.state(task, container)
            if ready:
                _start_container(backend, task, container, at)
                task.version += 1
                changed = True
            elif ready is False:
                container.last_status, container.reason, container.stopped_at = "STOPPED", reason, at
                task.version += 1
                changed = True
                if container.essential:
                    request_stop(backend, task, at, "EssentialContainerExited", ESSENTIAL_EXITED)
                    return


def _exit_at(backend: Backend, task: Task, container: Container, due: float, code: int) -> None:
    """Schedule the container's exit with ``code`` unless an earlier exit is already scheduled."""
    current = container.exit_event
    if current is not None and not current.cancelled and current.due <= due:
        return
    if current is not None:
        current.cancel()
    container.exit_event = backend.events.schedule_call(due, _exit_step, backend, task, container, code)


def _exit_step(backend: Backend, task: Task, container: Container, code: int, at: float) -> None:
    if not task.agent_reported:
        _container_exited(backend, task, container, code, at)


def _container_exited(backend: Backend, task: Task, container: Container, code: int, at: float) -> None:
    if container.last_status == "STOPPED":
        return
    container.last_status = "STOPPED"
    container.exit_code = code
    container.stopped_at = at
    container.exit_event = None
    task.version += 1
    if container.essential and not any(c.essential for c in task.running_containers):
        # Execution stopped when the last essential container did, and shows from that instant [issue 16.5].
        task.times.setdefault("executionStoppedAt", at)
    if container.essential and not _stopping_requested(task):
        request_stop(backend, task, at, "EssentialContainerExited", ESSENTIAL_EXITED)
    elif task.last_status == "STOPPING" and not task.running_containers:
        _containers_stopped(backend, task, at)
    elif task.last_status == "RUNNING" and container_dependencies.has_dependencies(task):
        _start_waiting(backend, task, at)  # a container waiting for this one's exit may start


def request_stop(backend: Backend, task: Task, at: float, stop_code: str, reason: str) -> bool:
    """Ask the task to stop (StopTask, an essential exit, a failed start, an interruption).

    Returns False when a stop was already under way: the first stop's code and reason stand.
    """
    if _stopping_requested(task):
        return False
    old = task.desired_status
    task.desired_status = "STOPPED"
    task.cluster.tasks.move(task, old)
    task.stop_code = stop_code
    task.stopped_reason = reason
    task.times["stoppingAt"] = at
    task.version += 1
    change_events.task_changed(backend, task, at)
    if task.last_status == "RUNNING" or (task.last_status == "ACTIVATING" and _containers_created(task)):
        _later(backend, task, at, _deactivating)
    else:
        # Never started: nothing to signal. Containers end without an exit code (a real agent reports its own).
        for container in task.containers if not task.agent_reported else ():
            container.last_status = "STOPPED"
        _later(backend, task, at, _containers_stopped)
    return True


def _deactivating(backend: Backend, task: Task, at: float) -> None:
    set_status(task, "DEACTIVATING", at)
    _later(backend, task, at + backend.timings["deactivating"], _stopping)


def _stopping(backend: Backend, task: Task, at: float) -> None:
    set_status(task, "STOPPING", at)
    for container in task.containers:
        if container.last_status == "PENDING":  # stopped before it started: no signal, no exit code
            container.last_status = "STOPPED"
    running = task.running_containers
    for container in running:
        behavior = container.behavior
        timeout = container.stop_timeout
        if behavior.ignores_sigterm or behavior.stop_takes >= timeout:
            _exit_at(backend, task, container, at + timeout, SIGKILL_EXIT)
        else:
            _exit_at(backend, task, container, at + behavior.stop_takes, behavior.sigterm_exit_code)
    if not running:
        _containers_stopped(backend, task, at)


def _containers_stopped(backend: Backend, task: Task, at: float) -> None:
    # Set when the last essential container stopped (_container_exited); a task that never ran stops here.
    task.times.setdefault("executionStoppedAt", at)
    _later(backend, task, at + backend.timings["cleanup"], _cleaned_up)


def _cleaned_up(backend: Backend, task: Task, at: float) -> None:
    if task.eni is not None:
        set_status(task, "DEPROVISIONING", at)
        task.eni["status"] = "DETACHED"
        _later(backend, task, at + backend.timings["deprovisioning"], stopped)
    else:
        stopped(backend, task, at)


def stopped(backend: Backend, task: Task, at: float) -> None:
    """The task is STOPPED at ``at``: its ENI deleted, its instance's resources released; forgotten after
    ``stopped_visible`` (also when an agent reported the stop: forgetting is ECS's, not the agent's)."""
    task.times["stoppedAt"] = at
    task.connectivity = "DISCONNECTED"
    if task.eni is not None:
        task.eni["status"] = "DELETED"
    if task.container_instance is not None:
        from .placement import release

        release(task.container_instance, task.arn)
    set_status(task, "STOPPED", at)  # last: watchers see the whole stopped task
    backend.events.schedule_call(at + backend.timings["stopped_visible"], _forget, backend, task)


def _forget(backend: Backend, task: Task, at: float) -> None:
    state: Any = backend.region_state(task.cluster.arn.split(":")[3]).ecs
    state.tasks.pop(task.id, None)
    task.cluster.tasks.remove(task)
