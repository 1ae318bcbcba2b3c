"""UpdateCluster, UpdateClusterSettings, PutClusterCapacityProviders (the cluster's model is in clusters.py)."""

from __future__ import annotations

import copy
from typing import Any

from ..core.context import Context
from ..core.errors import AwsError, InvalidParameterException
from ..core.registry import handler
from .cluster_attachments import check_providers, set_providers, set_service_connect
from .clusters import describe, get_cluster
from .launch import strategy_launch_type
from .namespaces import known_namespace
from .state import Cluster

# Observed: AWS's answer when a provider that tasks or services use is left out (pahud/cdk-fargate-patterns#71,
# aws/containers-roadmap#631), as ResourceInUseException.
IN_USE = "The specified capacity provider is in use and cannot be removed."
NOT_ASSOCIATED = (
    "The specified capacity provider strategy cannot contain a capacity provider that is not associated with the "
    "cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again."
)
_ANSWERED = ["SETTINGS", "CONFIGURATIONS", "ATTACHMENTS"]


def _merge_settings(cluster: Cluster, settings: list[dict[str, Any]]) -> None:
    """Settings are replaced by name; the others stay as they were."""
    by_name = {s["name"]: dict(s) for s in cluster.settings}
    for setting in settings:
        by_name[setting["name"]] = dict(setting)
    cluster.settings = list(by_name.values())


def _check_execute_command(ctx: Context, config: dict[str, Any]) -> None:
    execute = config.get("executeCommandConfiguration")
    if execute is not None and execute.get("logging") == "OVERRIDE" and not execute.get("logConfiguration"):
        # The model says it, AWS is not known to refuse it: answered, recorded (strict mode fails the test).
        ctx.documented("executeCommandConfiguration.logConfiguration is required when logging is OVERRIDE "
                       "(documented: [M:ExecuteCommandConfiguration.logConfiguration])")


@handler("ecs", "UpdateCluster")
def update_cluster(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req["cluster"])
    config = req.get("configuration")
    if config is not None:
        _check_execute_command(ctx, config)
    defaults = req.get("serviceConnectDefaults")
    # Every check passed: apply.
    if "settings" in req:
        _merge_settings(cluster, req["settings"])
    if config is not None:
        merged = dict(cluster.configuration or {})
        merged.update(copy.deepcopy(config))  # each part given replaces that part
        cluster.configuration = merged
    if defaults is not None:
        namespace = defaults.get("namespace", "")
        # "If you update the cluster with an empty string "" for the namespace name, the cluster configuration for
        # Service Connect is removed" [M:ClusterServiceConnectDefaultsRequest.namespace].
        cluster.service_connect_defaults = {"namespace": known_namespace(ctx, namespace)} if namespace else None
        set_service_connect(ctx, cluster, bool(namespace))
    return {"cluster": describe(ctx, cluster, _ANSWERED)}


@handler("ecs", "UpdateClusterSettings")
def update_cluster_settings(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req["cluster"])
    _merge_settings(cluster, req["settings"])
    return {"cluster": describe(ctx, cluster, ["SETTINGS"])}


def _in_use(ctx: Context, cluster: Cluster, name: str) -> bool:
    """Whether tasks that have not stopped, or a service's strategy, use the provider in this cluster.
    "You can only disassociate an existing capacity provider from a cluster if it's not being used by any
    existing tasks" [M:PutClusterCapacityProviders]."""
    for task in ctx.ecs.tasks.values():
        if task.cluster is cluster and task.capacity_provider == name and task.last_status != "STOPPED":
            return True
    for service in ctx.ecs.services.values():
        if service.cluster is not cluster or service.status == "INACTIVE":
            continue
        strategies = [service.capacity_provider_strategy or []]
        strategies += [d.capacity_provider_strategy or [] for d in service.deployments]
        if any(item["capacityProvider"] == name for strategy in strategies for item in strategy):
            return True
    return False


@handler("ecs", "PutClusterCapacityProviders")
def put_cluster_capacity_providers(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req["cluster"])
    names = list(dict.fromkeys(req["capacityProviders"]))
    strategy = req["defaultCapacityProviderStrategy"]
    check_providers(ctx, cluster.name, names)
    for item in strategy:
        if item["capacityProvider"] not in names:
            raise InvalidParameterException(NOT_ASSOCIATED)
    strategy_launch_type(strategy)
    for name in cluster.capacity_providers:
        if name not in names and _in_use(ctx, cluster, name):
            raise AwsError(IN_USE, code="ResourceInUseException")
    # Every check passed: apply.
    set_providers(ctx, cluster, names)
    # Echoed with weight and base filled in (the AWS CLI's put-cluster-capacity-providers examples show base 0).
    cluster.default_strategy = [{"capacityProvider": item["capacityProvider"], "weight": item.get("weight", 0),
                                 "base": item.get("base", 0)} for item in strategy]
    return {"cluster": describe(ctx, cluster, _ANSWERED)}
