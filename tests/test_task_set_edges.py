"""Task sets at the edges: capacity provider strategies, EC2 placement, container instance draining, what a
DRAINING task set still allows, and the lifetime of a task set's tags."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from ecs_helpers import SUBNETS, fargate_definition
from service_helpers import HEALTHY_AFTER, STARTED_AFTER, service

from pytest_ecsfake import EcsFake

FULL = {"value": 100.0, "unit": "PERCENT"}
IDENTITY = '{{"instanceId": "i-{n:017x}", "availabilityZone": "us-east-1a", "region": "us-east-1", ' \
           '"instanceType": "m5.large", "accountId": "123456789012"}}'


def external(ecs: Any, desired: int, cluster: str = "c") -> None:
    ecs.create_service(cluster=cluster, serviceName="web", desiredCount=desired,
                       deploymentController={"type": "EXTERNAL"})


def test_the_cluster_default_strategy_places_a_task_set(ecs_fake: EcsFake) -> None:
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c", capacityProviders=["FARGATE", "FARGATE_SPOT"],
                       defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "base": 1, "weight": 1},
                                                        {"capacityProvider": "FARGATE_SPOT", "weight": 1}])
    fargate_definition(ecs, family="web", image="web:1")
    external(ecs, 5)
    # No launchType nor strategy: "the defaultCapacityProviderStrategy for the cluster is used" [M:CreateTaskSet].
    created = ecs.create_task_set(cluster="c", service="web", taskDefinition="web", networkConfiguration=SUBNETS,
                                  scale=FULL)["taskSet"]
    assert "launchType" not in created
    assert [p["capacityProvider"] for p in created["capacityProviderStrategy"]] == ["FARGATE", "FARGATE_SPOT"]
    ecs_fake.advance(STARTED_AFTER)
    arns = ecs.list_tasks(cluster="c", startedBy=created["id"])["taskArns"]
    tasks = ecs.describe_tasks(cluster="c", tasks=arns)["tasks"]
    assert Counter(t["capacityProviderName"] for t in tasks) == {"FARGATE": 3, "FARGATE_SPOT": 2}


def test_ec2_task_set_waits_for_capacity_and_moves_off_a_draining_instance(ecs_fake: EcsFake) -> None:
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    ecs.register_task_definition(family="web", containerDefinitions=[{"name": "app", "image": "web:1",
                                                                      "memory": 256}])
    external(ecs, 2)
    ident = ecs.create_task_set(cluster="c", service="web", taskDefinition="web", launchType="EC2",
                                scale=FULL)["taskSet"]["id"]
    ecs_fake.advance(2)
    assert re.search(r"\(service web\) was unable to place a task because no container instance met all of its "
                     r"requirements\.", service(ecs)["events"][0]["message"])
    first = ecs.register_container_instance(cluster="c", instanceIdentityDocument=IDENTITY.format(n=1))[
        "containerInstance"]["containerInstanceArn"]
    ecs_fake.advance(30 + STARTED_AFTER)  # the placement is retried
    ts = ecs.describe_task_sets(cluster="c", service="web", taskSets=[ident])["taskSets"][0]
    assert ts["runningCount"] == 2
    ecs.register_container_instance(cluster="c", instanceIdentityDocument=IDENTITY.format(n=2))
    ecs_fake.advance(HEALTHY_AFTER)
    ecs.update_container_instances_state(cluster="c", containerInstances=[first], status="DRAINING")
    ecs_fake.advance(1)
    assert ecs.describe_task_sets(cluster="c", service="web", taskSets=[ident])["taskSets"][0][
        "stabilityStatus"] == "STABILIZING"  # tasks run on a DRAINING instance [M:TaskSet.stabilityStatus]
    ecs_fake.advance(STARTED_AFTER + HEALTHY_AFTER + 60)
    arns = ecs.list_tasks(cluster="c", startedBy=ident, desiredStatus="RUNNING")["taskArns"]
    placed = {t["containerInstanceArn"] for t in ecs.describe_tasks(cluster="c", tasks=arns)["tasks"]}
    assert len(arns) == 2 and first not in placed
    assert ecs.describe_task_sets(cluster="c", service="web", taskSets=[ident])["taskSets"][0][
        "stabilityStatus"] == "STEADY_STATE"


def test_a_draining_task_set_cannot_be_scaled_or_made_primary() -> None:
    message = "pytest-ecsfake does not support scaling a DRAINING task set in ecs:UpdateTaskSet yet."
    with pytest.raises(AssertionError, match=re.escape(message)), EcsFake():  # the test fails at teardown
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName="c")
        fargate_definition(ecs, family="web", image="web:1")
        external(ecs, 1)
        ident = ecs.create_task_set(cluster="c", service="web", taskDefinition="web", launchType="FARGATE",
                                    networkConfiguration=SUBNETS)["taskSet"]["id"]
        ecs.delete_task_set(cluster="c", service="web", taskSet=ident)
        # Deleting it again answers it as it is.
        assert ecs.delete_task_set(cluster="c", service="web", taskSet=ident)["taskSet"]["status"] == "DRAINING"
        with pytest.raises(ClientError) as caught:
            ecs.update_task_set(cluster="c", service="web", taskSet=ident, scale=FULL)
        assert caught.value.response["Error"] == {"Code": "UnsupportedOperation", "Message": message}


def test_a_task_sets_tags_go_with_it(ecs_fake: EcsFake) -> None:
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs, family="web", image="web:1")
    external(ecs, 1)
    created = ecs.create_task_set(cluster="c", service="web", taskDefinition="web", launchType="FARGATE",
                                  networkConfiguration=SUBNETS, tags=[{"key": "k", "value": "v"}])["taskSet"]
    arn = created["taskSetArn"]
    ecs.untag_resource(resourceArn=arn, tagKeys=["k"])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == []
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "k", "value": "w"}])
    ecs.delete_task_set(cluster="c", service="web", taskSet=created["id"])
    ecs_fake.advance(1)  # no task to stop: gone at the scheduler's step
    with pytest.raises(ClientError) as gone:
        ecs.list_tags_for_resource(resourceArn=arn)
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as bad_scale:
        ecs.create_task_set(cluster="c", service="web", taskDefinition="web", launchType="FARGATE",
                            networkConfiguration=SUBNETS, scale={"value": -1.0, "unit": "PERCENT"})
    assert bad_scale.value.response["Error"]["Code"] == "InvalidParameterException"
