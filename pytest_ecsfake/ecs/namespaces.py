"""ListServicesByNamespace, and the Cloud Map namespaces ECS was told of (Service Connect).

The fake has no Cloud Map. A namespace exists for it once a cluster's ``serviceConnectDefaults`` or a
service's ``serviceConnectConfiguration`` names it: by name (ECS "creates a Cloud Map namespace" for a new name
[M:ClusterServiceConnectDefaultsRequest.namespace]; the fake gives it an ARN of its own, the same for the same
name, region and account) or by ARN (taken as it is; its name is then unknown). A namespace no ECS resource
ever named is unknown: NamespaceNotFoundException. Choices: docs/fidelity-settings.md.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from ..core.context import Context
from ..core.errors import AwsError, InvalidParameterException
from ..core.paging import page, with_token
from ..core.registry import handler
from .state import Cluster

# The model's description of NamespaceNotFoundException; AWS's message in an answer is not confirmed.
NAMESPACE_NOT_FOUND = "The specified namespace wasn't found."


def _minted_arn(ctx: Context, name: str) -> str:
    """A Cloud Map namespace ARN for ``name``: ``ns-`` and 16 lowercase letters and digits, as Cloud Map's."""
    digest = hashlib.blake2s(f"{ctx.region}/{ctx.account_id}/{name}".encode(), digest_size=10).digest()
    suffix = base64.b32encode(digest).decode().lower()[:16]
    return f"arn:aws:servicediscovery:{ctx.region}:{ctx.account_id}:namespace/ns-{suffix}"


def known_namespace(ctx: Context, ref: str) -> str:
    """The ARN of the namespace ``ref`` names (a name or an ARN), which ECS now knows of."""
    known: dict[str, str] = ctx.ecs.namespaces
    if ref not in known:
        known[ref] = ref if ref.startswith("arn:") else _minted_arn(ctx, ref)
    return known[ref]


def service_namespace(ctx: Context, config: dict[str, Any] | None, cluster: Cluster) -> str | None:
    """The namespace a service with ``serviceConnectConfiguration`` joins: its own, else the cluster's
    default ("any new services with Service Connect turned on that are created in the cluster are added as
    client services in the namespace" [M:ClusterServiceConnectDefaults]); None when Service Connect is off."""
    if not config or not config.get("enabled"):
        return None
    ref = config.get("namespace") or (cluster.service_connect_defaults or {}).get("namespace")
    return known_namespace(ctx, ref) if ref else None


def _find(ctx: Context, ref: str) -> str:
    known: dict[str, str] = ctx.ecs.namespaces
    if ref in known:
        return known[ref]
    if ref.startswith("arn:") and ref in known.values():
        return ref
    raise AwsError(NAMESPACE_NOT_FOUND, code="NamespaceNotFoundException")


@handler("ecs", "ListServicesByNamespace")
def list_services_by_namespace(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """The ACTIVE services of every cluster of the region in the namespace, in creation order."""
    arn = _find(ctx, req["namespace"])
    arns = [s.arn for s in ctx.ecs.services.values() if s.status == "ACTIVE" and s.namespace_arn == arn]
    # Without maxResults it answers up to 10 services a page [M:ListServicesByNamespace.maxResults].
    chunk, token = page(arns, req, "ListServicesByNamespace", InvalidParameterException, default_max=10)
    return with_token({"serviceArns": chunk}, token)
