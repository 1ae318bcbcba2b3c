"""Service environments and service jobs: SageMaker training jobs queued by Batch (SAGEMAKER_TRAINING queues)."""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import pytest
from batch_helpers import CE_CREATE, QUEUE_CREATE, SCHEDULING, SUBMITTED
from botocore.exceptions import ClientError

SCHEDULED, STARTING, RUN, STOP = 10, 60, 300, 30  # the batch_service_job_* timings
DISPATCH = SUBMITTED + SCHEDULING


def payload(image: str = "trainer:1", instances: int = 1, name: str | None = None) -> str:
    body: dict[str, Any] = {"AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
                            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": instances,
                                               "VolumeSizeInGB": 10},
                            "RoleArn": "arn:aws:iam::123456789012:role/sagemaker"}
    if name:
        body["TrainingJobName"] = name
    return json.dumps(body)


def ready(batch: Any, fake: Any, max_capacity: int = 2) -> None:
    batch.create_service_environment(serviceEnvironmentName="se", serviceEnvironmentType="SAGEMAKER_TRAINING",
                                     capacityLimits=[{"maxCapacity": max_capacity, "capacityUnit": "NUM_INSTANCES"}])
    fake.advance(CE_CREATE)
    batch.create_job_queue(jobQueueName="sq", priority=1, jobQueueType="SAGEMAKER_TRAINING",
                           serviceEnvironmentOrder=[{"order": 1, "serviceEnvironment": "se"}])
    fake.advance(QUEUE_CREATE)


def submit(batch: Any, name: str = "train", **extra: Any) -> str:
    extra.setdefault("serviceRequestPayload", payload())
    job_id: str = batch.submit_service_job(jobName=name, jobQueue="sq", serviceJobType="SAGEMAKER_TRAINING",
                                           **extra)["jobId"]
    return job_id


def described(batch: Any, job_id: str) -> dict[str, Any]:
    found: dict[str, Any] = batch.describe_service_job(jobId=job_id)
    return found


@pytest.fixture
def batch(ecs_fake: Any) -> Any:
    client = boto3.client("batch", region_name="us-east-1")
    ready(client, ecs_fake)
    return client


def test_service_environment_lifecycle(ecs_fake: Any) -> None:
    batch = boto3.client("batch", region_name="us-east-1")
    arn = batch.create_service_environment(
        serviceEnvironmentName="se", serviceEnvironmentType="SAGEMAKER_TRAINING", tags={"team": "ml"},
        capacityLimits=[{"maxCapacity": 5, "capacityUnit": "NUM_INSTANCES"}])["serviceEnvironmentArn"]
    assert arn == "arn:aws:batch:us-east-1:123456789012:service-environment/se"
    batch.untag_resource(resourceArn=arn, tagKeys=["team"])
    batch.tag_resource(resourceArn=arn, tags={"team": "ml"})
    (env,) = batch.describe_service_environments()["serviceEnvironments"]
    assert (env["status"], env["state"], env["tags"]) == ("CREATING", "ENABLED", {"team": "ml"})
    ecs_fake.advance(CE_CREATE)
    assert batch.describe_service_environments(serviceEnvironments=[arn])["serviceEnvironments"][0]["status"] == "VALID"
    batch.create_job_queue(jobQueueName="sq", priority=1,
                           serviceEnvironmentOrder=[{"order": 1, "serviceEnvironment": "se"}])
    ecs_fake.advance(QUEUE_CREATE)
    queue = batch.describe_job_queues(jobQueues=["sq"])["jobQueues"][0]
    assert queue["jobQueueType"] == "SAGEMAKER_TRAINING"
    assert queue["serviceEnvironmentOrder"] == [{"order": 1, "serviceEnvironment": arn}]
    batch.update_service_environment(serviceEnvironment="se", state="DISABLED",
                                     capacityLimits=[{"maxCapacity": 8, "capacityUnit": "NUM_INSTANCES"}])
    updating = batch.describe_service_environments(serviceEnvironments=["se"])["serviceEnvironments"][0]
    assert (updating["status"], updating["state"], updating["capacityLimits"][0]["maxCapacity"]) == (
        "UPDATING", "DISABLED", 8)
    with pytest.raises(ClientError) as related:
        batch.delete_service_environment(serviceEnvironment="se")
    assert related.value.response["Error"]["Message"] == "Cannot delete, found existing JobQueue relationship"
    batch.update_job_queue(jobQueue="sq", state="DISABLED")
    ecs_fake.advance(QUEUE_CREATE)
    batch.delete_job_queue(jobQueue="sq")
    ecs_fake.advance(10)
    batch.delete_service_environment(serviceEnvironment="se")
    assert batch.describe_service_environments()["serviceEnvironments"][0]["status"] == "DELETING"
    ecs_fake.advance(20)
    assert batch.describe_service_environments()["serviceEnvironments"] == []


def test_describe_service_environments_paginates(ecs_fake: Any) -> None:
    batch = boto3.client("batch", region_name="us-east-1")
    for n in range(3):
        batch.create_service_environment(serviceEnvironmentName=f"se{n}", serviceEnvironmentType="SAGEMAKER_TRAINING",
                                         capacityLimits=[{"maxCapacity": 1, "capacityUnit": "NUM_INSTANCES"}])
    pages = batch.get_paginator("describe_service_environments").paginate(PaginationConfig={"PageSize": 2})
    assert [[e["serviceEnvironmentName"] for e in p["serviceEnvironments"]] for p in pages] == [["se0", "se1"], ["se2"]]


def test_a_service_job_walks_its_statuses_and_succeeds(batch: Any, ecs_fake: Any) -> None:
    job_id = submit(batch, serviceRequestPayload=payload(name="My-Training"), tags={"a": "b"})
    job = described(batch, job_id)
    assert (job["status"], job["serviceJobType"], job["attempts"]) == ("SUBMITTED", "SAGEMAKER_TRAINING", [])
    assert json.loads(job["serviceRequestPayload"])["TrainingJobName"] == "My-Training"
    ecs_fake.advance(SUBMITTED)
    assert described(batch, job_id)["status"] == "RUNNABLE"
    ecs_fake.advance(SCHEDULING)
    scheduled = described(batch, job_id)
    assert scheduled["status"] == "SCHEDULED" and "scheduledAt" in scheduled
    resource = scheduled["latestAttempt"]["serviceResourceId"]
    assert resource["name"] == "TrainingJobArn"
    assert re.fullmatch(r"arn:aws:sagemaker:us-east-1:123456789012:training-job/AWSBatchMy-Training[0-9a-f]{32}",
                        resource["value"])
    assert scheduled["capacityUsage"] == [{"capacityUnit": "ml.m5.large", "quantity": 1.0}]
    ecs_fake.advance(SCHEDULED)
    assert described(batch, job_id)["status"] == "STARTING"
    ecs_fake.advance(STARTING)
    assert described(batch, job_id)["status"] == "RUNNING"
    ecs_fake.advance(RUN)
    done = described(batch, job_id)
    assert done["status"] == "SUCCEEDED" and done["tags"] == {"a": "b"}
    batch.tag_resource(resourceArn=done["jobArn"], tags={"c": "d"})
    assert batch.list_tags_for_resource(resourceArn=done["jobArn"])["tags"] == {"a": "b", "c": "d"}
    assert done["statusReason"] == "Received status from SageMaker: Training job completed"
    (attempt,) = done["attempts"]
    assert attempt["stoppedAt"] - attempt["startedAt"] == RUN * 1000


def test_behavior_of_the_training_image_decides_and_retries_follow_the_strategy(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("trainer:1", runs_for=20, exit_code=2)
    job_id = submit(batch, retryStrategy={"attempts": 2, "evaluateOnExit": [
        {"onStatusReason": "Received status from SageMaker: AlgorithmError*", "action": "RETRY"}]})
    ecs_fake.advance(DISPATCH + SCHEDULED + STARTING + 20)
    assert described(batch, job_id)["status"] == "RUNNABLE"
    ecs_fake.advance(SCHEDULING + SCHEDULED + STARTING + 20)
    done = described(batch, job_id)
    assert done["status"] == "FAILED"
    assert done["statusReason"].startswith("Received status from SageMaker: AlgorithmError")
    names = [a["serviceResourceId"]["value"].rsplit("/", 1)[1] for a in done["attempts"]]
    assert len(set(names)) == 2 and all(n.startswith("AWSBatchtrain") for n in names)
    assert done["retryStrategy"]["evaluateOnExit"][0]["action"] == "RETRY"


def test_capacity_limits_hold_jobs_runnable(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("trainer:1", runs_for=100)
    first = submit(batch, "a", serviceRequestPayload=payload(instances=2))
    second = submit(batch, "b")
    ecs_fake.advance(DISPATCH)
    assert [described(batch, j)["status"] for j in (first, second)] == ["SCHEDULED", "RUNNABLE"]
    ecs_fake.advance(SCHEDULED + STARTING + 100)
    assert [described(batch, j)["status"] for j in (first, second)] == ["SUCCEEDED", "SCHEDULED"]


def test_timeout_and_terminate(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("trainer:1", runs_for=None)
    timed = submit(batch, "timed", timeoutConfig={"attemptDurationSeconds": 120})
    ecs_fake.advance(DISPATCH + SCHEDULED + STARTING + 120 + STOP)
    assert (described(batch, timed)["status"], described(batch, timed)["statusReason"]) == (
        "FAILED", "Job attempt duration exceeded timeout")
    running = submit(batch, "running")
    waiting = submit(batch, "waiting", serviceRequestPayload=payload(instances=2))  # 1 + 2 > maxCapacity 2
    ecs_fake.advance(DISPATCH + SCHEDULED + STARTING)
    assert (described(batch, running)["status"], described(batch, waiting)["status"]) == ("RUNNING", "RUNNABLE")
    answer = batch.terminate_service_jobs(jobs=[running, waiting, "nope"], reason="stop it")
    assert answer["successful"] == [running, waiting]
    assert [e["job"] for e in answer["errors"]] == ["nope"]
    assert described(batch, waiting)["status"] == "FAILED"  # not yet dispatched: cancelled at once
    assert described(batch, running)["status"] == "RUNNING"
    ecs_fake.advance(STOP)
    stopped = described(batch, running)
    assert (stopped["status"], stopped["statusReason"], stopped["isTerminated"]) == ("FAILED", "stop it", True)
    answer = batch.terminate_service_job(jobId="unknown", reason="x")
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200 and set(answer) == {"ResponseMetadata"}


def test_list_service_jobs_filters_and_pages(batch: Any, ecs_fake: Any) -> None:
    ids = [submit(batch, f"job-{n}") for n in range(3)]
    assert batch.list_service_jobs(jobQueue="sq")["jobSummaryList"] == []  # default status RUNNING
    pages = batch.get_paginator("list_service_jobs").paginate(jobQueue="sq", jobStatus="SUBMITTED",
                                                              PaginationConfig={"PageSize": 2})
    assert [[s["jobId"] for s in p["jobSummaryList"]] for p in pages] == [ids[:2], ids[2:]]
    named = batch.list_service_jobs(filters=[{"name": "JOB_NAME", "values": ["JOB-*"]}])["jobSummaryList"]
    assert [s["jobId"] for s in named] == ids[::-1]  # a filter lists every status, newest first
    batch.update_service_job(jobId=ids[0], schedulingPriority=5)
    assert described(batch, ids[0])["schedulingPriority"] == 5
    ecs_fake.advance(8 * 86400)  # finished jobs are kept 7 days
    assert batch.list_service_jobs(filters=[{"name": "JOB_NAME", "values": ["job-*"]}])["jobSummaryList"] == []
    with pytest.raises(ClientError):
        described(batch, ids[0])


def test_refusals(batch: Any) -> None:
    with pytest.raises(ClientError) as missing:
        batch.submit_service_job(jobName="x", jobQueue="nope", serviceJobType="SAGEMAKER_TRAINING",
                                 serviceRequestPayload="{}")
    assert missing.value.response["Error"]["Message"] == "JobQueue nope not found."
    # "The serviceRequestPayload is passed through without validation" (user guide): not refused
    assert described(batch, submit(batch, serviceRequestPayload="not json"))["serviceRequestPayload"] == "not json"
    with pytest.raises(ClientError) as duplicate:
        batch.create_service_environment(serviceEnvironmentName="se", serviceEnvironmentType="SAGEMAKER_TRAINING",
                                         capacityLimits=[{"maxCapacity": 1, "capacityUnit": "NUM_INSTANCES"}])
    assert duplicate.value.response["Error"]["Message"] == "Object already exists"
    with pytest.raises(ClientError) as container_job:
        batch.submit_job(jobName="x", jobQueue="sq", jobDefinition="whatever")
    assert container_job.value.response["Error"]["Code"] == "ClientException"


def test_a_service_job_over_the_http_server(ecs_fake: Any) -> None:
    with ecs_fake.serve() as url:
        batch = boto3.client("batch", region_name="us-east-1", endpoint_url=url, aws_access_key_id="testing",
                             aws_secret_access_key="testing")
        ready(batch, ecs_fake)
        job_id = submit(batch)
        ecs_fake.advance(DISPATCH + SCHEDULED + STARTING + RUN)
        assert described(batch, job_id)["status"] == "SUCCEEDED"


def test_deleting_the_queue_terminates_its_service_jobs(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("trainer:1", runs_for=None)
    running, waiting = submit(batch, "running"), submit(batch, "waiting", serviceRequestPayload=payload(instances=2))
    ecs_fake.advance(DISPATCH + SCHEDULED + STARTING)
    batch.update_job_queue(jobQueue="sq", state="DISABLED")
    ecs_fake.advance(QUEUE_CREATE)
    batch.delete_job_queue(jobQueue="sq")
    assert described(batch, waiting)["statusReason"] == "Job queue deleted"
    ecs_fake.advance(STOP)
    assert [described(batch, j)["status"] for j in (running, waiting)] == ["FAILED", "FAILED"]


def test_the_same_request_with_the_same_client_token_is_rejected(batch: Any) -> None:
    submit(batch, "once", clientToken="token-1")
    with pytest.raises(ClientError) as again:
        submit(batch, "once", clientToken="token-1")
    assert again.value.response["Error"]["Code"] == "ClientException"
    submit(batch, "other", clientToken="token-1")  # another request under the same token is not "the same request"
