"""Scheduling policies as resources: create, describe, list (paginator), update, delete, tags; fair-share queues."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from batch_helpers import CE_CREATE, QUEUE_CREATE, environment, queue

from pytest_ecsfake import EcsFake

ARN = "arn:aws:batch:us-east-1:123456789012:scheduling-policy/"


@pytest.fixture
def batch(ecs_fake: Any) -> Any:
    return boto3.client("batch", region_name="us-east-1")


def _ready_environment(batch: Any, fake: EcsFake) -> None:
    environment(batch, max_vcpus=8)
    fake.advance(CE_CREATE)


def test_create_answers_the_arn_and_describe_the_defaults(batch: Any) -> None:
    answer = batch.create_scheduling_policy(name="plain")
    assert (answer["name"], answer["arn"]) == ("plain", ARN + "plain")
    policy = batch.describe_scheduling_policies(arns=[answer["arn"]])["schedulingPolicies"][0]
    assert policy == {"name": "plain", "arn": ARN + "plain",
                      "fairsharePolicy": {"shareDecaySeconds": 0, "computeReservation": 0, "shareDistribution": []}}
    with pytest.raises(batch.exceptions.ClientException, match="Object already exists"):
        batch.create_scheduling_policy(name="plain")


def test_describe_answers_the_policy_as_given_with_its_tags(batch: Any) -> None:
    given = {"shareDecaySeconds": 3600, "computeReservation": 40,
             "shareDistribution": [{"shareIdentifier": "team-a", "weightFactor": 0.5},
                                   {"shareIdentifier": "batch*", "weightFactor": 2.0}]}
    arn = batch.create_scheduling_policy(name="teams", fairsharePolicy=given, tags={"env": "test"})["arn"]
    found = batch.describe_scheduling_policies(arns=[arn, ARN + "missing"])["schedulingPolicies"]
    assert found == [{"name": "teams", "arn": arn, "fairsharePolicy": given, "tags": {"env": "test"}}]
    batch.tag_resource(resourceArn=arn, tags={"owner": "me"})
    batch.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {"owner": "me"}


def test_a_quota_share_policy_is_its_own_kind(batch: Any) -> None:
    arn = batch.create_scheduling_policy(name="quota",
                                         quotaSharePolicy={"idleResourceAssignmentStrategy": "FIFO"})["arn"]
    policy = batch.describe_scheduling_policies(arns=[arn])["schedulingPolicies"][0]
    assert policy["quotaSharePolicy"] == {"idleResourceAssignmentStrategy": "FIFO"}
    assert "fairsharePolicy" not in policy
    with pytest.raises(batch.exceptions.ClientException, match="can't be changed to a fair-share"):
        batch.update_scheduling_policy(arn=arn, fairsharePolicy={"computeReservation": 1})
    with pytest.raises(batch.exceptions.ClientException, match="Only one of"):
        batch.create_scheduling_policy(name="both", fairsharePolicy={}, quotaSharePolicy={
            "idleResourceAssignmentStrategy": "FIFO"})


@pytest.mark.parametrize(("policy", "match"), [
    ({"computeReservation": 100}, "computeReservation must be from 0 to 99"),
    ({"shareDecaySeconds": 604801}, "shareDecaySeconds must be from 0 to 604800"),
    ({"shareDistribution": [{"shareIdentifier": "a", "weightFactor": 1000}]}, "weightFactor"),
    ({"shareDistribution": [{"shareIdentifier": "UserA*"}, {"shareIdentifier": "UserA1"}]}, "overlap"),
])
def test_documented_bounds_are_refused(batch: Any, policy: dict[str, Any], match: str) -> None:
    with pytest.raises(batch.exceptions.ClientException, match=match):
        batch.create_scheduling_policy(name="bad", fairsharePolicy=policy)
    assert batch.list_scheduling_policies()["schedulingPolicies"] == []


def test_list_pages_through_the_paginator_in_creation_order(batch: Any) -> None:
    arns = [batch.create_scheduling_policy(name=f"p{i}")["arn"] for i in range(5)]
    pages = list(batch.get_paginator("list_scheduling_policies").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["schedulingPolicies"]) for p in pages] == [2, 2, 1]
    assert [item["arn"] for p in pages for item in p["schedulingPolicies"]] == arns


def test_update_replaces_the_fair_share_policy(batch: Any) -> None:
    arn = batch.create_scheduling_policy(name="p", fairsharePolicy={"computeReservation": 10})["arn"]
    batch.update_scheduling_policy(arn=arn, fairsharePolicy={"shareDecaySeconds": 60, "shareDistribution": [
        {"shareIdentifier": "x", "weightFactor": 4.0}]})
    policy = batch.describe_scheduling_policies(arns=[arn])["schedulingPolicies"][0]["fairsharePolicy"]
    assert policy == {"shareDecaySeconds": 60, "computeReservation": 0,
                      "shareDistribution": [{"shareIdentifier": "x", "weightFactor": 4.0}]}
    with pytest.raises(batch.exceptions.ClientException, match="does not exist"):
        batch.update_scheduling_policy(arn=ARN + "missing", fairsharePolicy={})


def test_a_policy_used_by_a_queue_can_not_be_deleted(batch: Any, ecs_fake: EcsFake) -> None:
    _ready_environment(batch, ecs_fake)
    arn = batch.create_scheduling_policy(name="fs")["arn"]
    queue(batch, schedulingPolicyArn=arn)
    with pytest.raises(batch.exceptions.ClientException, match="used by job queue"):
        batch.delete_scheduling_policy(arn=arn)
    ecs_fake.advance(QUEUE_CREATE)
    batch.update_job_queue(jobQueue="q", state="DISABLED")
    ecs_fake.advance(QUEUE_CREATE)
    batch.delete_job_queue(jobQueue="q")
    ecs_fake.advance(10)
    batch.delete_scheduling_policy(arn=arn)
    assert batch.describe_scheduling_policies(arns=[arn])["schedulingPolicies"] == []
    with pytest.raises(batch.exceptions.ClientException, match="does not exist"):
        batch.delete_scheduling_policy(arn=arn)


def test_a_queue_created_with_a_policy_shows_it_and_can_only_replace_it(batch: Any, ecs_fake: EcsFake) -> None:
    _ready_environment(batch, ecs_fake)
    first = batch.create_scheduling_policy(name="first")["arn"]
    second = batch.create_scheduling_policy(name="second")["arn"]
    with pytest.raises(batch.exceptions.ClientException, match="does not exist"):
        queue(batch, "nope", schedulingPolicyArn=ARN + "missing")
    queue(batch, "fair", schedulingPolicyArn=first)
    queue(batch, "fifo")
    ecs_fake.advance(QUEUE_CREATE)
    queues = {q["jobQueueName"]: q for q in batch.describe_job_queues()["jobQueues"]}
    assert queues["fair"]["schedulingPolicyArn"] == first
    assert "schedulingPolicyArn" not in queues["fifo"]
    batch.update_job_queue(jobQueue="fair", schedulingPolicyArn=second)
    assert batch.describe_job_queues(jobQueues=["fair"])["jobQueues"][0]["schedulingPolicyArn"] == second
    with pytest.raises(batch.exceptions.ClientException, match="can't be added"):
        batch.update_job_queue(jobQueue="fifo", schedulingPolicyArn=first)
    ecs_fake.advance(QUEUE_CREATE)
    with pytest.raises(batch.exceptions.ClientException, match="replaced but not removed"):
        batch.update_job_queue(jobQueue="fair", schedulingPolicyArn="")
    assert batch.describe_job_queues(jobQueues=["fair"])["jobQueues"][0]["schedulingPolicyArn"] == second


def test_scheduling_policies_over_the_server() -> None:
    with EcsFake() as fake, fake.serve() as url:
        batch = boto3.client("batch", region_name="us-east-1", endpoint_url=url, aws_access_key_id="testing",
                             aws_secret_access_key="testing")
        arn = batch.create_scheduling_policy(name="served", fairsharePolicy={"computeReservation": 5})["arn"]
        assert [p["arn"] for p in batch.list_scheduling_policies()["schedulingPolicies"]] == [arn]
        batch.update_scheduling_policy(arn=arn, fairsharePolicy={"computeReservation": 7})
        detail = batch.describe_scheduling_policies(arns=[arn])["schedulingPolicies"][0]
        assert detail["fairsharePolicy"]["computeReservation"] == 7
        batch.delete_scheduling_policy(arn=arn)
        assert batch.list_scheduling_policies()["schedulingPolicies"] == []
