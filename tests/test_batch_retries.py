"""retryStrategy (attempts, evaluateOnExit) and timeout.attemptDurationSeconds."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from batch_helpers import FARGATE_START, SCHEDULING, SUBMITTED, definition, job, ready, status, submit

from pytest_ecsfake import EcsFake

RUNNING_AFTER = SUBMITTED + SCHEDULING + FARGATE_START


@pytest.fixture
def batch(ecs_fake: Any) -> Any:
    client = boto3.client("batch", region_name="us-east-1")
    ready(client, ecs_fake)
    return client


def test_failed_attempts_go_back_to_runnable_until_attempts_run_out(batch: Any, ecs: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("worker:1", runs_for=10, exit_code=1)
    job_id = submit(batch, retryStrategy={"attempts": 3})
    ecs_fake.advance(RUNNING_AFTER + 10)
    first = job(batch, job_id)
    assert (first["status"], len(first["attempts"])) == ("RUNNABLE", 1)
    ecs_fake.advance(600)
    done = job(batch, job_id)
    assert (done["status"], done["statusReason"]) == ("FAILED", "Essential container in task exited")
    assert [a["container"]["exitCode"] for a in done["attempts"]] == [1, 1, 1]
    tasks = [a["container"]["taskArn"] for a in done["attempts"]]
    assert len(set(tasks)) == 3
    described = ecs.describe_tasks(cluster=tasks[0].split("/")[1], tasks=tasks)["tasks"]
    attempts = [next(e["value"] for e in t["overrides"]["containerOverrides"][0]["environment"]
                     if e["name"] == "AWS_BATCH_JOB_ATTEMPT") for t in described]
    assert attempts == ["1", "2", "3"]
    starts = [a["startedAt"] for a in done["attempts"]]
    assert starts == sorted(starts) and done["startedAt"] == starts[-1]


def test_a_retry_takes_the_behavior_in_force_when_it_starts(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("worker:1", runs_for=10, exit_code=1)
    job_id = submit(batch, retryStrategy={"attempts": 2})
    ecs_fake.advance(RUNNING_AFTER + 10)
    ecs_fake.behavior("worker:1", runs_for=10, exit_code=0)
    ecs_fake.advance(600)
    done = job(batch, job_id)
    assert done["status"] == "SUCCEEDED"
    assert [a["container"]["exitCode"] for a in done["attempts"]] == [1, 0]


@pytest.mark.parametrize(
    ("rules", "behavior", "attempts"),
    [
        ([{"onExitCode": "1", "action": "EXIT"}], {"runs_for": 5, "exit_code": 1}, 1),
        ([{"onExitCode": "1", "action": "EXIT"}], {"runs_for": 5, "exit_code": 2}, 3),  # no rule matches: retry
        ([{"onExitCode": "1*", "action": "RETRY"}, {"onExitCode": "*", "action": "EXIT"}],
         {"runs_for": 5, "exit_code": 13}, 3),
        ([{"onExitCode": "1*", "action": "RETRY"}, {"onExitCode": "*", "action": "EXIT"}],
         {"runs_for": 5, "exit_code": 2}, 1),
        ([{"onReason": "CannotPullContainerError*", "action": "RETRY"}, {"onReason": "*", "action": "EXIT"}],
         {"pull_error": "toomanyrequests"}, 3),
        ([{"onStatusReason": "Essential container*", "onExitCode": "3", "action": "EXIT"}],
         {"runs_for": 5, "exit_code": 3}, 1),  # every condition must hold
        ([{"onStatusReason": "Essential container*", "onExitCode": "4", "action": "EXIT"}],
         {"runs_for": 5, "exit_code": 3}, 3),
        # "The values aren't case sensitive." [M:EvaluateOnExit.action]
        ([{"onExitCode": "1*", "action": "retry"}, {"onExitCode": "*", "action": "Exit"}],
         {"runs_for": 5, "exit_code": 13}, 3),
        ([{"onExitCode": "1*", "action": "retry"}, {"onExitCode": "*", "action": "Exit"}],
         {"runs_for": 5, "exit_code": 2}, 1),
    ],
    ids=["exit-on-code", "no-match-retries", "retry-prefix", "exit-catch-all", "pull-error-retried",
         "status-reason-and-code", "one-condition-fails", "lower-case-retry", "mixed-case-exit"],
)
def test_evaluate_on_exit(batch: Any, ecs_fake: Any, rules: list[dict[str, str]], behavior: dict[str, Any],
                          attempts: int) -> None:
    ecs_fake.behavior("worker:1", **behavior)
    job_id = submit(batch, retryStrategy={"attempts": 3, "evaluateOnExit": rules})
    ecs_fake.advance(900)
    done = job(batch, job_id)
    assert done["status"] == "FAILED"
    assert len(done["attempts"]) == attempts


def test_timeout_stops_the_attempt_and_is_not_retried(batch: Any, ecs_fake: Any) -> None:
    job_id = submit(batch, timeout={"attemptDurationSeconds": 60}, retryStrategy={"attempts": 3})
    ecs_fake.advance(RUNNING_AFTER + 60)
    assert status(batch, job_id) == "RUNNING"  # SIGTERM after DEACTIVATING (2 s); the container exits at once
    ecs_fake.advance(2 + 1)
    done = job(batch, job_id)
    assert (done["status"], done["statusReason"]) == ("FAILED", "Job attempt duration exceeded timeout")
    assert done["attempts"][0]["statusReason"] == "Job attempt duration exceeded timeout"
    assert done["container"]["exitCode"] == 143 and len(done["attempts"]) == 1  # SIGTERM, no handler


def test_timeout_kills_with_sigkill_30_seconds_after_sigterm_whatever_the_stop_timeout() -> None:
    with EcsFake(stop_timeout=5) as fake:
        batch = boto3.client("batch", region_name="us-east-1")
        ready(batch, fake)
        fake.behavior("worker:1", ignores_sigterm=True)
        job_id = submit(batch, timeout={"attemptDurationSeconds": 120})
        fake.advance(RUNNING_AFTER + 120 + 2 + 29)
        assert status(batch, job_id) == "RUNNING"
        fake.advance(1 + 1)
        done = job(batch, job_id)
        assert (done["status"], done["container"]["exitCode"]) == ("FAILED", 137)
        assert done["stoppedAt"] - done["startedAt"] == (120 + 2 + 30 + 1) * 1000


def test_timeout_of_the_submission_overrides_the_definitions(batch: Any, ecs_fake: Any) -> None:
    batch.register_job_definition(
        jobDefinitionName="work", type="container", platformCapabilities=["FARGATE"],
        timeout={"attemptDurationSeconds": 3600},
        containerProperties={"image": "worker:1", "executionRoleArn": "arn:aws:iam::123456789012:role/x",
                             "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                      {"type": "MEMORY", "value": "2048"}]},
    )
    short = submit(batch, "short", timeout={"attemptDurationSeconds": 60})
    long = submit(batch, "long")
    assert job(batch, long)["timeout"] == {"attemptDurationSeconds": 3600}
    ecs_fake.advance(RUNNING_AFTER + 60 + 3)
    assert (status(batch, short), status(batch, long)) == ("FAILED", "RUNNING")


def test_an_interrupted_task_counts_as_a_failed_attempt(batch: Any, ecs_fake: Any) -> None:
    job_id = submit(batch, retryStrategy={"attempts": 2})
    ecs_fake.advance(RUNNING_AFTER)
    task_arn = job(batch, job_id)["container"]["taskArn"]
    ecs_fake.interrupt(task_arn, stop_code="SpotInterruption")
    ecs_fake.advance(10)
    retried = job(batch, job_id)
    assert retried["status"] in ("RUNNABLE", "STARTING")
    assert retried["attempts"][0]["statusReason"] == "Your Spot Task was interrupted."
    assert retried["attempts"][0]["container"]["exitCode"] == 143  # SIGTERM, no handler


def test_an_action_that_is_neither_retry_nor_exit_is_refused(batch: Any) -> None:
    with pytest.raises(batch.exceptions.ClientException, match="evaluateOnExit.*action"):
        submit(batch, retryStrategy={"attempts": 2, "evaluateOnExit": [{"onExitCode": "1", "action": "RETRYX"}]})


def test_evaluate_on_exit_actions_are_answered_lower_case_whatever_case_was_sent(batch: Any) -> None:
    # AWS answers retry/exit; the Terraform AWS provider lower-cases its own values to compare with them.
    rules = [{"onExitCode": "1", "action": "RETRY"}, {"onReason": "*", "action": "Exit"}]
    arn = definition(batch, "lower", retryStrategy={"attempts": 2, "evaluateOnExit": rules})
    (stored,) = batch.describe_job_definitions(jobDefinitions=[arn])["jobDefinitions"]
    assert [r["action"] for r in stored["retryStrategy"]["evaluateOnExit"]] == ["retry", "exit"]
    assert rules[0]["action"] == "RETRY"  # the caller's own dict is left alone
    job_id = submit(batch, retryStrategy={"attempts": 3, "evaluateOnExit": [{"onExitCode": "*", "action": "EXIT"}]})
    assert job(batch, job_id)["retryStrategy"]["evaluateOnExit"] == [{"onExitCode": "*", "action": "exit"}]
