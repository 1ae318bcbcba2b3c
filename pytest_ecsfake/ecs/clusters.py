"""CreateCluster, DescribeClusters, ListClusters, DeleteCluster."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.context import Context
from ..core.errors import (
    ClusterContainsContainerInstancesException,
    ClusterContainsServicesException,
    ClusterContainsTasksException,
    ClusterNotFoundException,
    InvalidParameterException,
)
from ..core.paging import page, with_token
from ..core.registry import handler
from .account_settings import effective
from .cluster_attachments import check_providers, set_providers, set_service_connect
from .lookup import describe_each
from .namespaces import known_namespace
from .state import Cluster
from .tags import tag_list, tags_of

if TYPE_CHECKING:
    from ..core.backend import Backend



def cluster_name(ctx: Context, ref: str | None) -> str:
    """The name in a cluster reference: a name, or an ARN of this region and account. Absent = default."""
    if not ref:
        return "default"
    if ref.startswith("arn:"):
        prefix = ctx.arn("ecs", "cluster/")
        if not ref.startswith(prefix):
            raise ClusterNotFoundException("Cluster not found.")
        return ref[len(prefix) :]
    return ref


def find_cluster(ctx: Context, ref: str | None) -> Cluster | None:
    return ctx.ecs.clusters.get(cluster_name(ctx, ref))


def get_cluster(ctx: Context, ref: str | None) -> Cluster:
    """An ACTIVE cluster, or AWS's ClusterNotFoundException."""
    cluster = find_cluster(ctx, ref)
    if cluster is None or cluster.status != "ACTIVE":
        raise ClusterNotFoundException("Cluster not found.")
    return cluster


def describe(ctx: Context, cluster: Cluster, include: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "clusterArn": cluster.arn,
        "clusterName": cluster.name,
        "status": cluster.status,
        "registeredContainerInstancesCount": cluster.container_instances,
        "runningTasksCount": cluster.running_tasks,
        "pendingTasksCount": cluster.pending_tasks,
        "activeServicesCount": cluster.active_services,
        "statistics": [],
        "tags": tag_list(tags_of(ctx, cluster.arn)) if "TAGS" in include else [],
        "capacityProviders": list(cluster.capacity_providers),
        "defaultCapacityProviderStrategy": [dict(s) for s in cluster.default_strategy],
    }
    if "SETTINGS" in include:
        body["settings"] = [dict(s) for s in cluster.settings]
    if "CONFIGURATIONS" in include and cluster.configuration is not None:
        body["configuration"] = cluster.configuration
    if "STATISTICS" in include:
        body["statistics"] = _statistics(cluster)
    if "ATTACHMENTS" in include:
        body["attachments"] = [{**a, "details": [dict(d) for d in a["details"]]} for a in cluster.attachments]
        if cluster.attachments_status is not None:
            body["attachmentsStatus"] = cluster.attachments_status
    if cluster.service_connect_defaults is not None:
        body["serviceConnectDefaults"] = cluster.service_connect_defaults
    return body


def _statistics(cluster: Cluster) -> list[dict[str, str]]:
    return [
        {"name": "runningEC2TasksCount", "value": "0"},
        {"name": "runningFargateTasksCount", "value": "0"},
        {"name": "pendingEC2TasksCount", "value": "0"},
        {"name": "pendingFargateTasksCount", "value": "0"},
        {"name": "activeEC2ServiceCount", "value": "0"},
        {"name": "activeFargateServiceCount", "value": "0"},
        {"name": "drainingEC2ServiceCount", "value": "0"},
        {"name": "drainingFargateServiceCount", "value": "0"},
    ]


def _settings(ctx: Context, asked: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The request's settings; without containerInsights, the caller's effective account setting of that
    name ("any new clusters that are created will have Container Insights turned on unless you disable it
    during cluster creation", the API reference's PutAccountSetting page)."""
    settings = [dict(s) for s in asked]
    if not any(s.get("name") == "containerInsights" for s in settings):
        settings.append({"name": "containerInsights", "value": effective(ctx, "containerInsights")})
    return settings


@handler("ecs", "CreateCluster")
def create_cluster(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    from .tags import set_tags

    name = req.get("clusterName", "default")
    existing = ctx.ecs.clusters.get(name)
    if existing is not None and existing.status == "ACTIVE":
        # CreateCluster is idempotent on the name: AWS answers the cluster that exists.
        return {"cluster": describe(ctx, existing, ["SETTINGS", "TAGS", "CONFIGURATIONS"])}
    check_providers(ctx, name, req.get("capacityProviders", []))
    cluster = Cluster(
        name=name,
        arn=ctx.arn("ecs", f"cluster/{name}"),
        settings=_settings(ctx, req.get("settings", [])),
        configuration=req.get("configuration"),
        default_strategy=[dict(s) for s in req.get("defaultCapacityProviderStrategy", [])],
    )
    default_namespace = (req.get("serviceConnectDefaults") or {}).get("namespace")
    if default_namespace:
        # "If you enter a new name, a Cloud Map namespace will be created"; answered as its ARN, as UpdateCluster.
        cluster.service_connect_defaults = {"namespace": known_namespace(ctx, default_namespace)}
    ctx.ecs.clusters.pop(name, None)  # an INACTIVE cluster of that name is replaced
    ctx.ecs.clusters[name] = cluster
    set_providers(ctx, cluster, list(req.get("capacityProviders", [])))
    if default_namespace:
        set_service_connect(ctx, cluster, True)
    set_tags(ctx, cluster.arn, req.get("tags", []), replace=True)
    # The answer carries the attachments when there are any (the AWS CLI's create-cluster examples).
    answered = ["SETTINGS", "TAGS", "CONFIGURATIONS"] + (["ATTACHMENTS"] if cluster.attachments else [])
    return {"cluster": describe(ctx, cluster, answered)}


@handler("ecs", "DescribeClusters")
def describe_clusters(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    include = req.get("include", [])
    found, failures = describe_each(
        req.get("clusters") or ["default"],
        lambda ref: find_cluster(ctx, ref),
        lambda cluster: describe(ctx, cluster, include),
        lambda ref: ref if ref.startswith("arn:") else ctx.arn("ecs", f"cluster/{ref}"),
    )
    return {"clusters": found, "failures": failures}


@handler("ecs", "ListClusters")
def list_clusters(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    arns = [c.arn for c in ctx.ecs.clusters.values()]  # INACTIVE ones too, while they are discoverable
    chunk, token = page(arns, req, "ListClusters", InvalidParameterException)
    return with_token({"clusterArns": chunk}, token)


@handler("ecs", "DeleteCluster")
def delete_cluster(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req["cluster"])
    if cluster.container_instances:
        raise ClusterContainsContainerInstancesException(
            "The Cluster cannot be deleted while Container Instances are active or draining."
        )
    if cluster.active_services:
        raise ClusterContainsServicesException("The Cluster cannot be deleted while Services are active.")
    if cluster.running_tasks or cluster.pending_tasks:
        raise ClusterContainsTasksException("The Cluster cannot be deleted while Tasks are active.")
    retire(ctx.backend, ctx.ecs.clusters, cluster, ctx.now)
    for provider in ctx.ecs.capacity_providers.values():  # deleting the cluster disassociates its providers
        if provider.cluster == cluster.name:
            provider.cluster = None
    ctx.ecs.tags.pop(cluster.arn, None)
    return {"cluster": describe(ctx, cluster, ["SETTINGS", "CONFIGURATIONS"])}


def retire(backend: Backend, clusters: dict[str, Cluster], cluster: Cluster, at: float) -> None:
    """A deleted cluster is INACTIVE and stays discoverable (DescribeClusters, ListClusters) for the timing
    ``cluster_inactive_visible``, then is gone: "Clusters with an INACTIVE status may remain discoverable in your
    account for a period of time" [M:Cluster.status]."""
    cluster.status = "INACTIVE"

    def forget(_: float) -> None:
        if clusters.get(cluster.name) is cluster and cluster.status == "INACTIVE":
            del clusters[cluster.name]
            backend.changed()

    backend.events.schedule(at + backend.timings["cluster_inactive_visible"], forget)
