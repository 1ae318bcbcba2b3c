"""The same Batch flow through the botocore hook and through the HTTP server (REST-JSON paths on the wire)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from batch_helpers import CE_CREATE, FARGATE_START, QUEUE_CREATE, SCHEDULING, SUBMITTED, definition, environment, queue

from pytest_ecsfake import EcsFake

KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(params=["hook", "server"])
def clients(request: pytest.FixtureRequest, ecs_fake: EcsFake) -> Iterator[tuple[Any, Any]]:
    if request.param == "hook":
        yield boto3.client("batch", region_name="us-east-1"), boto3.client("ecs", region_name="us-east-1")
        return
    with ecs_fake.serve() as url:
        batch = boto3.client("batch", endpoint_url=url, region_name="us-east-1", **KEYS)
        ecs = boto3.client("ecs", endpoint_url=url, region_name="us-east-1", **KEYS)
        yield batch, ecs
        batch.close()
        ecs.close()


def test_submit_run_terminate_and_tag(clients: tuple[Any, Any], ecs_fake: EcsFake) -> None:
    batch, ecs = clients
    environment(batch)
    ecs_fake.advance(CE_CREATE)
    queue(batch)
    ecs_fake.advance(QUEUE_CREATE)
    definition(batch)
    answer = batch.submit_job(jobName="j", jobQueue="q", jobDefinition="work", tags={"team": "data"})
    ecs_fake.advance(SUBMITTED + SCHEDULING + FARGATE_START)
    running = batch.describe_jobs(jobs=[answer["jobId"]])["jobs"][0]
    assert running["status"] == "RUNNING"
    task_arn = running["container"]["taskArn"]
    assert ecs.describe_tasks(cluster=task_arn.split("/")[1], tasks=[task_arn])["tasks"][0]["lastStatus"] == "RUNNING"
    batch.terminate_job(jobId=answer["jobId"], reason="enough")
    ecs_fake.advance(10)
    assert batch.list_jobs(jobQueue="q", jobStatus="FAILED")["jobSummaryList"][0]["statusReason"] == "enough"
    # The ARN travels in the path (/v1/tags/<url-encoded ARN>), with GET, POST and DELETE.
    assert batch.list_tags_for_resource(resourceArn=answer["jobArn"])["tags"] == {"team": "data"}
    batch.tag_resource(resourceArn=answer["jobArn"], tags={"stage": "done"})
    batch.untag_resource(resourceArn=answer["jobArn"], tagKeys=["team"])
    assert batch.list_tags_for_resource(resourceArn=answer["jobArn"])["tags"] == {"stage": "done"}
