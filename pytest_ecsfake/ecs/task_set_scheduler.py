"""The scheduler of a service's task sets (EXTERNAL and CODE_DEPLOY controllers), on the fake's clock.

It is the service scheduler's step for such a service (``Service.stepper``; woken as ``scheduler.py`` is: a
change of the service or of a task set, a state change of one of its tasks). One step, per task set:

1. a DRAINING task set (DeleteTaskSet, or the service's DeleteService) stops every task, and leaves the service
   once all of them are STOPPING or STOPPED (then DescribeTaskSets reports it MISSING);
2. otherwise its computed desired count is ``ceil(service desiredCount x scale %)`` [M:TaskSet]: tasks beyond it
   are stopped (tasks not yet healthy first, then the newest), missing ones launched (placement, capacity
   providers and Fargate as for the service's own tasks); a task on a DRAINING container instance is replaced,
   and stopped once the task set has its count healthy without it;
3. its stabilityStatus is STEADY_STATE when runningCount equals computedDesiredCount, nothing is pending, no task
   runs on a DRAINING instance and every task is healthy [M:TaskSet.stabilityStatus]; stabilityStatusAt is when
   it last changed.

The service notes "has reached a steady state." when all its task sets are (and, DRAINING, becomes INACTIVE
once it has no task set left). Task set tasks carry ``startedBy`` = the task set's id, as deployments' tasks do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.context import Context
from . import lifecycle
from .deployments import healthy
from .scheduler import GONE_STATES, _launch, _victims, poke
from .service_model import Service
from .task_model import Task
from .task_set_model import TaskSet, computed_count, task_sets

if TYPE_CHECKING:
    from ..core.backend import Backend


def step(backend: Backend, service: Service, at: float) -> None:
    """One pass over the task sets of ``service`` at fake time ``at``."""
    ctx = Context(backend, "ecs", "ServiceScheduler", service.region, at)
    healthy_after = backend.timings["service_healthy_after"]
    retry = False
    for task_set in task_sets(service):
        if service.status == "DRAINING" or task_set.status == "DRAINING":
            _drain(ctx, service, task_set)
            continue
        retry = _reconcile(ctx, service, task_set) or retry
        _settle(task_set, at, healthy_after)
    remaining = task_sets(service)
    steady = service.status == "ACTIVE" and bool(remaining) and all(
        t.stability_status == "STEADY_STATE" for t in remaining)
    if steady and not service.steady:
        service.add_event(backend.ids.uuid(), at, f"(service {service.name}) has reached a steady state.")
    service.steady = steady
    if service.status == "DRAINING" and not remaining:
        service.status = "INACTIVE"
        return
    wakes = [t.times["startedAt"] + healthy_after for t in service.tasks
             if t.last_status == "RUNNING" and t.desired_status == "RUNNING" and not healthy(t, at, healthy_after)]
    if retry:
        wakes.append(at + backend.timings["service_placement_retry"])
    if wakes:
        poke(backend, service, min(wakes))


def _draining(task: Task) -> bool:
    instance = task.container_instance
    return instance is not None and instance.status == "DRAINING"


def _reconcile(ctx: Context, service: Service, task_set: TaskSet) -> bool:
    """Stop and start the task set's tasks towards its computed desired count; True when some could not be placed."""
    at = ctx.now
    healthy_after = ctx.backend.timings["service_healthy_after"]
    desired = computed_count(service.desired_count, task_set.scale)
    if desired != task_set.desired_count:
        task_set.desired_count = desired
        task_set.updated_at = at
        # ECS's words, seen on a real EXTERNAL service's events (mtyurt/ecstui's recorded service).
        service.add_event(ctx.backend.ids.uuid(), at,
                          f"(service {service.name}) updated computedDesiredCount for taskSet {task_set.id} to "
                          f"{desired}.")
    everyone = [t for s in task_sets(service) for t in s.live]
    staying = [t for t in task_set.live if not _draining(t)]
    stops: list[Task] = []
    excess = len(staying) - desired
    if excess > 0:
        stops += _victims([t for t in staying if not t.protected(at)], excess, everyone, at, healthy_after)
    drained = [t for t in task_set.live if _draining(t)]
    if drained and sum(1 for t in staying if healthy(t, at, healthy_after)) >= desired:
        stops += drained
    _stop(ctx, service, task_set, stops)
    count = desired - len(staying)
    if count > 0:
        return _launch(ctx, service, task_set, count)
    return False


def _stop(ctx: Context, service: Service, task_set: TaskSet, tasks: list[Task]) -> None:
    reason = f"Scaling activity initiated by (deployment {task_set.id})"
    stopped = [t for t in tasks
               if lifecycle.request_stop(ctx.backend, t, ctx.now, "ServiceSchedulerInitiated", reason)]
    if stopped:
        task_set.updated_at = ctx.now
        listed = " ".join(f"(task {t.id})" for t in stopped)
        service.add_event(ctx.backend.ids.uuid(), ctx.now,
                          f"{task_set.subject(service.name)} has stopped {len(stopped)} running tasks: {listed}.")


def _drain(ctx: Context, service: Service, task_set: TaskSet) -> None:
    """Stop every task of a DRAINING task set; it is gone once all are STOPPING or STOPPED."""
    if task_set.desired_count:
        task_set.desired_count = 0
        task_set.updated_at = ctx.now
    _stop(ctx, service, task_set, task_set.live)
    task_set.stability_status = "STABILIZING"
    if all(t.last_status in GONE_STATES for t in task_set.tasks):
        service.deployments.remove(task_set)
        ctx.ecs.tags.pop(task_set.arn, None)


def _settle(task_set: TaskSet, at: float, healthy_after: float) -> None:
    live = task_set.live
    steady = (
        task_set.running_count == task_set.desired_count
        and task_set.pending_count == 0
        and len(live) == task_set.desired_count
        and not any(_draining(t) for t in live)
        and all(healthy(t, at, healthy_after) for t in live)
    )
    status = "STEADY_STATE" if steady else "STABILIZING"
    if status != task_set.stability_status:
        task_set.stability_status = status
        task_set.stability_at = at
