"""Task placement on EC2 and EXTERNAL container instances, as RunTask, StartTask and services need it.

``place`` chooses an instance for each task without reserving anything; the caller ``reserve``s each task it
actually creates and ``release``s it when the task stops. As ECS documents it, placement first keeps the
instances with enough CPU, memory and free host ports, then those meeting every constraint, then applies
the strategies in order; the remaining ties go to the earliest registered instance.

Without any strategy the fake spreads over ``attribute:ecs.availability-zone`` and then over ``instanceId``
(see ``docs/fidelity-container-instances.md``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.context import Context
from ..core.errors import InvalidParameterException
from .clusters import get_cluster
from .instance_model import ContainerInstance, Placed, instances_of, refresh
from .query import Expr, Value, parse

DEFAULT_STRATEGY: tuple[dict[str, str], ...] = (
    {"type": "spread", "field": "attribute:ecs.availability-zone"},
    {"type": "spread", "field": "instanceId"},
)
# Failure reasons of RunTask/StartTask: documented (RESOURCE:*, AGENT, ATTRIBUTE) and observed (constraints).
CPU, MEMORY, PORTS = "RESOURCE:CPU", "RESOURCE:MEMORY", "RESOURCE:PORTS"
AGENT, ATTRIBUTE = "AGENT", "ATTRIBUTE"
DISTINCT_INSTANCE = "DistinctInstance placement constraint unsatisfied."
MEMBER_OF = "MemberOf placement constraint unsatisfied."
NO_INSTANCES = "No Container Instances were found in your cluster."


@dataclass(frozen=True)
class Demand:
    """What one task reserves on its instance."""

    cpu: int  # CPU units: the task's cpu, else the sum of its containers' cpu
    memory: int  # MiB: the task's memory, else the sum of memoryReservation (else memory) of its containers
    ports: tuple[tuple[int, str], ...] = ()  # fixed host ports (port, "tcp"|"udp"); dynamic ones excluded


_UNITS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")


def _amount(value: Any, units: Mapping[str, int]) -> int:
    match = _UNITS.match(str(value))
    scale = units.get(match.group(2).lower()) if match else None
    if match is None or scale is None:
        raise InvalidParameterException(f"Invalid cpu or memory value {value!r}: use a number, e.g. '1024'.")
    return int(float(match.group(1)) * scale)


def demand_for(task_definition: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> Demand:
    """The Demand of one task of ``task_definition`` (the DescribeTaskDefinition shape) with RunTask
    ``overrides`` (task ``cpu``/``memory`` and ``containerOverrides``). Host ports count in ``bridge`` (a
    ``hostPort`` > 0) and ``host`` mode (the ``hostPort``, else the ``containerPort``); ``awsvpc`` tasks have
    their own network interface and take no host port."""
    overrides = overrides or {}
    changes = {o["name"]: o for o in overrides.get("containerOverrides", []) if o.get("name")}
    containers = [{**c, **changes.get(c.get("name", ""), {})} for c in task_definition.get("containerDefinitions", [])]
    task_cpu = overrides.get("cpu") or task_definition.get("cpu")
    task_memory = overrides.get("memory") or task_definition.get("memory")
    cpu = _amount(task_cpu, {"": 1, "vcpu": 1024}) if task_cpu else sum(int(c.get("cpu") or 0) for c in containers)
    if task_memory:
        memory = _amount(task_memory, {"": 1, "mb": 1, "mib": 1, "gb": 1024, "gib": 1024})
    else:
        memory = sum(int(c.get("memoryReservation") or c.get("memory") or 0) for c in containers)
    mode = task_definition.get("networkMode", "bridge")
    ports: list[tuple[int, str]] = []
    if mode in ("bridge", "host"):
        for container in containers:
            for mapping in container.get("portMappings", []):
                port = mapping.get("hostPort")
                if mode == "host" and not port:
                    port = mapping.get("containerPort")
                if port:
                    ports.append((int(port), mapping.get("protocol", "tcp")))
    return Demand(cpu=cpu, memory=memory, ports=tuple(dict.fromkeys(ports)))


# -- requests' strategies and constraints ----------------------------------------------------------------
@dataclass(frozen=True)
class _Strategy:
    kind: str  # random | spread | binpack
    field: str  # binpack: cpu|memory; spread: instanceId or attribute:<name>; random: ""


@dataclass(frozen=True)
class _Rule:
    kind: str  # distinctInstance | memberOf
    expression: Expr | None = None


def _strategy(item: Mapping[str, Any]) -> _Strategy:
    kind = item.get("type")
    given = item.get("field") or ""
    if kind == "random":
        return _Strategy("random", "")
    if kind == "binpack":
        if given.lower() not in ("cpu", "memory"):
            raise InvalidParameterException(
                f"The binpack placement strategy takes field cpu or memory, not {given!r}."
            )
        return _Strategy("binpack", given.lower())
    if kind == "spread":
        if given.lower() in ("instanceid", "host"):
            return _Strategy("spread", "instanceId")
        if given.startswith("attribute:") and len(given) > len("attribute:"):
            return _Strategy("spread", given)
        raise InvalidParameterException(
            f"The spread placement strategy takes field instanceId, host or attribute:<name> "
            f"(e.g. attribute:ecs.availability-zone), not {given!r}."
        )
    raise InvalidParameterException(f"Unknown placement strategy type {kind!r}: use random, spread or binpack.")


def _rule(item: Mapping[str, Any]) -> _Rule:
    kind = item.get("type")
    expression = item.get("expression")
    if kind == "distinctInstance":
        if expression:
            raise InvalidParameterException(
                "A distinctInstance placement constraint takes no expression; "
                f"remove {expression!r} or use type memberOf."
            )
        return _Rule("distinctInstance")
    if kind == "memberOf":
        if not expression:
            raise InvalidParameterException(
                "A memberOf placement constraint needs an expression in the cluster query language, "
                "e.g. 'attribute:ecs.instance-type =~ t3.*'."
            )
        return _Rule("memberOf", parse(expression))
    raise InvalidParameterException(
        f"Unknown placement constraint type {kind!r}: use distinctInstance or memberOf."
    )


def validate(strategies: Iterable[Mapping[str, Any]], constraints: Iterable[Mapping[str, Any]]) -> None:
    """Raise InvalidParameterException for a strategy or constraint ``place`` would refuse (CreateService
    can check a request before any task is placed)."""
    for item in strategies:
        _strategy(item)
    for item in constraints:
        _rule(item)


# -- one placement call's view of an instance ------------------------------------------------------------
@dataclass(eq=False)
class _View:
    """An instance plus the tasks this call has placed on it so far (nothing is reserved yet)."""

    instance: ContainerInstance
    demands: list[Demand] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    @property
    def remaining_cpu(self) -> int:
        return self.instance.remaining_cpu - sum(d.cpu for d in self.demands)

    @property
    def remaining_memory(self) -> int:
        return self.instance.remaining_memory - sum(d.memory for d in self.demands)

    def used_ports(self, protocol: str) -> set[str]:
        taken = set(self.instance.used_ports(protocol))
        taken.update(str(p) for d in self.demands for p, proto in d.ports if proto == protocol)
        return taken

    def group_count(self, group: str) -> int:
        return self.instance.group_count(group) + self.groups.count(group)

    def add(self, group: str, demand: Demand) -> None:
        self.groups.append(group)
        self.demands.append(demand)

    def query_value(self, subject: str) -> Value:
        value = self.instance.query_value(subject)
        if subject == "task:group" and isinstance(value, frozenset):
            return value | frozenset(self.groups)
        if subject == "runningTasksCount" and isinstance(value, int):
            return value + len(self.groups)
        return value


def _resource_reason(view: _View, demand: Demand) -> str | None:
    if not view.instance.agent_connected:
        return AGENT
    if demand.cpu > view.remaining_cpu:
        return CPU
    if demand.memory > view.remaining_memory:
        return MEMORY
    if any(str(port) in view.used_ports(proto) for port, proto in demand.ports):
        return PORTS
    return None


def misfit(instance: ContainerInstance, demand: Demand) -> str | None:
    """Why ``demand`` does not fit on ``instance`` now (a failure reason such as "RESOURCE:CPU"), or None.
    For StartTask, which names its instances."""
    return _resource_reason(_View(instance), demand)


def _exclusion(view: _View, demand: Demand, group: str, rules: Sequence[_Rule], requires: Sequence[str]) -> str | None:
    reason = _resource_reason(view, demand)
    if reason:
        return reason
    if any(name not in view.instance.attributes for name in requires):
        return ATTRIBUTE
    for rule in rules:
        if rule.kind == "distinctInstance" and view.group_count(group):
            return DISTINCT_INSTANCE
        if rule.expression is not None and not rule.expression.matches(view):
            return MEMBER_OF
    return None


def unmet(instance: ContainerInstance, constraints: Sequence[Mapping[str, Any]], requires: Sequence[str]) -> str | None:
    """The first placement constraint (or required attribute) ``instance`` does not meet, resources aside, or
    None: which instances a DAEMON service keeps a task on [M:CreateServiceRequest.schedulingStrategy]."""
    view = _View(instance)
    if any(name not in instance.attributes for name in requires):
        return ATTRIBUTE
    for rule in (_rule(c) for c in constraints):
        if rule.expression is not None and not rule.expression.matches(view):
            return MEMBER_OF
    return None  # distinctInstance: one task per instance is what a daemon is


def _spread_key(strategy: _Strategy, view: _View) -> object:
    if strategy.field == "instanceId":
        return view.instance.id
    return view.instance.query_value(strategy.field)


def _choose(ctx: Context, fits: list[_View], plan: Sequence[_Strategy], group: str, members: list[_View]) -> _View:
    candidates = fits
    for strategy in plan:
        if len(candidates) == 1:
            break
        if strategy.kind == "random":
            chosen: _View = ctx.backend.ids.choice(candidates)
            return chosen
        if strategy.kind == "binpack":
            left = {v: v.remaining_cpu if strategy.field == "cpu" else v.remaining_memory for v in candidates}
            least = min(left.values())
            candidates = [v for v in candidates if left[v] == least]
        else:
            # Tasks of the group per value of the field, over every instance of the cluster.
            tally: Counter[object] = Counter()
            for view in members:
                tally[_spread_key(strategy, view)] += view.group_count(group)
            fewest = min(tally[_spread_key(strategy, v)] for v in candidates)
            candidates = [v for v in candidates if tally[_spread_key(strategy, v)] == fewest]
    return candidates[0]


def place(
    ctx: Context,
    cluster_name: str,
    demand: Demand,
    count: int,
    group: str,
    strategies: list[dict[str, Any]],
    constraints: list[dict[str, Any]],
    *,
    launch_type: str | None = None,
    requires: Iterable[str] = (),
    eligible: Callable[[ContainerInstance], bool] | None = None,
) -> tuple[list[ContainerInstance], list[dict[str, Any]]]:
    """Choose an instance for each of ``count`` tasks of ``group``; reserve nothing.

    Returns the chosen instances (one per task placed, in order; fewer than ``count`` when the rest fit
    nowhere) and ECS ``failures`` ({"arn": instance ARN, "reason": ...}, one per instance that could not take
    the first task that did not fit, with the first reason that excluded it). ``launch_type`` "EC2" or
    "EXTERNAL" keeps only that kind of instance; ``requires`` names attributes every instance must have
    (a task definition's ``requiresAttributes``; failure reason ATTRIBUTE); ``eligible`` keeps only the
    instances it accepts (an Auto Scaling group provider's). Raises ClusterNotFoundException,
    InvalidParameterException for a bad strategy or constraint, and InvalidParameterException "No Container
    Instances were found in your cluster." when the cluster has no ACTIVE instance (of that launch type).
    """
    cluster = get_cluster(ctx, cluster_name)
    plan = [_strategy(s) for s in strategies] or [_strategy(s) for s in DEFAULT_STRATEGY]
    rules = [_rule(c) for c in constraints]
    required = list(requires)
    members = [_View(i) for i in instances_of(ctx, cluster) if i.status != "INACTIVE"]
    for view in members:
        refresh(ctx, view.instance)
    pool = [
        v
        for v in members
        if v.instance.status == "ACTIVE"
        and (launch_type is None or v.instance.external == (launch_type == "EXTERNAL"))
        and (eligible is None or eligible(v.instance))
    ]
    if not pool:
        raise InvalidParameterException(NO_INSTANCES)
    chosen: list[ContainerInstance] = []
    failures: list[dict[str, Any]] = []
    for _ in range(count):
        fits: list[_View] = []
        reasons: dict[str, str] = {}
        for view in pool:
            reason = _exclusion(view, demand, group, rules, required)
            if reason is None:
                fits.append(view)
            else:
                reasons[view.instance.arn] = reason
        if not fits:
            # Nothing changes between the tasks of one call once one fits nowhere: the rest fail alike.
            failures.extend({"arn": arn, "reason": reason} for arn, reason in reasons.items())
            break
        pick = _choose(ctx, fits, plan, group, members)
        pick.add(group, demand)
        chosen.append(pick.instance)
    return chosen, failures


# -- reservations ----------------------------------------------------------------------------------------
def reserve(instance: ContainerInstance, task_arn: str, group: str, demand: Demand) -> None:
    """Take ``demand`` on ``instance`` for the task (lastStatus PENDING, desiredStatus RUNNING). Reserving
    a task again replaces its reservation."""
    instance.tasks.pop(task_arn, None)
    instance.tasks[task_arn] = Placed(group, demand)
    instance.version += 1


def release(instance: ContainerInstance, task_arn: str) -> None:
    """Give the task's CPU, memory and ports back. Idempotent."""
    if instance.tasks.pop(task_arn, None) is not None:
        instance.version += 1


def set_task_status(
    instance: ContainerInstance, task_arn: str, *, last_status: str | None = None, desired_status: str | None = None
) -> None:
    """Tell the instance a task's statuses, for its runningTasksCount (desiredStatus RUNNING) and
    pendingTasksCount (lastStatus PENDING). Unknown tasks are ignored."""
    placed = instance.tasks.get(task_arn)
    if placed is None:
        return
    if last_status is not None:
        placed.last_status = last_status
    if desired_status is not None:
        placed.desired_status = desired_status
