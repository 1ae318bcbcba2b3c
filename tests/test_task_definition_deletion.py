"""DeleteTaskDefinitions: INACTIVE → DELETE_IN_PROGRESS → gone, on the fake's clock."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from ecs_helpers import SUBNETS, fargate_definition
from service_helpers import web_service

from pytest_ecsfake import EcsFake

DELETE = 60  # the timing task_definition_delete
ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/{}"
STILL_ACTIVE = "The specified task definition is still in ACTIVE status. Please deregister the target and try again."
INVALID = "The specified task definition identifier is invalid. Specify a valid name or ARN and try again."
MISSING = "The specified task definition does not exist. Specify a valid account, family, revision and try again."


def _listed(ecs: Any, status: str) -> list[str]:
    pages = ecs.get_paginator("list_task_definitions").paginate(status=status)
    return [arn.rsplit("/", 1)[1] for p in pages for arn in p["taskDefinitionArns"]]


def test_an_inactive_revision_is_deleted_then_gone(ecs: Any, ecs_fake: EcsFake) -> None:
    fargate_definition(ecs, family="job")
    fargate_definition(ecs, family="job")
    ecs.deregister_task_definition(taskDefinition="job:1")
    answer = ecs.delete_task_definitions(taskDefinitions=["job:1"])
    assert answer["failures"] == []
    [deleted] = answer["taskDefinitions"]
    assert deleted["taskDefinitionArn"] == ARN.format("job:1")
    assert deleted["status"] == "DELETE_IN_PROGRESS" and "deleteRequestedAt" in deleted
    described = ecs.describe_task_definition(taskDefinition="job:1")["taskDefinition"]
    assert described["status"] == "DELETE_IN_PROGRESS"
    assert _listed(ecs, "DELETE_IN_PROGRESS") == ["job:1"]
    assert _listed(ecs, "INACTIVE") == []
    ecs_fake.advance(DELETE - 1)
    assert _listed(ecs, "DELETE_IN_PROGRESS") == ["job:1"]
    ecs_fake.advance(1)
    assert _listed(ecs, "DELETE_IN_PROGRESS") == []
    with pytest.raises(ecs.exceptions.ClientException):
        ecs.describe_task_definition(taskDefinition="job:1")
    assert _listed(ecs, "ACTIVE") == ["job:2"]
    # The family keeps counting: the next revision is 3.
    assert fargate_definition(ecs, family="job").endswith("job:3")


def test_failures_per_arn(ecs: Any) -> None:
    fargate_definition(ecs, family="job")
    answer = ecs.delete_task_definitions(taskDefinitions=["job:1", "job", "nope:1", "job:7"])
    assert answer["taskDefinitions"] == []
    assert answer["failures"] == [
        {"arn": ARN.format("job:1"), "reason": STILL_ACTIVE},
        {"arn": "job", "reason": INVALID},  # a revision must be given
        {"arn": "nope:1", "reason": MISSING},
        {"arn": "job:7", "reason": MISSING},
    ]
    assert ecs.describe_task_definition(taskDefinition="job:1")["taskDefinition"]["status"] == "ACTIVE"


def test_mixed_answer_and_at_most_ten(ecs: Any) -> None:
    for _ in range(3):
        fargate_definition(ecs, family="job")
    ecs.deregister_task_definition(taskDefinition="job:2")
    answer = ecs.delete_task_definitions(taskDefinitions=[ARN.format("job:2"), "job:3"])
    assert [d["revision"] for d in answer["taskDefinitions"]] == [2]
    assert answer["failures"] == [{"arn": ARN.format("job:3"), "reason": STILL_ACTIVE}]
    with pytest.raises(ecs.exceptions.ClientError):
        ecs.delete_task_definitions(taskDefinitions=[f"job:{n}" for n in range(1, 12)])


def test_a_revision_in_use_stays_until_its_task_and_service_are_gone(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs, family="job")
    task = ecs.run_task(cluster="c", taskDefinition="job:1", launchType="FARGATE",
                        networkConfiguration=SUBNETS)["tasks"][0]
    web_service(ecs, desired=1)
    ecs_fake.advance(30)
    for ref in ("job:1", "web:1"):
        ecs.deregister_task_definition(taskDefinition=ref)
    ecs.delete_task_definitions(taskDefinitions=["job:1", "web:1"])
    # Launching from it is refused; the running service still scales on it.
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="TaskDefinition is inactive"):
        ecs.run_task(cluster="c", taskDefinition="job:1", launchType="FARGATE", networkConfiguration=SUBNETS)
    ecs.update_service(cluster="c", service="web", desiredCount=2)
    ecs_fake.advance(DELETE * 3)
    assert ecs.describe_services(cluster="c", services=["web"])["services"][0]["runningCount"] == 2
    assert _listed(ecs, "DELETE_IN_PROGRESS") == ["job:1", "web:1"]
    assert ecs.list_task_definition_families()["families"] == ["job", "web"]
    ecs.stop_task(cluster="c", task=task["taskArn"])
    ecs.delete_service(cluster="c", service="web", force=True)
    ecs_fake.advance(DELETE * 3)
    assert _listed(ecs, "DELETE_IN_PROGRESS") == []
    # Every revision of both families is gone: the families are no longer returned.
    assert ecs.list_task_definition_families()["families"] == []


def test_deleting_twice_answers_the_revision_again(ecs: Any, ecs_fake: EcsFake) -> None:
    fargate_definition(ecs, family="job")
    ecs.deregister_task_definition(taskDefinition="job:1")
    first = ecs.delete_task_definitions(taskDefinitions=["job:1"])["taskDefinitions"][0]
    ecs_fake.advance(10)
    again = ecs.delete_task_definitions(taskDefinitions=["job:1"])["taskDefinitions"][0]
    assert again["deleteRequestedAt"] == first["deleteRequestedAt"]
    ecs_fake.advance(DELETE)
    assert ecs.delete_task_definitions(taskDefinitions=["job:1"])["failures"] == [
        {"arn": "job:1", "reason": MISSING}]


def test_a_gone_revision_is_no_longer_taggable(ecs: Any, ecs_fake: EcsFake) -> None:
    arn = fargate_definition(ecs, family="job", tags=[{"key": "team", "value": "data"}])
    ecs.deregister_task_definition(taskDefinition=arn)
    ecs.delete_task_definitions(taskDefinitions=[arn])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "data"}]
    ecs_fake.advance(DELETE)
    with pytest.raises(ecs.exceptions.ClientError):
        ecs.list_tags_for_resource(resourceArn=arn)


def test_the_timing_is_an_option() -> None:
    with EcsFake(timings={"task_definition_delete": 5}) as fake:
        ecs = boto3.client("ecs", region_name="us-east-1")
        fargate_definition(ecs, family="job")
        ecs.deregister_task_definition(taskDefinition="job:1")
        ecs.delete_task_definitions(taskDefinitions=["job:1"])
        fake.advance(5)
        assert _listed(ecs, "DELETE_IN_PROGRESS") == []
