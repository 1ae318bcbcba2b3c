"""CreateGateway, UpdateGateway, DeleteGateway, DescribeGateway, ListGateways, AssociateGatewayWithCluster,
DisassociateGatewayFromCluster and ListGatewayClusterAssociations over the records of ``gateway_model.py``.

CreateGateway and DeleteGateway are synchronous (ACTIVE, DELETED); UpdateGateway is not: the gateway is
UPDATE_IN_PROGRESS for ``gateway_update`` seconds of fake time, then UPDATE_COMPLETE [M:UpdateGateway]. An
association is ACTIVE at once; DisassociateGatewayFromCluster leaves it DISASSOCIATING until the gateway's routes
in that cluster are gone (``gateway_routes.py``), then it is deleted [M:DisassociateGatewayFromCluster].
Choices where AWS is silent: ``docs/fidelity-gateways.md``.
"""

from __future__ import annotations

import copy
from typing import Any

from ..core.context import Context
from ..core.errors import AwsError, ClientException, InvalidParameterException, ResourceNotFoundException
from ..core.paging import page, with_token
from ..core.registry import handler
from .clusters import cluster_name, get_cluster
from .gateway_model import ALB_DEFAULTS, Association, Gateway, gateway_name, gateway_state, get_gateway
from .gateway_routes import forget_association_if_done
from .tags import resolver, set_tags, tag_list, tags_of

MAX_NAME = 255  # "can be up to 255 characters" [M:CreateGatewayRequest.name]
# "A single cluster can be associated with up to 5 gateways." [M:AssociateGatewayWithCluster]
MAX_GATEWAYS_PER_CLUSTER = 5
MAX_NAMES = 10  # "You can specify up to 10 names." [M:ListGatewaysRequest.names]
# Not confirmed: no source quotes AWS's words for these refusals; plain sentences in AWS's style.
NAME_TAKEN = "A gateway with the name {} already exists."
PROTECTED = "The gateway has deletion protection enabled. Disable deletion protection before you delete it."
ASSOCIATED = "The gateway has cluster associations. Disassociate all clusters before you delete the gateway."
TOO_MANY = "A cluster can be associated with at most 5 gateways."
NOT_ASSOCIATED = "The gateway isn't associated with the cluster."
ONE_VARIANT = "Exactly one gateway configuration variant must be set."


def _describe(ctx: Context, gateway: Gateway) -> dict[str, Any]:
    return gateway.describe(tag_list(tags_of(ctx, gateway.arn)))


def _brief(gateway: Gateway) -> dict[str, Any]:
    return {"gatewayArn": gateway.arn, "name": gateway.name, "status": gateway.status}


def _alb_configuration(ctx: Context, given: dict[str, Any]) -> dict[str, Any]:
    config = {**copy.deepcopy(ALB_DEFAULTS), **copy.deepcopy(given)}
    network = config.setdefault("networkConfiguration", {})
    network.setdefault("ipAddressType", "dualstack")  # the default [M:GatewayElbNetworkConfiguration.ipAddressType]
    if config["port"] != 443 or config["protocol"] != "HTTPS":
        ctx.documented("hostSharedAlb: the gateway supports only HTTPS at port 443 [M:HostSharedAlbConfiguration.port]")
    if config["maxAlbCount"] < 1:
        raise InvalidParameterException("maxAlbCount must be at least 1.")  # not confirmed
    return config


@handler("ecs", "CreateGateway")
def create_gateway(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    state = gateway_state(ctx)
    token = req.get("clientToken")
    for existing in state.gateways.values():
        if token and existing.client_token == token:
            return _brief(existing)  # "the service ignores the request, but does not return an error"
    name = req["name"]
    if len(name) > MAX_NAME:
        raise InvalidParameterException(f"The gateway name can be up to {MAX_NAME} characters.")  # not confirmed
    if name in state.gateways:
        raise InvalidParameterException(NAME_TAKEN.format(name))
    variants = [k for k, v in req["configuration"].items() if v is not None]
    if variants != ["hostSharedAlb"]:
        raise InvalidParameterException(ONE_VARIANT)
    gateway = Gateway(
        name=name, arn=ctx.arn("ecs", f"gateway/{name}"), infrastructure_role_arn=req["infrastructureRoleArn"],
        deletion_protection=req.get("deletionProtection", True),  # "The default is true."
        configuration=_alb_configuration(ctx, req["configuration"]["hostSharedAlb"]),
        propagate_tags=req.get("propagateTags", "GATEWAY"), created_at=ctx.now, updated_at=ctx.now,
        client_token=token)
    set_tags(ctx, gateway.arn, req.get("tags", []), replace=True)
    state.gateways[name] = gateway
    return _brief(gateway)  # "the gateway is returned with a status of ACTIVE" [M:CreateGateway]


def _finish_update(gateway: Gateway, seq: int, at: float) -> None:
    if gateway.update_seq == seq and gateway.status == "UPDATE_IN_PROGRESS":
        gateway.status, gateway.updated_at = "UPDATE_COMPLETE", at


@handler("ecs", "UpdateGateway")
def update_gateway(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    gateway = get_gateway(ctx, req["gateway"])
    config = req.get("configuration") or {}
    if config and [k for k, v in config.items() if v is not None] != ["hostSharedAlb"]:
        raise InvalidParameterException(ONE_VARIANT)
    changes = copy.deepcopy(config.get("hostSharedAlb") or {})
    if "maxAlbCount" in changes and changes["maxAlbCount"] < max(1, len(gateway.albs)):
        # Not confirmed: the fake refuses to go below the load balancers the gateway already has.
        raise InvalidParameterException(f"maxAlbCount can't be less than the current {len(gateway.albs)} "
                                        "load balancers of the gateway.")
    network = changes.pop("networkConfiguration", None)
    gateway.configuration.update(changes)
    if network:
        gateway.configuration.setdefault("networkConfiguration", {}).update(network)
    for key, attribute in (("infrastructureRoleArn", "infrastructure_role_arn"),
                           ("deletionProtection", "deletion_protection"), ("propagateTags", "propagate_tags")):
        if key in req:
            setattr(gateway, attribute, req[key])
    gateway.update_seq += 1
    gateway.status, gateway.status_reason, gateway.failures = "UPDATE_IN_PROGRESS", None, []
    gateway.updated_at = ctx.now
    seq = gateway.update_seq
    ctx.backend.events.schedule(ctx.now + ctx.backend.timings["gateway_update"],
                                lambda at: _finish_update(gateway, seq, at))
    return _brief(gateway)


@handler("ecs", "DeleteGateway")
def delete_gateway(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    state = gateway_state(ctx)
    gateway = get_gateway(ctx, req["gateway"])
    if gateway.deletion_protection:
        raise ClientException(PROTECTED)
    if any(a.gateway is gateway for a in state.associations.values()):  # ACTIVE or DISASSOCIATING
        raise ClientException(ASSOCIATED)
    gateway.status, gateway.updated_at = "DELETED", ctx.now
    del state.gateways[gateway.name]
    ctx.ecs.tags.pop(gateway.arn, None)
    return _brief(gateway)


@handler("ecs", "DescribeGateway")
def describe_gateway(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    return {"gateway": _describe(ctx, get_gateway(ctx, req["gateway"]))}


@handler("ecs", "ListGateways")
def list_gateways(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    names = req.get("names") or []
    if len(names) > MAX_NAMES:
        raise InvalidParameterException(f"names can have at most {MAX_NAMES} items.")  # not confirmed
    statuses = set(req.get("status") or [])
    chosen = [g for g in gateway_state(ctx).gateways.values()
              if (not names or g.name in names) and (not statuses or g.status in statuses)]
    chunk, token = page(chosen, req, "ListGateways", InvalidParameterException)
    return with_token({"gateways": [g.summary() for g in chunk]}, token)


def _association_key(gateway: Gateway, cluster: str) -> tuple[str, str]:
    return gateway.name, cluster


@handler("ecs", "AssociateGatewayWithCluster")
def associate_gateway_with_cluster(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    state = gateway_state(ctx)
    gateway = get_gateway(ctx, req["gateway"])
    cluster = get_cluster(ctx, req["cluster"])
    association = state.associations.get(_association_key(gateway, cluster.name))
    if association is None:
        if sum(1 for a in state.associations.values() if a.cluster_name == cluster.name) >= MAX_GATEWAYS_PER_CLUSTER:
            raise InvalidParameterException(TOO_MANY)
        association = Association(gateway=gateway, cluster_arn=cluster.arn, cluster_name=cluster.name)
        state.associations[_association_key(gateway, cluster.name)] = association
    association.status = "ACTIVE"  # associating again is answered as the ACTIVE association (the fake's choice)
    return association.summary()


@handler("ecs", "DisassociateGatewayFromCluster")
def disassociate_gateway_from_cluster(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    state = gateway_state(ctx)
    gateway = get_gateway(ctx, req["gateway"])
    cluster = get_cluster(ctx, req["cluster"])
    association = state.associations.get(_association_key(gateway, cluster.name))
    if association is None:
        raise ResourceNotFoundException(NOT_ASSOCIATED)
    association.status = "DISASSOCIATING"
    answer = association.summary()
    # With no route left in the cluster it is deleted at once (the next call sees it gone).
    ctx.backend.events.schedule(ctx.now, lambda at: forget_association_if_done(state, association))
    return answer


@handler("ecs", "ListGatewayClusterAssociations")
def list_gateway_cluster_associations(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    gateway = gateway_name(ctx, req["gateway"]) if req.get("gateway") else None
    cluster = _cluster_filter(ctx, req.get("cluster"))
    statuses = set(req.get("status") or [])
    chosen = [a for a in gateway_state(ctx).associations.values()
              if (gateway is None or a.gateway.name == gateway) and (cluster is None or a.cluster_name == cluster)
              and (not statuses or a.status in statuses)]
    chunk, token = page(chosen, req, "ListGatewayClusterAssociations", InvalidParameterException)
    return with_token({"gatewayClusterAssociations": [a.summary() for a in chunk]}, token)


def _cluster_filter(ctx: Context, ref: str | None) -> str | None:
    """A cluster filter's name; a filter naming another region's cluster matches nothing."""
    if not ref:
        return None
    try:
        return cluster_name(ctx, ref)
    except AwsError:
        return "\0"


@resolver("gateway")
def _gateway_exists(ctx: Context, rest: str) -> bool:
    return rest in gateway_state(ctx).gateways
