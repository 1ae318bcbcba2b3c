"""Consumable resources on the scheduler's side: what a job needs, what it holds, and when it gives it back
(resource-aware scheduling, Batch user guide "Specify the resources needed to run a job" and "Check how many
resources are in-use and available").

A job needs ``consumableResourceProperties.consumableResourceList`` ({consumableResource, quantity}), from its
job definition or SubmitJob's ``consumableResourcePropertiesOverride``. When it reaches the head of its queue
and one of them is short, it waits RUNNABLE (and holds the jobs behind it, as any head of a FIFO queue does);
when all are available it takes them as it moves to STARTING. A REPLENISHABLE resource is given back when the
job is SUCCEEDED or FAILED; a NON_REPLENISHABLE one is consumed then: its total goes down by the quantity.
A job keeps what it took across its retries ("Resources are locked once the job moves to STARTING and are then
unlocked when the job moves to SUCCEEDED or FAILED").

attempts.py asks ``can_take``/``take`` when it starts an attempt, transitions.py calls ``release`` when a job
finishes; the handlers (consumable_resources.py) own the records' life.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.context import Context
from ..core.errors import ClientException
from .refs import name_of
from .state import BatchState, Job, JobDefinition, batch_state, grown, json_copy


@dataclass(eq=False)
class ConsumableResource:
    name: str
    arn: str
    kind: str  # REPLENISHABLE | NON_REPLENISHABLE
    total: int
    created_at: float
    tags: dict[str, str]
    in_use: int = 0
    tokens: dict[str, tuple[str, int]] = field(default_factory=dict)  # UpdateConsumableResource clientToken

    @property
    def available(self) -> int:
        return max(0, self.total - self.in_use)


def resources_of(state: BatchState) -> dict[str, ConsumableResource]:
    """The region's consumable resources by name (kept on BatchState)."""
    found: dict[str, ConsumableResource] = state.consumable_resources
    return found


def find_resource(ctx: Context, ref: str) -> ConsumableResource | None:
    name = name_of(ctx, ref, "consumable-resource")
    return None if name is None else resources_of(batch_state(ctx)).get(name)


def check_properties(props: dict[str, Any] | None) -> None:
    """A consumableResourceProperties as RegisterJobDefinition or SubmitJob gives it."""
    if props is None:
        return
    seen: set[str] = set()
    for item in props.get("consumableResourceList") or []:
        ref, quantity = item.get("consumableResource"), item.get("quantity")
        # The fake's own wording: AWS's for these is not known.
        if not ref:
            raise ClientException("consumableResourceList: consumableResource is required.")
        if quantity is None or quantity < 1:
            raise ClientException(f"consumableResourceList: the quantity of {ref} must be a positive number.")
        name = ref.rsplit("/", 1)[-1] if ref.startswith("arn:") else ref
        if name in seen:
            raise ClientException(f"consumableResourceList names {name} more than once.")
        seen.add(name)


def _name(ctx: Context, ref: str) -> str:
    return name_of(ctx, ref, "consumable-resource") or ref


def for_job(ctx: Context, definition: JobDefinition, req: dict[str, Any]) -> dict[str, Any] | None:
    """The job's effective consumableResourceProperties: SubmitJob's override, member by member over the job
    definition's ("this only overrides the quantity of resources each job instance needs", user guide)."""
    base = definition.body.get("consumableResourceProperties")
    override = req.get("consumableResourcePropertiesOverride")
    if override is None:
        return base
    check_properties(override)
    merged: dict[str, dict[str, Any]] = {}
    for item in [*(base or {}).get("consumableResourceList", []), *override.get("consumableResourceList", [])]:
        merged[_name(ctx, item["consumableResource"])] = json_copy(item)
    return {"consumableResourceList": list(merged.values())}


def needs(job: Job) -> list[tuple[str, int]]:
    """(resource name, quantity) the job needs."""
    props = job.consumables or {}
    out = []
    for item in props.get("consumableResourceList", []):
        ref = str(item["consumableResource"])
        out.append((ref.rsplit("/", 1)[-1] if ref.startswith("arn:") else ref, int(item["quantity"])))
    return out


def can_take(state: BatchState, job: Job) -> bool:
    """True when the job holds what it needs already, needs nothing, or every resource has enough available.
    A resource that does not exist (deleted, or never created) is never available: the job waits."""
    if job.holding or not job.consumables:
        return True
    resources = resources_of(state)
    return all(name in resources and resources[name].available >= quantity for name, quantity in needs(job))


def take(state: BatchState, job: Job) -> None:
    """Lock what the job needs as it moves to STARTING (once per job: retries keep it)."""
    if job.holding or not job.consumables:
        return
    resources = resources_of(state)
    for name, quantity in needs(job):
        resource = resources[name]
        resource.in_use += quantity
        job.holding = grown(job.holding, (resource, quantity))


def release(state: BatchState, job: Job) -> bool:
    """Unlock what a finished job held: a REPLENISHABLE resource gets it back, a NON_REPLENISHABLE one is
    consumed (its total goes down). True when something came back (a scheduler pass may start a job)."""
    returned = False
    for resource, quantity in job.holding:
        resource.in_use -= quantity
        if resource.kind == "NON_REPLENISHABLE":
            resource.total = max(0, resource.total - quantity)
        else:
            returned = True
    job.holding = ()
    return returned


def quantity_of(job: Job, resource: ConsumableResource) -> int:
    return next((q for name, q in needs(job) if name == resource.name), 0)
