"""A cluster's capacity providers and attachments: which providers it may have, and the attachments AWS
describes for them (``as_policy``, ``managed_draining``) and for Service Connect defaults (``sc``).

Their statuses follow the AWS CLI's examples: put-cluster-capacity-providers (``attachmentsStatus``
UPDATE_IN_PROGRESS in the answer, removed attachments DELETING) and update-cluster (``as_policy`` and
``managed_draining`` CREATED, ``sc`` ATTACHED, a replaced ``sc`` DELETED, ``attachmentsStatus`` UPDATE_COMPLETE).
"""

from __future__ import annotations

from typing import Any

from ..core.context import Context
from ..core.errors import InvalidParameterException
from .state import CapacityProvider, Cluster

FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
DRAINING_HOOK = "ecs-managed-draining-termination-hook"


def not_active(provider: str) -> InvalidParameterException:
    return InvalidParameterException(
        f"The specified capacity provider '{provider}' is not in an ACTIVE state. "
        "Specify a valid capacity provider and try again."
    )


def check_providers(ctx: Context, cluster: str, names: list[str]) -> None:
    """Refuse providers a cluster cannot have: an Auto Scaling group provider must exist, be ACTIVE and belong
    to no other cluster (FARGATE and FARGATE_SPOT always exist)."""
    for name in names:
        if name in FARGATE_PROVIDERS:
            continue
        provider = ctx.ecs.capacity_providers.get(name)
        if provider is None or provider.status != "ACTIVE" or provider.update_status == "DELETE_IN_PROGRESS":
            raise not_active(name)
        if provider.cluster not in (None, cluster):
            # Not confirmed: the rule is AWS's (a provider is associated with one cluster), the wording ours.
            raise InvalidParameterException(
                f"The specified capacity provider '{name}' is already associated with another cluster "
                f"({provider.cluster}). A capacity provider can be associated with only one cluster."
            )


def _wanted(provider: CapacityProvider) -> dict[str, tuple[str, str]]:
    """The attachments a provider's settings call for: type → (detail name, detail value)."""
    wanted: dict[str, tuple[str, str]] = {}
    if provider.asg["managedScaling"]["status"] == "ENABLED":
        wanted["as_policy"] = ("scalingPolicyName", "ECSManagedAutoScalingPolicy-")
    if provider.asg.get("managedDraining") == "ENABLED":
        wanted["managed_draining"] = ("autoScalingLifecycleHookName", DRAINING_HOOK)
    return wanted


def _owner(attachment: dict[str, Any]) -> str | None:
    return next((d["value"] for d in attachment["details"] if d["name"] == "capacityProviderName"), None)


def set_providers(ctx: Context, cluster: Cluster, names: list[str], *, always: bool = True) -> None:
    """Associate exactly ``names`` with the cluster (checked by ``check_providers``) and bring its provider
    attachments in line: a new one is CREATED, one no longer called for is DELETING until the update completes.
    ``attachmentsStatus`` is UPDATE_IN_PROGRESS, then UPDATE_COMPLETE after ``capacity_provider_update`` (not
    ``always``: only when an attachment changed)."""
    state = ctx.ecs
    old = set(cluster.capacity_providers)
    cluster.capacity_providers = list(dict.fromkeys(names))
    for name in old - set(names):
        provider = state.capacity_providers.get(name)
        if provider is not None and provider.cluster == cluster.name:
            provider.cluster = None
    wanted: dict[tuple[str, str], tuple[str, str]] = {}
    for name in cluster.capacity_providers:
        provider = state.capacity_providers.get(name)
        if provider is not None:
            provider.cluster = cluster.name
            wanted.update({(kind, name): detail for kind, detail in _wanted(provider).items()})
    have = set()
    changed = False
    for attachment in cluster.attachments:
        owner = _owner(attachment)
        if owner is None or attachment["status"] == "DELETING":
            continue
        if (attachment["type"], owner) in wanted:
            have.add((attachment["type"], owner))
        else:
            attachment["status"] = "DELETING"
            changed = True
    ids = ctx.backend.ids
    for (kind, name), (detail, value) in wanted.items():
        if (kind, name) not in have:
            changed = True
            value = value + ids.uuid() if value.endswith("-") else value
            cluster.attachments.append({"id": ids.uuid(), "type": kind, "status": "CREATED", "details": [
                {"name": "capacityProviderName", "value": name}, {"name": detail, "value": value}]})
    if not changed and (not always or not cluster.capacity_providers and cluster.attachments_status is None):
        return
    _updating(ctx, cluster)


def set_service_connect(ctx: Context, cluster: Cluster, attached: bool) -> None:
    """Service Connect defaults set (``attached``) or removed: the ``sc`` attachment in place is DELETED (and
    stays listed, as in the AWS CLI's update-cluster example) and, when set, a new one is ATTACHED."""
    for attachment in cluster.attachments:
        if attachment["type"] == "sc" and attachment["status"] == "ATTACHED":
            attachment["status"] = "DELETED"
    if attached:
        cluster.attachments.append({"id": ctx.backend.ids.uuid(), "type": "sc", "status": "ATTACHED", "details": []})
    _updating(ctx, cluster)


def _updating(ctx: Context, cluster: Cluster) -> None:
    cluster.attachments_status = "UPDATE_IN_PROGRESS"
    cluster.attachments_update += 1
    update = cluster.attachments_update
    backend = ctx.backend

    def complete(_: float) -> None:
        if cluster.attachments_update != update:
            return  # a later update completes them all
        cluster.attachments = [a for a in cluster.attachments if a["status"] != "DELETING"]
        cluster.attachments_status = "UPDATE_COMPLETE"

    backend.events.schedule(ctx.now + backend.timings["capacity_provider_update"], complete)
