"""SubmitJob and a job's walk through its states, with its timestamps; DescribeJobs."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from batch_helpers import FARGATE_START, SCHEDULING, SUBMITTED, definition, job, ms, ready, status, submit
from botocore.config import Config


@pytest.fixture
def batch(ecs_fake: Any) -> Any:
    client = boto3.client("batch", region_name="us-east-1")
    ready(client, ecs_fake)
    return client


def test_a_job_walks_its_states_with_their_timestamps(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("worker:1", runs_for=30)
    submitted_at = ms(ecs_fake)
    answer = batch.submit_job(jobName="nightly", jobQueue="q", jobDefinition="work")
    job_id = answer["jobId"]
    assert answer["jobArn"] == f"arn:aws:batch:us-east-1:123456789012:job/{job_id}"
    seen = job(batch, job_id)
    assert (seen["status"], seen["createdAt"], seen["attempts"]) == ("SUBMITTED", submitted_at, [])
    assert "startedAt" not in seen and "taskArn" not in seen["container"]
    ecs_fake.advance(SUBMITTED)
    assert status(batch, job_id) == "RUNNABLE"
    ecs_fake.advance(SCHEDULING)
    starting = job(batch, job_id)
    assert starting["status"] == "STARTING"
    assert starting["container"]["taskArn"].startswith("arn:aws:ecs:us-east-1:123456789012:task/ce_Batch_")
    assert "logStreamName" not in starting["container"]
    ecs_fake.advance(FARGATE_START)
    running = job(batch, job_id)
    task_id = running["container"]["taskArn"].rsplit("/", 1)[1]
    assert running["status"] == "RUNNING"
    assert running["startedAt"] == submitted_at + (SUBMITTED + SCHEDULING + FARGATE_START) * 1000
    assert running["container"]["logStreamName"] == f"work/default/{task_id}"
    ecs_fake.advance(30)
    done = job(batch, job_id)
    assert (done["status"], done["statusReason"]) == ("SUCCEEDED", "Essential container in task exited")
    assert done["stoppedAt"] == running["startedAt"] + 30_000
    assert done["container"]["exitCode"] == 0
    assert done["attempts"] == [{
        "container": {"taskArn": running["container"]["taskArn"], "exitCode": 0,
                      "logStreamName": f"work/default/{task_id}",
                      "networkInterfaces": running["container"]["networkInterfaces"]},
        "startedAt": running["startedAt"], "stoppedAt": done["stoppedAt"],
        "statusReason": "Essential container in task exited",
    }]
    assert all(isinstance(done[k], int) for k in ("createdAt", "startedAt", "stoppedAt"))
    assert (done["isCancelled"], done["isTerminated"]) == (False, False)


@pytest.mark.parametrize(
    ("behavior", "expected_status", "exit_code", "reason"),
    [
        ({"runs_for": 10, "exit_code": 3}, "FAILED", 3, None),
        ({"runs_for": 10, "exit_code": 0}, "SUCCEEDED", 0, None),
        ({"pull_error": "manifest unknown"}, "FAILED", None, "CannotPullContainerError: manifest unknown"),
    ],
    ids=["non-zero-exit", "zero-exit", "pull-error"],
)
def test_the_container_decides_the_outcome(batch: Any, ecs_fake: Any, behavior: dict[str, Any],
                                           expected_status: str, exit_code: int | None, reason: str | None) -> None:
    ecs_fake.behavior("worker:1", **behavior)
    job_id = submit(batch)
    ecs_fake.advance(120)
    done = job(batch, job_id)
    assert done["status"] == expected_status
    assert done["container"].get("exitCode") == exit_code
    assert done["container"].get("reason") == reason
    assert len(done["attempts"]) == 1


def test_behavior_matches_the_job_name_when_the_image_has_none(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("flaky-report", runs_for=5, exit_code=9)
    failing, other = submit(batch, "flaky-report"), submit(batch, "steady")
    ecs_fake.advance(60)
    assert (status(batch, failing), job(batch, failing)["container"]["exitCode"]) == ("FAILED", 9)
    assert status(batch, other) == "RUNNING"


def test_overrides_parameters_and_the_environment_batch_sets(batch: Any, ecs: Any, ecs_fake: Any) -> None:
    definition(batch, "params", container={"command": ["process", "Ref::input"],
                                           "environment": [{"name": "MODE", "value": "full"}]},
               parameters={"input": "default.csv"})
    job_id = batch.submit_job(
        jobName="p", jobQueue="q", jobDefinition="params", parameters={"input": "today.csv"},
        containerOverrides={"environment": [{"name": "EXTRA", "value": "1"}],
                            "resourceRequirements": [{"type": "MEMORY", "value": "4096"}]},
    )["jobId"]
    ecs_fake.advance(SUBMITTED + SCHEDULING)
    detail = job(batch, job_id)
    assert detail["container"]["command"] == ["process", "today.csv"]
    assert detail["parameters"] == {"input": "today.csv"}
    assert {"name": "EXTRA", "value": "1"} in detail["container"]["environment"]
    task_arn = detail["container"]["taskArn"]
    task = ecs.describe_tasks(cluster=task_arn.split("/")[1], tasks=[task_arn])["tasks"][0]
    assert (task["cpu"], task["memory"], task["launchType"], task["startedBy"]) == ("1024", "4096", "FARGATE", job_id)
    override = task["overrides"]["containerOverrides"][0]
    assert override["command"] == ["process", "today.csv"]
    assert {"name": "MODE", "value": "full"} in override["environment"]
    assert {"name": "AWS_BATCH_JOB_ID", "value": job_id} in override["environment"]
    assert {"name": "AWS_BATCH_JOB_ATTEMPT", "value": "1"} in override["environment"]
    assert {"name": "AWS_BATCH_JQ_NAME", "value": "q"} in override["environment"]
    assert {"name": "AWS_BATCH_CE_NAME", "value": "ce"} in override["environment"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"jobQueue": "nope"}, "JobQueue nope not found."),
        ({"jobDefinition": "nope"}, "JobDefinition name nope does not exist or is not in ACTIVE status"),
        ({"jobDefinition": "work:7"}, "JobDefinition work:7 not found."),
        ({"jobName": "-starts-with-dash"}, "Error executing request, Exception : Job name should match valid pattern, "
                                           "RequestId: "),
        ({"jobName": "has space"}, "Job name should match valid pattern"),
        ({"jobName": "x" * 129}, "length less than or equal to 128"),
        ({"arrayProperties": {"size": 1}}, "greater than or equal to 2"),
        ({"arrayProperties": {"size": 10001}}, "less than or equal to 10000"),
        ({"arrayProperties": {}}, "arrayProperties.size is required"),
        ({"dependsOn": [{"jobId": "nope"}]}, "job nope does not exist"),
        ({"dependsOn": [{"jobId": f"j{i}"} for i in range(21)]}, "less than or equal to 20"),
        ({"containerOverrides": {"environment": [{"name": "AWS_BATCH_JOB_ID", "value": "x"}]}}, "reserved"),
        ({"containerOverrides": {"vcpus": 2}}, "isn't supported for jobs running on Fargate"),
        ({"containerOverrides": {"resourceRequirements": [{"type": "MEMORY", "value": "100"}]}},
         "Fargate resource requirements (1.00 vCPU, 100 MiB) not valid."),
        ({"shareIdentifier": "team"}, "fair-share"),
        ({"timeout": {"attemptDurationSeconds": 30}}, "greater than or equal to 60"),
    ],
    ids=["unknown-queue", "unknown-definition", "unknown-revision", "name-first-char", "name-space", "name-129",
         "array-1", "array-10001", "array-no-size", "unknown-dependency", "21-dependencies",
         "reserved-env", "fargate-vcpus", "fargate-pair", "share-identifier", "timeout-30"],
)
def test_submit_refusals(batch: Any, extra: dict[str, Any], message: str) -> None:
    body = {"jobName": "job", "jobQueue": "q", "jobDefinition": "work", **extra}
    with pytest.raises(batch.exceptions.ClientException) as error:
        batch.submit_job(**body)
    assert message in str(error.value)


QUEUES = "arn:aws:batch:us-east-1:123456789012:job-queue/"
DEFINITIONS = "arn:aws:batch:us-east-1:123456789012:job-definition/"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        # AWS's wordings, exactly, with the reference as the request gave it (FIDELITY.md "Observed since").
        ({"jobQueue": "nope"}, "JobQueue nope not found."),
        ({"jobQueue": QUEUES + "nope"}, f"JobQueue {QUEUES}nope not found."),
        ({"jobQueue": "arn:aws:batch:eu-west-1:123456789012:job-queue/q"},
         "JobQueue arn:aws:batch:eu-west-1:123456789012:job-queue/q not found."),
        ({"jobDefinition": DEFINITIONS + "nope:1"}, f"JobDefinition {DEFINITIONS}nope:1 not found."),
        ({"jobDefinition": DEFINITIONS + "work:9"}, f"JobDefinition {DEFINITIONS}work:9 not found."),
        ({"jobDefinition": DEFINITIONS + "nope"}, f"JobDefinition {DEFINITIONS}nope not found."),
        ({"jobDefinition": "nope"}, "JobDefinition name nope does not exist or is not in ACTIVE status"),
        ({"jobDefinition": "gone"}, "JobDefinition name gone does not exist or is not in ACTIVE status"),
    ],
    ids=["queue-name", "queue-arn", "queue-other-region", "definition-arn", "definition-arn-revision",
         "definition-arn-no-revision", "definition-name", "definition-name-inactive"],
)
def test_submit_to_what_does_not_exist_answers_aws_wording(batch: Any, extra: dict[str, Any], message: str) -> None:
    definition(batch, "gone")
    batch.deregister_job_definition(jobDefinition="gone:1")
    with pytest.raises(batch.exceptions.ClientException) as error:
        submit(batch, **extra)
    assert error.value.response["Error"]["Message"] == message


def test_disabled_queue_inactive_definition_and_wrong_platform_are_refused(batch: Any, ecs_fake: Any) -> None:
    definition(batch, "ec2-only", fargate=False)
    with pytest.raises(batch.exceptions.ClientException,
                       match="can not run Jobs with capability EC2"):
        submit(batch, jobDefinition="ec2-only")
    definition(batch)  # work:2
    batch.deregister_job_definition(jobDefinition="work:2")
    with pytest.raises(batch.exceptions.ClientException, match="work:2 is INACTIVE"):
        submit(batch, jobDefinition="work:2")
    assert job(batch, submit(batch, jobDefinition="work"))["jobDefinition"].endswith("job-definition/work:1")
    batch.update_job_queue(jobQueue="q", state="DISABLED")
    with pytest.raises(batch.exceptions.ClientException, match="q is DISABLED: new jobs can't be added"):
        submit(batch)


def test_raw_requests_missing_reason_or_job_id_are_client_exceptions(batch: Any) -> None:
    raw = boto3.client("batch", region_name="us-east-1", config=Config(parameter_validation=False))
    with pytest.raises(raw.exceptions.ClientException, match="at 'reason' failed to satisfy constraint"):
        raw.terminate_job(jobId="x")
    with pytest.raises(raw.exceptions.ClientException, match="at 'reason' failed to satisfy constraint"):
        raw.cancel_job(jobId="x")
    with pytest.raises(raw.exceptions.ClientException, match="at 'jobName'"):
        raw.submit_job(jobQueue="q", jobDefinition="work")


def test_describe_jobs_up_to_100_unknown_ids_absent(batch: Any) -> None:
    ids = [submit(batch, f"j{i}") for i in range(3)]
    by_arn = f"arn:aws:batch:us-east-1:123456789012:job/{ids[1]}"
    found = batch.describe_jobs(jobs=[ids[2], "not-a-job", ids[0], by_arn])
    assert [j["jobId"] for j in found["jobs"]] == [ids[2], ids[0], ids[1]]
    assert batch.describe_jobs(jobs=["nope"])["jobs"] == []
    with pytest.raises(batch.exceptions.ClientException, match="Maximum number of jobs supported is  100, RequestId"):
        batch.describe_jobs(jobs=[f"j{i}" for i in range(101)])


def test_finished_jobs_are_kept_seven_days(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("worker:1", runs_for=1)
    job_id = submit(batch)
    ecs_fake.advance(60)
    assert status(batch, job_id) == "SUCCEEDED"
    ecs_fake.advance(7 * 24 * 3600 - 60)
    assert [j["jobId"] for j in batch.describe_jobs(jobs=[job_id])["jobs"]] == [job_id]
    ecs_fake.advance(60)
    assert batch.describe_jobs(jobs=[job_id])["jobs"] == []
