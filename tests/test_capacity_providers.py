"""CreateCapacityProvider, DescribeCapacityProviders, UpdateCapacityProvider, DeleteCapacityProvider."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from pytest_ecsfake import EcsFake

ASG = ("arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0b1c2d3e-aaaa-bbbb-cccc-1234567890ab:"
       "autoScalingGroupName/{}")


def create(ecs: Any, name: str = "cp", **scaling: Any) -> dict[str, Any]:
    asg: dict[str, Any] = {"autoScalingGroupArn": ASG.format(name)}
    if scaling:
        asg["managedScaling"] = scaling
    provider: dict[str, Any] = ecs.create_capacity_provider(name=name, autoScalingGroupProvider=asg)["capacityProvider"]
    return provider


def error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_create_fills_the_documented_defaults_and_describe_lists_fargate_last(ecs: Any) -> None:
    provider = ecs.create_capacity_provider(
        name="cp", autoScalingGroupProvider={"autoScalingGroupArn": ASG.format("g"),
                                             "managedScaling": {"status": "ENABLED", "targetCapacity": 90}},
        tags=[{"key": "team", "value": "a"}])["capacityProvider"]
    assert provider["capacityProviderArn"] == "arn:aws:ecs:us-east-1:123456789012:capacity-provider/cp"
    assert (provider["status"], provider["type"], "updateStatus" in provider) == ("ACTIVE", "EC2_AUTOSCALING", False)
    assert provider["autoScalingGroupProvider"] == {
        "autoScalingGroupArn": ASG.format("g"),
        "managedScaling": {"status": "ENABLED", "targetCapacity": 90, "minimumScalingStepSize": 1,
                           "maximumScalingStepSize": 10000, "instanceWarmupPeriod": 300},
        "managedTerminationProtection": "DISABLED",
        "managedDraining": "ENABLED",
    }
    assert provider["tags"] == [{"key": "team", "value": "a"}]
    listed = ecs.describe_capacity_providers()["capacityProviders"]
    assert [(p["name"], p["type"]) for p in listed] == [
        ("cp", "EC2_AUTOSCALING"), ("FARGATE", "FARGATE"), ("FARGATE_SPOT", "FARGATE_SPOT")]
    assert "tags" not in listed[0]  # tags only with include=["TAGS"]
    tagged = ecs.describe_capacity_providers(capacityProviders=[provider["capacityProviderArn"]], include=["TAGS"])
    assert tagged["capacityProviders"][0]["tags"] == [{"key": "team", "value": "a"}]
    missing = ecs.describe_capacity_providers(capacityProviders=["nope", "FARGATE"])
    assert [p["name"] for p in missing["capacityProviders"]] == ["FARGATE"]
    assert missing["failures"] == [
        {"arn": "arn:aws:ecs:us-east-1:123456789012:capacity-provider/nope", "reason": "MISSING"}]


def test_describe_pages_with_max_results(ecs: Any) -> None:
    for name in ("a1", "b2", "c3"):
        create(ecs, name)
    names: list[str] = []
    kwargs: dict[str, Any] = {"maxResults": 2}
    while True:
        answer = ecs.describe_capacity_providers(**kwargs)
        assert len(answer["capacityProviders"]) <= 2
        names += [p["name"] for p in answer["capacityProviders"]]
        if "nextToken" not in answer:
            break
        kwargs["nextToken"] = answer["nextToken"]
    assert names == ["a1", "b2", "c3", "FARGATE", "FARGATE_SPOT"]


@pytest.mark.parametrize("name", ["awsgroup", "ecs-things", "fargate2", "FARGATE", "bad name!"])
def test_reserved_and_invalid_names_are_refused(ecs: Any, name: str) -> None:
    with pytest.raises(ClientError) as raised:
        create(ecs, name)
    code, message = error(raised)
    if name == "FARGATE":
        assert code == "ClientException" and message.startswith("The specified capacity provider already exists.")
    else:
        assert code == "InvalidParameterException"
    described = ecs.describe_capacity_providers(capacityProviders=[name])
    if name == "FARGATE":  # the built-in provider, unchanged
        assert [p["name"] for p in described["capacityProviders"]] == ["FARGATE"] and described["failures"] == []
    else:  # nothing was created
        assert described["capacityProviders"] == [] and described["failures"][0]["reason"] == "MISSING"


def test_a_name_and_an_auto_scaling_group_are_used_once(ecs: Any) -> None:
    create(ecs, "cp")
    with pytest.raises(ClientError) as again:
        create(ecs, "cp")
    assert error(again) == ("ClientException", "The specified capacity provider already exists. To change the "
                            "configuration of an existing capacity provider, update the capacity provider.")
    with pytest.raises(ClientError) as same_group:
        ecs.create_capacity_provider(name="other", autoScalingGroupProvider={"autoScalingGroupArn": ASG.format("cp")})
    assert error(same_group) == (
        "ClientException", "The specified Auto Scaling group ARN is already being used by another capacity "
        "provider. Specify a unique Auto Scaling group ARN and try again.")
    with pytest.raises(ClientError) as steps:
        create(ecs, "steps", status="ENABLED", minimumScalingStepSize=5, maximumScalingStepSize=2)
    assert error(steps)[0] == "InvalidParameterException"


def test_update_changes_scaling_and_completes_on_the_clock(ecs: Any, ecs_fake: EcsFake) -> None:
    create(ecs, "cp", status="ENABLED", maximumScalingStepSize=4)
    answer = ecs.update_capacity_provider(name="cp", autoScalingGroupProvider={
        "managedScaling": {"status": "DISABLED"}, "managedTerminationProtection": "ENABLED"})["capacityProvider"]
    # The answer shows the provider as it was; the update applies when it completes (AWS CLI example).
    assert answer["updateStatus"] == "UPDATE_IN_PROGRESS"
    assert answer["autoScalingGroupProvider"]["managedScaling"]["status"] == "ENABLED"
    ecs_fake.advance(10)
    described = ecs.describe_capacity_providers(capacityProviders=["cp"])["capacityProviders"][0]
    assert described["updateStatus"] == "UPDATE_COMPLETE"
    assert described["autoScalingGroupProvider"]["managedScaling"]["status"] == "DISABLED"
    assert described["autoScalingGroupProvider"]["managedScaling"]["maximumScalingStepSize"] == 4  # kept
    assert described["autoScalingGroupProvider"]["managedTerminationProtection"] == "ENABLED"
    with pytest.raises(ClientError) as unknown:
        ecs.update_capacity_provider(name="nope", autoScalingGroupProvider={"managedDraining": "DISABLED"})
    assert error(unknown)[0] == "InvalidParameterException"


def test_delete_while_associated_fails_in_the_answer_then_succeeds_on_the_clock(ecs: Any, ecs_fake: EcsFake) -> None:
    create(ecs, "cp")
    ecs.create_cluster(clusterName="c")
    ecs.put_cluster_capacity_providers(cluster="c", capacityProviders=["cp"], defaultCapacityProviderStrategy=[])
    failed = ecs.delete_capacity_provider(capacityProvider="cp")["capacityProvider"]
    assert (failed["status"], failed["updateStatus"]) == ("ACTIVE", "DELETE_FAILED")
    assert failed["updateStatusReason"] == ("The capacity provider cannot be deleted because it is associated with "
                                            "cluster: c. Remove the capacity provider from the cluster and try again.")
    ecs.put_cluster_capacity_providers(cluster="c", capacityProviders=[], defaultCapacityProviderStrategy=[])
    deleting = ecs.delete_capacity_provider(capacityProvider="cp")["capacityProvider"]
    assert (deleting["status"], deleting["updateStatus"]) == ("ACTIVE", "DELETE_IN_PROGRESS")
    assert "updateStatusReason" not in deleting
    ecs_fake.advance(10)
    gone = ecs.describe_capacity_providers(capacityProviders=["cp"])["capacityProviders"][0]
    assert (gone["status"], gone["updateStatus"]) == ("INACTIVE", "DELETE_COMPLETE")
    with pytest.raises(ClientError) as again:
        ecs.delete_capacity_provider(capacityProvider="cp")
    assert error(again)[0] == "InvalidParameterException"
    assert create(ecs, "cp")["status"] == "ACTIVE"  # the name and the group are free again
    with pytest.raises(ClientError) as reserved:
        ecs.delete_capacity_provider(capacityProvider="FARGATE")
    assert error(reserved)[0] == "InvalidParameterException"


def test_tags_on_a_capacity_provider(ecs: Any) -> None:
    arn = create(ecs, "cp")["capacityProviderArn"]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "k", "value": "v"}])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "k", "value": "v"}]


def test_managed_instances_providers_are_not_faked_and_fail_the_test() -> None:
    fake = EcsFake()
    with pytest.raises(AssertionError, match="Managed Instances"), fake:
        ecs = boto3.client("ecs", region_name="us-east-1")
        with pytest.raises(ClientError, match="UnsupportedOperation"):
            ecs.create_capacity_provider(name="mi", cluster="default", managedInstancesProvider={
                "infrastructureRoleArn": "arn:aws:iam::123456789012:role/r",
                "instanceLaunchTemplate": {"ec2InstanceProfileArn": "arn:aws:iam::123456789012:instance-profile/p",
                                           "networkConfiguration": {"subnets": ["subnet-1"]}}})
