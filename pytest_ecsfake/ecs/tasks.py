"""RunTask, StartTask, StopTask, DescribeTasks, ListTasks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..core.context import Context
from ..core.encoded import Encoded, string_list
from ..core.errors import AwsError, ConflictException, InvalidParameterException
from ..core.paging import make_token, read_token, with_token
from ..core.registry import handler
from ..core.reuse import described
from . import lifecycle
from .clusters import get_cluster
from .launch import (
    EXEC_NEEDS_ROLE_TASK,
    LaunchSpec,
    check_launch_type,
    check_network,
    check_overrides,
    create_task,
    network_mode,
    place_and_create,
    platform_version,
    require_active,
    require_exec_role,
    split_by_strategy,
    start_on,
    strategy_launch_type,
    task_tags,
)
from .lookup import describe_each
from .state import Cluster
from .tags import resolver, tag_list, tags_of
from .task_definitions import resolve_task_definition
from .task_model import Task

TASK_NOT_FOUND = "The referenced task was not found."


def _spec(ctx: Context, req: dict[str, Any], launch_type: str, cluster: Cluster | None = None) -> LaunchSpec:
    if cluster is None:
        cluster = get_cluster(ctx, req.get("cluster"))
    definition = resolve_task_definition(ctx, req["taskDefinition"])
    require_active(definition)
    check_launch_type(definition, launch_type)
    mode = network_mode(definition)
    overrides = req.get("overrides", {})
    check_overrides(definition, overrides)
    if req.get("enableExecuteCommand"):
        require_exec_role(definition, overrides, EXEC_NEEDS_ROLE_TASK)
    return LaunchSpec(
        cluster=cluster,
        definition=definition,
        launch_type=launch_type,
        network_mode=mode,
        overrides=overrides,
        group=req.get("group", f"family:{definition.family}"),
        started_by=req.get("startedBy"),
        subnets=check_network(req, mode),
        platform_version=platform_version(req, launch_type),
        tags=task_tags(ctx, req, definition, cluster),
        enable_execute_command=req.get("enableExecuteCommand", False),
    )


def _describe(ctx: Context, task: Task, with_tags: bool) -> Encoded:
    """The task's wire shape, encoded once per state of the fake (see core.reuse)."""
    return described(ctx.backend, task, with_tags,
                     lambda: task.describe(tag_list(tags_of(ctx, task.arn)) if with_tags else None))


def _without_token(req: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in req.items() if k != "clientToken"}


@handler("ecs", "RunTask")
def run_task(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    # botocore sends a fresh clientToken with every call; the request is kept (its JSON body when the dispatcher
    # gives it, as the call record does) and compared as decoded JSON only when a token comes again.
    token = req.get("clientToken")
    tokens = ctx.ecs.client_tokens
    if token is not None and token in tokens:
        kept, arns = tokens[token]
        seen = json.loads(kept) if isinstance(kept, bytes) else kept
        if _without_token(seen) != _without_token(req):
            raise ConflictException(
                f"The clientToken {token!r} was already used by a RunTask call with different parameters."
            )
        # A repeat of a call that succeeded: the tasks of the first call, not new ones [M:RunTask].
        return {"tasks": [_describe(ctx, ctx.ecs.tasks[a.rsplit("/", 1)[1]], True) for a in arns], "failures": []}
    count = req.get("count", 1)
    cluster = get_cluster(ctx, req.get("cluster"))
    strategy = req.get("capacityProviderStrategy")
    if "launchType" not in req and not strategy and cluster.default_strategy:
        strategy = cluster.default_strategy
    failures: list[dict[str, Any]]
    if strategy:
        from .provider_scaling import launch_on_providers

        providers = split_by_strategy(cluster, strategy, count)
        spec = _spec(ctx, req, strategy_launch_type(strategy), cluster)
        tasks, failures = launch_on_providers(ctx, spec, providers, req.get("placementStrategy", []),
                                              req.get("placementConstraints", []))
    else:
        launch_type = req.get("launchType", "EC2")
        spec = _spec(ctx, req, launch_type, cluster)  # EC2 and EXTERNAL tasks are placed on container instances
        if launch_type == "FARGATE":
            tasks = [create_task(ctx, spec) for _ in range(count)]
            failures = []
        else:
            tasks, failures = place_and_create(ctx, spec, count, req.get("placementStrategy", []),
                                               req.get("placementConstraints", []))
    if token is not None and tasks:
        tokens[token] = (req if ctx.raw is None else ctx.raw, tuple([t.arn for t in tasks]))
    return {"tasks": [_describe(ctx, t, True) for t in tasks], "failures": failures}


@handler("ecs", "StartTask")
def start_task(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    from .instance_model import instance_by_ref
    from .placement import demand_for

    spec = _spec(ctx, req, "EC2")
    demand = demand_for(spec.definition.body, spec.overrides)
    tasks: list[Task] = []
    failures: list[dict[str, Any]] = []
    for ref in req["containerInstances"]:
        instance = instance_by_ref(ctx, spec.cluster.name, ref)
        arn = ref if ref.startswith("arn:") else ctx.arn("ecs", f"container-instance/{spec.cluster.name}/{ref}")
        if instance is None:
            failures.append({"arn": arn, "reason": "MISSING"})
            continue
        if instance.status not in ("ACTIVE", "DRAINING"):
            failures.append({"arn": instance.arn, "reason": "INACTIVE"})
            continue
        start_on(ctx, spec, instance, demand, tasks, failures)
    return {"tasks": [_describe(ctx, t, True) for t in tasks], "failures": failures}


def find_task(ctx: Context, ref: str) -> Task | None:
    """A task by id or ARN (``task/<cluster>/<id>`` or the old ``task/<id>``) in this region."""
    if ref.startswith("arn:"):
        prefix = ctx.arn("ecs", "task/")
        if not ref.startswith(prefix):
            return None
        ref = ref.rsplit("/", 1)[1]
    task: Task | None = ctx.ecs.tasks.get(ref)
    return task


def _task_in_cluster(ctx: Context, ref: str, cluster: Cluster) -> Task | None:
    task = find_task(ctx, ref)
    if task is None or task.cluster.name != cluster.name:
        return None
    return task


@handler("ecs", "StopTask")
def stop_task(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    task = _task_in_cluster(ctx, req["task"], get_cluster(ctx, req.get("cluster")))
    if task is None:
        raise InvalidParameterException(TASK_NOT_FOUND)
    if lifecycle.request_stop(ctx.backend, task, ctx.now, "UserInitiated", req.get("reason") or "Task stopped by user"):
        ctx.ecs.tags.pop(task.arn, None)  # StopTask deletes the task's tags [M:StopTask]
    return {"task": _describe(ctx, task, False)}


@handler("ecs", "DescribeTasks")
def describe_tasks(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req.get("cluster"))
    with_tags = "TAGS" in req.get("include", [])
    found, failures = describe_each(
        req["tasks"],
        lambda ref: _task_in_cluster(ctx, ref, cluster),
        lambda task: _describe(ctx, task, with_tags),
        lambda ref: ref if ref.startswith("arn:") else ctx.arn("ecs", f"task/{cluster.name}/{ref}"),
    )
    return {"tasks": found, "failures": failures}


@handler("ecs", "ListTasks")
def list_tasks(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req.get("cluster"))
    if req.get("serviceName"):
        from .services import find_service

        if find_service(ctx, cluster, req["serviceName"]) is None:
            raise AwsError("Service not found.", code="ServiceNotFoundException")  # [M:ListTasks errors]
    desired = req.get("desiredStatus", "RUNNING")
    if desired == "PENDING":
        return {"taskArns": []}  # accepted as a filter, but ECS never sets desiredStatus PENDING [M:ListTasks]
    after = read_token("ListTasks", req["nextToken"], InvalidParameterException) if req.get("nextToken") else 0
    if not isinstance(after, int):
        raise InvalidParameterException("Invalid nextToken for ListTasks")
    keep = _filter(ctx, req)
    size = req.get("maxResults") or 100
    if keep is None:
        arns, last = cluster.tasks.page_arns(desired, after, size)
        return with_token({"taskArns": string_list(arns)}, None if last is None else make_token("ListTasks", last))
    tasks, more = cluster.tasks.page(desired, after, keep, size)
    token = make_token("ListTasks", tasks[-1].seq) if more and tasks else None
    return with_token({"taskArns": string_list([t.arn for t in tasks])}, token)


def _filter(ctx: Context, req: dict[str, Any]) -> Any:
    """A predicate for the filters the request gives, all of them at once (AND); None when it gives none.

    The API reference wants ``startedBy`` alone and ``serviceName`` without ``family``/``containerInstance``;
    where a request combines them anyway and reaches the handler, each filter still applies."""
    tests: list[Callable[[Task], bool]] = []
    family = req.get("family")
    if family is not None:
        tests.append(lambda task: task.definition.family == family)
    started_by = req.get("startedBy")
    if started_by is not None:
        tests.append(lambda task: task.started_by == started_by)
    if req.get("serviceName"):
        group = f"service:{req['serviceName'].rsplit('/', 1)[-1]}"
        tests.append(lambda task: task.group == group)
    launch_type = req.get("launchType")
    if launch_type is not None:
        tests.append(lambda task: task.launch_type == launch_type)
    if req.get("containerInstance"):
        suffix = "/" + req["containerInstance"].rsplit("/", 1)[-1]
        tests.append(lambda task: task.container_instance is not None and task.container_instance.arn.endswith(suffix))
    if req.get("daemonName"):
        daemon_group = f"daemon:{req['daemonName']}"  # a managed daemon's tasks (ecs/daemon_rollout.py)
        tests.append(lambda task: task.group == daemon_group)
    if not tests:
        return None
    if len(tests) == 1:
        return tests[0]
    return lambda task: all(test(task) for test in tests)


@resolver("task")
def _task_exists(ctx: Context, rest: str) -> bool:
    task = ctx.ecs.tasks.get(rest.rsplit("/", 1)[-1])
    return task is not None and task.desired_status == "RUNNING"
