"""Tests of examples/pipeline.py: dependencies, retries, array jobs and the deadline, in fake time."""

from __future__ import annotations

import boto3
import pytest
from pipeline import run_pipeline

ROLE = "arn:aws:iam::123456789012:role/batch-exec"


@pytest.fixture
def batch(ecs_fake):
    client = boto3.client("batch", region_name="us-east-1")
    client.create_compute_environment(
        computeEnvironmentName="nightly", type="MANAGED",
        computeResources={"type": "FARGATE", "maxvCpus": 16, "subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]},
    )
    ecs_fake.advance(60)                                          # the environment becomes VALID
    client.create_job_queue(jobQueueName="nightly", priority=1,
                            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "nightly"}])
    ecs_fake.advance(10)
    for stage in ("extract", "transform", "load"):
        client.register_job_definition(
            jobDefinitionName=stage, type="container", platformCapabilities=["FARGATE"],
            containerProperties={"image": f"etl-{stage}:7", "executionRoleArn": ROLE,
                                 "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                          {"type": "MEMORY", "value": "2048"}]},
        )
        ecs_fake.behavior(f"etl-{stage}:7", runs_for=120, exit_code=0)   # each stage takes two minutes
    return client


def test_the_whole_pipeline_succeeds(batch, ecs_fake):
    assert run_pipeline("nightly", batch=batch) == {"extract": "SUCCEEDED", "transform": "SUCCEEDED",
                                                    "load": "SUCCEEDED"}
    transform = next(j for j in batch.list_jobs(jobQueue="nightly", jobStatus="SUCCEEDED")["jobSummaryList"]
                     if j["jobName"] == "transform")
    children = batch.list_jobs(arrayJobId=transform["jobId"], jobStatus="SUCCEEDED")["jobSummaryList"]
    assert len(children) == 4                                   # the four shards ran as child jobs


def test_a_transient_extract_failure_is_retried_then_fails_the_pipeline(batch, ecs_fake):
    ecs_fake.behavior("etl-extract:7", runs_for=30, exit_code=75)  # always "try again"
    assert run_pipeline("nightly", batch=batch) == {"extract": "FAILED", "transform": "FAILED", "load": "FAILED"}
    extract = next(j for j in batch.list_jobs(jobQueue="nightly", jobStatus="FAILED")["jobSummaryList"]
                   if j["jobName"] == "extract")
    attempts = batch.describe_jobs(jobs=[extract["jobId"]])["jobs"][0]["attempts"]
    assert [a["container"]["exitCode"] for a in attempts] == [75, 75, 75]   # retried up to attempts=3


def test_a_hard_failure_is_not_retried(batch, ecs_fake):
    ecs_fake.behavior("etl-extract:7", runs_for=30, exit_code=1)
    run_pipeline("nightly", batch=batch)
    extract = next(j for j in batch.list_jobs(jobQueue="nightly", jobStatus="FAILED")["jobSummaryList"]
                   if j["jobName"] == "extract")
    assert len(batch.describe_jobs(jobs=[extract["jobId"]])["jobs"][0]["attempts"]) == 1


def test_the_deadline_terminates_a_hanging_stage(batch, ecs_fake):
    ecs_fake.behavior("etl-transform:7", runs_for=None, ignores_sigterm=True)   # a shard hangs, deaf to SIGTERM
    result = run_pipeline("nightly", batch=batch, deadline_minutes=30)
    assert result == {"extract": "SUCCEEDED", "transform": "FAILED", "load": "FAILED"}
    ecs_fake.assert_called("TerminateJob", reason="pipeline deadline exceeded")
    transform = next(j for j in batch.list_jobs(jobQueue="nightly", jobStatus="FAILED")["jobSummaryList"]
                     if j["jobName"] == "transform")
    shards = batch.list_jobs(arrayJobId=transform["jobId"], jobStatus="FAILED")["jobSummaryList"]
    details = batch.describe_jobs(jobs=[s["jobId"] for s in shards])["jobs"]
    assert {d["statusReason"] for d in details} == {"pipeline deadline exceeded"}
    assert {d["attempts"][-1]["container"]["exitCode"] for d in details} == {137}   # SIGKILLed at the timeout
