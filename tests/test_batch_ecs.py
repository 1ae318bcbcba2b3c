"""Every attempt is an ECS task that the ECS API sees, in the compute environment's cluster."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from batch_helpers import FARGATE_START, SCHEDULING, SUBMITTED, SUBNETS, job, ready, status, submit


@pytest.fixture
def batch(ecs_fake: Any) -> Any:
    client = boto3.client("batch", region_name="us-east-1")
    ready(client, ecs_fake)
    return client


def test_the_attempt_is_a_fargate_task_in_the_environments_cluster(batch: Any, ecs: Any, ecs_fake: Any) -> None:
    cluster = batch.describe_compute_environments()["computeEnvironments"][0]["ecsClusterArn"]
    job_id = submit(batch)
    ecs_fake.advance(SUBMITTED + SCHEDULING)
    task_arn = job(batch, job_id)["container"]["taskArn"]
    assert ecs.list_tasks(cluster=cluster)["taskArns"] == [task_arn]
    assert ecs.list_tasks(cluster=cluster, startedBy=job_id)["taskArns"] == [task_arn]
    task = ecs.describe_tasks(cluster=cluster, tasks=[task_arn])["tasks"][0]
    assert (task["clusterArn"], task["lastStatus"], task["launchType"]) == (cluster, "PROVISIONING", "FARGATE")
    assert (task["capacityProviderName"], task["platformVersion"], task["group"]) == ("FARGATE", "1.4.0",
                                                                                     "family:batch-work")
    assert task["taskDefinitionArn"] == "arn:aws:ecs:us-east-1:123456789012:task-definition/batch-work:1"
    subnet = next(d["value"] for d in task["attachments"][0]["details"] if d["name"] == "subnetId")
    assert subnet in SUBNETS
    assert [c["name"] for c in task["containers"]] == ["default"]
    # The task definition Batch manages is not one of yours: ECS lists only yours.
    assert ecs.list_task_definitions()["taskDefinitionArns"] == []
    assert job(batch, job_id)["container"]["networkInterfaces"] == []  # no ENI yet (PRECREATED)
    ecs_fake.advance(FARGATE_START)
    running = ecs.describe_tasks(cluster=cluster, tasks=[task_arn])["tasks"][0]
    assert running["lastStatus"] == "RUNNING"
    assert status(batch, job_id) == "RUNNING"
    assert job(batch, job_id)["container"]["networkInterfaces"] == running["containers"][0]["networkInterfaces"] == [
        {"attachmentId": task["attachments"][0]["id"], "privateIpv4Address": next(
            d["value"] for d in running["attachments"][0]["details"] if d["name"] == "privateIPv4Address")}]


def test_tasks_stopped_waiter_sees_a_terminated_job_s_task(batch: Any, ecs: Any, ecs_fake: Any) -> None:
    job_id = submit(batch)
    ecs_fake.advance(SUBMITTED + SCHEDULING + FARGATE_START)
    task_arn = job(batch, job_id)["container"]["taskArn"]
    cluster = task_arn.split("/")[1]
    batch.terminate_job(jobId=job_id, reason="done with it")
    ecs.get_waiter("tasks_stopped").wait(cluster=cluster, tasks=[task_arn])
    task = ecs.describe_tasks(cluster=cluster, tasks=[task_arn])["tasks"][0]
    assert (task["stopCode"], task["stoppedReason"]) == ("UserInitiated", "done with it")
    assert status(batch, job_id) == "FAILED"


def test_stopping_the_task_through_ecs_fails_the_attempt(batch: Any, ecs: Any, ecs_fake: Any) -> None:
    job_id = submit(batch)
    ecs_fake.advance(SUBMITTED + SCHEDULING + FARGATE_START)
    task_arn = job(batch, job_id)["container"]["taskArn"]
    ecs.stop_task(cluster=task_arn.split("/")[1], task=task_arn, reason="operator")
    ecs_fake.advance(10)
    done = job(batch, job_id)
    assert (done["status"], done["statusReason"], done["isTerminated"]) == ("FAILED", "operator", False)
