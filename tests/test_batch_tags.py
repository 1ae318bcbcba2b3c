"""TagResource, UntagResource, ListTagsForResource on Batch resources; tags propagated to ECS tasks."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from batch_helpers import SCHEDULING, SUBMITTED, definition, job, ready, submit


@pytest.fixture
def batch(ecs_fake: Any) -> Any:
    client = boto3.client("batch", region_name="us-east-1")
    ready(client, ecs_fake)
    return client


def arns(batch: Any) -> dict[str, str]:
    job_id = submit(batch)
    return {
        "compute-environment": batch.describe_compute_environments()["computeEnvironments"][0][
            "computeEnvironmentArn"],
        "job-queue": batch.describe_job_queues()["jobQueues"][0]["jobQueueArn"],
        "job-definition": batch.describe_job_definitions()["jobDefinitions"][0]["jobDefinitionArn"],
        "job": job(batch, job_id)["jobArn"],
    }


@pytest.mark.parametrize("kind", ["compute-environment", "job-queue", "job-definition", "job"])
def test_tag_untag_list(batch: Any, kind: str) -> None:
    arn = arns(batch)[kind]
    assert "tags" not in batch.list_tags_for_resource(resourceArn=arn)  # the model's tag map is never empty
    batch.tag_resource(resourceArn=arn, tags={"a": "1", "b": "2"})
    batch.tag_resource(resourceArn=arn, tags={"a": "3"})
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "3", "b": "2"}
    batch.untag_resource(resourceArn=arn, tagKeys=["a", "never-set"])
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "2"}


def test_refusals(batch: Any, ecs_fake: Any) -> None:
    found = arns(batch)
    with pytest.raises(batch.exceptions.ClientException, match="does not exist"):
        batch.list_tags_for_resource(resourceArn=found["job-queue"] + "x")
    with pytest.raises(batch.exceptions.ClientException, match="not a taggable Batch resource"):
        batch.list_tags_for_resource(resourceArn="arn:aws:s3:::bucket")
    batch.tag_resource(resourceArn=found["job"], tags={f"k{i}": "v" for i in range(50)})
    with pytest.raises(batch.exceptions.ClientException, match="at most 50 tags"):
        batch.tag_resource(resourceArn=found["job"], tags={"one-more": "v"})
    parent = submit(batch, arrayProperties={"size": 2})
    ecs_fake.advance(SUBMITTED)
    with pytest.raises(batch.exceptions.ClientException, match="child jobs"):
        batch.tag_resource(resourceArn=job(batch, f"{parent}:0")["jobArn"], tags={"k": "v"})


def test_tags_propagate_to_the_ecs_task_job_tags_winning(batch: Any, ecs: Any, ecs_fake: Any) -> None:
    definition(batch, "tagged", tags={"team": "data", "tier": "batch"}, propagateTags=True)
    quiet = submit(batch, "quiet", tags={"team": "ml"})
    loud = submit(batch, "loud", jobDefinition="tagged", tags={"team": "ml"})
    ecs_fake.advance(SUBMITTED + SCHEDULING)
    described = []
    for job_id in (quiet, loud):
        task_arn = job(batch, job_id)["container"]["taskArn"]
        described.append(ecs.describe_tasks(cluster=task_arn.split("/")[1], tasks=[task_arn],
                                            include=["TAGS"])["tasks"][0]["tags"])
    assert described[0] == []
    assert sorted(described[1], key=lambda t: t["key"]) == [{"key": "team", "value": "ml"},
                                                            {"key": "tier", "value": "batch"}]
    assert job(batch, loud)["propagateTags"] is True


def test_over_fifty_propagated_tags_fail_the_job(batch: Any, ecs_fake: Any) -> None:
    definition(batch, "tagged", tags={f"d{i}": "v" for i in range(30)}, propagateTags=True)
    job_id = submit(batch, jobDefinition="tagged", tags={f"j{i}": "v" for i in range(30)})
    ecs_fake.advance(SUBMITTED + SCHEDULING)
    done = job(batch, job_id)
    assert done["status"] == "FAILED" and "more than 50" in done["statusReason"]


def test_an_empty_tag_map_means_no_tags(ecs_fake: Any, ecs: Any) -> None:
    """Airflow's Batch operators send ``tags={}`` when the user gives none, and AWS accepts it (FIDELITY.md
    "Observed since"): the resource is untagged and answers without a ``tags`` member, as one created without
    the member does (the model's tag map has at least one entry)."""
    from batch_helpers import CE_CREATE, QUEUE_CREATE, environment, queue

    batch = boto3.client("batch", region_name="us-east-1")
    environment(batch, tags={})
    ecs_fake.advance(CE_CREATE)
    queue(batch, tags={})
    ecs_fake.advance(QUEUE_CREATE)
    definition(batch, tags={}, propagateTags=True)
    definition(batch, "plain", tags={}, propagateTags=True)
    job_id = submit(batch, tags={})
    quiet = submit(batch, "quiet", jobDefinition="plain", tags={})
    found = {
        "compute-environment": batch.describe_compute_environments()["computeEnvironments"][0],
        "job-queue": batch.describe_job_queues()["jobQueues"][0],
        "job-definition": batch.describe_job_definitions(jobDefinitions=["work:1"])["jobDefinitions"][0],
        "job": job(batch, job_id),
    }
    arn_members = {"compute-environment": "computeEnvironmentArn", "job-queue": "jobQueueArn",
                   "job-definition": "jobDefinitionArn", "job": "jobArn"}
    for kind, described in found.items():
        assert "tags" not in described, kind
        arn = described[arn_members[kind]]
        assert "tags" not in batch.list_tags_for_resource(resourceArn=arn), kind
        assert batch.tag_resource(resourceArn=arn, tags={}) is not None  # {} adds nothing ...
        assert "tags" not in batch.list_tags_for_resource(resourceArn=arn), kind
        batch.tag_resource(resourceArn=arn, tags={"team": "data"})
        batch.tag_resource(resourceArn=arn, tags={})  # ... and removes nothing
        assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "data"}, kind
    # Propagated to the job's ECS task: no tags.
    ecs_fake.advance(SUBMITTED + SCHEDULING)
    task_arn = job(batch, quiet)["container"]["taskArn"]
    task = ecs.describe_tasks(cluster=task_arn.split("/")[1], tasks=[task_arn], include=["TAGS"])["tasks"][0]
    assert task["tags"] == []


def test_airflow_style_requests_with_empty_tags(ecs_fake: Any) -> None:
    """The bodies Airflow's BatchCreateComputeEnvironmentOperator and BatchOperator send when the user gives no
    tags (``tags or {}``; BatchOperator also ``parameters or {}``)."""
    from batch_helpers import CE_CREATE, EXECUTION_ROLE, QUEUE_CREATE, SECURITY_GROUPS, SUBNETS

    batch = boto3.client("batch", region_name="us-east-1")
    batch.create_compute_environment(
        computeEnvironmentName="airflow-ce", type="MANAGED", state="ENABLED",
        computeResources={"type": "FARGATE", "maxvCpus": 4, "subnets": SUBNETS, "securityGroupIds": SECURITY_GROUPS},
        tags={},
    )
    ecs_fake.advance(CE_CREATE)
    batch.create_job_queue(jobQueueName="airflow-q", priority=1, tags={},
                           computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "airflow-ce"}])
    ecs_fake.advance(QUEUE_CREATE)
    batch.register_job_definition(
        jobDefinitionName="airflow-def", type="container", platformCapabilities=["FARGATE"], tags={},
        containerProperties={"image": "worker:1", "executionRoleArn": EXECUTION_ROLE,
                             "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                      {"type": "MEMORY", "value": "2048"}]})
    job_id = batch.submit_job(jobName="airflow-job", jobQueue="airflow-q", jobDefinition="airflow-def",
                              parameters={}, tags={})["jobId"]
    submitted = job(batch, job_id)
    assert submitted["status"] == "SUBMITTED" and "tags" not in submitted
    env = batch.describe_compute_environments(computeEnvironments=["airflow-ce"])["computeEnvironments"][0]
    assert env["status"] == "VALID" and "tags" not in env
    ecs_fake.advance(SUBMITTED + SCHEDULING)
    assert job(batch, job_id)["status"] == "STARTING"
