"""Express services as records: the ECS service they run, the configuration of each service revision, and the
AWS resources Express mode manages for them (ARNs only: nothing but ECS is faked).

An ``ExpressService`` wraps a real service of the fake (``services.py``), marked ``resourceManagementType: ECS``;
each of its service revisions has an ``ExpressGatewayServiceConfiguration`` and ``ecsManagedResources``
[M:ServiceRevision.ecsManagedResources]: the load balancer, its HTTPS listener and rule, target groups, security
groups, certificate, scalable target and scaling policy, alarm and log group [DG:express-service-work]. Their
statuses move on the fake clock: PROVISIONING → ACTIVE ``express_provisioning`` seconds after they were made,
DEPROVISIONING → DELETED as long after DeleteExpressGatewayService.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .gateway_model import elb_arn, hex_id
from .service_model import Service

if TYPE_CHECKING:
    from ..core.context import Context

# Defaults [DG:express-service-work; M:CreateExpressGatewayServiceRequest]. The developer guide gives 1024 CPU
# units and 2048 MiB; the model's prose says 256 and 512: the guide, which describes the service, is followed.
DEFAULT_CPU, DEFAULT_MEMORY = "1024", "2048"
DEFAULT_PORT = 80  # [M:ExpressGatewayContainer.containerPort]
DEFAULT_HEALTH_CHECK = "/ping"  # [M:CreateExpressGatewayServiceRequest.healthCheckPath]
DEFAULT_STREAM_PREFIX = "ecs"  # [M:ExpressGatewayServiceAwsLogsConfiguration.logStreamPrefix]
# minTaskCount 1 and target 60 on average CPU are documented; maxTaskCount's default is the fake's choice.
DEFAULT_SCALING: dict[str, Any] = {"minTaskCount": 1, "maxTaskCount": 20, "autoScalingMetric": "AVERAGE_CPU",
                                   "autoScalingTargetValue": 60}
METRICS = {"AVERAGE_CPU": "ECSServiceAverageCPUUtilization", "AVERAGE_MEMORY": "ECSServiceAverageMemoryUtilization",
           "REQUEST_COUNT_PER_TARGET": "ALBRequestCountPerTarget"}
MAIN = "Main"  # the primary container's name ("must have a container named Main" [M:...taskDefinitionArn])


@dataclass(eq=False)
class ExpressService:
    service: Service
    infrastructure_role_arn: str
    created_at: float
    updated_at: float
    endpoint: str  # https://<host>
    shared: dict[str, Any]  # the ARNs every revision shares: load balancer, listener, certificate, ...
    configurations: dict[str, dict[str, Any]] = field(default_factory=dict)  # by service revision ARN
    leaves: list[dict[str, Any]] = field(default_factory=list)  # every managed resource record (status holders)
    asked: dict[str, Any] = field(default_factory=dict)  # the configuration as last asked, to merge updates into

    @property
    def status(self) -> str:
        """ACTIVE, DRAINING (DeleteExpressGatewayService), INACTIVE once its tasks are gone: the service's."""
        return self.service.status

    def active_configurations(self) -> list[dict[str, Any]]:
        if self.service.status == "INACTIVE":
            return []
        revisions = [d.revision.arn for d in self.service.deployments if d.revision is not None]
        return [copy.deepcopy(self.configurations[arn]) for arn in revisions if arn in self.configurations]


def default_network(ctx: Context) -> list[str]:
    """Two subnets of the account's default VPC in the region: fake ids, the same in every run."""
    seed = f"{ctx.account_id}/{ctx.region}/default-vpc".encode()
    return [f"subnet-{hashlib.sha256(seed + bytes([n])).hexdigest()[:17]}" for n in range(2)]


def shared_resources(ctx: Context, cluster: str, name: str) -> dict[str, Any]:
    """The ARNs Express mode makes once per service (the fake's formats follow each service's documented one)."""
    lb_name = f"ecs-express-{hex_id(ctx, 12)}"
    lb_id, listener_id = hex_id(ctx, 16), hex_id(ctx, 16)
    lb_sg, service_sg = f"sg-{hex_id(ctx, 17)}", f"sg-{hex_id(ctx, 17)}"
    host = f"{name.lower()[:50]}-{hex_id(ctx, 12)}.ecs.{ctx.region}.on.aws"
    return {
        "host": host, "lb_sg": lb_sg, "service_sg": service_sg,
        "lb": elb_arn(ctx, f"loadbalancer/app/{lb_name}/{lb_id}"),
        "listener": elb_arn(ctx, f"listener/app/{lb_name}/{lb_id}/{listener_id}"),
        "rule": elb_arn(ctx, f"listener-rule/app/{lb_name}/{lb_id}/{listener_id}/{hex_id(ctx, 16)}"),
        "target_group": elb_arn(ctx, f"targetgroup/ecs-express-{hex_id(ctx, 8)}/{hex_id(ctx, 16)}"),
        "certificate": ctx.arn("acm", f"certificate/{ctx.backend.ids.uuid()}"),
        "lb_sg_arn": ctx.arn("ec2", f"security-group/{lb_sg}"),
        "service_sg_arn": ctx.arn("ec2", f"security-group/{service_sg}"),
        "scalable_target": ctx.arn("application-autoscaling", f"scalable-target/{hex_id(ctx, 32)}"),
        "alarm": ctx.arn("cloudwatch", f"alarm:{name[:40]}-deployment-alarm-{hex_id(ctx, 8)}"),
        "policy": ctx.arn("autoscaling", f"scalingPolicy:{ctx.backend.ids.uuid()}:resource/ecs/service/{cluster}/"
                                         f"{name}:policyName/{name}-target-tracking"),
    }


def task_definition_request(family: str, asked: dict[str, Any], region: str, log_group: str) -> dict[str, Any]:
    """The RegisterTaskDefinition request of a managed task definition [DG:express-service-work]."""
    container = asked["primaryContainer"]
    port = container.get("containerPort", DEFAULT_PORT)
    logs = container.get("awsLogsConfiguration") or {}
    main: dict[str, Any] = {
        "name": MAIN, "image": container["image"], "essential": True,
        "portMappings": [{"containerPort": port, "protocol": "tcp", "name": MAIN.lower()}],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": logs.get("logGroup", log_group), "awslogs-region": region,
            "awslogs-stream-prefix": logs.get("logStreamPrefix", DEFAULT_STREAM_PREFIX),
            "awslogs-create-group": "true"}},
    }
    for key in ("command", "environment", "secrets", "repositoryCredentials"):
        if container.get(key):
            main[key] = copy.deepcopy(container[key])
    body: dict[str, Any] = {
        "family": family, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
        "cpu": asked.get("cpu", DEFAULT_CPU), "memory": asked.get("memory", DEFAULT_MEMORY),
        "runtimePlatform": {"cpuArchitecture": asked.get("cpuArchitecture", "X86_64"),
                            "operatingSystemFamily": "LINUX"},
        "containerDefinitions": [main],
    }
    for key in ("executionRoleArn", "taskRoleArn"):
        if asked.get(key):
            body[key] = asked[key]
    return body


def main_port(definition: dict[str, Any]) -> int | None:
    """The container port of the Main container's single TCP port mapping with a name, if it has one."""
    for container in definition.get("containerDefinitions", []):
        if container.get("name") == MAIN:
            mappings = [m for m in container.get("portMappings", []) if m.get("protocol", "tcp") == "tcp"]
            if len(mappings) == 1 and mappings[0].get("name") and mappings[0].get("containerPort"):
                port: int = mappings[0]["containerPort"]
                return port
    return None


def configuration(express: ExpressService, revision_arn: str, definition: dict[str, Any], asked: dict[str, Any],
                  at: float) -> dict[str, Any]:
    """The revision's ExpressGatewayServiceConfiguration [M:ExpressGatewayServiceConfiguration]."""
    main = next(c for c in definition["containerDefinitions"] if c["name"] == MAIN)
    options = (main.get("logConfiguration") or {}).get("options", {})
    primary: dict[str, Any] = {"image": main["image"], "containerPort": main_port(definition) or DEFAULT_PORT}
    if options.get("awslogs-group"):
        primary["awsLogsConfiguration"] = {"logGroup": options["awslogs-group"],
                                           "logStreamPrefix": options.get("awslogs-stream-prefix", "")}
    for key in ("command", "environment", "secrets", "repositoryCredentials"):
        if main.get(key):
            primary[key] = copy.deepcopy(main[key])
    network = express.service.network_configuration["awsvpcConfiguration"]  # type: ignore[index]
    body: dict[str, Any] = {
        "serviceRevisionArn": revision_arn, "taskDefinitionArn": definition["taskDefinitionArn"],
        "cpu": definition.get("cpu"), "memory": definition.get("memory"),
        "networkConfiguration": {"securityGroups": list(network.get("securityGroups", [])),
                                 "subnets": list(network["subnets"])},
        "healthCheckPath": asked.get("healthCheckPath", DEFAULT_HEALTH_CHECK), "primaryContainer": primary,
        "scalingTarget": {**DEFAULT_SCALING, **(asked.get("scalingTarget") or {})},
        "ingressPaths": [{"accessType": "PUBLIC", "endpoint": express.endpoint}], "createdAt": at,
    }
    for key in ("executionRoleArn", "taskRoleArn"):
        if definition.get(key):
            body[key] = definition[key]
    architecture = (definition.get("runtimePlatform") or {}).get("cpuArchitecture")
    if architecture:
        body["cpuArchitecture"] = architecture
    return {k: v for k, v in body.items() if v is not None}


def managed_resources(ctx: Context, express: ExpressService, config: dict[str, Any], log_group: str | None,
                      status: str) -> dict[str, Any]:
    """A revision's ecsManagedResources; every record with a status is kept in ``express.leaves``. The shared
    resources start in ``status`` (PROVISIONING for a new service, ACTIVE for a later revision); the target
    group, whose health check the revision sets, starts PROVISIONING (re-configured) every time."""
    shared, at = express.shared, ctx.now
    port = config["primaryContainer"]["containerPort"]
    scaling = config["scalingTarget"]

    def leaf(own: bool = False, **fields: Any) -> dict[str, Any]:
        record = {**fields, "status": "PROVISIONING" if own else status, "updatedAt": at}
        express.leaves.append(record)
        return record

    body: dict[str, Any] = {
        "ingressPaths": [{
            "accessType": "PUBLIC", "endpoint": express.endpoint,
            "loadBalancer": leaf(arn=shared["lb"], scheme="internet-facing",
                                 subnetIds=list(config["networkConfiguration"]["subnets"]),
                                 securityGroupIds=[shared["lb_sg"]]),
            "loadBalancerSecurityGroups": [leaf(arn=shared["lb_sg_arn"])],
            "certificate": leaf(arn=shared["certificate"], domainName=shared["host"]),
            "listener": leaf(arn=shared["listener"]), "rule": leaf(arn=shared["rule"]),
            "targetGroups": [leaf(True, arn=shared["target_group"], healthCheckPath=config["healthCheckPath"],
                                  healthCheckPort=port, port=port)],
        }],
        "autoScaling": {
            "scalableTarget": leaf(arn=shared["scalable_target"], minCapacity=scaling["minTaskCount"],
                                   maxCapacity=scaling["maxTaskCount"]),
            "applicationAutoScalingPolicies": [leaf(
                arn=shared["policy"], policyType="TargetTrackingScaling",
                targetValue=float(scaling["autoScalingTargetValue"]), metric=METRICS[scaling["autoScalingMetric"]])],
        },
        "metricAlarms": [leaf(arn=shared["alarm"])],
        "serviceSecurityGroups": [leaf(arn=shared["service_sg_arn"])],
    }
    if log_group is not None:
        body["logGroups"] = [leaf(arn=ctx.arn("logs", f"log-group:{log_group}"), logGroupName=log_group)]
    return body


def move(records: list[dict[str, Any]], source: str, target: str, at: float) -> None:
    """Every record still in ``source`` goes to ``target`` (the clock's step for the managed resources)."""
    for record in records:
        if record["status"] == source:
            record["status"], record["updatedAt"] = target, at
