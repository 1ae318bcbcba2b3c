"""Gateways, their cluster associations and their routes as records, and their wire shapes.

A ``Gateway`` (CreateGateway) is ACTIVE at once; UpdateGateway makes it UPDATE_IN_PROGRESS until the change has
reached every load balancer it manages (UPDATE_COMPLETE); DeleteGateway makes it DELETED and gone. Its load
balancers exist only once a service uses it [M:CreateGateway]: a ``GatewayRoute`` (a service's gateway connector
on a gateway associated with the service's cluster) is placed on one of the gateway's ``ManagedAlb``s, a new one
when the others are full. Nothing but ECS is faked: load balancers, listeners, rules, target groups, security
groups and certificates are ARNs only (``docs/fidelity-gateways.md``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.errors import AwsError

if TYPE_CHECKING:
    from ..core.context import Context

# The fake's choice: how many routes (services) share one managed load balancer before the gateway allocates
# another, up to maxAlbCount. AWS does not say; 25 is the ALB's default limit of certificates per listener.
ROUTES_PER_ALB = 25
# AWS's defaults [M:HostSharedAlbConfiguration]; the listener is HTTPS on 443, nothing else is supported.
ALB_DEFAULTS: dict[str, Any] = {"scheme": "internet-facing", "port": 443, "protocol": "HTTPS", "maxAlbCount": 10,
                                "httpDesync": "defensive"}


def hex_id(ctx: Context, length: int) -> str:
    return ctx.backend.ids.hex32()[:length]


def elb_arn(ctx: Context, resource: str) -> str:
    return ctx.arn("elasticloadbalancing", resource)


@dataclass(eq=False)
class ManagedAlb:
    """One Application Load Balancer a gateway manages, with its HTTPS listener and its security group."""

    arn: str
    listener_arn: str
    security_group: str  # sg-<17 hex>
    security_group_arn: str
    routes: list[str] = field(default_factory=list)  # ARNs of the routes it carries

    @classmethod
    def new(cls, ctx: Context, gateway: Gateway) -> ManagedAlb:
        name = f"ecs-gw-{gateway.name[:18]}-{len(gateway.albs) + 1}"  # an ALB name has at most 32 characters
        lb_id, listener_id, sg = hex_id(ctx, 16), hex_id(ctx, 16), f"sg-{hex_id(ctx, 17)}"
        return cls(arn=elb_arn(ctx, f"loadbalancer/app/{name}/{lb_id}"),
                   listener_arn=elb_arn(ctx, f"listener/app/{name}/{lb_id}/{listener_id}"),
                   security_group=sg, security_group_arn=ctx.arn("ec2", f"security-group/{sg}"))

    def describe(self) -> dict[str, Any]:
        return {"loadBalancerArn": self.arn, "listenerArn": self.listener_arn, "securityGroup": self.security_group,
                "gatewayRouteArns": list(self.routes)}


@dataclass(eq=False)
class Gateway:
    name: str
    arn: str
    infrastructure_role_arn: str
    deletion_protection: bool
    configuration: dict[str, Any]  # hostSharedAlb, AWS's defaults filled in
    propagate_tags: str
    created_at: float
    updated_at: float
    client_token: str | None = None
    status: str = "ACTIVE"  # ACTIVE | UPDATE_IN_PROGRESS | UPDATE_COMPLETE | UPDATE_FAILED | DELETED
    status_reason: str | None = None
    failures: list[dict[str, Any]] = field(default_factory=list)
    update_seq: int = 0  # which UpdateGateway is the latest
    albs: list[ManagedAlb] = field(default_factory=list)

    @property
    def access_type(self) -> str:
        """PUBLIC or PRIVATE, derived from the scheme at creation [M:Gateway.accessType]."""
        return "PRIVATE" if self.configuration.get("scheme") == "internal" else "PUBLIC"

    def summary(self) -> dict[str, Any]:
        return {"gatewayArn": self.arn, "name": self.name, "status": self.status, "createdAt": self.created_at}

    def describe(self, tags: list[dict[str, str]]) -> dict[str, Any]:
        alb = copy.deepcopy(self.configuration)
        alb["currentAlbCount"] = len(self.albs)
        body: dict[str, Any] = {
            "gatewayArn": self.arn, "name": self.name, "status": self.status,
            "infrastructureRoleArn": self.infrastructure_role_arn, "deletionProtection": self.deletion_protection,
            "configuration": {"hostSharedAlb": alb}, "accessType": self.access_type,
            "propagateTags": self.propagate_tags, "tags": tags, "createdAt": self.created_at,
            "updatedAt": self.updated_at, "failures": copy.deepcopy(self.failures),
        }
        if self.status_reason is not None:
            body["statusReason"] = self.status_reason
        return body


@dataclass(eq=False)
class Association:
    gateway: Gateway
    cluster_arn: str
    cluster_name: str
    status: str = "ACTIVE"  # ACTIVE | DISASSOCIATING (then deleted)

    def summary(self) -> dict[str, Any]:
        return {"gatewayArn": self.gateway.arn, "clusterArn": self.cluster_arn, "status": self.status}


@dataclass(eq=False)
class GatewayRoute:
    """A service's connector on one gateway, and what the gateway made for it on one of its load balancers."""

    arn: str
    gateway: Gateway
    alb: ManagedAlb
    cluster_arn: str
    cluster_name: str
    service_arn: str
    service_name: str
    port_name: str
    service_url: str
    certificate_arn: str
    rule_arn: str
    test_rule_arn: str
    target_group_arn: str
    alternate_target_group_arn: str
    service_security_group_arn: str
    ingress_rule_arn: str
    status: str = "CREATE_IN_PROGRESS"

    def summary(self) -> dict[str, Any]:
        return {"gatewayRouteArn": self.arn, "gatewayArn": self.gateway.arn, "clusterArn": self.cluster_arn,
                "serviceArn": self.service_arn, "serviceContainerPortName": self.port_name, "status": self.status}

    def describe(self) -> dict[str, Any]:
        alb = {"acmCertificateArn": self.certificate_arn, "loadBalancerArn": self.alb.arn,
               "listenerArn": self.alb.listener_arn, "listenerRuleArn": self.rule_arn,
               "testListenerRuleArns": [self.test_rule_arn],
               "loadBalancerSecurityGroups": [{"arn": self.alb.security_group_arn,
                                               "ruleArns": [self.ingress_rule_arn]}],
               "serviceSecurityGroupArn": self.service_security_group_arn}
        return {"gatewayRouteArn": self.arn, "serviceArn": self.service_arn,
                "serviceContainerPortName": self.port_name, "status": self.status, "serviceUrl": self.service_url,
                "resources": {"hostSharedAlb": [alb]}}

    def connection(self) -> dict[str, Any]:
        """The route as a service revision's ``GatewayConnection`` [M:ECSManagedResources.gatewayConnections]."""
        return {"gatewayArn": self.gateway.arn, "gatewayRouteArn": self.arn, "portName": self.port_name,
                "serviceUrl": self.service_url, "accessType": self.gateway.access_type, "status": self.status,
                "resources": {"hostSharedAlb": [{
                    "acmCertificateArn": self.certificate_arn, "loadBalancerArn": self.alb.arn,
                    "loadBalancerSecurityGroupArns": [self.alb.security_group_arn],
                    "listenerArn": self.alb.listener_arn, "listenerRuleArn": self.rule_arn,
                    "testListenerRuleArn": self.test_rule_arn, "targetGroupArn": self.target_group_arn,
                    "alternateTargetGroupArn": self.alternate_target_group_arn}]}}


@dataclass
class GatewayState:
    """The gateways of one region (``EcsState.gateways``): by name, in creation order; associations by
    (gateway name, cluster name); routes by ARN, in creation order."""

    gateways: dict[str, Gateway] = field(default_factory=dict)
    associations: dict[tuple[str, str], Association] = field(default_factory=dict)
    routes: dict[str, GatewayRoute] = field(default_factory=dict)


def gateway_state(ctx: Context) -> GatewayState:
    ecs = ctx.ecs
    if ecs.gateways is None:
        ecs.gateways = GatewayState()
    found: GatewayState = ecs.gateways
    return found


NOT_FOUND = "The specified gateway wasn't found."  # not confirmed: the first sentence of [M:GatewayNotFoundException]


def gateway_name(ctx: Context, ref: str) -> str:
    """The name in a gateway reference: a name, or an ARN ``arn:aws:ecs:<region>:<account>:gateway/<name>``."""
    prefix = ctx.arn("ecs", "gateway/")
    return ref[len(prefix):] if ref.startswith(prefix) else ref


def find_gateway(ctx: Context, ref: str) -> Gateway | None:
    found: Gateway | None = gateway_state(ctx).gateways.get(gateway_name(ctx, ref))
    return found


def get_gateway(ctx: Context, ref: str) -> Gateway:
    gateway = find_gateway(ctx, ref)
    if gateway is None:
        raise AwsError(NOT_FOUND, code="GatewayNotFoundException")
    return gateway
