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
