"""RunTask's rules and errors, the task shape it answers, capacity providers, idempotency."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from botocore.config import Config
from ecs_helpers import SUBNETS, describe, fargate_definition, run_fargate

from pytest_ecsfake import EcsFake

TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/{}"


@pytest.fixture
def ecs_c(ecs: Any) -> Any:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs, tags=[{"key": "owner", "value": "platform"}])
    return ecs


def test_the_address_appears_when_the_eni_is_attached(ecs_c: Any, ecs_fake: EcsFake) -> None:
    task = run_fargate(ecs_c)
    arn = task["taskArn"]
    provisioning = describe(ecs_c, arn)
    assert provisioning["lastStatus"] == "PROVISIONING"
    assert provisioning["attachments"][0]["details"] == [{"name": "subnetId", "value": "subnet-0a1b2c3d"}]
    assert provisioning["containers"][0]["networkInterfaces"] == []
    ecs_fake.advance(5)  # provisioning: the ENI is created and attached
    pending = describe(ecs_c, arn)
    (eni,) = pending["attachments"]
    assert (pending["lastStatus"], eni["status"]) == ("PENDING", "ATTACHED")
    details = {d["name"]: d["value"] for d in eni["details"]}
    assert list(details) == ["subnetId", "networkInterfaceId", "macAddress", "privateDnsName", "privateIPv4Address"]
    assert details["networkInterfaceId"].startswith("eni-")
    assert details["privateDnsName"] == f"ip-{details['privateIPv4Address'].replace('.', '-')}.ec2.internal"
    assert pending["containers"][0]["networkInterfaces"] == [
        {"attachmentId": eni["id"], "privateIpv4Address": details["privateIPv4Address"]}]
    ecs_c.stop_task(cluster="c", task=arn)
    ecs_fake.advance(60)
    stopped = describe(ecs_c, arn)
    assert stopped["attachments"][0]["status"] == "DELETED"
    assert stopped["attachments"][0]["details"] == eni["details"]  # a stopped task keeps its address on record


def test_task_shape_on_fargate(ecs_c: Any, ecs_fake: EcsFake) -> None:
    overrides = {"containerOverrides": [{"name": "app", "command": ["go"]}]}
    task = run_fargate(ecs_c, startedBy="deployer", overrides=overrides)
    task_id = task["taskArn"].rsplit("/", 1)[1]
    assert len(task_id) == 32 and int(task_id, 16) >= 0
    assert task["clusterArn"] == "arn:aws:ecs:us-east-1:123456789012:cluster/c"
    assert task["taskDefinitionArn"] == TD.format("job:1")
    assert (task["launchType"], task["platformVersion"], task["platformFamily"]) == ("FARGATE", "1.4.0", "Linux")
    assert (task["cpu"], task["memory"], task["group"], task["startedBy"]) == ("256", "512", "family:job", "deployer")
    assert task["availabilityZone"].startswith("us-east-1")
    assert task["overrides"] == {"containerOverrides": [{"name": "app", "command": ["go"]}],
                                 "inferenceAcceleratorOverrides": []}
    eni = task["attachments"][0]
    assert eni["type"] == "ElasticNetworkInterface" and eni["status"] == "PRECREATED"
    # The ENI does not exist yet: only its subnet is known, and the containers have no network interface.
    assert eni["details"] == [{"name": "subnetId", "value": "subnet-0a1b2c3d"}]
    container = task["containers"][0]
    assert container["containerArn"].startswith(f"arn:aws:ecs:us-east-1:123456789012:container/c/{task_id}/")
    assert (container["name"], container["image"], container["lastStatus"]) == ("app", "worker:1", "PENDING")
    assert container["networkInterfaces"] == []
    assert "exitCode" not in container
    assert "capacityProviderName" not in task


def test_count_launches_that_many(ecs_c: Any) -> None:
    answer = ecs_c.run_task(cluster="c", taskDefinition="job", launchType="FARGATE", count=10,
                            networkConfiguration=SUBNETS)
    assert len({t["taskArn"] for t in answer["tasks"]}) == 10


def raw() -> Any:
    return boto3.client("ecs", region_name="us-east-1", config=Config(parameter_validation=False))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"count": 0}, "InvalidParameterException", "count"),
        ({"count": 11}, "InvalidParameterException", "count"),
        ({"capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]}, "InvalidParameterException",
         "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again."),
        ({"networkConfiguration": None}, "InvalidParameterException",
         "Network Configuration must be provided when networkMode 'awsvpc' is specified."),
        ({"taskDefinition": "nope"}, "ClientException", "TaskDefinition not found."),
        ({"cluster": "ghost"}, "ClusterNotFoundException", "Cluster not found."),
        ({"platformVersion": "9.9.9"}, "PlatformUnknownException", "platform version"),
        ({"overrides": {"containerOverrides": [{"name": "ghost"}]}}, "InvalidParameterException",
         "Override for container named ghost is not a container in the TaskDefinition."),
        ({"propagateTags": "SERVICE"}, "InvalidParameterException", "propagateTags"),
        ({"startedBy": "x" * 129}, "InvalidParameterException", "startedBy"),
        ({"overrides": {"containerOverrides": [{"name": "app", "command": ["x" * 9000]}]}},
         "InvalidParameterException", "overrides"),
    ],
)
def test_run_task_rules(ecs_c: Any, kwargs: dict[str, Any], error: str, message: str) -> None:
    request: dict[str, Any] = {"cluster": "c", "taskDefinition": "job", "launchType": "FARGATE",
                               "networkConfiguration": SUBNETS}
    request.update(kwargs)
    request = {k: v for k, v in request.items() if v is not None}
    with pytest.raises(Exception) as info:
        raw().run_task(**request)
    assert info.value.response["Error"]["Code"] == error  # type: ignore[attr-defined]
    assert message in info.value.response["Error"]["Message"]  # type: ignore[attr-defined]


def test_fargate_needs_a_fargate_compatible_definition(ecs_c: Any) -> None:
    ecs_c.register_task_definition(family="ec2only", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
    with pytest.raises(ecs_c.exceptions.InvalidParameterException,
                       match="Task definition does not support launch_type FARGATE."):
        ecs_c.run_task(cluster="c", taskDefinition="ec2only", launchType="FARGATE", networkConfiguration=SUBNETS)


def test_network_configuration_only_for_awsvpc(ecs_c: Any, ecs_fake: EcsFake) -> None:
    ecs_c.register_task_definition(family="bridge", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
    ecs_fake.add_container_instance("c")
    with pytest.raises(ecs_c.exceptions.InvalidParameterException, match="not valid for the given networkMode"):
        ecs_c.run_task(cluster="c", taskDefinition="bridge", networkConfiguration=SUBNETS)


def test_inactive_definition_cannot_run(ecs_c: Any, ecs_fake: EcsFake) -> None:
    ecs_c.deregister_task_definition(taskDefinition="job:1")
    # AWS's own answer, exactly (FIDELITY.md "Observed since": DefangLabs/defang#775).
    for ref in ("job:1", TD.format("job:1")):
        with pytest.raises(ecs_c.exceptions.InvalidParameterException) as error:
            ecs_c.run_task(cluster="c", taskDefinition=ref, launchType="FARGATE", networkConfiguration=SUBNETS)
        assert error.value.response["Error"]["Message"] == "TaskDefinition is inactive"
    ecs_fake.add_container_instance("c")
    with pytest.raises(ecs_c.exceptions.InvalidParameterException) as error:
        ecs_c.start_task(cluster="c", taskDefinition="job:1", containerInstances=[
            ecs_c.list_container_instances(cluster="c")["containerInstanceArns"][0]], networkConfiguration=SUBNETS)
    assert error.value.response["Error"]["Message"] == "TaskDefinition is inactive"
    # Without a revision, the latest ACTIVE one: there is none left.
    with pytest.raises(ecs_c.exceptions.ClientException, match="TaskDefinition not found."):
        ecs_c.run_task(cluster="c", taskDefinition="job", launchType="FARGATE", networkConfiguration=SUBNETS)


def test_propagate_and_managed_tags(ecs_c: Any) -> None:
    task = run_fargate(ecs_c, propagateTags="TASK_DEFINITION", enableECSManagedTags=True,
                       tags=[{"key": "run", "value": "1"}])
    tags = ecs_c.list_tags_for_resource(resourceArn=task["taskArn"])["tags"]
    assert tags == [{"key": "owner", "value": "platform"}, {"key": "run", "value": "1"},
                    {"key": "aws:ecs:clusterName", "value": "c"}]


def test_client_token_makes_run_task_idempotent(ecs_c: Any) -> None:
    token = str(uuid.uuid4())
    first = ecs_c.run_task(cluster="c", taskDefinition="job", launchType="FARGATE", count=2,
                           networkConfiguration=SUBNETS, clientToken=token)
    again = ecs_c.run_task(cluster="c", taskDefinition="job", launchType="FARGATE", count=2,
                           networkConfiguration=SUBNETS, clientToken=token)
    assert [t["taskArn"] for t in again["tasks"]] == [t["taskArn"] for t in first["tasks"]]
    assert len(ecs_c.list_tasks(cluster="c")["taskArns"]) == 2
    with pytest.raises(ecs_c.exceptions.ConflictException):
        ecs_c.run_task(cluster="c", taskDefinition="job", launchType="FARGATE", count=1,
                       networkConfiguration=SUBNETS, clientToken=token)
    # botocore fills a fresh token into every call: plain repeats launch new tasks.
    run_fargate(ecs_c)
    assert len(ecs_c.list_tasks(cluster="c")["taskArns"]) == 3


def test_capacity_provider_strategy_splits_by_base_and_weight(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    fargate_definition(ecs)
    answer = ecs.run_task(cluster="c", taskDefinition="job", count=10, networkConfiguration=SUBNETS,
                          capacityProviderStrategy=[{"capacityProvider": "FARGATE", "base": 2, "weight": 1},
                                                    {"capacityProvider": "FARGATE_SPOT", "weight": 3}])
    providers = [t["capacityProviderName"] for t in answer["tasks"]]
    assert providers.count("FARGATE") == 4 and providers.count("FARGATE_SPOT") == 6
    assert {t["launchType"] for t in answer["tasks"]} == {"FARGATE"}


def test_cluster_default_strategy_applies_without_launch_type(ecs: Any) -> None:
    ecs.create_cluster(clusterName="c", capacityProviders=["FARGATE_SPOT"],
                       defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}])
    fargate_definition(ecs)
    task = ecs.run_task(cluster="c", taskDefinition="job", networkConfiguration=SUBNETS)["tasks"][0]
    assert task["capacityProviderName"] == "FARGATE_SPOT"


# What a launch answers that does not depend on ids and times: the part an empty strategy must not change.
SAME = ("launchType", "capacityProviderName", "platformVersion", "platformFamily", "cpu", "memory", "group",
        "lastStatus", "desiredStatus", "taskDefinitionArn", "containerInstanceArn")


def _launch_facts(task: dict[str, Any]) -> dict[str, Any]:
    return {key: task.get(key) for key in SAME}


def test_launch_type_with_an_empty_strategy_is_as_if_no_strategy(ecs: Any) -> None:
    # prefect-aws's ECS worker sends exactly this (FIDELITY.md "Observed since"): an empty strategy is none.
    ecs.create_cluster(clusterName="c", capacityProviders=["FARGATE", "FARGATE_SPOT"],
                       defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}])
    fargate_definition(ecs)
    request = {"cluster": "c", "taskDefinition": "job", "launchType": "FARGATE", "networkConfiguration": SUBNETS,
               "overrides": {"containerOverrides": [{"name": "app", "command": ["flow"]}]},
               "tags": [{"key": "prefect.io/flow-run-id", "value": "1"}]}
    with_empty = ecs.run_task(**request, capacityProviderStrategy=[])
    without = ecs.run_task(**request)
    assert with_empty["failures"] == without["failures"] == []
    (task,) = with_empty["tasks"]
    assert _launch_facts(task) == _launch_facts(without["tasks"][0])
    assert (task["launchType"], task["platformVersion"]) == ("FARGATE", "1.4.0")
    assert "capacityProviderName" not in task  # the cluster's default strategy is not used: launchType was given
    described = describe(ecs, task["taskArn"])
    assert described["launchType"] == "FARGATE" and "capacityProviderName" not in described
    assert ecs.list_tasks(cluster="c", launchType="FARGATE")["taskArns"] == [task["taskArn"],
                                                                             without["tasks"][0]["taskArn"]]


def test_an_empty_strategy_without_launch_type_is_as_if_omitted(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs.create_cluster(clusterName="spot", capacityProviders=["FARGATE_SPOT"],
                       defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}])
    ecs.create_cluster(clusterName="ec2")
    fargate_definition(ecs)
    ecs.register_task_definition(family="bridge", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
    ecs_fake.add_container_instance("ec2")
    # No launchType: the cluster's default strategy, as when the member is omitted ...
    for strategy in ({"capacityProviderStrategy": []}, {}):
        task = ecs.run_task(cluster="spot", taskDefinition="job", networkConfiguration=SUBNETS, **strategy)["tasks"][0]
        assert (task["launchType"], task["capacityProviderName"]) == ("FARGATE", "FARGATE_SPOT")
    # ... and without a default strategy, the EC2 launch type.
    answers = [ecs.run_task(cluster="ec2", taskDefinition="bridge", **strategy)
               for strategy in ({"capacityProviderStrategy": []}, {})]
    assert [_launch_facts(a["tasks"][0]) for a in answers] == [_launch_facts(answers[1]["tasks"][0])] * 2
    assert answers[0]["tasks"][0]["launchType"] == "EC2"


def test_strategy_provider_must_be_associated(ecs_c: Any) -> None:
    with pytest.raises(ecs_c.exceptions.InvalidParameterException, match="not associated with the cluster"):
        ecs_c.run_task(cluster="c", taskDefinition="job", networkConfiguration=SUBNETS,
                       capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}])


def test_task_tagging_operations(ecs_c: Any, ecs_fake: EcsFake) -> None:
    arn = run_fargate(ecs_c)["taskArn"]
    ecs_c.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"}])
    assert ecs_c.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "a", "value": "1"}]
    ecs_c.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert ecs_c.list_tags_for_resource(resourceArn=arn)["tags"] == []
    assert describe(ecs_c, arn)["lastStatus"] == "PROVISIONING"
