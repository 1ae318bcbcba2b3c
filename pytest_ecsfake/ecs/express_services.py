"""CreateExpressGatewayService, UpdateExpressGatewayService, DeleteExpressGatewayService and
DescribeExpressGatewayService.

An Express service is a real service of the fake: CreateExpressGatewayService registers its task definition
(RegisterTaskDefinition's rules, e.g. the Fargate cpu/memory pairs) and creates the service through CreateService
(in the ``default`` cluster, made with the FARGATE capacity provider if it does not exist [DG:express-service-work]),
so DescribeServices and ListServices show it and the scheduler runs its tasks (PROVISIONING → RUNNING) on the
clock. UpdateExpressGatewayService deploys a new service revision through UpdateService's rolling deployment;
DeleteExpressGatewayService drains the service (DeleteService with force) until it is INACTIVE. The load balancer
and the other resources Express mode manages are ARNs with statuses on the clock (``express_model.py``).
Choices where AWS is silent: ``docs/fidelity-gateways.md``.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ..core.context import Context
from ..core.errors import AwsError, InvalidParameterException, ResourceNotFoundException
from ..core.registry import handler
from .clusters import create_cluster, get_cluster
from .express_model import (
    DEFAULT_PORT,
    MAIN,
    ExpressService,
    configuration,
    default_network,
    main_port,
    managed_resources,
    move,
    shared_resources,
    task_definition_request,
)
from .service_model import Service
from .services import create_service, delete_service, service_arn, update_service
from .tags import tag_list, tags_of
from .task_definitions import register_task_definition, resolve_task_definition

# Members a customer task definition replaces [M:CreateExpressGatewayServiceRequest.taskDefinitionArn].
MANAGED_ONLY = ("primaryContainer", "executionRoleArn", "taskRoleArn", "cpu", "memory", "cpuArchitecture")
NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")
# Not confirmed: no source quotes AWS's words for these refusals.
NOTHING_TO_RUN = "Either primaryContainer or taskDefinitionArn must be specified."
NO_MAIN = ("The task definition must have a container named Main with a single TCP port mapping that includes a "
           "container port and port name.")
NOT_FOUND = "The specified Express service wasn't found."


def _log_group(cluster: str, name: str) -> str:
    return f"/aws/ecs/{cluster}/{name}"  # the fake's choice of the default log group's name


def _check_members(ctx: Context, req: dict[str, Any]) -> None:
    if req.get("taskDefinitionArn"):
        both = [k for k in MANAGED_ONLY if k in req]
        if both:
            ctx.documented(f"taskDefinitionArn: can't be specified with {', '.join(both)} (they are ignored) "
                           "[M:CreateExpressGatewayServiceRequest.taskDefinitionArn]")
    elif "primaryContainer" not in req:
        raise InvalidParameterException(NOTHING_TO_RUN)


def _definition(ctx: Context, req: dict[str, Any], family: str, log_group: str) -> dict[str, Any]:
    """The task definition the revision runs: the customer's, or a new revision of the managed family."""
    if req.get("taskDefinitionArn"):
        body = resolve_task_definition(ctx, req["taskDefinitionArn"]).body
        if main_port(body) is None:
            raise InvalidParameterException(NO_MAIN)
        return body
    registered: dict[str, Any] = register_task_definition(
        ctx, task_definition_request(family, req, ctx.region, log_group))["taskDefinition"]
    return registered


def _describe(ctx: Context, express: ExpressService, with_tags: bool) -> dict[str, Any]:
    service = express.service
    body: dict[str, Any] = {
        "cluster": service.cluster.arn, "serviceName": service.name, "serviceArn": service.arn,
        "infrastructureRoleArn": express.infrastructure_role_arn, "status": {"statusCode": express.status},
        "activeConfigurations": express.active_configurations(), "createdAt": express.created_at,
        "updatedAt": express.updated_at,
    }
    records = [r for r in ctx.ecs.service_deployments.values() if r.service is service]
    if records and service.status != "INACTIVE":
        body["currentDeployment"] = records[-1].arn
    if with_tags:
        body["tags"] = tag_list(tags_of(ctx, service.arn))
    return body


def _cluster_for(ctx: Context, ref: str | None) -> str:
    """The cluster's name; without one, the ``default`` cluster, created with Fargate if missing."""
    if ref:
        return get_cluster(ctx, ref).name
    existing = ctx.ecs.clusters.get("default")
    if existing is None or existing.status != "ACTIVE":
        create_cluster(ctx, {"clusterName": "default", "capacityProviders": ["FARGATE"]})
    return "default"


def _network(ctx: Context, asked: dict[str, Any] | None, shared: dict[str, Any]) -> dict[str, Any]:
    asked = asked or {}
    return {"awsvpcConfiguration": {"subnets": list(asked.get("subnets") or default_network(ctx)),
                                    "securityGroups": list(asked.get("securityGroups") or [shared["service_sg"]])}}


def _load_balancers(shared: dict[str, Any], definition: dict[str, Any]) -> list[dict[str, Any]]:
    """The service's tasks register with the managed target group, on the Main container's port."""
    return [{"targetGroupArn": shared["target_group"], "containerName": MAIN,
             "containerPort": main_port(definition) or DEFAULT_PORT}]


def _track(ctx: Context, express: ExpressService, asked: dict[str, Any], status: str) -> dict[str, Any]:
    """The configuration and managed resources of the service's newest revision; its resources become ACTIVE
    ``express_provisioning`` seconds later."""
    service = express.service
    revision = service.primary.revision
    config = configuration(express, revision.arn, service.primary.definition.body, asked, ctx.now)
    express.configurations[revision.arn] = config
    owned = asked.get("taskDefinitionArn") is None
    log_group = config["primaryContainer"].get("awsLogsConfiguration", {}).get("logGroup") if owned else None
    revision.body["ecsManagedResources"] = managed_resources(ctx, express, config, log_group, status)
    leaves = express.leaves
    ctx.backend.events.schedule(ctx.now + ctx.backend.timings["express_provisioning"],
                                lambda at: move(leaves, "PROVISIONING", "ACTIVE", at))
    return config


@handler("ecs", "CreateExpressGatewayService")
def create_express_gateway_service(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    _check_members(ctx, req)
    cluster = _cluster_for(ctx, req.get("cluster"))
    name = req.get("serviceName") or f"express-{ctx.backend.ids.hex32()[:12]}"  # the fake's generated name
    if not NAME.fullmatch(name):
        ctx.documented("serviceName: up to 255 letters, numbers, underscores and hyphens "
                       "[M:CreateExpressGatewayServiceRequest.serviceName]")
    existing: Service | None = ctx.ecs.services.get(service_arn(ctx, cluster, name))
    if existing is not None and existing.status != "INACTIVE":
        raise InvalidParameterException("Creation of service was not idempotent.")  # CreateService's words
    shared = shared_resources(ctx, cluster, name)
    definition = _definition(ctx, req, f"{cluster}-{name}"[:255], _log_group(cluster, name))
    scaling = {"minTaskCount": 1, **(req.get("scalingTarget") or {})}
    create_service(ctx, {
        "cluster": cluster, "serviceName": name, "taskDefinition": definition["taskDefinitionArn"],
        "desiredCount": scaling["minTaskCount"], "launchType": "FARGATE",
        "networkConfiguration": _network(ctx, req.get("networkConfiguration"), shared),
        "loadBalancers": _load_balancers(shared, definition), "tags": copy.deepcopy(req.get("tags", [])),
    })
    service: Service = ctx.ecs.services[service_arn(ctx, cluster, name)]
    service.resource_management_type = "ECS"
    express = ExpressService(service=service, infrastructure_role_arn=req["infrastructureRoleArn"],
                             created_at=ctx.now, updated_at=ctx.now, endpoint=f"https://{shared['host']}",
                             shared=shared, asked=copy.deepcopy(req))
    ctx.ecs.express_services[service.arn] = express
    _track(ctx, express, express.asked, "PROVISIONING")
    return {"service": _describe(ctx, express, bool(req.get("tags")))}


def _find(ctx: Context, arn: str, missing: AwsError) -> ExpressService:
    prefix = ctx.arn("ecs", "service/")
    cluster, _, name = arn[len(prefix):].partition("/") if arn.startswith(prefix) else ("", "", "")
    if not name:
        raise missing
    get_cluster(ctx, cluster)  # ClusterNotFoundException for a cluster that is gone
    express: ExpressService | None = ctx.ecs.express_services.get(arn)
    if express is None or ctx.ecs.services.get(arn) is not express.service:
        raise missing
    return express


def _active(ctx: Context, arn: str) -> ExpressService:
    express = _find(ctx, arn, AwsError("Service not found.", code="ServiceNotFoundException"))
    if express.status != "ACTIVE":
        raise AwsError("Service was not ACTIVE.", code="ServiceNotActiveException")
    return express


def _desired(current: int, scaling: dict[str, Any]) -> int:
    """The desired count kept within the new task count limits (no Application Auto Scaling is faked)."""
    low: int = scaling.get("minTaskCount", 1)
    high: int | None = scaling.get("maxTaskCount")
    count = max(current, low)
    return min(count, high) if high is not None else count


@handler("ecs", "UpdateExpressGatewayService")
def update_express_gateway_service(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    express = _active(ctx, req["serviceArn"])
    service = express.service
    if req.get("taskDefinitionArn"):
        _check_members(ctx, req)
    asked = copy.deepcopy(express.asked)
    if req.get("taskDefinitionArn"):
        for key in MANAGED_ONLY:
            asked.pop(key, None)
    elif any(k in req for k in MANAGED_ONLY):
        asked.pop("taskDefinitionArn", None)  # back to a task definition Express mode manages
    if "scalingTarget" in req:
        asked["scalingTarget"] = {**(asked.get("scalingTarget") or {}), **req["scalingTarget"]}
    changes = {k: copy.deepcopy(v) for k, v in req.items() if k not in ("serviceArn", "scalingTarget")}
    asked.update(changes)
    redeploy = bool(changes)  # any change but the scaling target makes a new service revision
    update: dict[str, Any] = {"cluster": service.cluster.name, "service": service.name}
    if redeploy:
        if "primaryContainer" not in asked and not asked.get("taskDefinitionArn"):
            asked["primaryContainer"] = express.configurations[service.primary.revision.arn]["primaryContainer"]
        definition = _definition(ctx, asked, f"{service.cluster.name}-{service.name}"[:255],
                                 _log_group(service.cluster.name, service.name))
        update.update(taskDefinition=definition["taskDefinitionArn"], forceNewDeployment=True,
                      networkConfiguration=_network(ctx, asked.get("networkConfiguration"), express.shared),
                      loadBalancers=_load_balancers(express.shared, definition))
    if "scalingTarget" in req:
        update["desiredCount"] = _desired(service.desired_count, asked["scalingTarget"])
    update_service(ctx, update)
    express.asked, express.updated_at = asked, ctx.now
    if redeploy:
        target = _track(ctx, express, asked, "ACTIVE")
    else:  # the same revision, new limits
        target = express.configurations[service.primary.revision.arn]
        target["scalingTarget"] = {**target["scalingTarget"], **asked.get("scalingTarget", {})}
    return {"service": {
        "serviceArn": service.arn, "cluster": service.cluster.arn, "serviceName": service.name,
        "status": {"statusCode": express.status}, "targetConfiguration": copy.deepcopy(target),
        "createdAt": express.created_at, "updatedAt": express.updated_at}}


@handler("ecs", "DeleteExpressGatewayService")
def delete_express_gateway_service(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    express = _active(ctx, req["serviceArn"])
    service = express.service
    answer = _describe(ctx, express, False)
    delete_service(ctx, {"cluster": service.cluster.name, "service": service.name, "force": True})
    express.updated_at = ctx.now
    leaves = express.leaves
    move(leaves, "PROVISIONING", "DEPROVISIONING", ctx.now)
    move(leaves, "ACTIVE", "DEPROVISIONING", ctx.now)
    ctx.backend.events.schedule(ctx.now + ctx.backend.timings["express_provisioning"],
                                lambda at: move(leaves, "DEPROVISIONING", "DELETED", at))
    answer["status"] = {"statusCode": express.status}  # DRAINING
    answer["updatedAt"] = express.updated_at
    return {"service": answer}


@handler("ecs", "DescribeExpressGatewayService")
def describe_express_gateway_service(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    express = _find(ctx, req["serviceArn"], ResourceNotFoundException(NOT_FOUND))
    return {"service": _describe(ctx, express, "TAGS" in req.get("include", []))}
