"""CreateSchedulingPolicy, DescribeSchedulingPolicies, ListSchedulingPolicies, UpdateSchedulingPolicy,
DeleteSchedulingPolicy [M:CreateSchedulingPolicy; M:FairsharePolicy; M:QuotaSharePolicy].

A scheduling policy is either a fair-share policy (``fairsharePolicy``: share decay, compute reservation, the
weight factor of share identifiers) or a quota-share policy (``quotaSharePolicy``); "Only one of
fairsharePolicy or quotaSharePolicy can be set. Once set, this policy type cannot be removed or changed"
[M:CreateSchedulingPolicyRequest.fairsharePolicy]. A policy named by a job queue can't be deleted
[M:DeleteSchedulingPolicy]. An update applies at once: the scheduler reads the policy at every pass
(fair_share.py). Policies have no status: they exist from CreateSchedulingPolicy on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.context import Context
from ..core.errors import ClientException
from ..core.paging import page, with_token
from ..core.registry import handler
from .refs import name_of
from .state import batch_state, json_copy

# The documented bounds [M:FairsharePolicy.computeReservation; M:FairsharePolicy.shareDecaySeconds;
# M:ShareAttributes.weightFactor]: numeric limits the reference states are enforced (FIDELITY.md).
MAX_COMPUTE_RESERVATION = 99
MAX_SHARE_DECAY = 604800
MIN_WEIGHT, MAX_WEIGHT = 0.0001, 999.9999


@dataclass(eq=False)
class SchedulingPolicy:
    name: str
    arn: str
    fairshare: dict[str, Any] | None  # the FairsharePolicy shape as answered (defaults filled in)
    quota_share: dict[str, Any] | None  # the QuotaSharePolicy shape
    tags: dict[str, str]

    @property
    def kind(self) -> str:
        return "quota-share" if self.quota_share is not None else "fair-share"


def find_policy(ctx: Context, ref: str) -> SchedulingPolicy | None:
    """A scheduling policy by ARN (a bare name is accepted too, as for the other Batch resources)."""
    name = name_of(ctx, ref, "scheduling-policy")
    if name is None:
        return None
    found: SchedulingPolicy | None = batch_state(ctx).scheduling_policies.get(name)
    return found


def get_policy(ctx: Context, ref: str) -> SchedulingPolicy:
    policy = find_policy(ctx, ref)
    if policy is None:  # wording not confirmed: no AWS answer for an unknown policy is known
        raise ClientException(f"Scheduling policy {ref} does not exist.")
    return policy


def _prefixes_overlap(first: str, second: str) -> bool:
    """"The list of share identifiers in a fair-share policy can't overlap": ``UserA*`` and ``UserA1``
    [M:ShareAttributes.shareIdentifier]."""
    def covers(pattern: str, other: str) -> bool:
        return pattern.endswith("*") and other.rstrip("*").startswith(pattern[:-1])

    return first == second or covers(first, second) or covers(second, first)


def _fairshare(given: dict[str, Any]) -> dict[str, Any]:
    reservation = given.get("computeReservation", 0)
    decay = given.get("shareDecaySeconds", 0)
    if not 0 <= reservation <= MAX_COMPUTE_RESERVATION:
        raise ClientException(f"computeReservation must be from 0 to {MAX_COMPUTE_RESERVATION}, got {reservation}.")
    if not 0 <= decay <= MAX_SHARE_DECAY:
        raise ClientException(f"shareDecaySeconds must be from 0 to {MAX_SHARE_DECAY}, got {decay}.")
    shares: list[dict[str, Any]] = []
    for item in given.get("shareDistribution", []):
        ident = item["shareIdentifier"]
        if "weightFactor" in item and not MIN_WEIGHT <= item["weightFactor"] <= MAX_WEIGHT:
            raise ClientException(f"weightFactor of share identifier {ident} must be from {MIN_WEIGHT} to "
                                  f"{MAX_WEIGHT}, got {item['weightFactor']}.")
        for other in shares:
            if _prefixes_overlap(ident, other["shareIdentifier"]):
                raise ClientException(f"Share identifiers {other['shareIdentifier']} and {ident} overlap in "
                                      "shareDistribution.")
        shares.append(dict(item))
    return {"shareDecaySeconds": decay, "computeReservation": reservation, "shareDistribution": shares}


def describe(policy: SchedulingPolicy) -> dict[str, Any]:
    """The SchedulingPolicyDetail shape."""
    body: dict[str, Any] = {"name": policy.name, "arn": policy.arn}
    if policy.quota_share is not None:
        body["quotaSharePolicy"] = json_copy(policy.quota_share)
    if policy.fairshare is not None:
        body["fairsharePolicy"] = json_copy(policy.fairshare)
    if policy.tags:  # the model's tag map has at least one entry: an untagged policy answers none
        body["tags"] = dict(policy.tags)
    return body


def _one_kind(req: dict[str, Any]) -> None:
    if "fairsharePolicy" in req and "quotaSharePolicy" in req:
        # "Only one of fairsharePolicy or quotaSharePolicy can be set" (wording of the refusal not confirmed).
        raise ClientException("Only one of fairsharePolicy or quotaSharePolicy can be set.")


@handler("batch", "CreateSchedulingPolicy")
def create_scheduling_policy(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    state = batch_state(ctx)
    name = req["name"]
    _one_kind(req)
    if name in state.scheduling_policies:
        raise ClientException("Object already exists")  # as for the other Batch resources (fidelity-batch.md)
    quota = dict(req["quotaSharePolicy"]) if "quotaSharePolicy" in req else None
    # Neither given: a fair-share policy with the defaults (moto answers the same).
    fairshare = _fairshare(req.get("fairsharePolicy", {})) if quota is None else None
    policy = SchedulingPolicy(name=name, arn=ctx.arn("batch", f"scheduling-policy/{name}"), fairshare=fairshare,
                              quota_share=quota, tags=dict(req.get("tags", {})))
    state.scheduling_policies[name] = policy
    return {"name": name, "arn": policy.arn}


@handler("batch", "DescribeSchedulingPolicies")
def describe_scheduling_policies(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    found = [find_policy(ctx, ref) for ref in req["arns"]]
    # Unknown ARNs are simply absent, as in the other Describe operations of Batch.
    return {"schedulingPolicies": [describe(policy) for policy in found if policy is not None]}


@handler("batch", "ListSchedulingPolicies")
def list_scheduling_policies(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    policies = list(batch_state(ctx).scheduling_policies.values())  # creation order
    chunk, token = page(policies, req, "ListSchedulingPolicies", ClientException)
    return with_token({"schedulingPolicies": [{"arn": policy.arn} for policy in chunk]}, token)


@handler("batch", "UpdateSchedulingPolicy")
def update_scheduling_policy(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    policy = get_policy(ctx, req["arn"])
    _one_kind(req)
    if "fairsharePolicy" in req:
        if policy.quota_share is not None:  # wording not confirmed
            raise ClientException(f"Scheduling policy {policy.name} is a quota-share policy: its type can't be "
                                  "changed to a fair-share policy.")
        policy.fairshare = _fairshare(req["fairsharePolicy"])
    if "quotaSharePolicy" in req:
        if policy.fairshare is not None:  # wording not confirmed
            raise ClientException(f"Scheduling policy {policy.name} is a fair-share policy: its type can't be "
                                  "changed to a quota-share policy.")
        policy.quota_share = dict(req["quotaSharePolicy"])
    return {}


@handler("batch", "DeleteSchedulingPolicy")
def delete_scheduling_policy(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    state = batch_state(ctx)
    policy = find_policy(ctx, req["arn"])
    if policy is None:
        raise ClientException(f"Scheduling policy {req['arn']} does not exist.")  # wording not confirmed
    users = sorted(q.name for q in state.job_queues.values() if q.scheduling_policy == policy.arn)
    if users:
        # "You can't delete a scheduling policy that's used in any job queues." [M:DeleteSchedulingPolicy]
        # AWS's wording is not known.
        raise ClientException(f"Cannot delete, scheduling policy {policy.name} is used by job queue(s) "
                              f"{', '.join(users)}.")
    del state.scheduling_policies[policy.name]
    return {}
