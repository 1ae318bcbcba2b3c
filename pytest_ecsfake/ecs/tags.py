"""Tags on ECS resources: TagResource, UntagResource, ListTagsForResource, and the helpers handlers share.

Which resources exist is asked of a resolver per ARN resource type (``cluster``, ``task-definition``,
...); modules that own a resource type register theirs with ``resolver``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.context import Context
from ..core.errors import ClusterNotFoundException, InvalidParameterException, ResourceNotFoundException
from ..core.registry import handler

MAX_TAGS = 50
_RESOLVERS: dict[str, Callable[[Context, str], bool]] = {}


def resolver(resource_type: str) -> Callable[[Callable[[Context, str], bool]], Callable[[Context, str], bool]]:
    def register(func: Callable[[Context, str], bool]) -> Callable[[Context, str], bool]:
        _RESOLVERS[resource_type] = func
        return func

    return register


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in tags.items()]


def tags_of(ctx: Context, arn: str) -> dict[str, str]:
    return ctx.ecs.tags.get(arn, {})


def tag_dict(tags: list[dict[str, Any]]) -> dict[str, str]:
    """Request tags as {key: value}. The model leaves ``key`` optional (the schema lets ``{}`` through);
    ECS refuses a tag without one. (AWS's exact wording for this is not documented.)"""
    found: dict[str, str] = {}
    for tag in tags:
        if not tag.get("key"):
            raise InvalidParameterException("The specified tag is invalid: every tag must have a key.")
        found[tag["key"]] = tag.get("value", "")
    return found


def set_tags(ctx: Context, arn: str, tags: list[dict[str, Any]], *, replace: bool = False) -> None:
    current = {} if replace else dict(ctx.ecs.tags.get(arn, {}))
    current.update(tag_dict(tags))
    if len(current) > MAX_TAGS:
        raise InvalidParameterException(
            f"A resource can have at most {MAX_TAGS} tags; this request would give it {len(current)}."
        )
    if current:
        ctx.ecs.tags[arn] = current
    else:
        ctx.ecs.tags.pop(arn, None)


def _check_resource(ctx: Context, arn: str) -> None:
    prefix = ctx.arn("ecs", "")
    resource = arn[len(prefix) :] if arn.startswith(prefix) else ""
    resource_type, _, rest = resource.partition("/")
    check = _RESOLVERS.get(resource_type)
    if not rest or check is None:
        raise InvalidParameterException(
            f"The ARN {arn!r} is not a taggable ECS resource of this region and account "
            f"(expected {prefix}<{'|'.join(sorted(_RESOLVERS))}>/...)."
        )
    if not check(ctx, rest):
        if resource_type == "cluster":
            raise ClusterNotFoundException("Cluster not found.")
        raise ResourceNotFoundException("The specified resource could not be found.")


@handler("ecs", "TagResource")
def tag_resource(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    _check_resource(ctx, req["resourceArn"])
    set_tags(ctx, req["resourceArn"], req["tags"])
    return {}


@handler("ecs", "UntagResource")
def untag_resource(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    arn = req["resourceArn"]
    _check_resource(ctx, arn)
    tags = ctx.ecs.tags.get(arn, {})
    for key in req["tagKeys"]:
        tags.pop(key, None)
    if not tags:
        ctx.ecs.tags.pop(arn, None)
    return {}


@handler("ecs", "ListTagsForResource")
def list_tags_for_resource(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    _check_resource(ctx, req["resourceArn"])
    return {"tags": tag_list(tags_of(ctx, req["resourceArn"]))}


@resolver("cluster")
def _cluster_exists(ctx: Context, name: str) -> bool:
    cluster = ctx.ecs.clusters.get(name)
    return cluster is not None and cluster.status == "ACTIVE"
