"""TerminateJob and CancelJob in every state, as the reference describes them [seed 004]."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from batch_helpers import FARGATE_START, SCHEDULING, SUBMITTED, job, ready, status, submit

REASON = "Terminating job."
# Seconds after SubmitJob at which a job of the default timings is in each state (the container runs forever).
IN_STATE = {"SUBMITTED": 0, "RUNNABLE": SUBMITTED, "STARTING": SUBMITTED + SCHEDULING,
            "RUNNING": SUBMITTED + SCHEDULING + FARGATE_START}


@pytest.fixture
def batch(ecs_fake: Any) -> Any:
    client = boto3.client("batch", region_name="us-east-1")
    ready(client, ecs_fake)
    return client


def at_state(batch: Any, fake: Any, state: str, **extra: Any) -> str:
    job_id = submit(batch, **extra)
    fake.advance(IN_STATE[state])
    assert status(batch, job_id) == state
    return job_id


@pytest.mark.parametrize(
    ("state", "cancelled", "terminated", "exit_code"),
    [
        ("SUBMITTED", True, False, None),
        ("RUNNABLE", True, False, None),
        ("STARTING", False, True, None),  # the task never ran: its container has no exit code
        ("RUNNING", False, True, 143),  # dies of SIGTERM (128 + 15); a terminated job is FAILED in any case
    ],
)
def test_terminate_in_each_state_fails_the_job_with_the_reason(
    batch: Any, ecs: Any, ecs_fake: Any, state: str, cancelled: bool, terminated: bool, exit_code: int | None
) -> None:
    job_id = at_state(batch, ecs_fake, state, retryStrategy={"attempts": 3})
    assert set(batch.terminate_job(jobId=job_id, reason=REASON)) == {"ResponseMetadata"}  # {} on the wire
    ecs_fake.advance(60)
    done = job(batch, job_id)
    assert (done["status"], done["statusReason"]) == ("FAILED", REASON)
    assert (done["isCancelled"], done["isTerminated"]) == (cancelled, terminated)
    assert done["container"].get("exitCode") == exit_code
    assert len(done["attempts"]) == (1 if terminated else 0)  # never retried
    if terminated:
        task_arn = done["container"]["taskArn"]
        task = ecs.describe_tasks(cluster=task_arn.split("/")[1], tasks=[task_arn])["tasks"][0]
        assert (task["lastStatus"], task["stopCode"], task["stoppedReason"]) == ("STOPPED", "UserInitiated", REASON)


def test_terminate_kills_a_container_that_ignores_sigterm_with_137(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("worker:1", ignores_sigterm=True)
    job_id = at_state(batch, ecs_fake, "RUNNING")
    batch.terminate_job(jobId=job_id, reason=REASON)
    # DEACTIVATING 2 s, then SIGTERM; SIGKILL at the 30 s stop timeout; the agent reports it 1 s later.
    ecs_fake.advance(2 + 30)
    assert status(batch, job_id) == "RUNNING"
    ecs_fake.advance(1)
    done = job(batch, job_id)
    assert (done["status"], done["container"]["exitCode"], done["statusReason"]) == ("FAILED", 137, REASON)
    assert done["stoppedAt"] == done["startedAt"] + 33_000


def test_terminate_of_a_pending_job_cancels_it_at_once(batch: Any, ecs_fake: Any) -> None:
    first = submit(batch, "first")
    second = submit(batch, "second", dependsOn=[{"jobId": first}])
    ecs_fake.advance(SUBMITTED)
    assert status(batch, second) == "PENDING"
    batch.terminate_job(jobId=second, reason=REASON)
    done = job(batch, second)
    assert (done["status"], done["isCancelled"], done["statusReason"]) == ("FAILED", True, REASON)


@pytest.mark.parametrize("state", ["SUBMITTED", "RUNNABLE"])
def test_cancel_before_starting_fails_the_job_at_once(batch: Any, ecs_fake: Any, state: str) -> None:
    job_id = at_state(batch, ecs_fake, state)
    batch.cancel_job(jobId=job_id, reason="not needed")
    done = job(batch, job_id)
    assert (done["status"], done["statusReason"], done["isCancelled"]) == ("FAILED", "not needed", True)
    assert done["stoppedAt"] == ms_now(ecs_fake)
    ecs_fake.advance(60)
    assert job(batch, job_id)["attempts"] == []


def ms_now(fake: Any) -> int:
    return int(round(fake.now.timestamp() * 1000))


@pytest.mark.parametrize("state", ["STARTING", "RUNNING"])
def test_cancel_leaves_starting_and_running_jobs_alone_and_still_succeeds(batch: Any, ecs_fake: Any,
                                                                          state: str) -> None:
    job_id = at_state(batch, ecs_fake, state)
    assert set(batch.cancel_job(jobId=job_id, reason="too late")) == {"ResponseMetadata"}
    ecs_fake.advance(60)
    after = job(batch, job_id)
    assert (after["status"], after["isCancelled"]) == ("RUNNING", False)


def test_cancel_of_a_pending_job_takes_effect_when_its_dependencies_finish(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("worker:1", runs_for=100)
    first = submit(batch, "first")
    second = submit(batch, "second", dependsOn=[{"jobId": first}])
    ecs_fake.advance(SUBMITTED)
    batch.cancel_job(jobId=second, reason="changed my mind")
    assert status(batch, second) == "PENDING"  # "A PENDING job is canceled after all dependency jobs are completed"
    ecs_fake.advance(SCHEDULING + FARGATE_START + 100)
    assert status(batch, first) == "SUCCEEDED"
    done = job(batch, second)
    assert (done["status"], done["statusReason"], done["isCancelled"]) == ("FAILED", "changed my mind", True)
    assert done["attempts"] == []


def test_finished_and_unknown_jobs(batch: Any, ecs_fake: Any) -> None:
    job_id = at_state(batch, ecs_fake, "RUNNABLE")
    batch.cancel_job(jobId=job_id, reason="first")
    batch.terminate_job(jobId=job_id, reason="second")
    batch.cancel_job(jobId=job_id, reason="third")
    assert job(batch, job_id)["statusReason"] == "first"
    # TerminateJob and CancelJob of an id AWS does not know answer 200 {} (aws/aws-cli#2551, FIDELITY.md
    # "Observed since").
    for stop in (batch.terminate_job, batch.cancel_job):
        answer = stop(jobId="nope", reason="r")
        assert {k: v for k, v in answer.items() if k != "ResponseMetadata"} == {}
        assert ecs_fake.calls[-1].status == 200


def test_terminating_an_array_parent_terminates_every_child(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("worker:1", ignores_sigterm=True)
    parent = submit(batch, arrayProperties={"size": 6})  # maxvCpus 4: four children start, two wait
    ecs_fake.advance(IN_STATE["RUNNING"])
    children = [job(batch, f"{parent}:{i}") for i in range(6)]
    assert [c["status"] for c in children] == ["RUNNING"] * 4 + ["RUNNABLE"] * 2
    batch.terminate_job(jobId=parent, reason=REASON)
    assert [status(batch, f"{parent}:{i}") for i in range(6)] == ["RUNNING"] * 4 + ["FAILED"] * 2
    ecs_fake.advance(60)
    children = [job(batch, f"{parent}:{i}") for i in range(6)]
    assert [(c["status"], c["statusReason"]) for c in children] == [("FAILED", REASON)] * 6
    assert [c["container"].get("exitCode") for c in children] == [137] * 4 + [None] * 2
    assert [(c["isTerminated"], c["isCancelled"]) for c in children] == [(True, False)] * 4 + [(False, True)] * 2
    done = job(batch, parent)
    assert (done["status"], done["statusReason"], done["isTerminated"]) == ("FAILED", REASON, True)
    assert done["arrayProperties"]["statusSummary"]["FAILED"] == 6


def test_cancelling_an_array_parent_cancels_children_not_yet_started(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("worker:1", runs_for=50)
    parent = submit(batch, arrayProperties={"size": 6})
    ecs_fake.advance(IN_STATE["RUNNING"])
    batch.cancel_job(jobId=parent, reason="stop the rest")
    assert [status(batch, f"{parent}:{i}") for i in range(6)] == ["RUNNING"] * 4 + ["FAILED"] * 2
    assert status(batch, parent) == "PENDING"  # "canceled when all child jobs are completed"
    ecs_fake.advance(60)
    assert [status(batch, f"{parent}:{i}") for i in range(6)] == ["SUCCEEDED"] * 4 + ["FAILED"] * 2
    done = job(batch, parent)
    assert (done["status"], done["statusReason"], done["isCancelled"]) == ("FAILED", "stop the rest", True)


def test_deleting_a_queue_terminates_its_jobs(batch: Any, ecs_fake: Any) -> None:
    running = at_state(batch, ecs_fake, "RUNNING")
    waiting = submit(batch, "waiting")
    batch.update_job_queue(jobQueue="q", state="DISABLED")
    batch.delete_job_queue(jobQueue="q")
    ecs_fake.advance(30)
    assert [(status(batch, j), job(batch, j)["statusReason"]) for j in (running, waiting)] == [
        ("FAILED", "Job queue deleted"), ("FAILED", "Job queue deleted")]
