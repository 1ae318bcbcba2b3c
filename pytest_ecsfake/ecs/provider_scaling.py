"""Tasks launched through a capacity provider strategy, and managed scaling of Auto Scaling group providers on
the fake clock (docs/fidelity-capacity-providers.md).

Fargate providers create Fargate tasks. An Auto Scaling group provider places EC2 tasks on the cluster's
container instances of its group (those its scale-outs registered, and those registered without a provider).
A task that fits nowhere:

* with managed scaling ENABLED waits in PROVISIONING: after the timing ``capacity_provider_scale_out`` the
  fake registers instances for it (``minimumScalingStepSize`` to ``maximumScalingStepSize`` per step, never
  more than ``GROUP_MAX_SIZE`` in the group) and places the waiting tasks in order; a task still waiting after
  ``capacity_provider_provisioning_timeout`` is stopped (TaskFailedToStart). "Tasks in the provisioning state
  include tasks that could not find sufficient resources on the existing instances" (AWS, "Deep dive on Amazon
  ECS cluster auto scaling").
* with managed scaling DISABLED is a RunTask failure (RESOURCE:CPU, ...) as without a provider: "the transition
  to provisioning only happens if you have enabled managed scaling for the capacity provider; otherwise, tasks
  that can't find capacity will fail immediately" (the same post).

Scale-in: a container instance a scale-out registered is deregistered once it has had no task for
``SCALE_IN_AFTER`` seconds (AWS's scale-in alarm takes 15 one-minute datapoints).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.context import Context
from ..core.errors import InvalidParameterException
from . import lifecycle
from .instance_model import ContainerInstance, instances_of
from .instance_registration import register_instance
from .launch import LaunchSpec, create_task
from .placement import NO_INSTANCES, Demand, demand_for, place, reserve
from .state import CapacityProvider, Cluster
from .task_model import Task

if TYPE_CHECKING:
    from ..core.backend import Backend

GROUP_MAX_SIZE = 100  # the fake's stand-in for the Auto Scaling group's maximum size
DEFAULT_INSTANCE = (2048, 8192, "m5.large")  # CPU units, MiB, type: when the cluster has no instance to copy
SCALE_IN_AFTER = 900.0
NO_CAPACITY_CODE = "TaskFailedToStart"
NO_CAPACITY_REASON = "EMPTY CAPACITY PROVIDER"  # observed on tasks that waited for capacity in vain
# Observed in a service event for a provider with no instance (aws/containers-roadmap#653).
NO_PROVIDER_INSTANCES = "No Container Instances were found in your capacity provider."


@dataclass(frozen=True)
class Needs:
    """What placing a task of a launch needs."""

    demand: Demand
    strategies: list[dict[str, Any]]
    constraints: list[dict[str, Any]]
    requires: list[str]


@dataclass(eq=False)
class Waiter:
    """A task waiting in PROVISIONING for capacity."""

    task: Task
    needs: Needs


def scaling_enabled(provider: CapacityProvider) -> bool:
    return bool(provider.asg["managedScaling"]["status"] == "ENABLED")


def _eligible(provider: CapacityProvider) -> Any:
    return lambda instance: instance.capacity_provider in (None, provider.name) and not instance.external


def _group(ctx: Context, cluster: Cluster, provider: CapacityProvider) -> list[ContainerInstance]:
    accept = _eligible(provider)
    return [i for i in instances_of(ctx, cluster) if i.status == "ACTIVE" and accept(i)]


def _place(ctx: Context, cluster: Cluster, provider: CapacityProvider, needs: Needs,
           count: int, group: str) -> tuple[list[ContainerInstance], list[dict[str, Any]]]:
    try:
        return place(ctx, cluster.name, needs.demand, count, group, needs.strategies,
                     needs.constraints, launch_type="EC2", requires=needs.requires,
                     eligible=_eligible(provider))
    except InvalidParameterException as error:
        if error.message != NO_INSTANCES:
            raise
        if not scaling_enabled(provider):
            raise InvalidParameterException(NO_PROVIDER_INSTANCES) from None
        return [], []


def launch_on_providers(ctx: Context, spec: LaunchSpec, providers: list[str], strategies: list[dict[str, Any]],
                        constraints: list[dict[str, Any]]) -> tuple[list[Task], list[dict[str, Any]]]:
    """Create the tasks of ``providers`` (one name per task, as ``split_by_strategy`` chose them)."""
    if spec.launch_type == "FARGATE":
        return [create_task(ctx, spec, capacity_provider=p) for p in providers], []
    body = spec.definition.body
    needs = Needs(
        demand=demand_for(body, spec.overrides),
        strategies=list(strategies),
        constraints=list(body.get("placementConstraints", [])) + list(constraints),
        requires=[a["name"] for a in body.get("requiresAttributes", [])],
    )
    tasks: list[Task] = []
    failures: list[dict[str, Any]] = []
    for name, count in Counter(providers).items():
        provider = ctx.ecs.capacity_providers[name]
        instances, missed = _place(ctx, spec.cluster, provider, needs, count, spec.group)
        for instance in instances:
            task = create_task(ctx, spec, capacity_provider=name, container_instance=instance)
            reserve(instance, task.arn, spec.group, needs.demand)
            _watch_idle(ctx.backend, ctx.region, provider, instance, task)
            tasks.append(task)
        rest = count - len(instances)
        if rest and scaling_enabled(provider):
            for _ in range(rest):
                task = create_task(ctx, spec, capacity_provider=name, waiting=True)
                _wait(ctx, provider, Waiter(task, needs))
                tasks.append(task)
        else:
            failures.extend(missed)
    return tasks, failures


def _wait(ctx: Context, provider: CapacityProvider, waiter: Waiter) -> None:
    backend, region = ctx.backend, ctx.region
    provider.waiting.append(waiter)

    def give_up(at: float) -> None:
        if waiter in provider.waiting:
            provider.waiting.remove(waiter)
            lifecycle.request_stop(backend, waiter.task, at, NO_CAPACITY_CODE, NO_CAPACITY_REASON)

    backend.events.schedule(ctx.now + backend.timings["capacity_provider_provisioning_timeout"], give_up)
    want_capacity(backend, region, provider, ctx.now)


def want_capacity(backend: Backend, region: str, provider: CapacityProvider, now: float) -> None:
    """Schedule a scale-out step for the provider's waiting tasks, unless one is under way."""
    if provider.step_due is not None or not scaling_enabled(provider):
        return
    due = now + backend.timings["capacity_provider_scale_out"]
    provider.step_due = due
    backend.events.schedule(due, lambda t: _step(backend, region, provider, t))


def _place_waiting(ctx: Context, cluster: Cluster, provider: CapacityProvider) -> None:
    for waiter in list(provider.waiting):
        task = waiter.task
        instances, _ = _place(ctx, cluster, provider, waiter.needs, 1, task.group)
        if not instances:
            continue
        instance = instances[0]
        provider.waiting.remove(waiter)
        task.container_instance = instance
        task.availability_zone = instance.availability_zone
        reserve(instance, task.arn, task.group, waiter.needs.demand)
        _watch_idle(ctx.backend, ctx.region, provider, instance, task)
        lifecycle.resume(ctx.backend, task, ctx.now)


def _size(ctx: Context, cluster: Cluster, provider: CapacityProvider) -> tuple[int, int, str]:
    """The size of the instances a scale-out registers: the group's first instance's, else DEFAULT_INSTANCE."""
    for instance in _group(ctx, cluster, provider):
        return instance.cpu, instance.memory, instance.instance_type or DEFAULT_INSTANCE[2]
    return DEFAULT_INSTANCE


def _needed(demands: list[Demand], cpu: int, memory: int) -> int:
    """How many empty instances of that size the demands take, first fit in order (ports aside: each new
    instance has them all). A demand bigger than one instance is left out: no scale-out can place it."""
    bins: list[list[int]] = []
    for demand in demands:
        if demand.cpu > cpu or demand.memory > memory:
            continue
        for room in bins:
            if room[0] >= demand.cpu and room[1] >= demand.memory and not demand.ports:
                room[0] -= demand.cpu
                room[1] -= demand.memory
                break
        else:
            bins.append([cpu - demand.cpu, memory - demand.memory])
    return len(bins)


def _step(backend: Backend, region: str, provider: CapacityProvider, at: float) -> None:
    provider.step_due = None
    ctx = Context(backend, "ecs", "ManagedScaling", region, at)
    provider.waiting[:] = [w for w in provider.waiting if w.task.desired_status != "STOPPED"]
    cluster = ctx.ecs.clusters.get(provider.cluster or "")
    if not provider.waiting or cluster is None or cluster.status != "ACTIVE" or not scaling_enabled(provider):
        return
    _place_waiting(ctx, cluster, provider)  # capacity may have come meanwhile
    if not provider.waiting:
        return
    cpu, memory, instance_type = _size(ctx, cluster, provider)
    needed = _needed([w.needs.demand for w in provider.waiting], cpu, memory)
    if needed == 0:
        return  # nothing waiting fits on an instance of the group: the tasks wait until their timeout
    scaling = provider.asg["managedScaling"]
    group = _group(ctx, cluster, provider)
    busy = sum(1 for i in group if i.tasks)
    # targetCapacity < 100 keeps spare instances: busy / total stays at most the target [M:ManagedScaling].
    wanted = max(needed, math.ceil((busy + needed) * 100 / scaling["targetCapacity"]) - len(group))
    count = min(max(wanted, scaling["minimumScalingStepSize"]), scaling["maximumScalingStepSize"],
                GROUP_MAX_SIZE - len(group))
    for _ in range(max(count, 0)):
        instance = register_instance(ctx, cluster, cpu=cpu, memory=memory, instance_type=instance_type)
        instance.capacity_provider = provider.name
        provider.launched.append(instance)
        _watch_idle(backend, region, provider, instance, None)
    _place_waiting(ctx, cluster, provider)
    if provider.waiting and count > 0:
        want_capacity(backend, region, provider, at)


def _watch_idle(backend: Backend, region: str, provider: CapacityProvider, instance: ContainerInstance,
                task: Task | None) -> None:
    """Scale-in: a scale-out's instance with no task for SCALE_IN_AFTER is deregistered, while managed scaling
    is ENABLED (with managed termination protection too: an instance with tasks is never chosen)."""
    if instance.capacity_provider != provider.name:
        return

    def check(at: float) -> None:
        if instance.tasks or instance.status != "ACTIVE" or not scaling_enabled(provider):
            return
        if provider.waiting:
            return
        instance.cluster_ref.container_instances -= 1
        instance.status = "INACTIVE"
        instance.agent_connected = False
        instance.version += 1

    def stopped(_: Task, status: str, at: float) -> None:
        if status == "STOPPED":
            backend.events.schedule(at + SCALE_IN_AFTER, check)

    if task is None:
        backend.events.schedule(instance.registered_at + SCALE_IN_AFTER, check)
    else:
        task.add_watcher(stopped)
