"""TerminateJobs and CancelJobs: TerminateJob/CancelJob per job, the successful/errors answer, the limits."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from batch_helpers import FARGATE_START, SCHEDULING, SUBMITTED, job, ready, status, submit

from pytest_ecsfake import EcsFake

REASON = "Stopping the run."
RUNNING_AFTER = SUBMITTED + SCHEDULING + FARGATE_START


@pytest.fixture
def batch(ecs_fake: Any) -> Any:
    client = boto3.client("batch", region_name="us-east-1")
    ready(client, ecs_fake)
    return client


def test_terminate_jobs_terminates_the_running_and_cancels_the_waiting(batch: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("worker:1", runs_for=3600)
    running = [submit(batch, f"run{i}") for i in range(2)]
    ecs_fake.advance(RUNNING_AFTER)
    waiting = submit(batch, "late")  # SUBMITTED
    blocked = submit(batch, "after", dependsOn=[{"jobId": running[0]}])
    ecs_fake.advance(SUBMITTED)
    assert [status(batch, j) for j in [*running, waiting, blocked]] == ["RUNNING", "RUNNING", "RUNNABLE", "PENDING"]
    answer = batch.terminate_jobs(jobs=[*running, waiting, blocked], reason=REASON)
    assert (answer["successful"], answer["errors"]) == ([*running, waiting, blocked], [])
    assert [status(batch, j) for j in (waiting, blocked)] == ["FAILED", "FAILED"]  # cancelled at once
    assert job(batch, waiting)["isCancelled"] is True
    ecs_fake.advance(60)
    for job_id in running:
        done = job(batch, job_id)
        assert (done["status"], done["statusReason"], done["isTerminated"]) == ("FAILED", REASON, True)
        assert done["container"]["exitCode"] == 143  # SIGTERM, as TerminateJob


def test_cancel_jobs_cancels_what_has_not_started_and_leaves_running_jobs(batch: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("worker:1", runs_for=120)
    running = submit(batch, "run")
    ecs_fake.advance(RUNNING_AFTER)
    runnable = submit(batch, "queued")
    pending = submit(batch, "after", dependsOn=[{"jobId": running}])
    ecs_fake.advance(SUBMITTED)
    answer = batch.cancel_jobs(jobs=[running, runnable, pending], reason=REASON)
    assert (answer["successful"], answer["errors"]) == ([running, runnable, pending], [])
    assert status(batch, running) == "RUNNING"  # not cancelled: "These jobs must be terminated"
    assert (status(batch, runnable), job(batch, runnable)["isCancelled"]) == ("FAILED", True)
    assert status(batch, pending) == "PENDING"  # cancelled once its dependency finished
    ecs_fake.advance(120)
    assert status(batch, running) == "SUCCEEDED"
    cancelled = job(batch, pending)
    assert (cancelled["status"], cancelled["statusReason"], cancelled["isCancelled"]) == ("FAILED", REASON, True)


def test_unknown_jobs_succeed_and_malformed_ids_are_per_job_errors(batch: Any, ecs_fake: EcsFake) -> None:
    real = submit(batch)
    unknown = "0f1e2d3c-aaaa-bbbb-cccc-000000000000"
    foreign = "arn:aws:batch:eu-west-1:123456789012:job/" + unknown
    for operation in (batch.cancel_jobs, batch.terminate_jobs):
        answer = operation(jobs=[unknown, foreign, "", real], reason=REASON)
        assert answer["successful"] == [unknown, real]
        assert [(e["job"], e["code"]) for e in answer["errors"]] == [(foreign, "ValidationException"),
                                                                    ("", "ValidationException")]
        assert all(e["message"] for e in answer["errors"])
    assert status(batch, real) == "FAILED"


def test_array_parent_cascades_to_its_children(batch: Any, ecs_fake: EcsFake) -> None:
    parent = submit(batch, "array", arrayProperties={"size": 3})
    ecs_fake.advance(SUBMITTED)
    batch.cancel_jobs(jobs=[parent], reason=REASON)
    ecs_fake.advance(5)
    assert [status(batch, f"{parent}:{i}") for i in range(3)] == ["FAILED"] * 3
    assert status(batch, parent) == "FAILED"


def test_more_than_50_jobs_or_a_long_reason_are_refused(batch: Any) -> None:
    with pytest.raises(batch.exceptions.ClientException):
        batch.terminate_jobs(jobs=[f"job-{i}" for i in range(51)], reason=REASON)
    with pytest.raises(batch.exceptions.ClientException):
        batch.cancel_jobs(jobs=["job-1"], reason="x" * 1025)
    assert batch.cancel_jobs(jobs=[f"job-{i}" for i in range(50)], reason="x" * 1024)["errors"] == []


def test_bulk_stop_over_the_server() -> None:
    with EcsFake() as fake, fake.serve() as url:
        batch = boto3.client("batch", region_name="us-east-1", endpoint_url=url, aws_access_key_id="testing",
                             aws_secret_access_key="testing")
        ready(batch, fake)
        fake.behavior("worker:1", runs_for=3600)
        first, second = submit(batch, "a"), submit(batch, "b")
        fake.advance(RUNNING_AFTER)
        answer = batch.terminate_jobs(jobs=[first], reason=REASON)
        assert (answer["successful"], answer["errors"]) == ([first], [])
        assert batch.cancel_jobs(jobs=[second], reason=REASON)["successful"] == [second]
        fake.advance(60)
        assert [status(batch, j) for j in (first, second)] == ["FAILED", "RUNNING"]
