"""CreateCapacityProvider, DescribeCapacityProviders, UpdateCapacityProvider, DeleteCapacityProvider:
Auto Scaling group capacity providers (``EC2_AUTOSCALING``) and the built-in FARGATE and FARGATE_SPOT.

The fake has no Auto Scaling group: a provider keeps the group's ARN as given and, with managed scaling,
``provider_scaling.py`` registers container instances for it. Choices where AWS is silent are in
docs/fidelity-capacity-providers.md.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from ..core.context import Context
from ..core.errors import ClientException, InvalidParameterException
from ..core.paging import page, with_token
from ..core.registry import handler
from .cluster_attachments import set_providers
from .clusters import get_cluster
from .state import CapacityProvider
from .tags import resolver, set_tags, tag_list, tags_of

FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
RESERVED_PREFIXES = ("aws", "ecs", "fargate")  # [M:CreateCapacityProviderRequest.name]
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_ASG_ARN = re.compile(r"^arn:aws[a-z-]*:autoscaling:[a-z0-9-]+:\d{12}:autoScalingGroup:[^:]+:autoScalingGroupName/.+$")
# Defaults of ManagedScaling when a member is omitted [M:ManagedScaling.*].
SCALING_DEFAULTS: dict[str, Any] = {
    "status": "DISABLED",  # the fake's choice when status is not given (see the fidelity notes)
    "targetCapacity": 100,
    "minimumScalingStepSize": 1,
    "maximumScalingStepSize": 10000,
    "instanceWarmupPeriod": 300,
}
# Observed answers (aws/containers-roadmap#688, #632; AWS Knowledge Center "ecs-capacity-provider-error").
ALREADY_EXISTS = ("The specified capacity provider already exists. To change the configuration of an existing "
                  "capacity provider, update the capacity provider.")
ASG_IN_USE = ("The specified Auto Scaling group ARN is already being used by another capacity provider. Specify a "
              "unique Auto Scaling group ARN and try again.")
# Not confirmed: AWS's wording for an unknown provider is not quoted anywhere we found.
NOT_FOUND = "The specified capacity provider does not exist. Specify a valid name or ARN and try again."


def provider_name(ctx: Context, ref: str) -> str:
    """The name in a capacity provider reference: a name or an ARN of this region and account."""
    prefix = ctx.arn("ecs", "capacity-provider/")
    return ref[len(prefix):] if ref.startswith(prefix) else ref


def find_provider(ctx: Context, ref: str) -> CapacityProvider | None:
    """An Auto Scaling group provider that is not INACTIVE, by name or ARN."""
    provider = ctx.ecs.capacity_providers.get(provider_name(ctx, ref))
    return provider if provider is not None and provider.status != "INACTIVE" else None


def describe_provider(ctx: Context, provider: CapacityProvider, with_tags: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "capacityProviderArn": provider.arn,
        "name": provider.name,
        "status": provider.status,
        "autoScalingGroupProvider": copy.deepcopy(provider.asg),
        "type": "EC2_AUTOSCALING",
    }
    if provider.update_status is not None:
        body["updateStatus"] = provider.update_status
    if provider.update_status_reason is not None:
        body["updateStatusReason"] = provider.update_status_reason
    if with_tags:
        body["tags"] = tag_list(tags_of(ctx, provider.arn))
    return body


def describe_fargate(ctx: Context, name: str) -> dict[str, Any]:
    return {"capacityProviderArn": ctx.arn("ecs", f"capacity-provider/{name}"), "name": name, "status": "ACTIVE",
            "type": name, "tags": []}


def _scaling(given: dict[str, Any] | None, base: dict[str, Any]) -> dict[str, Any]:
    merged = {**base, **(given or {})}
    if merged["minimumScalingStepSize"] > merged["maximumScalingStepSize"]:
        # Not confirmed: AWS's wording for this refusal is not quoted anywhere we found.
        raise InvalidParameterException(
            "The minimumScalingStepSize must be less than or equal to the maximumScalingStepSize."
        )
    return merged


def _check_name(name: str) -> None:
    if name in FARGATE_PROVIDERS:
        raise ClientException(ALREADY_EXISTS)
    if not _NAME.match(name):
        # Not confirmed: the rule is the model's [M:CreateCapacityProviderRequest.name], the wording ours.
        raise InvalidParameterException(
            "The capacity provider name can contain up to 255 letters (uppercase and lowercase), numbers, "
            "underscores, and hyphens."
        )
    if name.startswith(RESERVED_PREFIXES):
        # Not confirmed: the rule is the model's, the wording ours.
        raise InvalidParameterException(
            "The capacity provider name can't be prefixed with \"aws\", \"ecs\", or \"fargate\"."
        )


@handler("ecs", "CreateCapacityProvider")
def create_capacity_provider(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    if "managedInstancesProvider" in req:
        ctx.unsupported("Amazon ECS Managed Instances capacity providers (managedInstancesProvider)")
    if req.get("cluster"):
        get_cluster(ctx, req["cluster"])
    name = req["name"]
    _check_name(name)
    if find_provider(ctx, name) is not None:
        raise ClientException(ALREADY_EXISTS)
    given = req.get("autoScalingGroupProvider")
    if given is None:
        # Not confirmed: AWS's wording is not quoted anywhere we found.
        raise InvalidParameterException("An autoScalingGroupProvider must be specified for the capacity provider.")
    asg_arn = given["autoScalingGroupArn"]
    if asg_arn.startswith("arn:") and not _ASG_ARN.match(asg_arn):
        # Not confirmed: AWS's wording is not quoted anywhere we found.
        raise InvalidParameterException(f"The specified Auto Scaling group ARN is not valid: {asg_arn}.")
    if any(p.asg["autoScalingGroupArn"] == asg_arn for p in ctx.ecs.capacity_providers.values()
           if p.status != "INACTIVE"):
        raise ClientException(ASG_IN_USE)
    asg = {
        "autoScalingGroupArn": asg_arn,
        "managedScaling": _scaling(given.get("managedScaling"), SCALING_DEFAULTS),
        "managedTerminationProtection": given.get("managedTerminationProtection", "DISABLED"),
        "managedDraining": given.get("managedDraining", "ENABLED"),
    }
    provider = CapacityProvider(name=name, arn=ctx.arn("ecs", f"capacity-provider/{name}"), asg=asg)
    ctx.ecs.capacity_providers.pop(name, None)  # an INACTIVE provider of that name is replaced
    ctx.ecs.capacity_providers[name] = provider
    set_tags(ctx, provider.arn, req.get("tags", []), replace=True)
    return {"capacityProvider": describe_provider(ctx, provider)}


@handler("ecs", "DescribeCapacityProviders")
def describe_capacity_providers(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    with_tags = "TAGS" in req.get("include", [])
    names = req.get("capacityProviders")
    found: list[dict[str, Any]] = []
    failures: list[dict[str, str]] = []
    if names is None:
        # The account's providers, then FARGATE and FARGATE_SPOT (the AWS CLI's describe-capacity-providers example).
        everything: list[Any] = list(ctx.ecs.capacity_providers.values()) + list(FARGATE_PROVIDERS)
        chunk, token = page(everything, req, "DescribeCapacityProviders", InvalidParameterException, default_max=10)
        for item in chunk:
            found.append(describe_fargate(ctx, item) if isinstance(item, str)
                         else describe_provider(ctx, item, with_tags))
        return with_token({"capacityProviders": found, "failures": failures}, token)
    for ref in names:
        name = provider_name(ctx, ref)
        provider = ctx.ecs.capacity_providers.get(name)
        if name in FARGATE_PROVIDERS:
            found.append(describe_fargate(ctx, name))
        elif provider is not None:
            found.append(describe_provider(ctx, provider, with_tags))
        else:
            arn = ref if ref.startswith("arn:") else ctx.arn("ecs", f"capacity-provider/{ref}")
            failures.append({"arn": arn, "reason": "MISSING"})
    return {"capacityProviders": found, "failures": failures}


def _settle_update(ctx: Context, provider: CapacityProvider, done: str,
                   then: Callable[[Context], None] | None = None) -> None:
    """``updateStatus`` becomes ``done`` after the timing ``capacity_provider_update``; ``then`` runs then."""
    backend, region = ctx.backend, ctx.region

    def complete(at: float) -> None:
        if provider.update_status is not None and provider.update_status.endswith("_IN_PROGRESS"):
            provider.update_status = done
            if then is not None:
                then(Context(backend, "ecs", "CapacityProviderUpdate", region, at))

    backend.events.schedule(ctx.now + backend.timings["capacity_provider_update"], complete)


def _own_provider(ctx: Context, ref: str, done: str) -> CapacityProvider:
    """The Auto Scaling group provider ``ref`` names, for UpdateCapacityProvider and DeleteCapacityProvider: not
    FARGATE/FARGATE_SPOT (the rule is documented [M:DeleteCapacityProvider]; the wording is ours, not confirmed)
    and existing."""
    if provider_name(ctx, ref) in FARGATE_PROVIDERS:
        raise InvalidParameterException(
            f"The FARGATE and FARGATE_SPOT capacity providers are reserved and can't be {done}.")
    provider = find_provider(ctx, ref)
    if provider is None:
        raise InvalidParameterException(NOT_FOUND)
    return provider


@handler("ecs", "UpdateCapacityProvider")
def update_capacity_provider(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """The answer shows the provider as it was, with ``updateStatus: UPDATE_IN_PROGRESS``; the new settings
    apply when the update completes (the AWS CLI's update-capacity-provider example answers the old values)."""
    if "managedInstancesProvider" in req:
        ctx.unsupported("Amazon ECS Managed Instances capacity providers (managedInstancesProvider)")
    provider = _own_provider(ctx, req["name"], "updated")
    given = req.get("autoScalingGroupProvider") or {}
    asg = copy.deepcopy(provider.asg)
    if "managedScaling" in given:
        asg["managedScaling"] = _scaling(given["managedScaling"], asg["managedScaling"])
    for key in ("managedTerminationProtection", "managedDraining"):
        if key in given:
            asg[key] = given[key]
    provider.update_status, provider.update_status_reason = "UPDATE_IN_PROGRESS", None

    def apply(later: Context) -> None:
        provider.asg = asg
        cluster = later.ecs.clusters.get(provider.cluster or "")
        if cluster is not None:
            # Its attachments follow scaling and draining.
            set_providers(later, cluster, cluster.capacity_providers, always=False)
        if provider.waiting and asg["managedScaling"]["status"] == "ENABLED":
            from .provider_scaling import want_capacity

            want_capacity(later.backend, later.region, provider, later.now)

    _settle_update(ctx, provider, "UPDATE_COMPLETE", apply)
    return {"capacityProvider": describe_provider(ctx, provider)}


def _associated_reason(provider: CapacityProvider) -> str:
    # Observed: AWS Knowledge Center "ecs-capacity-provider-error"; hashicorp/terraform-provider-aws#48156.
    return (f"The capacity provider cannot be deleted because it is associated with cluster: {provider.cluster}. "
            "Remove the capacity provider from the cluster and try again.")


@handler("ecs", "DeleteCapacityProvider")
def delete_capacity_provider(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    provider = _own_provider(ctx, req["capacityProvider"], "deleted")
    if provider.update_status == "DELETE_IN_PROGRESS":
        return {"capacityProvider": describe_provider(ctx, provider)}
    if provider.cluster is not None:
        # AWS answers the provider, still ACTIVE, with DELETE_FAILED: no error (see the sources above).
        provider.update_status, provider.update_status_reason = "DELETE_FAILED", _associated_reason(provider)
        return {"capacityProvider": describe_provider(ctx, provider)}
    provider.update_status, provider.update_status_reason = "DELETE_IN_PROGRESS", None

    def gone(later: Context) -> None:
        provider.status = "INACTIVE"
        later.ecs.tags.pop(provider.arn, None)

    _settle_update(ctx, provider, "DELETE_COMPLETE", gone)
    return {"capacityProvider": describe_provider(ctx, provider)}


@resolver("capacity-provider")
def _capacity_provider_exists(ctx: Context, name: str) -> bool:
    return find_provider(ctx, name) is not None
