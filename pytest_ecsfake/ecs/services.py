"""CreateService, UpdateService, DeleteService, DescribeServices, ListServices, and tags on services.

Handlers check a request and change the records (``service_model.py``); the scheduler (``scheduler.py``)
then starts and stops tasks on the fake's clock. Choices where AWS is silent: ``docs/fidelity-services.md``.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from ..core.context import Context
from ..core.errors import AwsError, ClientException, InvalidParameterException
from ..core.paging import page, with_token
from ..core.registry import handler
from . import daemon
from .clusters import get_cluster
from .deployments import start_deployment
from .gateway_routes import check_connectors, connect, disconnect
from .launch import (
    EXEC_NEEDS_ROLE_SERVICE,
    check_launch_type,
    check_network,
    network_mode,
    platform_version,
    require_active,
    require_exec_role,
    split_by_strategy,
    strategy_launch_type,
)
from .lookup import describe_each
from .namespaces import service_namespace
from .scheduler import follow_instances, soon
from .service_history import forget
from .service_model import Service, deployment_configuration
from .state import Cluster, TaskDefinition
from .tags import resolver, set_tags, tag_list, tags_of
from .task_definitions import resolve_task_definition
from .task_set_controllers import adopt, controller_of, external_create, update_controlled
from .task_set_model import CONTROLLED, service_body

BOTH_LAUNCH_CHOICES = (
    "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again."
)
FORCE_FOR_STRATEGY = (
    "When switching from launch type to capacity provider strategy on an existing service, or making a change to "
    "a capacity provider strategy on a service that is already using one, you must force a new deployment."
)
# Changing one of these starts a new deployment [M:UpdateService].
_REDEPLOYING = ("loadBalancers", "serviceRegistries", "serviceConnectConfiguration", "volumeConfigurations",
                "vpcLatticeConfigurations", "gatewayConnectors")


def service_arn(ctx: Context, cluster: str, name: str) -> str:
    return ctx.arn("ecs", f"service/{cluster}/{name}")


def find_service(ctx: Context, cluster: Cluster, ref: str) -> Service | None:
    """A service of ``cluster`` by name or ARN (``service/<cluster>/<name>``), whatever its status."""
    name = ref
    if ref.startswith("arn:"):
        prefix = ctx.arn("ecs", "service/")
        owner, _, name = ref[len(prefix):].rpartition("/")
        if not ref.startswith(prefix) or owner not in ("", cluster.name):
            return None
    service: Service | None = ctx.ecs.services.get(service_arn(ctx, cluster.name, name))
    return service


def _active_service(ctx: Context, req: dict[str, Any]) -> Service:
    cluster = get_cluster(ctx, req.get("cluster"))
    service = find_service(ctx, cluster, req["service"])
    if service is None:
        raise AwsError("Service not found.", code="ServiceNotFoundException")
    if service.status != "ACTIVE":
        raise AwsError("Service was not ACTIVE.", code="ServiceNotActiveException")
    return service


def _describe(ctx: Context, service: Service, with_tags: bool) -> dict[str, Any]:
    body = service.describe(tag_list(tags_of(ctx, service.arn)) if with_tags else None)
    return body if service.deployment_controller == "ECS" else service_body(service, body)


def _check_supported(ctx: Context, req: dict[str, Any]) -> None:
    """The fake schedules REPLICA and DAEMON services with rolling updates, and REPLICA services of task sets (the
    EXTERNAL and CODE_DEPLOY controllers); say so instead of pretending otherwise."""
    controller = controller_of(req)
    strategy = (req.get("deploymentConfiguration") or {}).get("strategy", "ROLLING")
    if controller in CONTROLLED and req.get("schedulingStrategy") == "DAEMON":
        ctx.unsupported(f"DAEMON services of the {controller} deployment controller")
    if strategy != "ROLLING" and controller == "ECS":
        ctx.unsupported(f"the {strategy} deployment strategy (only ROLLING)")


def _check_daemon(req: dict[str, Any], cluster: Cluster | None) -> None:
    """What AWS refuses of a DAEMON service: a desired count, placement strategies, capacity providers (the
    cluster's default strategy too, without a launchType) and Fargate [M:CreateServiceRequest.schedulingStrategy]."""
    if "desiredCount" in req:
        raise InvalidParameterException(daemon.DESIRED_COUNT)
    if req.get("placementStrategy"):
        raise InvalidParameterException(daemon.PLACEMENT_STRATEGY)
    if req.get("capacityProviderStrategy") or (cluster is not None and "launchType" not in req
                                               and cluster.default_strategy):
        raise InvalidParameterException(daemon.CAPACITY_PROVIDERS)
    if req.get("launchType") == "FARGATE":
        raise InvalidParameterException(daemon.FARGATE)


def _desired_count(req: dict[str, Any]) -> int:
    count: int = req["desiredCount"]
    if count < 0:
        raise InvalidParameterException(f"desiredCount must be 0 or more, not {count}.")
    return count


def _launch_choice(req: dict[str, Any], cluster: Cluster) -> tuple[str | None, list[dict[str, Any]] | None]:
    """The service's launch type, or its capacity provider strategy (then the launch type is None)."""
    strategy = req.get("capacityProviderStrategy")
    if "launchType" in req and strategy:
        raise InvalidParameterException(BOTH_LAUNCH_CHOICES)
    if not strategy and "launchType" not in req and cluster.default_strategy:
        strategy = cluster.default_strategy  # "the defaultCapacityProviderStrategy for the cluster is used"
    if strategy:
        split_by_strategy(cluster, strategy, 1)  # refuses providers the cluster does not have
        strategy_launch_type(strategy)  # refuses a strategy mixing Fargate and Auto Scaling group providers
        return None, copy.deepcopy(strategy)
    return req.get("launchType", "EC2"), None


def _platform(launch_type: str | None, asked: str | None) -> tuple[str | None, str | None]:
    """(as asked, as resolved) platform version: Fargate only; a capacity provider strategy is Fargate's."""
    if launch_type not in (None, "FARGATE"):
        return None, None
    asked = asked or "LATEST"
    return asked, platform_version({"platformVersion": asked}, "FARGATE")


def _check_placement(req: dict[str, Any]) -> None:
    from .placement import validate

    validate(req.get("placementStrategy", []), req.get("placementConstraints", []))


def _definition(ctx: Context, ref: str, launch_type: str) -> TaskDefinition:
    definition = resolve_task_definition(ctx, ref)
    require_active(definition, ClientException)
    check_launch_type(definition, launch_type)
    return definition


@handler("ecs", "CreateService")
def create_service(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req.get("cluster"))
    name = req["serviceName"]
    arn = service_arn(ctx, cluster.name, name)
    fingerprint = json.dumps(req, sort_keys=True)
    existing: Service | None = ctx.ecs.services.get(arn)
    if existing is not None and existing.status != "INACTIVE":
        if existing.status == "ACTIVE" and existing.fingerprint == fingerprint:
            return {"service": _describe(ctx, existing, True)}  # the same request again: the same service
        raise InvalidParameterException("Creation of service was not idempotent.")
    _check_supported(ctx, req)
    scheduling = req.get("schedulingStrategy", "REPLICA")
    if scheduling == "DAEMON":
        _check_daemon(req, cluster)
    elif "desiredCount" not in req:
        # The reference: "required if schedulingStrategy is REPLICA or isn't specified"; AWS's refusal (if any) is
        # not known, so the service is created with no tasks (desiredCount 0), the rule recorded.
        ctx.documented("CreateService: desiredCount is required for a service with the REPLICA scheduling strategy "
                       "(the fake used 0)")
    controller = controller_of(req)
    if "taskDefinition" not in req and controller != "EXTERNAL":
        # "A task definition must be specified if the service uses either the ECS or CODE_DEPLOY deployment
        # controllers" [M:CreateServiceRequest.taskDefinition]; AWS's wording is not confirmed.
        raise InvalidParameterException(
            f"taskDefinition is required for a service with the {controller} deployment controller.")
    desired = 0 if scheduling == "DAEMON" or "desiredCount" not in req else _desired_count(req)
    external = controller == "EXTERNAL"
    definition: TaskDefinition | None = None
    launch_type, strategy, asked, resolved = None, None, None, None
    if external:
        external_create(ctx, req)
    else:
        launch_type, strategy = _launch_choice(req, cluster)
        effective = launch_type or strategy_launch_type(strategy or [])
        definition = _definition(ctx, req["taskDefinition"], effective)
        if req.get("enableExecuteCommand"):
            require_exec_role(definition, None, EXEC_NEEDS_ROLE_SERVICE.format(verb="created"))
        check_network(req, network_mode(definition))
        asked, resolved = _platform(effective, req.get("platformVersion"))
    _check_placement(req)
    if definition is not None:
        check_connectors(req.get("gatewayConnectors", []), definition)
    elif req.get("gatewayConnectors"):
        ctx.unsupported("gatewayConnectors on a service of the EXTERNAL deployment controller")
    role = req.get("role")
    service = Service(
        name=name,
        arn=arn,
        region=ctx.region,
        cluster=cluster,
        created_at=ctx.now,
        created_by=f"arn:aws:iam::{ctx.account_id}:root",
        desired_count=desired,
        launch_type=launch_type,
        capacity_provider_strategy=strategy,
        platform_version=asked,
        network_configuration=None if external else copy.deepcopy(req.get("networkConfiguration")),
        deployment_configuration=deployment_configuration(req.get("deploymentConfiguration"),
                                                          daemon=scheduling == "DAEMON"),
        scheduling_strategy=scheduling,
        placement_constraints=copy.deepcopy(req.get("placementConstraints", [])),
        placement_strategy=copy.deepcopy(req.get("placementStrategy", [])),
        load_balancers=[] if external else copy.deepcopy(req.get("loadBalancers", [])),
        service_registries=[] if external else copy.deepcopy(req.get("serviceRegistries", [])),
        propagate_tags=req.get("propagateTags", "NONE"),
        enable_ecs_managed_tags=req.get("enableECSManagedTags", False),
        enable_execute_command=req.get("enableExecuteCommand", False),
        availability_zone_rebalancing=req.get("availabilityZoneRebalancing", "ENABLED"),
        health_check_grace_period=req.get("healthCheckGracePeriodSeconds"),
        role_arn=(role if role.startswith("arn:") else f"arn:aws:iam::{ctx.account_id}:role/{role}") if role else None,
        fingerprint=fingerprint,
        service_connect=copy.deepcopy(req.get("serviceConnectConfiguration")),
        namespace_arn=service_namespace(ctx, req.get("serviceConnectConfiguration"), cluster),
    )
    set_tags(ctx, arn, req.get("tags", []), replace=True)
    ctx.ecs.services.pop(arn, None)  # an INACTIVE service of that name is replaced, at the end of the listing
    ctx.ecs.services[arn] = service
    cluster.active_services += 1
    if controller in CONTROLLED:  # its task sets are its deployments (ecs/task_set_controllers.py)
        adopt(ctx, service, controller, definition, resolved)
        return {"service": _describe(ctx, service, bool(req.get("tags")))}
    assert definition is not None
    start_deployment(ctx.backend, service, definition, ctx.now, resolved)
    if req.get("gatewayConnectors"):
        connect(ctx, service, req["gatewayConnectors"])  # its routes on the cluster's gateways (gateway_routes.py)
    if scheduling == "DAEMON":
        service.desired_count = service.primary.desired_count = len(daemon.eligible(ctx, service))
    follow_instances(ctx.backend, service)  # a DAEMON follows instances; a REPLICA replaces tasks on DRAINING ones
    soon(ctx.backend, service, ctx.now)
    return {"service": _describe(ctx, service, bool(req.get("tags")))}


def _current(service: Service, key: str) -> Any:
    """The service's current value of a request member that redeploys when it changes (None: not kept)."""
    current = {"loadBalancers": service.load_balancers, "serviceRegistries": service.service_registries,
               "serviceConnectConfiguration": service.service_connect}
    return current.get(key)


@handler("ecs", "UpdateService")
def update_service(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    service = _active_service(ctx, req)
    if "deploymentController" in req and controller_of(req) != service.deployment_controller:
        ctx.unsupported("changing the deployment controller of a service")
    if service.deployment_controller != "ECS":
        update_controlled(ctx, service, req)
        return {"service": _describe(ctx, service, False)}
    _check_supported(ctx, {k: v for k, v in req.items() if k in ("deploymentController", "deploymentConfiguration")})
    if service.scheduling_strategy == "DAEMON":
        _check_daemon(req, None)
    force = bool(req.get("forceNewDeployment"))
    redeploy = force or any(k in req and req[k] != _current(service, k) for k in _REDEPLOYING)
    definition = service.primary.definition
    if "taskDefinition" in req:
        asked_definition = resolve_task_definition(ctx, req["taskDefinition"])
        if asked_definition is not definition:
            require_active(asked_definition, ClientException)
            definition, redeploy = asked_definition, True
    launch_type, strategy = service.launch_type, service.capacity_provider_strategy
    if "capacityProviderStrategy" in req and (req["capacityProviderStrategy"] or None) != strategy:
        if not force:
            raise InvalidParameterException(FORCE_FOR_STRATEGY)
        strategy = copy.deepcopy(req["capacityProviderStrategy"]) or None
        if strategy:
            split_by_strategy(service.cluster, strategy, 1)
            launch_type = None
        else:  # an empty strategy: back to a launch type, the one of the providers it had
            launch_type = strategy_launch_type(service.capacity_provider_strategy or [])
    effective = launch_type or strategy_launch_type(strategy or [])
    check_launch_type(definition, effective)
    if req.get("enableExecuteCommand", service.enable_execute_command):
        require_exec_role(definition, None, EXEC_NEEDS_ROLE_SERVICE.format(verb="updated"))
    network = copy.deepcopy(req.get("networkConfiguration", service.network_configuration))
    redeploy = redeploy or network != service.network_configuration
    check_network({"networkConfiguration": network} if network else {}, network_mode(definition))
    asked, resolved = _platform(effective, req.get("platformVersion", service.platform_version))
    redeploy = redeploy or asked != service.platform_version
    _check_placement(req)
    if "gatewayConnectors" in req:
        check_connectors(req["gatewayConnectors"], definition)
    desired = _desired_count(req) if "desiredCount" in req else service.desired_count
    # Every check passed: apply.
    service.desired_count = desired
    service.launch_type, service.capacity_provider_strategy = launch_type, strategy
    service.network_configuration, service.platform_version = network, asked
    service.deployment_configuration = deployment_configuration(req.get("deploymentConfiguration"),
                                                                service.deployment_configuration)
    for key, attribute in (("placementConstraints", "placement_constraints"),
                           ("placementStrategy", "placement_strategy"), ("loadBalancers", "load_balancers"),
                           ("serviceRegistries", "service_registries"), ("propagateTags", "propagate_tags"),
                           ("enableECSManagedTags", "enable_ecs_managed_tags"),
                           ("enableExecuteCommand", "enable_execute_command"),
                           ("availabilityZoneRebalancing", "availability_zone_rebalancing"),
                           ("healthCheckGracePeriodSeconds", "health_check_grace_period")):
        if key in req:
            setattr(service, attribute, copy.deepcopy(req[key]))
    if "serviceConnectConfiguration" in req:
        service.service_connect = copy.deepcopy(req["serviceConnectConfiguration"])
        service.namespace_arn = service_namespace(ctx, service.service_connect, service.cluster)
    if redeploy:
        start_deployment(ctx.backend, service, definition, ctx.now, resolved)
    if "gatewayConnectors" in req:
        connect(ctx, service, req["gatewayConnectors"])
    if not redeploy:
        service.steady = service.steady and desired == service.primary.desired_count
    soon(ctx.backend, service, ctx.now)
    return {"service": _describe(ctx, service, False)}


@handler("ecs", "DeleteService")
def delete_service(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    service = _active_service(ctx, req)
    # A daemon cannot be scaled to 0, so it is deleted without force (the fake's choice, fidelity-services.md).
    if service.desired_count > 0 and not req.get("force") and service.scheduling_strategy == "REPLICA":
        raise InvalidParameterException("The service cannot be stopped while it is scaled above 0.")
    service.status = "DRAINING"
    service.desired_count = 0
    service.steady = False
    service.cluster.active_services -= 1
    ctx.ecs.tags.pop(service.arn, None)  # "When a service is deleted, the tags are deleted as well."
    forget(ctx.backend, service)  # and its service deployments [DG:service-deployment]
    disconnect(ctx, service)  # and its gateway routes
    soon(ctx.backend, service, ctx.now)
    return {"service": _describe(ctx, service, False)}


@handler("ecs", "DescribeServices")
def describe_services(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req.get("cluster"))
    if not req["services"]:
        raise InvalidParameterException("Services cannot be empty.")
    with_tags = "TAGS" in req.get("include", [])
    found, failures = describe_each(
        req["services"],
        lambda ref: find_service(ctx, cluster, ref),
        lambda service: _describe(ctx, service, with_tags),
        # A name not found is reported in the short ARN form, without the cluster, as real answers show it
        # ("arn:aws:ecs:eu-central-1:***:service/cyphrspace is MISSING", aws-actions/amazon-ecs-deploy-task-
        # definition#369, #312, #544, 2022-2024); an ARN as given.
        lambda ref: ref if ref.startswith("arn:") else ctx.arn("ecs", f"service/{ref}"),
    )
    return {"services": found, "failures": failures}


@handler("ecs", "ListServices")
def list_services(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    cluster = get_cluster(ctx, req.get("cluster"))
    launch_type = req.get("launchType")
    arns = [
        s.arn
        for s in ctx.ecs.services.values()
        if s.cluster.name == cluster.name
        and s.status == "ACTIVE"  # DRAINING and INACTIVE services are not listed [M:DeleteService]
        and (launch_type is None or s.launch_type == launch_type)
        and req.get("schedulingStrategy", s.scheduling_strategy) == s.scheduling_strategy
        and req.get("resourceManagementType", s.resource_management_type) == s.resource_management_type
    ]
    # Without maxResults ListServices answers up to 10 services a page [M:ListServices].
    chunk, token = page(arns, req, "ListServices", InvalidParameterException, default_max=10)
    return with_token({"serviceArns": chunk}, token)


@resolver("service")
def _service_exists(ctx: Context, rest: str) -> bool:
    service = ctx.ecs.services.get(ctx.arn("ecs", f"service/{rest}"))
    return service is not None and service.status == "ACTIVE"

