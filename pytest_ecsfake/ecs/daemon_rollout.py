"""A managed daemon on the fake clock: one task on each eligible container instance, deployments that roll its
tasks to the latest revision, replacement of tasks that stop, and the drain that DeleteDaemon starts.

Eligible: an ACTIVE, non-EXTERNAL container instance of the daemon's cluster that belongs to one of the
daemon's capacity providers (an instance a provider's scale-out registered), or that belongs to no provider
(registered by hand: it counts for the daemon's first provider). On a DRAINING instance the daemon task is
the last to stop: it stays until the instance's other tasks have stopped ("Amazon ECS starts a daemon task
before scheduling other tasks" [M:CreateDaemon]; the fake's reading for the way out). A step runs
``service_scheduler_delay`` after anything changed: an instance registered, changed status or left; a daemon
task changed status; the daemon was created, updated or deleted. Real ECS drains and replaces the *instances*
of a Managed Instances provider; the fake has no Managed Instances, so it replaces the daemon *task* on each
instance, ``drainPercent`` of the instances at a time (docs/fidelity-daemons.md).
"""

from __future__ import annotations

import math
from typing import Any

from ..core.backend import Backend
from ..core.context import Context
from . import lifecycle
from .daemon_model import Daemon, DaemonDeployment, DaemonRevision
from .instance_model import ContainerInstance, instances_of
from .launch import LaunchSpec, create_task
from .placement import demand_for, misfit, reserve
from .tags import tag_list, tags_of
from .task_model import Task

# A deployment is PENDING this long before it starts (the API reference's DescribeDaemonDeployments sample
# shows startedAt 5 s after createdAt).
DEPLOYMENT_START = 5.0
# drainPercent when the request gives none: the console's default, per the Developer Guide
# ("Drain percentage ... Default: 25", managed-daemons-create-manage).
DEFAULT_DRAIN_PERCENT = 25.0
SUCCESSFUL = "Deployment completed successfully."  # the API reference's DescribeDaemonDeployments sample
# Not confirmed: AWS's statusReason for these is not quoted anywhere we found.
REPLACED = "Deployment stopped because a newer deployment of the daemon started."
ROLLED_BACK = "Deployment rolled back to the previous daemon revision: the circuit breaker threshold was reached."
ROLLBACK_FAILED = "The circuit breaker threshold was reached and there is no previous daemon revision to roll back to."
STOP_REASON = "Daemon deployment replaced the task"  # the fake's stoppedReason for a task it rolls
DELETE_REASON = "Daemon deleted"
# How often a daemon task kept on a DRAINING instance is looked at again (seconds of fake time).
RECHECK = 30.0


def provider_names(ctx: Context, daemon: Daemon) -> list[str]:
    prefix = ctx.arn("ecs", "capacity-provider/")
    return [arn[len(prefix):] if arn.startswith(prefix) else arn for arn in daemon.provider_arns]


def eligible(ctx: Context, daemon: Daemon) -> dict[str, tuple[ContainerInstance, str]]:
    """Instance id → (instance, the ARN of the provider it counts for)."""
    names = provider_names(ctx, daemon)
    if not names:
        return {}
    found: dict[str, tuple[ContainerInstance, str]] = {}
    for instance in instances_of(ctx, daemon.cluster):
        if instance.status != "ACTIVE" or instance.external:
            continue
        name = instance.capacity_provider or names[0]
        if name in names:
            found[instance.id] = (instance, ctx.arn("ecs", f"capacity-provider/{name}"))
    return found


def soon(backend: Backend, region: str, daemon: Daemon, at: float) -> None:
    """Schedule a step ``service_scheduler_delay`` from ``at`` (at most one pending, the earliest)."""
    due = at + backend.timings["service_scheduler_delay"]
    if daemon.scheduled is not None and daemon.scheduled <= due:
        return
    daemon.scheduled = due

    def run(now: float) -> None:
        if daemon.scheduled != due:
            return
        daemon.scheduled = None
        step(Context(backend, "ecs", "DaemonScheduler", region, now), daemon)

    backend.events.schedule(due, run)


def at_time(backend: Backend, region: str, daemon: Daemon, due: float) -> None:
    """A step at ``due`` exactly (a deployment's start, the end of a bake time)."""
    def run(now: float) -> None:
        step(Context(backend, "ecs", "DaemonScheduler", region, now), daemon)

    backend.events.schedule(due, run)


def follow_instances(backend: Backend, region: str, daemon: Daemon) -> None:
    def follow(at: float) -> None:
        if daemon.arn not in Context(backend, "ecs", "DaemonScheduler", region, at).ecs.daemons:
            if follow in daemon.cluster.instance_watchers:
                daemon.cluster.instance_watchers.remove(follow)
            return
        soon(backend, region, daemon, at)

    daemon.cluster.instance_watchers.append(follow)


def _spec(ctx: Context, daemon: Daemon, revision: DaemonRevision) -> LaunchSpec:
    tags: dict[str, str] = {}
    if revision.propagate_tags == "DAEMON":
        tags.update(tags_of(ctx, daemon.arn))
    if revision.enable_ecs_managed_tags:
        tags["aws:ecs:clusterName"] = daemon.cluster.name
        tags["aws:ecs:daemonName"] = daemon.name  # the fake's name for it (AWS documents none)
    deployment = daemon.deployment
    return LaunchSpec(
        cluster=daemon.cluster, definition=revision.definition.launchable(), launch_type="EC2",
        network_mode=revision.definition.launchable().body["networkMode"], overrides={},
        group=f"daemon:{daemon.name}", started_by=deployment.id if deployment is not None else None,
        subnets=[], platform_version=None, tags=tag_list(tags),
        enable_execute_command=revision.enable_execute_command,
    )


def _watch(backend: Backend, region: str, daemon: Daemon) -> Any:
    def watch(task: Task, status: str, at: float) -> None:
        if status == "STOPPED" and task in daemon.tasks:
            daemon.tasks.remove(task)
        deployment = daemon.deployment
        if (status == "STOPPED" and deployment is not None and deployment.status == "IN_PROGRESS"
                and task.stopped_reason not in (STOP_REASON, DELETE_REASON)
                and daemon.revisions.get(task.arn) is deployment.target):
            deployment.failure_count += 1  # a task of the target revision failed during the deployment
        soon(backend, region, daemon, at)

    return watch


def _start(ctx: Context, daemon: Daemon, revision: DaemonRevision, instance: ContainerInstance, provider: str) -> bool:
    spec = _spec(ctx, daemon, revision)
    demand = demand_for(spec.definition.body)
    if misfit(instance, demand) is not None:
        return False
    task = create_task(ctx, spec, capacity_provider=provider.rsplit("/", 1)[-1], container_instance=instance)
    reserve(instance, task.arn, spec.group, demand)
    daemon.tasks.append(task)
    daemon.revisions[task.arn] = revision
    task.add_watcher(_watch(ctx.backend, ctx.region, daemon))
    return True


def _stop(ctx: Context, task: Task, reason: str) -> None:
    lifecycle.request_stop(ctx.backend, task, ctx.now, "ServiceSchedulerInitiated", reason)


def _finish(deployment: DaemonDeployment, at: float, status: str, reason: str) -> None:
    deployment.status = status
    deployment.status_reason = reason
    deployment.finished_at = at


def _others_on(daemon: Daemon, instance: ContainerInstance | None) -> bool:
    """A DRAINING instance that still has tasks other than this daemon's not yet stopped."""
    if instance is None or instance.status != "DRAINING":
        return False
    group = f"daemon:{daemon.name}"
    return any(p.group != group and p.last_status != "STOPPED" for p in instance.tasks.values())


def _by_instance(daemon: Daemon) -> dict[str, list[Task]]:
    found: dict[str, list[Task]] = {}
    for task in daemon.tasks:
        if task.container_instance is not None:
            found.setdefault(task.container_instance.id, []).append(task)
    return found


def step(ctx: Context, daemon: Daemon) -> None:
    """One pass of the daemon's scheduler."""
    deployment = daemon.deployment
    if deployment is not None and deployment.status == "PENDING":
        if ctx.now < deployment.created_at + DEPLOYMENT_START:
            return
        deployment.status = "IN_PROGRESS"
        deployment.started_at = ctx.now
    if daemon.status == "DELETE_IN_PROGRESS":
        _drain(ctx, daemon)
        return
    targets = eligible(ctx, daemon)
    on = _by_instance(daemon)
    kept = False
    for task in daemon.tasks:
        where = task.container_instance.id if task.container_instance is not None else None
        if where in targets or task.desired_status == "STOPPED":
            continue
        if _others_on(daemon, task.container_instance):
            kept = True  # a DRAINING instance keeps its daemon task until its other tasks have stopped
            continue
        _stop(ctx, task, STOP_REASON)  # its instance drained, left, or is no longer the daemon's
    if kept:
        at_time(ctx.backend, ctx.region, daemon, ctx.now + RECHECK)
    _circuit_breaker(ctx, daemon)
    target = daemon.revision
    live = deployment is not None and deployment.status in ("IN_PROGRESS", "ROLLBACK_IN_PROGRESS")
    drain_percent = daemon.configuration.get("drainPercent", DEFAULT_DRAIN_PERCENT)
    batch = max(1, math.ceil(len(targets) * drain_percent / 100))
    busy = 0  # instances being rolled now: an old task stopping there, or its new task not RUNNING yet
    stale: list[Task] = []
    unfit: set[str] = set()  # instances the target task does not fit on (CPU, memory)
    for instance_id, (instance, provider) in targets.items():
        tasks = [t for t in on.get(instance_id, []) if t.desired_status != "STOPPED"]
        stopping = [t for t in on.get(instance_id, []) if t.desired_status == "STOPPED"]
        current = [t for t in tasks if daemon.revisions[t.arn] is target]
        old = [t for t in tasks if daemon.revisions[t.arn] is not target]
        for extra in current[1:]:
            _stop(ctx, extra, STOP_REASON)
        if old:
            stale.extend(old)
            continue
        if stopping:
            busy += any(daemon.revisions[t.arn] is not target for t in stopping)
            continue  # wait until its task has STOPPED and given its resources back
        if current:
            busy += current[0].last_status != "RUNNING" and bool(deployment and deployment.sources)
            continue
        if not _start(ctx, daemon, target, instance, provider):
            unfit.add(instance_id)
    if stale and live and deployment is not None:
        _roll(ctx, daemon, deployment, stale, batch, busy)
    _count(ctx, daemon, targets)
    if deployment is None or not live:
        return
    # A non-critical daemon does not wait for instances its task does not fit on; a critical one does.
    done = not stale and all(
        (i in unfit and not target.critical) or any(
            daemon.revisions[t.arn] is target and t.last_status == "RUNNING" and t.desired_status == "RUNNING"
            for t in on.get(i, [])) for i in targets)
    if done:
        if deployment.status == "ROLLBACK_IN_PROGRESS":
            _finish(deployment, ctx.now, "ROLLBACK_SUCCESSFUL", ROLLED_BACK)
        else:
            _finish(deployment, ctx.now, "SUCCESSFUL", SUCCESSFUL)


def _roll(ctx: Context, daemon: Daemon, deployment: DaemonDeployment, stale: list[Task], batch: int,
          busy: int) -> None:
    """Stop old-revision tasks, ``batch`` instances at a time. With a bake time, a batch must be done (every new
    task RUNNING) and the bake time over before the next batch starts [M:DaemonDeploymentConfiguration]."""
    bake = 60.0 * daemon.configuration.get("bakeTimeInMinutes", 0)
    if busy == 0 and deployment.batch_open:
        deployment.batch_open = False
        if bake:
            deployment.next_batch_at = ctx.now + bake
            at_time(ctx.backend, ctx.region, daemon, deployment.next_batch_at)
    if ctx.now < deployment.next_batch_at or (bake and busy):
        return
    room = max(0, batch - busy)
    for task in stale[:room]:
        _stop(ctx, task, STOP_REASON)
    if room:
        deployment.batch_open = True


def _circuit_breaker(ctx: Context, daemon: Daemon) -> None:
    """At the threshold of failed target tasks, roll back to the revision the deployment replaced."""
    from .daemon_model import CIRCUIT_BREAKER_THRESHOLD

    deployment = daemon.deployment
    if deployment is None or deployment.status != "IN_PROGRESS" or deployment.failure_count < CIRCUIT_BREAKER_THRESHOLD:
        return
    if not deployment.sources:
        _finish(deployment, ctx.now, "ROLLBACK_FAILED", ROLLBACK_FAILED)
        return
    previous = deployment.sources[-1]
    deployment.status = "ROLLBACK_IN_PROGRESS"
    deployment.rollback = {"reason": "The circuit breaker threshold was reached.", "startedAt": ctx.now,
                           "rollbackTargetDaemonRevisionArn": previous.arn,
                           "rollbackCapacityProviders": list(previous.capacity_providers)}
    daemon.revision = previous


def _drain(ctx: Context, daemon: Daemon) -> None:
    """DeleteDaemon: every task stops; once all are STOPPED the deployment is SUCCESSFUL and the daemon gone."""
    for task in daemon.tasks:
        if task.desired_status != "STOPPED":
            _stop(ctx, task, DELETE_REASON)
    deployment = daemon.deployment
    if daemon.tasks or deployment is None or deployment.status != "IN_PROGRESS":
        return
    _finish(deployment, ctx.now, "SUCCESSFUL", SUCCESSFUL)
    ctx.ecs.daemons.pop(daemon.arn, None)
    ctx.ecs.tags.pop(daemon.arn, None)


def counts(ctx: Context, daemon: Daemon) -> dict[str, dict[str, tuple[int, int]]]:
    """By revision ARN, provider ARN: (RUNNING tasks, eligible instances without a RUNNING daemon task)."""
    targets = eligible(ctx, daemon) if daemon.status == "ACTIVE" else {}
    found: dict[str, dict[str, list[int]]] = {}
    for revision in daemon.live_revisions():
        found[revision.arn] = {arn: [0, 0] for arn in revision.capacity_providers}
    covered: set[str] = set()
    for task in daemon.tasks:
        if task.last_status != "RUNNING" or task.container_instance is None:
            continue
        revision = daemon.revisions[task.arn]
        provider = ctx.arn("ecs", f"capacity-provider/{task.capacity_provider}")
        found.setdefault(revision.arn, {}).setdefault(provider, [0, 0])[0] += 1
        covered.add(task.container_instance.id)
    if not daemon.revision.critical:  # withoutDaemonCount applies to daemons that aren't critical [M:...]
        for instance_id, (_, provider) in targets.items():
            if instance_id not in covered:
                found[daemon.revision.arn].setdefault(provider, [0, 0])[1] += 1
    return {arn: {p: (c[0], c[1]) for p, c in per.items()} for arn, per in found.items()}


def _count(ctx: Context, daemon: Daemon, targets: dict[str, tuple[ContainerInstance, str]]) -> None:
    """Keep the deployment's instance counts (running, without daemon, draining) per revision and provider."""
    deployment = daemon.deployment
    if deployment is None or not deployment.live:
        return
    per: dict[str, dict[str, list[int]]] = {}
    for revision in [*deployment.sources, *([deployment.target] if deployment.target else [])]:
        per[revision.arn] = {arn: [0, 0, 0] for arn in revision.capacity_providers}
    covered: set[str] = set()
    for task in daemon.tasks:
        if task.container_instance is None:
            continue
        revision = daemon.revisions[task.arn]
        provider = ctx.arn("ecs", f"capacity-provider/{task.capacity_provider}")
        slot = per.setdefault(revision.arn, {}).setdefault(provider, [0, 0, 0])
        if task.desired_status == "STOPPED":
            slot[2] += 1
        elif task.last_status == "RUNNING":
            slot[0] += 1
            covered.add(task.container_instance.id)
    if deployment.target is not None and not deployment.target.critical:
        for instance_id, (_, provider) in targets.items():
            if instance_id not in covered:
                per[deployment.target.arn].setdefault(provider, [0, 0, 0])[1] += 1
    deployment.counts = {arn: {p: (c[0], c[1], c[2]) for p, c in slots.items()} for arn, slots in per.items()}
