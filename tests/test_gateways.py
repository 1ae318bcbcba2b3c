"""Gateways: CreateGateway, UpdateGateway, DeleteGateway, DescribeGateway, ListGateways and their cluster
associations, on the fake's clock."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_ecsfake import EcsFake

ROLE = "arn:aws:iam::123456789012:role/ecsInfrastructureRole"
GATEWAY = "arn:aws:ecs:us-east-1:123456789012:gateway/{}"


def gateway(ecs: Any, name: str = "edge", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "infrastructureRoleArn": ROLE, "configuration": {"hostSharedAlb": {}}}
    body.update(extra)
    answer: dict[str, Any] = ecs.create_gateway(**body)
    return answer


def described(ecs: Any, name: str = "edge") -> dict[str, Any]:
    found: dict[str, Any] = ecs.describe_gateway(gateway=name)["gateway"]
    return found


def test_a_new_gateway_is_active_with_aws_defaults(ecs: Any) -> None:
    answer = gateway(ecs, tags=[{"key": "team", "value": "platform"}])
    assert {k: answer[k] for k in ("gatewayArn", "name", "status")} == {
        "gatewayArn": GATEWAY.format("edge"), "name": "edge", "status": "ACTIVE"}
    found = described(ecs, GATEWAY.format("edge"))  # by ARN as by name
    assert found["status"] == "ACTIVE"
    assert found["deletionProtection"] is True and found["propagateTags"] == "GATEWAY"
    assert found["accessType"] == "PUBLIC" and found["infrastructureRoleArn"] == ROLE
    assert found["configuration"]["hostSharedAlb"] == {
        "scheme": "internet-facing", "port": 443, "protocol": "HTTPS", "maxAlbCount": 10, "httpDesync": "defensive",
        "networkConfiguration": {"ipAddressType": "dualstack"}, "currentAlbCount": 0}
    assert found["tags"] == [{"key": "team", "value": "platform"}]
    assert ecs.list_tags_for_resource(resourceArn=found["gatewayArn"])["tags"] == found["tags"]


def test_an_internal_gateway_is_private(ecs: Any) -> None:
    gateway(ecs, configuration={"hostSharedAlb": {"scheme": "internal", "maxAlbCount": 2}})
    found = described(ecs)
    assert found["accessType"] == "PRIVATE"
    assert found["configuration"]["hostSharedAlb"]["maxAlbCount"] == 2


def test_client_token_and_unique_names(ecs: Any) -> None:
    first = gateway(ecs, clientToken="tok-1")
    again = gateway(ecs, clientToken="tok-1", tags=[{"key": "k", "value": "v"}])  # ignored: the first gateway
    assert again["gatewayArn"] == first["gatewayArn"] and described(ecs)["tags"] == []
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="already exists"):
        gateway(ecs)


def test_another_port_than_443_is_answered_and_recorded(ecs_fake: EcsFake) -> None:
    import boto3

    ecs = boto3.client("ecs", region_name="us-east-1")
    gateway(ecs, configuration={"hostSharedAlb": {"port": 8443}})
    assert described(ecs)["configuration"]["hostSharedAlb"]["port"] == 8443
    assert any("443" in rule for rule in ecs_fake.calls[-2].violations)


def test_update_is_in_progress_then_complete(ecs: Any, ecs_fake: EcsFake) -> None:
    gateway(ecs)
    answer = ecs.update_gateway(gateway="edge", deletionProtection=False, propagateTags="NONE", configuration={
        "hostSharedAlb": {"httpDesync": "strictest", "networkConfiguration": {"inboundSecurityGroup": "sg-0abc"}}})
    assert answer["status"] == "UPDATE_IN_PROGRESS"
    found = described(ecs)
    assert found["status"] == "UPDATE_IN_PROGRESS"
    assert found["deletionProtection"] is False and found["propagateTags"] == "NONE"
    alb = found["configuration"]["hostSharedAlb"]
    assert alb["httpDesync"] == "strictest"
    assert alb["networkConfiguration"] == {"ipAddressType": "dualstack", "inboundSecurityGroup": "sg-0abc"}
    ecs_fake.advance(29)
    assert described(ecs)["status"] == "UPDATE_IN_PROGRESS"
    ecs_fake.advance(1)
    found = described(ecs)
    assert found["status"] == "UPDATE_COMPLETE" and found["updatedAt"] > found["createdAt"]


def test_unknown_gateway(ecs: Any) -> None:
    for call in (lambda: ecs.describe_gateway(gateway="nope"), lambda: ecs.update_gateway(gateway="nope"),
                 lambda: ecs.delete_gateway(gateway="nope"),
                 lambda: ecs.describe_gateway_resources(gateway="nope")):
        with pytest.raises(ecs.exceptions.GatewayNotFoundException):
            call()


def test_delete_needs_protection_off_and_no_association(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c")
    gateway(ecs)
    with pytest.raises(ecs.exceptions.ClientException, match="deletion protection"):
        ecs.delete_gateway(gateway="edge")
    ecs.update_gateway(gateway="edge", deletionProtection=False)
    ecs.associate_gateway_with_cluster(gateway="edge", cluster="c")
    with pytest.raises(ecs.exceptions.ClientException, match="Disassociate"):
        ecs.delete_gateway(gateway="edge")
    assert ecs.disassociate_gateway_from_cluster(gateway="edge", cluster="c")["status"] == "DISASSOCIATING"
    answer = ecs.delete_gateway(gateway=GATEWAY.format("edge"))
    del answer["ResponseMetadata"]
    assert answer == {"gatewayArn": GATEWAY.format("edge"), "name": "edge", "status": "DELETED"}
    with pytest.raises(ecs.exceptions.GatewayNotFoundException):
        ecs.describe_gateway(gateway="edge")
    assert ecs.list_gateways()["gateways"] == []


def test_list_gateways_filters_and_pages(ecs: Any) -> None:
    for name in ("a", "b", "c"):
        gateway(ecs, name=name)
    ecs.update_gateway(gateway="b")
    pages = list(ecs.get_paginator("list_gateways").paginate(PaginationConfig={"PageSize": 2}))
    assert [[g["name"] for g in p["gateways"]] for p in pages] == [["a", "b"], ["c"]]
    assert [g["name"] for g in ecs.list_gateways(status=["UPDATE_IN_PROGRESS"])["gateways"]] == ["b"]
    assert [g["name"] for g in ecs.list_gateways(names=["a", "c", "zz"])["gateways"]] == ["a", "c"]
    assert set(pages[0]["gateways"][0]) == {"gatewayArn", "name", "status", "createdAt"}


def test_associations(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c")
    ecs.create_cluster(clusterName="d")
    gateway(ecs, name="g1")
    gateway(ecs, name="g2")
    cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/c"
    answer = ecs.associate_gateway_with_cluster(gateway="g1", cluster="c")
    assert {k: answer[k] for k in ("gatewayArn", "clusterArn", "status")} == {
        "gatewayArn": GATEWAY.format("g1"), "clusterArn": cluster, "status": "ACTIVE"}
    assert ecs.associate_gateway_with_cluster(gateway="g1", cluster=cluster)["status"] == "ACTIVE"  # again: same
    ecs.associate_gateway_with_cluster(gateway="g2", cluster="c")
    ecs.associate_gateway_with_cluster(gateway="g1", cluster="d")
    listed = ecs.get_paginator("list_gateway_cluster_associations").paginate(PaginationConfig={"PageSize": 1})
    assert [(a["gatewayArn"][-2:], a["clusterArn"][-1]) for p in listed for a in p["gatewayClusterAssociations"]] == [
        ("g1", "c"), ("g2", "c"), ("g1", "d")]
    by_cluster = ecs.list_gateway_cluster_associations(cluster="d")["gatewayClusterAssociations"]
    assert [a["gatewayArn"] for a in by_cluster] == [GATEWAY.format("g1")]
    by_gateway = ecs.list_gateway_cluster_associations(gateway=GATEWAY.format("g2"))["gatewayClusterAssociations"]
    assert [a["clusterArn"] for a in by_gateway] == [cluster]
    ecs.disassociate_gateway_from_cluster(gateway="g2", cluster="c")
    # With no route in the cluster, the association is deleted right after the call.
    assert ecs.list_gateway_cluster_associations(status=["DISASSOCIATING"])["gatewayClusterAssociations"] == []
    assert len(ecs.list_gateway_cluster_associations(status=["ACTIVE"])["gatewayClusterAssociations"]) == 2
    with pytest.raises(ecs.exceptions.ResourceNotFoundException):
        ecs.disassociate_gateway_from_cluster(gateway="g2", cluster="c")


def test_association_errors(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c")
    gateway(ecs, name="g0")
    with pytest.raises(ecs.exceptions.ClusterNotFoundException, match="Cluster not found."):
        ecs.associate_gateway_with_cluster(gateway="g0", cluster="missing")
    with pytest.raises(ecs.exceptions.GatewayNotFoundException):
        ecs.associate_gateway_with_cluster(gateway="missing", cluster="c")
    with pytest.raises(ecs.exceptions.ClusterNotFoundException):
        ecs.disassociate_gateway_from_cluster(gateway="g0", cluster="missing")
    for n in range(1, 6):
        gateway(ecs, name=f"g{n}")
        if n < 6:
            ecs.associate_gateway_with_cluster(gateway=f"g{n - 1}", cluster="c")
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="at most 5 gateways"):
        ecs.associate_gateway_with_cluster(gateway="g5", cluster="c")
