"""CreateConsumableResource, DescribeConsumableResource, ListConsumableResources, UpdateConsumableResource,
DeleteConsumableResource and ListJobsByConsumableResource [M:CreateConsumableResource ...]. The scheduling side
(a job waits for, takes and gives back its resources) is consumables.py.
"""

from __future__ import annotations

from typing import Any

from ..core.context import Context
from ..core.errors import ClientException
from ..core.paging import page, with_token
from ..core.registry import handler
from .consumables import ConsumableResource, find_resource, quantity_of, resources_of
from .state import Job, batch_state, ms

RESOURCE_TYPES = ("REPLENISHABLE", "NON_REPLENISHABLE")
OPERATIONS = ("SET", "ADD", "REMOVE")
JOB_STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")


def _found(ctx: Context, ref: str) -> ConsumableResource:
    resource = find_resource(ctx, ref)
    if resource is None:
        # Wording not confirmed (AWS's is not quoted anywhere we know of).
        raise ClientException(f"Consumable resource {ref} does not exist.")
    return resource


def _quantity(value: Any, member: str) -> int:
    if value is not None and value < 0:
        # "Must be non-negative" [M:CreateConsumableResourceRequest.totalQuantity]; wording not confirmed.
        raise ClientException(f"{member} must be a non-negative value, got {value}.")
    return int(value or 0)


@handler("batch", "CreateConsumableResource")
def create_consumable_resource(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    name = req["consumableResourceName"]
    resources = resources_of(batch_state(ctx))
    if name in resources:  # "Must be unique"; the wording of the compute environments' answer (inferred)
        raise ClientException("Object already exists")
    kind = req.get("resourceType", "REPLENISHABLE")
    if kind not in RESOURCE_TYPES:
        raise ClientException(f"resourceType must be REPLENISHABLE or NON_REPLENISHABLE, got {kind!r}.")
    total = _quantity(req.get("totalQuantity"), "totalQuantity")
    arn = ctx.arn("batch", f"consumable-resource/{name}")
    resources[name] = ConsumableResource(name, arn, kind, total, ctx.now, dict(req.get("tags", {})))
    return {"consumableResourceName": name, "consumableResourceArn": arn}


@handler("batch", "DescribeConsumableResource")
def describe_consumable_resource(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    resource = _found(ctx, req["consumableResource"])
    body: dict[str, Any] = {
        "consumableResourceName": resource.name,
        "consumableResourceArn": resource.arn,
        "totalQuantity": resource.total,
        "inUseQuantity": resource.in_use,
        "availableQuantity": resource.available,
        "resourceType": resource.kind,
        "createdAt": ms(resource.created_at),
    }
    if resource.tags:  # the model's tag map has at least one entry
        body["tags"] = dict(resource.tags)
    return body


def _name_filter(filters: list[dict[str, Any]] | None, allowed: tuple[str, ...]) -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {}
    for item in filters or []:
        name, values = item.get("name"), list(item.get("values") or [])
        if name not in allowed:  # wording not confirmed
            raise ClientException(f"Unknown filter name {name!r}: use {' or '.join(allowed)}.")
        chosen.setdefault(str(name), []).extend(values)
    return chosen


def _matches(name: str, values: list[str]) -> bool:
    """Case-insensitive; a value ending with ``*`` is a prefix [M:ListConsumableResourcesRequest.filters]."""
    lowered = name.lower()
    for value in values:
        wanted = value.lower()
        if lowered == wanted or (wanted.endswith("*") and lowered.startswith(wanted[:-1])):
            return True
    return False


@handler("batch", "ListConsumableResources")
def list_consumable_resources(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    filters = _name_filter(req.get("filters"), ("CONSUMABLE_RESOURCE_NAME",))
    chosen = list(resources_of(batch_state(ctx)).values())  # creation order
    if "CONSUMABLE_RESOURCE_NAME" in filters:
        chosen = [r for r in chosen if _matches(r.name, filters["CONSUMABLE_RESOURCE_NAME"])]
    chunk, token = page(chosen, req, "ListConsumableResources", ClientException)
    summaries = [{"consumableResourceArn": r.arn, "consumableResourceName": r.name, "totalQuantity": r.total,
                  "inUseQuantity": r.in_use, "resourceType": r.kind} for r in chunk]
    return with_token({"consumableResources": summaries}, token)


@handler("batch", "UpdateConsumableResource")
def update_consumable_resource(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    resource = _found(ctx, req["consumableResource"])
    operation = req.get("operation", "SET")
    if operation not in OPERATIONS:
        raise ClientException(f"operation must be SET, ADD or REMOVE, got {operation!r}.")  # wording not confirmed
    quantity = _quantity(req.get("quantity"), "quantity")
    token = req.get("clientToken")
    # "two update requests with identical payloads and clientTokens ... the update will only happen once"
    if token is not None and resource.tokens.get(token) == (operation, quantity):
        return _updated(resource)
    if operation == "SET":
        resource.total = quantity
    elif operation == "ADD":
        resource.total += quantity
    else:
        resource.total = max(0, resource.total - quantity)  # the fake's choice: never below 0
    if token is not None:
        resource.tokens[token] = (operation, quantity)
    for queue in batch_state(ctx).job_queues.values():
        queue.request_pass(ctx.now)  # a job waiting for this resource may start
    return _updated(resource)


def _updated(resource: ConsumableResource) -> dict[str, Any]:
    return {"consumableResourceName": resource.name, "consumableResourceArn": resource.arn,
            "totalQuantity": resource.total}


@handler("batch", "DeleteConsumableResource")
def delete_consumable_resource(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    resource = _found(ctx, req["consumableResource"])
    del resources_of(batch_state(ctx))[resource.name]
    return {}


def _job_summary(job: Job, resource: ConsumableResource) -> dict[str, Any]:
    body: dict[str, Any] = {
        "jobArn": job.arn,
        "jobQueueArn": job.queue.arn,
        "jobName": job.name,
        "jobDefinitionArn": job.definition.arn,
        "jobStatus": job.status,
        "quantity": quantity_of(job, resource),
        "createdAt": ms(job.created_at),
        "consumableResourceProperties": job.consumables or {},
    }
    if job.status_reason:
        body["statusReason"] = job.status_reason
    if job.started_at is not None:
        body["startedAt"] = ms(job.started_at)
    return body


@handler("batch", "ListJobsByConsumableResource")
def list_jobs_by_consumable_resource(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    resource = _found(ctx, req["consumableResource"])
    filters = _name_filter(req.get("filters"), ("JOB_STATUS", "JOB_NAME"))
    # Every retained job that names the resource, in submission order (array parents and their children).
    jobs = [j for j in batch_state(ctx).jobs.values() if j.consumables and quantity_of(j, resource)]
    if "JOB_STATUS" in filters:
        statuses = {v.upper() for v in filters["JOB_STATUS"]}
        jobs = [j for j in jobs if j.status in statuses]
    if "JOB_NAME" in filters:
        jobs = [j for j in jobs if _matches(j.name, filters["JOB_NAME"])]
    chunk, token = page(jobs, req, "ListJobsByConsumableResource", ClientException)
    return with_token({"jobs": [_job_summary(j, resource) for j in chunk]}, token)
