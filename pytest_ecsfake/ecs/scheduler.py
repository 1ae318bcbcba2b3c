"""The service scheduler: keeps ``desiredCount`` tasks of a service running, on the fake's clock.

The scheduler reacts to events instead of polling. Every state change of a service's task (a watcher on the
task) and every CreateService/UpdateService/DeleteService asks for a *step* ``service_scheduler_delay``
seconds later; a step also wakes itself when a task is due to become healthy or a placement is due to be
retried. One step:

1. forgets ACTIVE deployments that have nothing left RUNNING or PENDING (they become INACTIVE);
2. DRAINING service: stops every task, and turns INACTIVE once all are STOPPING or STOPPED;
3. trips the circuit breaker when the PRIMARY deployment failed too often (maybe starting a rollback);
4. stops what must go: pending tasks of older deployments, the PRIMARY's tasks beyond desiredCount
   (scale-in), and older deployments' RUNNING tasks and tasks on DRAINING container instances as far as
   ``minimumHealthyPercent`` allows;
5. starts PRIMARY tasks up to desiredCount, within ``maximumPercent`` while older deployments or tasks on
   DRAINING instances still run (those are replaced, as the developer guide's container instance draining says);
6. notes a steady state (rollout COMPLETED, "has reached a steady state.").

Service tasks carry ``startedBy`` = the deployment id and ``group`` = ``service:<name>``; the scheduler's
stops use stopCode ServiceSchedulerInitiated, "Scaling activity initiated by (deployment <id>)".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..core.context import Context
from ..core.errors import AwsError
from . import change_events, lifecycle
from .daemon import plan
from .deployments import (
    advance_history,
    forget_replaced,
    healthy,
    note_stop,
    note_unplaced,
    settle_steady,
    trip_breaker,
)
from .launch import (
    LaunchSpec,
    create_task,
    network_mode,
    place_and_create,
    split_by_strategy,
    start_on,
    strategy_launch_type,
    task_tags,
)
from .provider_scaling import launch_on_providers
from .service_model import Deployment, Service
from .tags import tag_list, tags_of
from .task_model import Task

if TYPE_CHECKING:
    from ..core.backend import Backend

GONE_STATES = frozenset({"STOPPING", "DEPROVISIONING", "STOPPED"})  # DRAINING ends when all tasks are here
REPEAT_AFTER = 6 * 3600.0  # a problem is reported again after six hours [DG:service-event-messages]
_STUCK = ("(service {}) was unable to stop or start tasks during a deployment because of the service deployment "
          "configuration. Update the minimumHealthyPercent or maximumPercent value and try again.")
TROUBLESHOOTING = "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."
_CLOSEST = {
    "RESOURCE:CPU": "has insufficient CPU units available.",
    "RESOURCE:MEMORY": "has insufficient memory available.",
    "RESOURCE:PORTS": "is already using a port required by your task.",
    "ATTRIBUTE": "is missing an attribute required by your task.",
}


def poke(backend: Backend, service: Service, due: float) -> None:
    """Make sure the scheduler takes a step for ``service`` at ``due`` or earlier."""
    pending = service.next_step
    if pending is not None and not pending.cancelled and pending.due <= due:
        return
    if pending is not None:
        pending.cancel()
    service.next_step = backend.events.schedule(due, lambda at: step(backend, service, at))


def soon(backend: Backend, service: Service, at: float) -> None:
    """Ask for a step ``service_scheduler_delay`` after ``at`` (a change the scheduler reacts to)."""
    poke(backend, service, at + backend.timings["service_scheduler_delay"])


def step(backend: Backend, service: Service, at: float) -> None:
    """One pass of the scheduler over ``service`` at fake time ``at``."""
    service.next_step = None
    if service.status == "INACTIVE":
        return
    if service.stepper is not None:  # a service of task sets (ecs/task_set_scheduler.py)
        service.stepper(backend, service, at)
        return
    ctx = Context(backend, "ecs", "ServiceScheduler", service.region, at)
    forget_replaced(service, at)
    if service.status == "ACTIVE":
        advance_history(backend, service, at)
    if service.status == "DRAINING":
        _drain(ctx, service)
        return
    healthy_after = backend.timings["service_healthy_after"]
    primary = service.primary
    if any(healthy(t, at, healthy_after) for t in primary.live):
        primary.proven = True
        primary.failed_tasks = 0
    trip_breaker(backend, service, at)
    retry = _reconcile(ctx, service)
    settle_steady(backend, service, at)
    wakes = [t.times["startedAt"] + healthy_after for t in service.tasks
             if t.last_status == "RUNNING" and t.desired_status == "RUNNING" and not healthy(t, at, healthy_after)]
    # A protected task the scheduler left alone is reconsidered when its protection ends.
    wakes += [t.protected_until for t in service.tasks
              if t.desired_status == "RUNNING" and t.protected_until is not None and t.protected(at)]
    if retry:
        wakes.append(at + backend.timings["service_placement_retry"])
    if wakes:
        poke(backend, service, min(wakes))


def _reconcile(ctx: Context, service: Service) -> bool:
    """Stop and start tasks towards desiredCount; True when tasks could not be placed (retry later)."""
    at = ctx.now
    healthy_after = ctx.backend.timings["service_healthy_after"]
    primary = service.primary
    if service.scheduling_strategy == "DAEMON":
        return _reconcile_daemon(ctx, service)
    desired = primary.desired_count = service.desired_count
    _let_orphans_go(service)
    stops = _choose_stops(service, at, healthy_after)
    _stop(ctx, service, stops)
    for deployment in service.deployments[1:]:
        deployment.desired_count = len(deployment.live)
    if primary.rollout_state == "FAILED":
        return False
    live_total = sum(len(d.live) for d in service.deployments)
    staying = [t for t in primary.live if not _draining(t)]
    leaving = live_total - len(staying)  # older deployments' tasks, and the PRIMARY's on DRAINING instances
    # maximumPercent bounds the tasks RUNNING or PENDING while tasks that are being replaced still run.
    cap = math.floor(desired * service.deployment_configuration.get("maximumPercent", 200) / 100) \
        if leaving else desired
    count = min(desired - len(staying), cap - live_total)
    if count > 0:
        return _launch(ctx, service, primary, count)
    if desired > len(staying) and not stops and leaving \
            and all(healthy(t, at, healthy_after) for d in service.deployments for t in d.live):
        _problem(ctx, service, _STUCK.format(service.name))
    return False


def _reconcile_daemon(ctx: Context, service: Service) -> bool:
    """A DAEMON service's step: its tasks follow the eligible instances (``daemon.plan``)."""
    protected = {t.id for t in service.tasks if t.protected(ctx.now)}
    stops, starts = plan(ctx, service, protected)
    _stop(ctx, service, stops)
    for deployment in service.deployments[1:]:
        deployment.desired_count = len(deployment.live)
    healthy_after = ctx.backend.timings["service_healthy_after"]
    old = [t for d in service.deployments[1:] for t in d.live]
    if not starts and not stops and old and service.primary.rollout_state != "FAILED" \
            and all(healthy(t, ctx.now, healthy_after) for d in service.deployments for t in d.live) \
            and not any(t.id in protected for t in old):
        _problem(ctx, service, _STUCK.format(service.name))
    if not starts:
        return False
    from .placement import demand_for

    primary = service.primary
    spec = _spec(ctx, service, primary)
    demand = demand_for(primary.definition.body)
    tasks: list[Task] = []
    failures: list[dict[str, Any]] = []
    for instance in starts:
        start_on(ctx, spec, instance, demand, tasks, failures)
    return _launched(ctx, service, primary, tasks, failures, len(starts))


def _choose_stops(service: Service, at: float, healthy_after: float) -> list[Task]:
    """The tasks to stop now: the PRIMARY's beyond desiredCount, and older deployments' tasks within
    minimumHealthyPercent."""
    primary, desired = service.primary, service.desired_count
    everyone = [t for d in service.deployments for t in d.live]
    stops: list[Task] = []
    staying = [t for t in primary.live if not _draining(t)]
    excess = len(staying) - desired
    if excess > 0:  # scale-in is not bounded by minimumHealthyPercent: the user lowered desiredCount
        # Protected tasks are not stopped by scale-in [DG:task-scale-in-protection]: the others go first, the
        # rest once their protection ends.
        stops += _victims([t for t in staying if not t.protected(at)], excess, everyone, at, healthy_after)
    # A PRIMARY task on a DRAINING instance is replaced like an old deployment's task (the fake's reading:
    # draining is not scale-in, so protection does not hold it).
    drained = [t for t in primary.live if _draining(t)]
    if primary.rollout_state == "FAILED":
        return stops  # a FAILED deployment without rollback leaves the older tasks where they are
    # Nor by deployments: a protected old task stays until its protection ends [DG:task-scale-in-protection].
    old_live = [t for d in service.deployments[1:] for t in d.live if not t.protected(at)] + drained
    stops += [t for t in old_live if t.last_status != "RUNNING"]  # pending old tasks would only be replaced
    minimum = math.ceil(desired * service.deployment_configuration.get("minimumHealthyPercent", 100) / 100)
    keep = [t for t in everyone if t not in stops]
    healthy_left = sum(1 for t in keep if healthy(t, at, healthy_after))
    candidates = [t for t in old_live if t not in stops]
    # An old RUNNING task may go only while minimumHealthyPercent of desiredCount stays healthy: old tasks are
    # replaced by healthy tasks, never by tasks that merely reached RUNNING (they may still crash).
    for task in _victims(candidates, len(candidates), everyone, at, healthy_after):
        is_healthy = healthy(task, at, healthy_after)
        if healthy_left - is_healthy < minimum:
            continue
        healthy_left -= is_healthy
        stops.append(task)
    return stops


def _let_orphans_go(service: Service) -> None:
    """Tasks left on an instance deregistered with ``force`` are orphaned: they run on, but are no longer the
    service's, whose scheduler "starts another copy of that task, on a different container instance if
    possible" [M:DeregisterContainerInstanceRequest.force]."""
    for deployment in service.deployments:
        instances = [t.container_instance for t in deployment.tasks]
        if any(i is not None and i.status == "INACTIVE" for i in instances):
            deployment.tasks = [t for t in deployment.tasks
                                if t.container_instance is None or t.container_instance.status != "INACTIVE"]


def _draining(task: Task) -> bool:
    """Whether the task runs on a container instance that is DRAINING: ECS replaces such service tasks."""
    instance = task.container_instance
    return instance is not None and instance.status == "DRAINING"


def _victims(candidates: list[Task], count: int, everyone: list[Task], at: float,
             healthy_after: float) -> list[Task]:
    """Which ``count`` of ``candidates`` to stop: tasks not yet healthy first, then tasks in the Availability
    Zone with the most of the service's tasks (as ECS balances zones when it stops tasks), newest first."""
    chosen: list[Task] = []
    pool = list(candidates)
    for _ in range(min(count, len(pool))):
        per_zone = Counter(t.availability_zone for t in everyone if t not in chosen)
        pick = max(pool, key=lambda t: (not healthy(t, at, healthy_after), t.last_status != "RUNNING",
                                        per_zone[t.availability_zone], t.seq))
        chosen.append(pick)
        pool.remove(pick)
    return chosen


def _stop(ctx: Context, service: Service, tasks: list[Task]) -> None:
    if not tasks:
        return
    reason = f"Scaling activity initiated by (deployment {service.primary.id})"
    stopped = [t for t in tasks
               if lifecycle.request_stop(ctx.backend, t, ctx.now, "ServiceSchedulerInitiated", reason)]
    if stopped:
        listed = " ".join(f"(task {t.id})" for t in stopped)
        service.add_event(ctx.backend.ids.uuid(), ctx.now,
                          f"(service {service.name}) has stopped {len(stopped)} running tasks: {listed}.")


def _drain(ctx: Context, service: Service) -> None:
    """DRAINING: stop every task; INACTIVE once all of them are STOPPING or STOPPED [M:DeleteService]."""
    service.desired_count = 0
    for deployment in service.deployments:
        deployment.desired_count = 0
    _stop(ctx, service, [t for d in service.deployments for t in d.live])
    if all(t.last_status in GONE_STATES for t in service.tasks):
        service.status = "INACTIVE"
        service.steady = False
        for deployment in service.deployments[1:]:
            deployment.status = "INACTIVE"
        del service.deployments[1:]


def _problem(ctx: Context, service: Service, message: str) -> None:
    """Report a problem as a service event, unless the same one was reported in the last six hours."""
    last = service.problem
    if last is not None and last[0] == message and ctx.now - last[1] < REPEAT_AFTER:
        return
    service.problem = (message, ctx.now)
    service.add_event(ctx.backend.ids.uuid(), ctx.now, message)


def follow_instances(backend: Backend, service: Service) -> None:
    """A DAEMON service's scheduler wakes whenever an instance of its cluster changes."""
    def follow(at: float) -> None:
        if service.status == "INACTIVE":
            if follow in service.cluster.instance_watchers:
                service.cluster.instance_watchers.remove(follow)
            return
        soon(backend, service, at)

    service.cluster.instance_watchers.append(follow)


def watcher(backend: Backend, service: Service, deployment: Deployment) -> Callable[[Task, str, float], None]:
    """The task watcher of a service's task: keeps the deployment's records and wakes the scheduler."""
    healthy_after = backend.timings["service_healthy_after"]

    def watch(task: Task, status: str, at: float) -> None:
        deployment.updated_at = at
        if status == "STOPPED" and task in deployment.tasks:
            deployment.tasks.remove(task)
        if task.desired_status == "STOPPED":
            note_stop(deployment, task, healthy_after)
        soon(backend, service, at)

    return watch


def _spec(ctx: Context, service: Service, deployment: Deployment) -> LaunchSpec:
    definition = deployment.definition
    awsvpc = (deployment.network_configuration or {}).get("awsvpcConfiguration") or {}
    # The service's tags reach its tasks only with propagateTags=SERVICE [M:CreateService].
    request: dict[str, Any] = {
        "propagateTags": service.propagate_tags,
        "enableECSManagedTags": service.enable_ecs_managed_tags,
        "tags": tag_list(tags_of(ctx, service.arn)) if service.propagate_tags == "SERVICE" else [],
    }
    return LaunchSpec(
        cluster=service.cluster,
        definition=definition,
        launch_type=deployment.launch_type or strategy_launch_type(deployment.capacity_provider_strategy or []),
        network_mode=network_mode(definition),
        overrides={},
        group=f"service:{service.name}",
        started_by=deployment.id,
        subnets=list(awsvpc.get("subnets", [])),
        platform_version=deployment.platform_version,
        tags=task_tags(ctx, request, definition, service.cluster, service=service.name),
        enable_execute_command=service.enable_execute_command,
    )


def _providers(service: Service, deployment: Deployment, count: int) -> list[str]:
    """Capacity providers for ``count`` more tasks, so the deployment's tasks as a whole follow the strategy
    (``base`` first, then ``weight``)."""
    strategy = deployment.capacity_provider_strategy or []
    live = deployment.live
    plan = split_by_strategy(service.cluster, strategy, len(live) + count)
    missing = Counter(plan) - Counter(t.capacity_provider or "" for t in live)
    return list(missing.elements())[:count]  # len(plan) - len(live) == count: always enough


def _launch(ctx: Context, service: Service, deployment: Deployment, count: int) -> bool:
    """Start ``count`` tasks of ``deployment``; True when some could not be placed."""
    failures: list[dict[str, Any]] = []
    try:
        spec = _spec(ctx, service, deployment)
        if deployment.capacity_provider_strategy:
            tasks, failures = launch_on_providers(ctx, spec, _providers(service, deployment, count),
                                                  service.placement_strategy, service.placement_constraints)
        elif spec.launch_type == "FARGATE":
            tasks = [create_task(ctx, spec) for _ in range(count)]
        else:
            tasks, failures = place_and_create(ctx, spec, count, service.placement_strategy,
                                               service.placement_constraints)
    except AwsError as error:
        tasks, failures = [], [{"reason": error.message}]
    return _launched(ctx, service, deployment, tasks, failures, count)


def _launched(ctx: Context, service: Service, deployment: Deployment, tasks: list[Task],
              failures: list[dict[str, Any]], count: int) -> bool:
    """Record the tasks just launched for ``deployment``; True when some of ``count`` could not be placed."""
    for task in tasks:
        task.add_watcher(watcher(ctx.backend, service, deployment))
        deployment.tasks.append(task)
    if tasks:
        deployment.updated_at = ctx.now
        listed = " ".join(f"(task {t.id})" for t in tasks)
        service.add_event(ctx.backend.ids.uuid(), ctx.now,
                          f"{deployment.subject(service.name)} has started {len(tasks)} tasks: {listed}.")
    if len(tasks) == count:
        service.problem = None
        return False
    note_unplaced(deployment, count - len(tasks))
    _problem(ctx, service, _placement_message(service, failures))
    reasons = sorted({f["reason"] for f in failures}) or ["No Container Instances were found in your cluster."]
    change_events.service_action(ctx.backend, service, "SERVICE_TASK_PLACEMENT_FAILURE", ctx.now,
                                 event_type="WARN", reasons=reasons)
    return True


def _placement_message(service: Service, failures: list[dict[str, Any]]) -> str:
    head = (f"(service {service.name}) was unable to place a task because no container instance met all of its "
            "requirements.")
    first = failures[0] if failures else {"reason": "No Container Instances were found in your cluster."}
    if "arn" not in first:
        return f"{head} Reason: {first['reason']} {TROUBLESHOOTING}"
    instance = first["arn"].rsplit("/", 1)[-1]
    what = _CLOSEST.get(first["reason"], f'encountered error "{first["reason"]}".')
    return f"{head} The closest matching (container-instance {instance}) {what} {TROUBLESHOOTING}"
