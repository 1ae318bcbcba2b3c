"""Gateway routes: what a service's gateway connector makes on the gateways of its cluster, and
DescribeGatewayResources, DescribeGatewayRoute and ListGatewayRoutes.

CreateService and UpdateService hand a service's ``gatewayConnectors`` to ``connect``: for every gateway
ACTIVE-associated with the service's cluster whose access type the connector's filters allow, a route is made
(CREATE_IN_PROGRESS, ACTIVE ``gateway_route_create`` seconds later) on one of the gateway's load balancers, a new
one when the others are full [M:CreateGateway: "aren't created until a service ... begins using the gateway"].
A service updated without a connector, or deleted, has its routes DELETE_IN_PROGRESS and gone
``gateway_route_delete`` seconds later; a load balancer left with no route is released, and a DISASSOCIATING
association with no route left is deleted [M:DisassociateGatewayFromCluster].
"""

from __future__ import annotations

import copy
from typing import Any

from ..core.context import Context
from ..core.errors import AwsError, InvalidParameterException, ResourceNotFoundException
from ..core.paging import page, with_token
from ..core.registry import handler
from .clusters import cluster_name
from .gateway_model import (
    ROUTES_PER_ALB,
    Association,
    Gateway,
    GatewayRoute,
    GatewayState,
    ManagedAlb,
    elb_arn,
    gateway_state,
    get_gateway,
    hex_id,
)
from .service_model import Service
from .state import TaskDefinition

MAX_RESOURCES_PAGE = 20  # "The maximum value is 20 and the default is 10." [M:DescribeGatewayResourcesRequest]
# Not confirmed: no source quotes AWS's words for these refusals.
ROUTE_NOT_FOUND = "The specified gateway route wasn't found."
NO_PORT = "The gateway connector's portName {} isn't the name of a port mapping in the task definition."
NOT_AWSVPC = "A service that uses a gateway connector must use the awsvpc network mode."
GONE = frozenset({"DELETE_IN_PROGRESS"})


def _port_names(definition: TaskDefinition) -> set[str]:
    body = definition.body
    return {m["name"] for c in body.get("containerDefinitions", []) for m in c.get("portMappings", [])
            if m.get("name")}


def check_connectors(connectors: list[dict[str, Any]], definition: TaskDefinition) -> None:
    """What the fake refuses of a service's gateway connectors (before the service changes); at most one
    connector is the schema's rule (the model's ``max: 1``)."""
    for connector in connectors:
        if definition.body.get("networkMode") != "awsvpc":
            raise InvalidParameterException(NOT_AWSVPC)
        if connector["portName"] not in _port_names(definition):
            raise InvalidParameterException(NO_PORT.format(connector["portName"]))


def routes_of(state: GatewayState, service_arn: str) -> list[GatewayRoute]:
    return [r for r in state.routes.values() if r.service_arn == service_arn and r.status not in GONE]


def connect(ctx: Context, service: Service, connectors: list[dict[str, Any]]) -> None:
    """The service's routes follow its (new) connectors: made where missing, kept, or deleted."""
    check_connectors(connectors, service.primary.definition)
    state = gateway_state(ctx)
    wanted: dict[str, tuple[Gateway, dict[str, Any]]] = {}
    for connector in connectors:
        allowed = set((connector.get("filters") or {}).get("accessTypes") or ("PUBLIC", "PRIVATE"))
        for association in state.associations.values():
            if (association.cluster_name == service.cluster.name and association.status == "ACTIVE"
                    and association.gateway.access_type in allowed):
                wanted[association.gateway.name] = (association.gateway, connector)
    if connectors and not wanted:
        ctx.documented("gatewayConnectors: no gateway whose access type the connector allows is associated with "
                       f"cluster {service.cluster.name} [M:AssociateGatewayWithCluster]")
    for route in routes_of(state, service.arn):
        if route.gateway.name not in wanted:
            _delete(ctx, state, route)
        elif route.port_name != wanted[route.gateway.name][1]["portName"]:
            route.port_name = wanted[route.gateway.name][1]["portName"]
            _progress(ctx, route, "UPDATE_IN_PROGRESS")
    have = {r.gateway.name for r in routes_of(state, service.arn)}
    for name, (gateway, connector) in wanted.items():
        if name not in have:
            _create(ctx, state, gateway, service, connector["portName"])
    revision = service.primary.revision
    if revision is not None:  # the revision's connectors, and the connections the gateways made for them
        revision.body["gatewayConnectors"] = copy.deepcopy(connectors)
        mine = routes_of(state, service.arn)
        revision.live = lambda: {"ecsManagedResources": {"gatewayConnections": [r.connection() for r in mine]}}


def disconnect(ctx: Context, service: Service) -> None:
    """DeleteService: the gateways remove the service's routes."""
    state = gateway_state(ctx)
    for route in routes_of(state, service.arn):
        _delete(ctx, state, route)


def _alb_for(ctx: Context, gateway: Gateway) -> ManagedAlb | None:
    for alb in gateway.albs:
        if len(alb.routes) < ROUTES_PER_ALB:
            return alb
    if len(gateway.albs) >= gateway.configuration["maxAlbCount"]:
        return None
    alb = ManagedAlb.new(ctx, gateway)
    gateway.albs.append(alb)
    return alb


def _create(ctx: Context, state: GatewayState, gateway: Gateway, service: Service, port_name: str) -> None:
    alb = _alb_for(ctx, gateway)
    full = alb is None
    if alb is None:  # every load balancer the gateway may have is full: the route fails, on the last one
        alb = gateway.albs[-1]
    lb_path = alb.arn.split("loadbalancer/", 1)[1]
    listener_id = alb.listener_arn.rsplit("/", 1)[1]
    tg_name = f"ecs-{service.name[:20]}"
    sg = f"sg-{hex_id(ctx, 17)}"
    route = GatewayRoute(
        arn=ctx.arn("ecs", f"gateway-route/{gateway.name}/{service.cluster.name}/{service.name}/{hex_id(ctx, 32)}"),
        gateway=gateway, alb=alb, cluster_arn=service.cluster.arn, cluster_name=service.cluster.name,
        service_arn=service.arn, service_name=service.name, port_name=port_name,
        service_url=f"https://{service.name.lower()[:40]}-{hex_id(ctx, 12)}.ecs.{ctx.region}.on.aws",
        certificate_arn=ctx.arn("acm", f"certificate/{ctx.backend.ids.uuid()}"),
        rule_arn=elb_arn(ctx, f"listener-rule/{lb_path}/{listener_id}/{hex_id(ctx, 16)}"),
        test_rule_arn=elb_arn(ctx, f"listener-rule/{lb_path}/{listener_id}/{hex_id(ctx, 16)}"),
        target_group_arn=elb_arn(ctx, f"targetgroup/{tg_name}-1/{hex_id(ctx, 16)}"),
        alternate_target_group_arn=elb_arn(ctx, f"targetgroup/{tg_name}-2/{hex_id(ctx, 16)}"),
        service_security_group_arn=ctx.arn("ec2", f"security-group/{sg}"),
        ingress_rule_arn=ctx.arn("ec2", f"security-group-rule/sgr-{hex_id(ctx, 17)}"),
    )
    state.routes[route.arn] = route
    if full:
        route.status = "CREATE_FAILED"  # the fake's choice: maxAlbCount load balancers, all full
        return
    alb.routes.append(route.arn)
    _progress(ctx, route, "CREATE_IN_PROGRESS")


def _progress(ctx: Context, route: GatewayRoute, status: str) -> None:
    route.status = status

    def done(at: float) -> None:
        if route.status == status:
            route.status = "ACTIVE"

    ctx.backend.events.schedule(ctx.now + ctx.backend.timings["gateway_route_create"], done)


def _delete(ctx: Context, state: GatewayState, route: GatewayRoute) -> None:
    route.status = "DELETE_IN_PROGRESS"

    def gone(at: float) -> None:
        state.routes.pop(route.arn, None)
        if route.arn in route.alb.routes:
            route.alb.routes.remove(route.arn)
        if not route.alb.routes and route.alb in route.gateway.albs:
            route.gateway.albs.remove(route.alb)  # the fake's choice: an idle load balancer is released
        for association in list(state.associations.values()):
            forget_association_if_done(state, association)

    ctx.backend.events.schedule(ctx.now + ctx.backend.timings["gateway_route_delete"], gone)


def forget_association_if_done(state: GatewayState, association: Association) -> None:
    """A DISASSOCIATING association is deleted once the gateway has no route left in the cluster."""
    if association.status != "DISASSOCIATING":
        return
    if any(r.gateway is association.gateway and r.cluster_name == association.cluster_name
           for r in state.routes.values()):
        return
    key = (association.gateway.name, association.cluster_name)
    if state.associations.get(key) is association:
        del state.associations[key]


@handler("ecs", "DescribeGatewayResources")
def describe_gateway_resources(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    gateway = get_gateway(ctx, req["gateway"])
    if (req.get("maxResults") or 0) > MAX_RESOURCES_PAGE:
        raise InvalidParameterException(f"maxResults can be at most {MAX_RESOURCES_PAGE}.")  # not confirmed
    chunk, token = page(gateway.albs, req, "DescribeGatewayResources", InvalidParameterException, default_max=10)
    resources = {"gatewayArn": gateway.arn, "resources": {"hostSharedAlb": [alb.describe() for alb in chunk]}}
    return with_token({"gatewayResources": resources}, token)


@handler("ecs", "DescribeGatewayRoute")
def describe_gateway_route(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    route = gateway_state(ctx).routes.get(req["gatewayRouteArn"])
    if route is None:
        raise ResourceNotFoundException(ROUTE_NOT_FOUND)
    return {"gatewayRoute": route.describe()}


def _service_matches(ctx: Context, route: GatewayRoute, ref: str | None) -> bool:
    """A service filter: an ARN, or a name (which may match services of several clusters [M:ListGatewayRoutes])."""
    if not ref:
        return True
    return route.service_arn == ref if ref.startswith("arn:") else route.service_name == ref


@handler("ecs", "ListGatewayRoutes")
def list_gateway_routes(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    gateway = get_gateway(ctx, req["gateway"]).name if req.get("gateway") else None
    try:
        cluster = cluster_name(ctx, req["cluster"]) if req.get("cluster") else None
    except AwsError:
        cluster = "\0"  # another region's or account's cluster: nothing matches
    statuses = set(req.get("status") or [])
    port = req.get("serviceContainerPortName")
    chosen = [r for r in gateway_state(ctx).routes.values()
              if (gateway is None or r.gateway.name == gateway) and (cluster is None or r.cluster_name == cluster)
              and _service_matches(ctx, r, req.get("service")) and (port is None or r.port_name == port)
              and (not statuses or r.status in statuses)]
    chunk, token = page(chosen, req, "ListGatewayRoutes", InvalidParameterException)
    return with_token({"gatewayRoutes": [r.summary() for r in chunk]}, token)

