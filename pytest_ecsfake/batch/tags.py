"""TagResource, UntagResource, ListTagsForResource on compute environments, job queues, job definitions
(one revision's ARN), jobs and scheduling policies. Array children can't be tagged [M:TagResource]."""

from __future__ import annotations

from typing import Any

from ..core.context import Context
from ..core.errors import ClientException
from ..core.registry import handler
from .compute_environments import find_environment
from .consumables import find_resource
from .job_definitions import find_definitions
from .job_queues import find_queue
from .scheduling_policies import find_policy
from .stopping import find_job

MAX_TAGS = 50


def _tags_of(ctx: Context, arn: str) -> dict[str, str]:
    """The tag dictionary of the resource ``arn`` names (kept on its record)."""
    prefix = ctx.arn("batch", "")
    resource_type, _, rest = arn[len(prefix) :].partition("/") if arn.startswith(prefix) else ("", "", "")
    record: Any = None
    if resource_type == "compute-environment":
        record = find_environment(ctx, arn)
    elif resource_type == "job-queue":
        record = find_queue(ctx, arn)
    elif resource_type == "job-definition" and ":" in rest:
        found = find_definitions(ctx, arn)
        record = found[0] if found else None
    elif resource_type == "job":
        record = find_job(ctx, arn)
        if record is not None and record.parent is not None:
            raise ClientException("Tags are not supported on the child jobs of array jobs.")
    elif resource_type == "scheduling-policy":
        record = find_policy(ctx, arn)
    elif resource_type == "consumable-resource":
        record = find_resource(ctx, arn)
    elif resource_type in ("service-environment", "service-job"):
        # Both carry tags (CreateServiceEnvironment, SubmitServiceJob); the reference's list of taggable resources
        # predates them, so tagging them is answered (a false refusal is worse than a missed one).
        from .service_environments import find_service_environment
        from .service_jobs import find_service_job

        record = (find_service_environment if resource_type == "service-environment" else find_service_job)(ctx, arn)
    elif resource_type not in ("compute-environment", "job-queue", "job-definition", "job"):
        raise ClientException(
            f"{arn} is not a taggable Batch resource of this region and account (expected {prefix}"
            "<compute-environment|job-queue|job-definition|job|scheduling-policy|consumable-resource|"
            "service-environment|service-job>/...)."
        )
    if record is None:
        raise ClientException(f"Resource {arn} does not exist.")
    tags: dict[str, str] = record.tags
    return tags


@handler("batch", "TagResource")
def tag_resource(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    tags = _tags_of(ctx, req["resourceArn"])
    merged = {**tags, **req["tags"]}
    if len(merged) > MAX_TAGS:
        raise ClientException(f"A resource can have at most {MAX_TAGS} tags; this request would give it {len(merged)}.")
    tags.update(req["tags"])
    return {}


@handler("batch", "UntagResource")
def untag_resource(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    tags = _tags_of(ctx, req["resourceArn"])
    for key in req["tagKeys"]:
        tags.pop(key, None)
    return {}


@handler("batch", "ListTagsForResource")
def list_tags_for_resource(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    tags = _tags_of(ctx, req["resourceArn"])
    # The response's tag map has at least one entry in the model: an untagged resource answers no map.
    return {"tags": dict(tags)} if tags else {}
