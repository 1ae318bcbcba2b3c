"""Services of the EXTERNAL and CODE_DEPLOY deployment controllers: what CreateService and UpdateService accept
of them, and making a task set (CreateTaskSet, and CreateService's first task set of a CODE_DEPLOY service).

The fake has no CodeDeploy: a CODE_DEPLOY service gets its first (PRIMARY) task set from CreateService, as AWS
documents; a later revision comes as CodeDeploy would bring it, through CreateTaskSet, UpdateTaskSet,
UpdateServicePrimaryTaskSet and DeleteTaskSet (``task_sets.py``). Choices: ``docs/fidelity-task-sets.md``.
"""

from __future__ import annotations

import copy
from typing import Any

from ..core.context import Context
from ..core.errors import InvalidParameterException
from .deployments import deployment_id
from .scheduler import follow_instances, soon
from .service_model import Service, deployment_configuration
from .state import TaskDefinition
from .tags import set_tags
from .task_set_model import TaskSet
from .task_set_scheduler import step

# What UpdateService may change of a service of each controller [M:UpdateService] (and the request's own members).
_ADDRESSING = {"cluster", "service"}
_UPDATABLE = {
    "CODE_DEPLOY": {"desiredCount", "deploymentConfiguration", "healthCheckGracePeriodSeconds", "placementConstraints",
                    "placementStrategy", "enableECSManagedTags", "propagateTags",
                    # "If you use the CODE_DEPLOY deployment controller, these values can be changed when updating
                    # the service" [M:CreateServiceRequest.loadBalancers]
                    "loadBalancers"},
    "EXTERNAL": {"desiredCount", "placementConstraints", "placementStrategy", "healthCheckGracePeriodSeconds",
                 "enableECSManagedTags", "propagateTags"},
}
# AWS's answers to a CODE_DEPLOY service's UpdateService with a task definition or a network configuration
# (quoted in boto/boto3#1936, 2019, aws/aws-cdk#23564, 2023; hashicorp/terraform-provider-aws#8005, 2020).
CODE_DEPLOY_TASK_DEFINITION = ("Unable to update task definition on services with a CODE_DEPLOY deployment "
                               "controller. Use AWS CodeDeploy to trigger a new deployment.")
CODE_DEPLOY_NETWORK = ("Unable to update network parameters on services with a CODE_DEPLOY deployment controller. "
                       "Use AWS CodeDeploy to trigger a new deployment.")
# The members of CreateService that are the task sets' for an EXTERNAL service [M:CreateService]: "you can specify
# only parameters that aren't controlled at the task set level".
TASK_SET_LEVEL = ("taskDefinition", "launchType", "capacityProviderStrategy", "platformVersion",
                  "networkConfiguration", "loadBalancers", "serviceRegistries")


def controller_of(req: dict[str, Any]) -> str:
    controller: str = (req.get("deploymentController") or {}).get("type", "ECS")
    return controller


def external_create(ctx: Context, req: dict[str, Any]) -> None:
    """An EXTERNAL service's CreateService with members its task sets control: answered, and recorded (AWS is
    not known to refuse them; the service ignores them, its task sets say what runs)."""
    given = [key for key in TASK_SET_LEVEL if req.get(key)]
    if given:
        ctx.documented(f"{', '.join(given)}: a service of the EXTERNAL deployment controller takes only parameters "
                       "that aren't controlled at the task set level (documented: [M:CreateService])")


def adopt(ctx: Context, service: Service, controller: str, definition: TaskDefinition | None,
          resolved: str | None) -> None:
    """Make ``service`` a service of task sets: its scheduler is the task sets' one; a CODE_DEPLOY service gets
    its PRIMARY task set, at 100 %, from its own launch settings ("CodeDeploy installs an updated version of the
    application as a new replacement task set" [M:DeploymentController]: the first one is the service's)."""
    service.deployment_controller = controller
    service.stepper = step
    if controller == "CODE_DEPLOY" and definition is not None:
        new_task_set(ctx, service, definition, launch_type=service.launch_type,
                     strategy=service.capacity_provider_strategy, asked=service.platform_version, resolved=resolved,
                     network=service.network_configuration, load_balancers=service.load_balancers,
                     registries=service.service_registries, scale=100.0, status="PRIMARY")
    follow_instances(ctx.backend, service)  # tasks on DRAINING instances are replaced


def new_task_set(ctx: Context, service: Service, definition: TaskDefinition, *, launch_type: str | None,
                 strategy: list[dict[str, Any]] | None, asked: str | None, resolved: str | None,
                 network: dict[str, Any] | None, load_balancers: list[dict[str, Any]],
                 registries: list[dict[str, Any]], scale: float, status: str = "ACTIVE",
                 external_id: str | None = None, tags: list[dict[str, Any]] | None = None,
                 token: str | None = None, fingerprint: str = "") -> TaskSet:
    ident = deployment_id(ctx.backend)
    arn = ctx.arn("ecs", f"task-set/{service.cluster.name}/{service.name}/{ident}")
    set_tags(ctx, arn, tags or [], replace=True)
    task_set = TaskSet(
        id=ident,
        definition=definition,
        launch_type=launch_type,
        capacity_provider_strategy=copy.deepcopy(strategy),
        platform_version=resolved,
        network_configuration=_with_defaults(network),
        created_at=ctx.now,
        updated_at=ctx.now,
        desired_count=0,  # computed at the scheduler's first step, as UpdateTaskSet's new scale (task_sets.py)
        status=status,
        arn=arn,
        service_arn=service.arn,
        cluster_arn=service.cluster.arn,
        scale=scale,
        external_id=external_id,
        started_by="CODE_DEPLOY" if service.deployment_controller == "CODE_DEPLOY" and status != "PRIMARY" else None,
        load_balancers=copy.deepcopy(load_balancers),
        service_registries=copy.deepcopy(registries),
        platform_asked=asked,
        stability_at=ctx.now,
        client_token=token,
        fingerprint=fingerprint,
    )
    service.deployments.append(task_set)
    service.steady = False
    soon(ctx.backend, service, ctx.now)
    return task_set


def _with_defaults(network: dict[str, Any] | None) -> dict[str, Any] | None:
    """A task set's network configuration as ECS answers it: assignPublicIp DISABLED unless given (every task
    set in the AWS CLI reference's examples shows it, aws/aws-cli awscli/examples/ecs/*-task-set*.rst)."""
    network = copy.deepcopy(network)
    awsvpc = (network or {}).get("awsvpcConfiguration")
    if awsvpc is not None:
        awsvpc.setdefault("assignPublicIp", "DISABLED")
    return network


def update_controlled(ctx: Context, service: Service, req: dict[str, Any]) -> None:
    """UpdateService of an EXTERNAL or CODE_DEPLOY service: only what AWS lets UpdateService change for that
    controller is applied; the rest is refused where AWS is known to refuse it, else answered and recorded."""
    controller = service.deployment_controller
    if controller == "CODE_DEPLOY" and "taskDefinition" in req:
        raise InvalidParameterException(CODE_DEPLOY_TASK_DEFINITION)
    if controller == "CODE_DEPLOY" and "networkConfiguration" in req:
        raise InvalidParameterException(CODE_DEPLOY_NETWORK)
    if "desiredCount" in req and req["desiredCount"] < 0:
        raise InvalidParameterException(f"desiredCount must be 0 or more, not {req['desiredCount']}.")
    asked = {key for key, value in req.items() if not (key == "forceNewDeployment" and not value)}
    ignored = sorted(asked - _ADDRESSING - _UPDATABLE[controller])
    if ignored:
        where = "create a new task set" if controller == "EXTERNAL" else "create a new CodeDeploy deployment"
        ctx.documented(f"{', '.join(ignored)}: UpdateService cannot change them on a service of the {controller} "
                       f"deployment controller; {where} (documented: [M:UpdateService])")
    if req.get("placementStrategy") or req.get("placementConstraints"):
        from .placement import validate

        validate(req.get("placementStrategy", []), req.get("placementConstraints", []))
    if "desiredCount" in req:  # the task sets' computed desired counts follow at the scheduler's next step
        service.desired_count = req["desiredCount"]
        service.steady = False
    if "deploymentConfiguration" in req and "deploymentConfiguration" in _UPDATABLE[controller]:
        service.deployment_configuration = deployment_configuration(req["deploymentConfiguration"],
                                                                    service.deployment_configuration)
    for key, attribute in (("placementConstraints", "placement_constraints"),
                           ("placementStrategy", "placement_strategy"), ("propagateTags", "propagate_tags"),
                           ("enableECSManagedTags", "enable_ecs_managed_tags"),
                           ("healthCheckGracePeriodSeconds", "health_check_grace_period")):
        if key in req:
            setattr(service, attribute, copy.deepcopy(req[key]))
    if "loadBalancers" in req and controller == "CODE_DEPLOY":
        service.load_balancers = copy.deepcopy(req["loadBalancers"])
    soon(ctx.backend, service, ctx.now)
