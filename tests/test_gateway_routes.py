"""Gateway routes: a service's gateway connector on its cluster's gateways, DescribeGatewayRoute,
ListGatewayRoutes and DescribeGatewayResources, on the fake's clock."""

from __future__ import annotations

from typing import Any

import pytest
from ecs_helpers import fargate_definition
from service_helpers import web_service

from pytest_ecsfake import EcsFake

ROLE = "arn:aws:iam::123456789012:role/ecsInfrastructureRole"
CONNECTOR = [{"portName": "http"}]


def setup(ecs: Any, *gateways: str, scheme: str = "internet-facing", max_albs: int = 10) -> None:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs, family="web", image="web:1", containerDefinitions=[
        {"name": "app", "image": "web:1", "portMappings": [{"containerPort": 8080, "name": "http"}]}])
    for name in gateways or ("edge",):
        ecs.create_gateway(name=name, infrastructureRoleArn=ROLE,
                           configuration={"hostSharedAlb": {"scheme": scheme, "maxAlbCount": max_albs}})
        ecs.associate_gateway_with_cluster(gateway=name, cluster="c")


def routes(ecs: Any, **filters: Any) -> list[dict[str, Any]]:
    pages = ecs.get_paginator("list_gateway_routes").paginate(**filters)
    return [r for p in pages for r in p["gatewayRoutes"]]


def test_a_connector_makes_a_route_that_becomes_active(ecs: Any, ecs_fake: EcsFake) -> None:
    setup(ecs)
    service = web_service(ecs, desired=1, gatewayConnectors=CONNECTOR)
    [route] = routes(ecs)
    assert route["status"] == "CREATE_IN_PROGRESS"
    assert route["serviceArn"] == service["serviceArn"] and route["serviceContainerPortName"] == "http"
    assert route["gatewayArn"] == "arn:aws:ecs:us-east-1:123456789012:gateway/edge"
    assert route["clusterArn"] == "arn:aws:ecs:us-east-1:123456789012:cluster/c"
    assert route["gatewayRouteArn"].startswith("arn:aws:ecs:us-east-1:123456789012:gateway-route/edge/c/web/")
    ecs_fake.advance(60)
    found = ecs.describe_gateway_route(gatewayRouteArn=route["gatewayRouteArn"])["gatewayRoute"]
    assert found["status"] == "ACTIVE"
    assert found["serviceUrl"].startswith("https://web-") and found["serviceUrl"].endswith(".ecs.us-east-1.on.aws")
    [alb] = found["resources"]["hostSharedAlb"]
    assert alb["loadBalancerArn"].startswith(
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/ecs-gw-edge-1/")
    assert alb["listenerRuleArn"].startswith("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/")
    assert alb["acmCertificateArn"].startswith("arn:aws:acm:us-east-1:123456789012:certificate/")
    assert alb["serviceSecurityGroupArn"].startswith("arn:aws:ec2:us-east-1:123456789012:security-group/sg-")
    # The gateway now manages one load balancer, which carries the route.
    gateway = ecs.describe_gateway(gateway="edge")["gateway"]
    assert gateway["configuration"]["hostSharedAlb"]["currentAlbCount"] == 1
    resources = ecs.describe_gateway_resources(gateway="edge")["gatewayResources"]
    [managed] = resources["resources"]["hostSharedAlb"]
    assert managed["loadBalancerArn"] == alb["loadBalancerArn"] and managed["listenerArn"] == alb["listenerArn"]
    assert managed["gatewayRouteArns"] == [route["gatewayRouteArn"]]
    assert managed["securityGroup"].startswith("sg-")
    # The service's revision names its connector and the connection the gateway made for it.
    deployment = ecs.list_service_deployments(cluster="c", service="web")["serviceDeployments"][0]
    revision_arn = deployment["targetServiceRevisionArn"]
    [revision] = ecs.describe_service_revisions(serviceRevisionArns=[revision_arn])["serviceRevisions"]
    assert revision["gatewayConnectors"] == CONNECTOR
    [connection] = revision["ecsManagedResources"]["gatewayConnections"]
    assert connection["gatewayRouteArn"] == route["gatewayRouteArn"] and connection["status"] == "ACTIVE"
    assert connection["serviceUrl"] == found["serviceUrl"] and connection["accessType"] == "PUBLIC"
    [resources] = connection["resources"]["hostSharedAlb"]
    assert resources["targetGroupArn"].startswith("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/")
    assert resources["loadBalancerArn"] == alb["loadBalancerArn"]
    # The service itself is a real service of the fake.
    ecs_fake.advance(30)
    assert ecs.describe_services(cluster="c", services=["web"])["services"][0]["runningCount"] == 1


def test_no_load_balancer_until_a_service_uses_the_gateway(ecs: Any) -> None:
    setup(ecs)
    web_service(ecs, desired=1)  # no connector
    assert routes(ecs) == []
    answer = ecs.describe_gateway_resources(gateway="edge")["gatewayResources"]
    assert answer["resources"] == {"hostSharedAlb": []}


def test_removing_the_connector_deletes_the_route_then_the_disassociation_completes(
        ecs: Any, ecs_fake: EcsFake) -> None:
    setup(ecs)
    web_service(ecs, desired=1, gatewayConnectors=CONNECTOR)
    ecs_fake.advance(60)
    ecs.disassociate_gateway_from_cluster(gateway="edge", cluster="c")
    [association] = ecs.list_gateway_cluster_associations()["gatewayClusterAssociations"]
    assert association["status"] == "DISASSOCIATING"  # a route of the cluster still uses the gateway
    ecs.update_service(cluster="c", service="web", gatewayConnectors=[])
    assert [r["status"] for r in routes(ecs, cluster="c")] == ["DELETE_IN_PROGRESS"]
    ecs_fake.advance(29)
    assert len(ecs.list_gateway_cluster_associations()["gatewayClusterAssociations"]) == 1
    ecs_fake.advance(1)
    assert routes(ecs) == []
    assert ecs.list_gateway_cluster_associations()["gatewayClusterAssociations"] == []
    assert ecs.describe_gateway(gateway="edge")["gateway"]["configuration"]["hostSharedAlb"]["currentAlbCount"] == 0


def test_deleting_the_service_deletes_its_routes(ecs: Any, ecs_fake: EcsFake) -> None:
    setup(ecs, "g1", "g2")
    web_service(ecs, desired=1, gatewayConnectors=CONNECTOR)
    arns = [r["gatewayRouteArn"] for r in routes(ecs)]
    assert len(arns) == 2  # one route per associated gateway
    ecs.delete_service(cluster="c", service="web", force=True)
    assert {r["status"] for r in routes(ecs)} == {"DELETE_IN_PROGRESS"}
    ecs_fake.advance(30)
    with pytest.raises(ecs.exceptions.ResourceNotFoundException):
        ecs.describe_gateway_route(gatewayRouteArn=arns[0])


def test_filters_and_pages(ecs: Any, ecs_fake: EcsFake) -> None:
    setup(ecs, "g1", "g2")
    web_service(ecs, name="a", desired=0, gatewayConnectors=CONNECTOR)
    web_service(ecs, name="b", desired=0, gatewayConnectors=CONNECTOR)
    assert len(routes(ecs, PaginationConfig={"PageSize": 1})) == 4
    assert [r["serviceArn"][-1] for r in routes(ecs, gateway="g2")] == ["a", "b"]
    assert len(routes(ecs, service="b")) == 2
    assert len(routes(ecs, service="arn:aws:ecs:us-east-1:123456789012:service/c/a", gateway="g1")) == 1
    assert len(routes(ecs, serviceContainerPortName="http", cluster="c")) == 4
    assert routes(ecs, serviceContainerPortName="grpc") == []
    assert routes(ecs, cluster="other") == []
    ecs_fake.advance(60)
    assert routes(ecs, status=["CREATE_IN_PROGRESS"]) == []
    assert len(routes(ecs, status=["ACTIVE"])) == 4
    with pytest.raises(ecs.exceptions.GatewayNotFoundException):
        ecs.list_gateway_routes(gateway="nope")


def test_connector_filters_choose_gateways_by_access_type(ecs: Any) -> None:
    setup(ecs, scheme="internal")
    web_service(ecs, name="pub", desired=0, gatewayConnectors=[{"portName": "http",
                                                                "filters": {"accessTypes": ["PUBLIC"]}}])
    assert routes(ecs) == []
    web_service(ecs, name="priv", desired=0, gatewayConnectors=[{"portName": "http",
                                                                 "filters": {"accessTypes": ["PRIVATE"]}}])
    assert [r["serviceArn"][-4:] for r in routes(ecs)] == ["priv"]


def test_the_load_balancers_of_a_gateway_fill_up(ecs: Any, ecs_fake: EcsFake) -> None:
    setup(ecs, max_albs=2)
    for n in range(51):
        web_service(ecs, name=f"s{n}", desired=0, gatewayConnectors=CONNECTOR)
    statuses = [r["status"] for r in routes(ecs)]
    assert statuses == ["CREATE_IN_PROGRESS"] * 50 + ["CREATE_FAILED"]
    first = ecs.describe_gateway_resources(gateway="edge", maxResults=1)
    [alb] = first["gatewayResources"]["resources"]["hostSharedAlb"]
    assert len(alb["gatewayRouteArns"]) == 25 and alb["loadBalancerArn"].split("/")[-2] == "ecs-gw-edge-1"
    second = ecs.describe_gateway_resources(gateway="edge", maxResults=1, nextToken=first["nextToken"])
    [other] = second["gatewayResources"]["resources"]["hostSharedAlb"]
    assert other["loadBalancerArn"].split("/")[-2] == "ecs-gw-edge-2" and "nextToken" not in second
    assert ecs.describe_gateway(gateway="edge")["gateway"]["configuration"]["hostSharedAlb"]["currentAlbCount"] == 2
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="at most 20"):
        ecs.describe_gateway_resources(gateway="edge", maxResults=21)
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="less than the current 2"):
        ecs.update_gateway(gateway="edge", configuration={"hostSharedAlb": {"maxAlbCount": 1}})
    assert ecs.update_gateway(gateway="edge", deletionProtection=False)["status"] == "UPDATE_IN_PROGRESS"


def test_connector_refusals(ecs: Any) -> None:
    setup(ecs)
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="portName grpc"):
        web_service(ecs, desired=0, gatewayConnectors=[{"portName": "grpc"}])
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="length less than or equal to 1"):
        web_service(ecs, desired=0, gatewayConnectors=CONNECTOR * 2)
    ecs.register_task_definition(family="bridged", containerDefinitions=[
        {"name": "app", "image": "a", "memory": 128, "portMappings": [{"containerPort": 80, "name": "http"}]}])
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="awsvpc"):
        ecs.create_service(cluster="c", serviceName="b", taskDefinition="bridged", desiredCount=0,
                           gatewayConnectors=CONNECTOR)
    assert ecs.list_services(cluster="c")["serviceArns"] == []


def test_no_associated_gateway_is_answered_and_recorded(ecs: Any, ecs_fake: EcsFake) -> None:
    setup(ecs)
    ecs.create_cluster(clusterName="lonely")
    web_service(ecs, cluster="lonely", desired=0, gatewayConnectors=CONNECTOR)
    assert routes(ecs) == []
    assert any("no gateway" in v for v in ecs_fake.calls[-2].violations)


def test_describe_unknown_route(ecs: Any) -> None:
    with pytest.raises(ecs.exceptions.ResourceNotFoundException):
        ecs.describe_gateway_route(gatewayRouteArn="arn:aws:ecs:us-east-1:123456789012:gateway-route/x/c/s/0")
