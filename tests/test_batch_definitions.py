"""RegisterJobDefinition, DescribeJobDefinitions, DeregisterJobDefinition."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from batch_helpers import EXECUTION_ROLE, definition


@pytest.fixture
def batch(ecs_fake: Any) -> Any:
    return boto3.client("batch", region_name="us-east-1")


def test_revisions_arns_and_the_defaults_aws_fills_in(batch: Any) -> None:
    first = batch.register_job_definition(jobDefinitionName="work", type="container",
                                          containerProperties={"image": "busybox", "vcpus": 1, "memory": 128,
                                                               "command": ["sleep", "60"]})
    assert (first["jobDefinitionArn"], first["revision"]) == (
        "arn:aws:batch:us-east-1:123456789012:job-definition/work:1", 1)
    second = definition(batch, tags={"team": "data"}, retryStrategy={"attempts": 2}, timeout={
        "attemptDurationSeconds": 60})
    assert second.endswith("job-definition/work:2")
    described = batch.describe_job_definitions(jobDefinitions=["work:1"])["jobDefinitions"]
    assert described == [{
        "jobDefinitionName": "work", "jobDefinitionArn": first["jobDefinitionArn"], "revision": 1,
        "status": "ACTIVE", "type": "container", "parameters": {}, "propagateTags": False,
        "platformCapabilities": ["EC2"], "containerOrchestrationType": "ECS",
        "containerProperties": {"image": "busybox", "vcpus": 1, "memory": 128, "command": ["sleep", "60"],
                                "environment": [], "mountPoints": [], "ulimits": [], "volumes": [],
                                "resourceRequirements": [], "secrets": []},
    }]
    latest = batch.describe_job_definitions(jobDefinitions=[second])["jobDefinitions"][0]
    assert latest["tags"] == {"team": "data"}
    assert latest["retryStrategy"] == {"attempts": 2} and latest["timeout"] == {"attemptDurationSeconds": 60}
    assert latest["containerProperties"]["networkConfiguration"] == {"assignPublicIp": "DISABLED"}
    assert latest["containerProperties"]["fargatePlatformConfiguration"] == {"platformVersion": "LATEST"}


def test_describe_filters_deregister_and_pagination(batch: Any) -> None:
    for _ in range(3):
        definition(batch, "a")
    definition(batch, "b")
    batch.deregister_job_definition(jobDefinition="a:2")
    batch.deregister_job_definition(jobDefinition="a:2")  # again: still INACTIVE, no error

    def revisions(**kwargs: Any) -> list[tuple[str, int, str]]:
        found = batch.describe_job_definitions(**kwargs)["jobDefinitions"]
        return [(d["jobDefinitionName"], d["revision"], d["status"]) for d in found]

    assert revisions(jobDefinitionName="a") == [("a", 1, "ACTIVE"), ("a", 2, "INACTIVE"), ("a", 3, "ACTIVE")]
    assert revisions(status="INACTIVE") == [("a", 2, "INACTIVE")]
    assert revisions(jobDefinitions=["b:1", "a:9", "nope:1"]) == [("b", 1, "ACTIVE")]
    pages = batch.get_paginator("describe_job_definitions").paginate(PaginationConfig={"PageSize": 3})
    assert [len(p["jobDefinitions"]) for p in pages] == [3, 1]
    with pytest.raises(batch.exceptions.ClientException, match="can't be used with jobDefinitionName"):
        batch.describe_job_definitions(jobDefinitions=["a:1"], status="ACTIVE")
    with pytest.raises(batch.exceptions.ClientException, match="needs 'name:revision'"):
        batch.deregister_job_definition(jobDefinition="a")
    with pytest.raises(batch.exceptions.ClientException, match="does not exist"):
        batch.deregister_job_definition(jobDefinition="a:7")


FARGATE_OK = {"image": "x", "executionRoleArn": EXECUTION_ROLE,
              "resourceRequirements": [{"type": "VCPU", "value": "0.25"}, {"type": "MEMORY", "value": "512"}]}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"containerProperties": None}, "containerProperties is required"),
        ({"containerProperties": {"vcpus": 1, "memory": 64}}, "image is required"),
        ({"containerProperties": {"image": "x", "environment": [{"name": "AWS_BATCH_X", "value": "1"}]}},
         "names starting with AWS_BATCH are reserved"),
        ({"containerProperties": {"image": "x", "vcpus": 1, "resourceRequirements": [{"type": "VCPU", "value": "1"}]}},
         "not both"),
        ({"platformCapabilities": ["FARGATE"], "containerProperties": {**FARGATE_OK, "executionRoleArn": ""}},
         "executionRoleArn is required"),
        ({"platformCapabilities": ["FARGATE"], "containerProperties": {**FARGATE_OK, "vcpus": 1}},
         "vcpus isn't supported for jobs running on Fargate"),
        ({"platformCapabilities": ["FARGATE"], "containerProperties": {**FARGATE_OK, "resourceRequirements": [
            {"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "512"}]}},
         "operation: Fargate resource requirements (1.00 vCPU, 512 MiB) not valid."),
        ({"platformCapabilities": ["FARGATE"], "containerProperties": {**FARGATE_OK, "resourceRequirements": []}},
         "must specify VCPU and MEMORY"),
        ({"retryStrategy": {"evaluateOnExit": [{"action": "EXIT", "onExitCode": "1"}]}}, "attempts must be specified"),
        ({"retryStrategy": {"attempts": 11}}, "less than or equal to 10"),
        ({"timeout": {"attemptDurationSeconds": 59}}, "greater than or equal to 60"),
        ({"jobDefinitionName": "no spaces"}, "Member must satisfy"),
    ],
    ids=["no-container", "no-image", "reserved-env", "vcpus-twice", "fargate-no-role", "fargate-vcpus",
         "fargate-bad-pair", "fargate-no-resources", "evaluate-without-attempts", "attempts-11", "timeout-59",
         "name-pattern"],
)
def test_register_refusals(batch: Any, extra: dict[str, Any], message: str) -> None:
    body: dict[str, Any] = {"jobDefinitionName": "work", "type": "container",
                            "containerProperties": {"image": "x", "vcpus": 1, "memory": 64}}
    body.update(extra)
    body = {k: v for k, v in body.items() if v is not None}
    with pytest.raises(batch.exceptions.ClientException) as error:
        batch.register_job_definition(**body)
    assert message in str(error.value)


def test_a_multi_node_range_container_is_checked_as_an_ec2_container(ecs_fake: Any) -> None:
    batch = boto3.client("batch", region_name="us-east-1")
    with pytest.raises(batch.exceptions.ClientException, match="vCPU is not provided."):
        batch.register_job_definition(jobDefinitionName="mnp", type="multinode", nodeProperties={
            "numNodes": 2, "mainNode": 0,
            "nodeRangeProperties": [{"targetNodes": "0:", "container": {"image": "x"}}]})


def test_an_ec2_job_definition_without_vcpus_is_refused_in_batchs_own_words(ecs_fake: Any) -> None:
    batch = boto3.client("batch", region_name="us-east-1")
    with pytest.raises(batch.exceptions.ClientException) as refused:
        batch.register_job_definition(
            jobDefinitionName="memory-only", type="container", platformCapabilities=["EC2"],
            containerProperties={"image": "worker:1", "resourceRequirements": [{"type": "MEMORY", "value": "2048"}]})
    request_id = refused.value.response["ResponseMetadata"]["RequestId"]
    assert refused.value.response["Error"]["Message"] == (
        f"Error executing request, Exception : vCPU is not provided., RequestId: {request_id}")
    assert ecs_fake.calls[-1].error == "ClientException"
