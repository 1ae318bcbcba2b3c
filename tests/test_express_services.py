"""Express services: Create/Update/Delete/DescribeExpressGatewayService over a real service of the fake."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_ecsfake import EcsFake

INFRA = "arn:aws:iam::123456789012:role/ecsInfrastructureRoleForExpressServices"
EXEC = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
ARN = "arn:aws:ecs:us-east-1:123456789012:{}"


def express(ecs: Any, name: str = "shop", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"serviceName": name, "infrastructureRoleArn": INFRA, "executionRoleArn": EXEC,
                            "primaryContainer": {"image": "public.ecr.aws/nginx/nginx:1"}}
    body.update(extra)
    service: dict[str, Any] = ecs.create_express_gateway_service(**body)["service"]
    return service


def described(ecs: Any, arn: str, **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = ecs.describe_express_gateway_service(serviceArn=arn, **extra)["service"]
    return found


def ecs_service(ecs: Any, name: str = "shop", cluster: str = "default") -> dict[str, Any]:
    found: dict[str, Any] = ecs.describe_services(cluster=cluster, services=[name])["services"][0]
    return found


def test_create_runs_a_real_service_in_the_default_cluster(ecs: Any, ecs_fake: EcsFake) -> None:
    created = express(ecs)
    arn = ARN.format("service/default/shop")
    assert created["serviceArn"] == arn and created["serviceName"] == "shop"
    assert created["cluster"] == ARN.format("cluster/default")
    assert created["status"] == {"statusCode": "ACTIVE"} and created["infrastructureRoleArn"] == INFRA
    [config] = created["activeConfigurations"]
    assert config["taskDefinitionArn"] == ARN.format("task-definition/default-shop:1")
    assert (config["cpu"], config["memory"], config["cpuArchitecture"]) == ("1024", "2048", "X86_64")
    assert config["healthCheckPath"] == "/ping" and config["executionRoleArn"] == EXEC
    assert config["primaryContainer"]["containerPort"] == 80
    assert config["primaryContainer"]["awsLogsConfiguration"] == {"logGroup": "/aws/ecs/default/shop",
                                                                  "logStreamPrefix": "ecs"}
    assert config["scalingTarget"] == {"minTaskCount": 1, "maxTaskCount": 20, "autoScalingMetric": "AVERAGE_CPU",
                                       "autoScalingTargetValue": 60}
    [path] = config["ingressPaths"]
    assert path["accessType"] == "PUBLIC" and path["endpoint"].startswith("https://shop-")
    assert path["endpoint"].endswith(".ecs.us-east-1.on.aws")
    assert created["currentDeployment"].startswith(ARN.format("service-deployment/default/shop/"))
    [call] = [c for c in ecs_fake.calls if c.operation == "CreateExpressGatewayService"]
    assert call.violations == ()  # nothing a strict-mode test would fail on
    # The default cluster was made, with Fargate; the ECS service is a real one.
    cluster = ecs.describe_clusters(clusters=["default"])["clusters"][0]
    assert cluster["status"] == "ACTIVE" and cluster["capacityProviders"] == ["FARGATE"]
    service = ecs_service(ecs)
    assert service["resourceManagementType"] == "ECS" and service["launchType"] == "FARGATE"
    assert service["desiredCount"] == 1 and service["taskDefinition"] == config["taskDefinitionArn"]
    assert ecs.list_services(cluster="default")["serviceArns"] == [arn]
    assert ecs.list_services(cluster="default", resourceManagementType="ECS")["serviceArns"] == [arn]
    assert ecs.list_services(cluster="default", resourceManagementType="CUSTOMER")["serviceArns"] == []
    definition = ecs.describe_task_definition(taskDefinition="default-shop")["taskDefinition"]
    [main] = definition["containerDefinitions"]
    assert main["name"] == "Main" and main["portMappings"][0]["containerPort"] == 80
    assert definition["networkMode"] == "awsvpc" and definition["requiresCompatibilities"] == ["FARGATE"]
    # Its task goes PROVISIONING → RUNNING on the clock; the ServicesStable waiter sees it through.
    ecs_fake.advance(1)
    [task_arn] = ecs.list_tasks(cluster="default", serviceName="shop")["taskArns"]
    assert ecs.describe_tasks(cluster="default", tasks=[task_arn])["tasks"][0]["lastStatus"] == "PROVISIONING"
    ecs.get_waiter("services_stable").wait(cluster="default", services=["shop"])
    assert ecs_service(ecs)["runningCount"] == 1
    assert ecs.describe_tasks(cluster="default", tasks=[task_arn])["tasks"][0]["lastStatus"] == "RUNNING"


def test_managed_resources_are_provisioned_on_the_clock(ecs: Any, ecs_fake: EcsFake) -> None:
    created = express(ecs)
    revision_arn = created["activeConfigurations"][0]["serviceRevisionArn"]

    def managed() -> dict[str, Any]:
        [revision] = ecs.describe_service_revisions(serviceRevisionArns=[revision_arn])["serviceRevisions"]
        found: dict[str, Any] = revision["ecsManagedResources"]
        return found

    resources = managed()
    [path] = resources["ingressPaths"]
    assert path["loadBalancer"]["status"] == "PROVISIONING"
    assert path["loadBalancer"]["arn"].startswith(
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/ecs-express-")
    assert path["certificate"]["domainName"] == path["endpoint"][len("https://"):]
    [group] = path["targetGroups"]
    assert (group["port"], group["healthCheckPort"], group["healthCheckPath"]) == (80, 80, "/ping")
    # The ECS service's tasks register with that target group.
    assert ecs_service(ecs)["loadBalancers"] == [{"targetGroupArn": group["arn"], "containerName": "Main",
                                                  "containerPort": 80}]
    assert resources["autoScaling"]["scalableTarget"]["minCapacity"] == 1
    assert resources["autoScaling"]["applicationAutoScalingPolicies"][0]["metric"] == "ECSServiceAverageCPUUtilization"
    assert resources["logGroups"][0]["logGroupName"] == "/aws/ecs/default/shop"
    assert resources["serviceSecurityGroups"][0]["arn"].startswith("arn:aws:ec2:us-east-1:123456789012:security-group/")
    ecs_fake.advance(60)
    assert {r["status"] for r in (managed()["ingressPaths"][0]["loadBalancer"], managed()["metricAlarms"][0])} == {
        "ACTIVE"}


def test_cluster_name_and_errors(ecs: Any) -> None:
    with pytest.raises(ecs.exceptions.ClusterNotFoundException, match="Cluster not found."):
        express(ecs, cluster="nope")
    ecs.create_cluster(clusterName="apps")
    created = express(ecs, cluster="apps", cpu="512", memory="1024", tags=[{"key": "app", "value": "shop"}])
    assert created["serviceArn"] == ARN.format("service/apps/shop")
    assert created["tags"] == [{"key": "app", "value": "shop"}]
    assert described(ecs, created["serviceArn"], include=["TAGS"])["tags"] == created["tags"]
    assert "tags" not in described(ecs, created["serviceArn"])
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="not idempotent"):
        express(ecs, cluster="apps")
    with pytest.raises(ecs.exceptions.ClientException, match="No Fargate configuration exists"):
        express(ecs, name="tiny", cluster="apps", cpu="256", memory="4096")
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="primaryContainer or taskDefinitionArn"):
        ecs.create_express_gateway_service(infrastructureRoleArn=INFRA, cluster="apps")
    with pytest.raises(ecs.exceptions.ResourceNotFoundException):
        described(ecs, ARN.format("service/apps/missing"))
    with pytest.raises(ecs.exceptions.ClusterNotFoundException):
        described(ecs, ARN.format("service/gone/shop"))
    with pytest.raises(ecs.exceptions.ServiceNotFoundException):
        ecs.update_express_gateway_service(serviceArn=ARN.format("service/apps/missing"), cpu="2048")


def test_a_plain_service_is_not_an_express_service(ecs: Any) -> None:
    ecs.create_cluster(clusterName="default")
    ecs.register_task_definition(family="t", containerDefinitions=[{"name": "a", "image": "a", "memory": 64}])
    ecs.create_service(serviceName="plain", taskDefinition="t", desiredCount=0)
    assert ecs_service(ecs, "plain")["resourceManagementType"] == "CUSTOMER"
    with pytest.raises(ecs.exceptions.ResourceNotFoundException):
        described(ecs, ARN.format("service/default/plain"))


def test_a_customer_task_definition(ecs: Any) -> None:
    ecs.register_task_definition(
        family="mine", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{"name": "Main", "image": "app:7", "portMappings": [{"containerPort": 8080,
                                                                                   "name": "web"}]},
                              {"name": "sidecar", "image": "envoy:1"}])
    created = ecs.create_express_gateway_service(serviceName="own", infrastructureRoleArn=INFRA,
                                                 taskDefinitionArn=ARN.format("task-definition/mine:1"))["service"]
    [config] = created["activeConfigurations"]
    assert config["taskDefinitionArn"] == ARN.format("task-definition/mine:1")
    assert config["primaryContainer"] == {"image": "app:7", "containerPort": 8080}
    assert "cpuArchitecture" not in config  # the definition does not name one
    ecs.register_task_definition(family="bad", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                 cpu="256", memory="512", containerDefinitions=[{"name": "app", "image": "a"}])
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="named Main"):
        ecs.create_express_gateway_service(serviceName="bad", infrastructureRoleArn=INFRA,
                                           taskDefinitionArn=ARN.format("task-definition/bad:1"))


def test_update_deploys_a_new_revision(ecs: Any, ecs_fake: EcsFake) -> None:
    arn = express(ecs)["serviceArn"]
    ecs.get_waiter("services_stable").wait(cluster="default", services=["shop"])
    answer = ecs.update_express_gateway_service(serviceArn=arn, primaryContainer={"image": "nginx:2",
                                                                                 "containerPort": 8080},
                                                healthCheckPath="/health")["service"]
    target = answer["targetConfiguration"]
    assert answer["status"] == {"statusCode": "ACTIVE"} and answer["serviceName"] == "shop"
    assert target["taskDefinitionArn"] == ARN.format("task-definition/default-shop:2")
    assert target["primaryContainer"]["image"] == "nginx:2" and target["healthCheckPath"] == "/health"
    assert target["cpu"] == "1024"  # kept from the service's configuration
    assert ecs_service(ecs)["loadBalancers"][0]["containerPort"] == 8080
    # While the rolling deployment runs, both revisions are active.
    found = described(ecs, arn)
    assert [c["primaryContainer"]["image"] for c in found["activeConfigurations"]] == [
        "nginx:2", "public.ecr.aws/nginx/nginx:1"]
    assert len(ecs_service(ecs)["deployments"]) == 2
    ecs.get_waiter("services_stable").wait(cluster="default", services=["shop"])
    found = described(ecs, arn)
    assert [c["taskDefinitionArn"][-1] for c in found["activeConfigurations"]] == ["2"]
    assert found["updatedAt"] > found["createdAt"]
    tasks = ecs.list_tasks(cluster="default", serviceName="shop")["taskArns"]
    [task] = ecs.describe_tasks(cluster="default", tasks=tasks)["tasks"]
    assert task["taskDefinitionArn"] == target["taskDefinitionArn"] and task["lastStatus"] == "RUNNING"


def test_a_scaling_change_keeps_the_revision(ecs: Any, ecs_fake: EcsFake) -> None:
    arn = express(ecs)["serviceArn"]
    before = described(ecs, arn)["activeConfigurations"][0]["serviceRevisionArn"]
    answer = ecs.update_express_gateway_service(serviceArn=arn, scalingTarget={"minTaskCount": 3,
                                                                              "maxTaskCount": 5})["service"]
    assert answer["targetConfiguration"]["serviceRevisionArn"] == before
    assert answer["targetConfiguration"]["scalingTarget"]["minTaskCount"] == 3
    assert ecs_service(ecs)["desiredCount"] == 3 and len(ecs_service(ecs)["deployments"]) == 1
    ecs.get_waiter("services_stable").wait(cluster="default", services=["shop"])
    assert ecs_service(ecs)["runningCount"] == 3
    ecs.update_express_gateway_service(serviceArn=arn, scalingTarget={"minTaskCount": 1, "maxTaskCount": 2})
    assert ecs_service(ecs)["desiredCount"] == 2


def test_delete_drains_then_the_service_is_inactive(ecs: Any, ecs_fake: EcsFake) -> None:
    created = express(ecs)
    arn = created["serviceArn"]
    revision_arn = created["activeConfigurations"][0]["serviceRevisionArn"]
    ecs.get_waiter("services_stable").wait(cluster="default", services=["shop"])
    answer = ecs.delete_express_gateway_service(serviceArn=arn)["service"]
    assert answer["status"] == {"statusCode": "DRAINING"}
    assert described(ecs, arn)["status"]["statusCode"] == "DRAINING"
    assert ecs_service(ecs)["status"] == "DRAINING"
    assert ecs.list_services(cluster="default")["serviceArns"] == []
    with pytest.raises(ecs.exceptions.ServiceNotActiveException, match="Service was not ACTIVE."):
        ecs.update_express_gateway_service(serviceArn=arn, cpu="2048")
    with pytest.raises(ecs.exceptions.ServiceNotActiveException):
        ecs.delete_express_gateway_service(serviceArn=arn)
    ecs.get_waiter("services_inactive").wait(cluster="default", services=["shop"])
    found = described(ecs, arn)
    assert found["status"] == {"statusCode": "INACTIVE"} and found["activeConfigurations"] == []
    assert ecs.list_tasks(cluster="default", serviceName="shop")["taskArns"] == []
    ecs_fake.advance(60)
    # Deleting the service deletes its service revisions too [DG:service-deployment], so the managed resources
    # are gone with it.
    assert ecs.describe_service_revisions(serviceRevisionArns=[revision_arn])["failures"] == [
        {"arn": revision_arn, "reason": "MISSING"}]
