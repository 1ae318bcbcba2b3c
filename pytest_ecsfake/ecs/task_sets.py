"""CreateTaskSet, DescribeTaskSets, UpdateTaskSet, DeleteTaskSet, UpdateServicePrimaryTaskSet.

Task sets belong to a service of the EXTERNAL (or CODE_DEPLOY) deployment controller; their records are in
``task_set_model.py``, their tasks are launched and stopped by ``task_set_scheduler.py`` on the fake's clock.
Choices where AWS is silent: ``docs/fidelity-task-sets.md``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..core.context import Context
from ..core.errors import AwsError, InvalidParameterException
from ..core.registry import handler
from .launch import check_network, network_mode, strategy_launch_type
from .lookup import describe_each
from .scheduler import soon
from .service_model import Service
from .services import _active_service, _definition, _launch_choice, _platform
from .tags import resolver, tag_list, tags_of
from .task_set_controllers import new_task_set
from .task_set_model import MAX_TASK_SETS, TaskSet, computed_count, primary_task_set, task_sets

# AWS's answer to CreateTaskSet on a service of the ECS controller (quoted in
# hashicorp/terraform-provider-aws#30347, 2023); the fake answers it to every task set change of such a service.
ONLY_EXTERNAL = ("Amazon ECS only supports task set management on services configured to use external deployment "
                 "controllers.")

_IDENTIFIER = re.compile(r"(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-set/[^/]+/[^/]+/)?ecs-svc/\d+")


def _too_many(count: int) -> str:
    # AWS's words (aws-samples/ecs-bg-external-controller#6, 2021): the quota is 5 task sets per service.
    return (f"{count} deployments exist on the service. Unable to create new TaskSet since this exceeds the maximum "
            "limit.")


def _managed(ctx: Context, req: dict[str, Any]) -> Service:
    service = _active_service(ctx, req)
    if service.deployment_controller == "ECS":
        raise InvalidParameterException(ONLY_EXTERNAL)
    return service


def _find(ctx: Context, service: Service, ref: str) -> TaskSet | None:
    """A task set of ``service`` by id (``ecs-svc/<digits>``) or ARN."""
    return next((t for t in task_sets(service) if ref in (t.id, t.arn)), None)


def _check_identifier(ref: str) -> None:
    """A task set id (``ecs-svc/<digits>``) or task set ARN; anything else (a task ARN, say) is refused as AWS
    refuses it (boto/boto3#3895, 2023)."""
    if not _IDENTIFIER.fullmatch(ref):
        raise InvalidParameterException("Task Set Identifier is invalid")


def _get(ctx: Context, service: Service, ref: str) -> TaskSet:
    _check_identifier(ref)
    found = _find(ctx, service, ref)
    if found is None:
        # The wording is not confirmed; the code is the model's [M:TaskSetNotFoundException].
        raise AwsError("The specified task set does not exist.", code="TaskSetNotFoundException")
    return found


def _changeable(ctx: Context, task_set: TaskSet, what: str) -> None:
    if task_set.status == "DRAINING":
        ctx.unsupported(f"{what} a DRAINING task set")


def _scale(ctx: Context, req: dict[str, Any], default: float) -> float:
    scale = req.get("scale")
    if scale is None:
        return default
    value = float(scale.get("value", default))
    if not 0 <= value <= 100:
        # "Accepted values are numbers between 0 and 100" [M:Scale.value]; AWS's wording is not confirmed.
        raise InvalidParameterException(f"scale.value must be between 0 and 100, not {value:g}.")
    return value


def _describe(ctx: Context, task_set: TaskSet, with_tags: bool) -> dict[str, Any]:
    return task_set.describe_set(tag_list(tags_of(ctx, task_set.arn)) if with_tags else None)


@handler("ecs", "CreateTaskSet")
def create_task_set(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    service = _managed(ctx, req)
    fingerprint = json.dumps(req, sort_keys=True)
    token = req.get("clientToken")
    if token is not None:
        for earlier in task_sets(service):
            if earlier.client_token == token and earlier.fingerprint == fingerprint:
                return {"taskSet": _describe(ctx, earlier, bool(req.get("tags")))}
    if len(task_sets(service)) >= MAX_TASK_SETS:
        raise InvalidParameterException(_too_many(len(task_sets(service))))
    launch_type, strategy = _launch_choice(req, service.cluster)
    effective = launch_type or strategy_launch_type(strategy or [])
    definition = _definition(ctx, req["taskDefinition"], effective)
    check_network(req, network_mode(definition))
    asked, resolved = _platform(effective, req.get("platformVersion"))
    # Without a scale the task set starts at 0 % (the fake's reading, docs/fidelity-task-sets.md).
    scale = _scale(ctx, req, 0.0)
    task_set = new_task_set(ctx, service, definition, launch_type=launch_type, strategy=strategy, asked=asked,
                            resolved=resolved, network=req.get("networkConfiguration"),
                            load_balancers=req.get("loadBalancers", []), registries=req.get("serviceRegistries", []),
                            scale=scale, external_id=req.get("externalId"), tags=req.get("tags"), token=token,
                            fingerprint=fingerprint)
    return {"taskSet": _describe(ctx, task_set, bool(req.get("tags")))}


@handler("ecs", "DescribeTaskSets")
def describe_task_sets(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    service = _active_service(ctx, req)
    with_tags = "TAGS" in req.get("include", [])
    refs = req.get("taskSets")
    if not refs:
        # The reference lists taskSets as optional, but AWS answers this (aws/aws-cli#5380, 2020, still open):
        # the task set ids are in DescribeServices' taskSets.
        raise InvalidParameterException("TaskSets cannot be empty.")
    for ref in refs:
        _check_identifier(ref)
    prefix = f"task-set/{service.cluster.name}/{service.name}/"
    found, failures = describe_each(
        refs,
        lambda ref: _find(ctx, service, ref),
        lambda task_set: _describe(ctx, task_set, with_tags),
        lambda ref: ref if ref.startswith("arn:") else ctx.arn("ecs", prefix + ref),
    )
    return {"taskSets": found, "failures": failures}


@handler("ecs", "UpdateTaskSet")
def update_task_set(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    service = _managed(ctx, req)
    task_set = _get(ctx, service, req["taskSet"])
    _changeable(ctx, task_set, "scaling")
    task_set.scale = _scale(ctx, req, task_set.scale)
    # The answer keeps the former computedDesiredCount and turns STABILIZING; the scheduler's next step computes
    # the new count (the AWS CLI reference's update-task-set example: scale 50 %, computedDesiredCount 0).
    task_set.updated_at = task_set.stability_at = ctx.now
    task_set.stability_status = "STABILIZING"
    service.steady = False
    soon(ctx.backend, service, ctx.now)
    return {"taskSet": _describe(ctx, task_set, False)}


@handler("ecs", "DeleteTaskSet")
def delete_task_set(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    service = _managed(ctx, req)
    task_set = _get(ctx, service, req["taskSet"])
    if task_set.status != "DRAINING":
        # "If true, you can delete a task set even if it hasn't been scaled down to zero" [M:DeleteTaskSet.force]:
        # refused only while its scale is above 0 and it has, or is to have, a task; the wording is not confirmed.
        scaled = task_set.scale > 0 and (computed_count(service.desired_count, task_set.scale) > 0 or task_set.live)
        if scaled and not req.get("force"):
            raise InvalidParameterException("The task set cannot be deleted while it is scaled above 0.")
        task_set.status = "DRAINING"
        task_set.desired_count = 0
        task_set.updated_at = task_set.stability_at = ctx.now
        task_set.stability_status = "STABILIZING"
        soon(ctx.backend, service, ctx.now)
    return {"taskSet": _describe(ctx, task_set, False)}


@handler("ecs", "UpdateServicePrimaryTaskSet")
def update_service_primary_task_set(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    service = _managed(ctx, req)
    task_set = _get(ctx, service, req["primaryTaskSet"])
    _changeable(ctx, task_set, "making PRIMARY")
    former = primary_task_set(service)
    if former is not task_set:
        if former is not None:
            former.status = "ACTIVE"
            former.updated_at = ctx.now
        task_set.status = "PRIMARY"
        task_set.updated_at = ctx.now
        soon(ctx.backend, service, ctx.now)
    return {"taskSet": _describe(ctx, task_set, False)}


@resolver("task-set")
def _task_set_exists(ctx: Context, rest: str) -> bool:
    """TagResource and ListTagsForResource on a task set ARN: the reference's list of taggable resources omits task
    sets, but CreateTaskSet takes tags and a false refusal is worse than a missed one (fidelity-task-sets.md)."""
    cluster, _, tail = rest.partition("/")
    name, _, ident = tail.partition("/")
    service = ctx.ecs.services.get(ctx.arn("ecs", f"service/{cluster}/{name}"))
    return service is not None and _find(ctx, service, ident) is not None
