"""Array jobs and dependencies (dependsOn, N_TO_N, SEQUENTIAL)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from batch_helpers import FARGATE_START, SCHEDULING, SUBMITTED, job, ready, status, submit

RUNNING_AFTER = SUBMITTED + SCHEDULING + FARGATE_START


@pytest.fixture
def batch(ecs_fake: Any) -> Any:
    client = boto3.client("batch", region_name="us-east-1")
    ready(client, ecs_fake, max_vcpus=16)
    return client


def test_array_children_their_index_and_the_parents_summary(batch: Any, ecs: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("worker:1", runs_for=30)
    parent = submit(batch, arrayProperties={"size": 3})
    submitted = job(batch, parent)
    assert (submitted["status"], submitted["arrayProperties"]) == ("SUBMITTED", {"size": 3})
    ecs_fake.advance(SUBMITTED)
    spawned = job(batch, parent)
    assert spawned["status"] == "PENDING"
    assert spawned["arrayProperties"]["statusSummary"] == {
        "SUBMITTED": 0, "PENDING": 0, "RUNNABLE": 3, "STARTING": 0, "RUNNING": 0, "SUCCEEDED": 0, "FAILED": 0}
    children = batch.list_jobs(arrayJobId=parent, jobStatus="RUNNABLE")["jobSummaryList"]
    assert [c["jobId"] for c in children] == [f"{parent}:{i}" for i in range(3)]
    assert [c["arrayProperties"] for c in children] == [{"index": i} for i in range(3)]
    child = job(batch, f"{parent}:1")
    assert child["jobArn"] == f"arn:aws:batch:us-east-1:123456789012:job/{parent}:1"
    assert child["createdAt"] == spawned["createdAt"] + SUBMITTED * 1000
    ecs_fake.advance(SCHEDULING)
    task_arn = job(batch, f"{parent}:1")["container"]["taskArn"]
    task = ecs.describe_tasks(cluster=task_arn.split("/")[1], tasks=[task_arn])["tasks"][0]
    assert {"name": "AWS_BATCH_JOB_ARRAY_INDEX", "value": "1"} in task["overrides"]["containerOverrides"][0][
        "environment"]
    ecs_fake.advance(FARGATE_START + 30)
    done = job(batch, parent)
    assert done["status"] == "SUCCEEDED"
    assert done["arrayProperties"]["statusSummary"]["SUCCEEDED"] == 3
    assert done["stoppedAt"] == max(job(batch, f"{parent}:{i}")["stoppedAt"] for i in range(3))
    assert batch.list_jobs(jobQueue="q", jobStatus="SUCCEEDED")["jobSummaryList"][0]["arrayProperties"][
        "size"] == 3


def test_any_failed_child_fails_the_parent_once_all_have_finished(batch: Any, ecs_fake: Any) -> None:
    parent = submit(batch, arrayProperties={"size": 3})
    ecs_fake.advance(RUNNING_AFTER)
    batch.terminate_job(jobId=f"{parent}:0", reason="this one")
    ecs_fake.advance(10)
    assert (status(batch, f"{parent}:0"), status(batch, parent)) == ("FAILED", "PENDING")
    for index in (1, 2):
        task_arn = job(batch, f"{parent}:{index}")["container"]["taskArn"]
        ecs_fake.interrupt(task_arn, stop_code="TerminationNotice")
    ecs_fake.advance(10)
    done = job(batch, parent)
    assert (done["status"], done["statusReason"]) == ("FAILED", "Array Child Job failed")


def test_sequential_children_run_one_after_the_other(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("worker:1", runs_for=10)
    parent = submit(batch, arrayProperties={"size": 3}, dependsOn=[{"type": "SEQUENTIAL"}])
    ecs_fake.advance(SUBMITTED)
    assert [status(batch, f"{parent}:{i}") for i in range(3)] == ["RUNNABLE", "PENDING", "PENDING"]
    assert job(batch, f"{parent}:2")["dependsOn"] == [{"jobId": f"{parent}:1", "type": "SEQUENTIAL"}]
    ecs_fake.advance(300)
    children = [job(batch, f"{parent}:{i}") for i in range(3)]
    assert [c["status"] for c in children] == ["SUCCEEDED"] * 3
    assert children[0]["stoppedAt"] < children[1]["startedAt"] and children[1]["stoppedAt"] < children[2]["startedAt"]


def test_a_failed_sequential_child_fails_the_rest(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("worker:1", runs_for=10, exit_code=1)
    parent = submit(batch, arrayProperties={"size": 3}, dependsOn=[{"type": "SEQUENTIAL"}])
    ecs_fake.advance(300)
    children = [job(batch, f"{parent}:{i}") for i in range(3)]
    assert [(c["status"], c["statusReason"]) for c in children] == [
        ("FAILED", "Essential container in task exited"), ("FAILED", "Dependent Job failed"),
        ("FAILED", "Dependent Job failed")]
    assert [len(c["attempts"]) for c in children] == [1, 0, 0]


def test_n_to_n_children_wait_for_their_counterpart(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("worker:1", runs_for=10)
    ecs_fake.behavior("slow", runs_for=100)
    first = submit(batch, "first", arrayProperties={"size": 2})
    second = submit(batch, "slow", arrayProperties={"size": 2}, dependsOn=[{"jobId": first, "type": "N_TO_N"}])
    with pytest.raises(batch.exceptions.ClientException, match="N_TO_N dependency needs two array jobs"):
        submit(batch, "odd", arrayProperties={"size": 3}, dependsOn=[{"jobId": first, "type": "N_TO_N"}])
    ecs_fake.advance(RUNNING_AFTER + 10)
    assert [status(batch, f"{first}:{i}") for i in range(2)] == ["SUCCEEDED"] * 2
    assert [status(batch, f"{second}:{i}") for i in range(2)] == ["RUNNABLE"] * 2
    assert job(batch, f"{second}:1")["dependsOn"] == [{"jobId": f"{first}:1", "type": "N_TO_N"}]


def test_a_job_waits_pending_for_its_dependencies_and_fails_with_them(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("worker:1", runs_for=10, exit_code=2)
    ecs_fake.behavior("ok", runs_for=10)
    upstream = submit(batch, "upstream")
    fine = submit(batch, "ok")
    downstream = submit(batch, "downstream", dependsOn=[{"jobId": upstream}, {"jobId": fine}])
    after_array = submit(batch, "after-array", arrayProperties={"size": 2}, dependsOn=[{"jobId": upstream}])
    ecs_fake.advance(SUBMITTED)
    assert status(batch, downstream) == "PENDING"
    assert job(batch, downstream)["dependsOn"] == [{"jobId": upstream}, {"jobId": fine}]
    ecs_fake.advance(SCHEDULING + FARGATE_START + 10)
    assert status(batch, upstream) == "FAILED"
    done = job(batch, downstream)
    assert (done["status"], done["statusReason"], done["attempts"]) == ("FAILED", "Dependent Job failed", [])
    assert status(batch, after_array) == "FAILED"
    late = submit(batch, "late", dependsOn=[{"jobId": upstream}])
    ecs_fake.advance(SUBMITTED)
    assert status(batch, late) == "FAILED"  # its dependency had already failed


def test_a_dependency_that_succeeded_lets_the_job_run(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("worker:1", runs_for=10)
    upstream = submit(batch, "upstream")
    downstream = submit(batch, "downstream", dependsOn=[{"jobId": upstream}])
    ecs_fake.advance(RUNNING_AFTER + 10)
    assert (status(batch, upstream), status(batch, downstream)) == ("SUCCEEDED", "RUNNABLE")
    ecs_fake.advance(SCHEDULING + FARGATE_START + 10)
    assert status(batch, downstream) == "SUCCEEDED"


def test_a_sequential_dependency_with_a_job_id_is_a_plain_one_and_the_rule_recorded(batch: Any, ecs_fake: Any) -> None:
    # The reference: SEQUENTIAL is for array jobs and takes no jobId; AWS's refusal is not known.
    ecs_fake.behavior("worker:1", runs_for=10)
    upstream = submit(batch, "upstream")
    downstream = submit(batch, "downstream", dependsOn=[{"jobId": upstream, "type": "SEQUENTIAL"}])
    assert "made it a plain dependency" in ecs_fake.calls[-1].violations[0]
    alone = submit(batch, "alone", dependsOn=[{"type": "SEQUENTIAL"}])
    assert "ignored it" in ecs_fake.calls[-1].violations[0]
    ecs_fake.advance(RUNNING_AFTER + 10)
    assert (status(batch, upstream), status(batch, downstream), status(batch, alone)) == (
        "SUCCEEDED", "RUNNABLE", "SUCCEEDED")
    ecs_fake.advance(SCHEDULING + FARGATE_START + 10)
    assert status(batch, downstream) == "SUCCEEDED"


def test_an_array_of_ten_thousand_children(batch: Any, ecs_fake: Any) -> None:
    parent = submit(batch, arrayProperties={"size": 10000})
    ecs_fake.advance(SUBMITTED)
    summary = job(batch, parent)["arrayProperties"]["statusSummary"]
    assert summary["RUNNABLE"] == 10000
    pages = batch.get_paginator("list_jobs").paginate(arrayJobId=parent, jobStatus="RUNNABLE")
    listed = [s["jobId"] for page in pages for s in page["jobSummaryList"]]
    assert len(listed) == len(set(listed)) == 10000
    ecs_fake.advance(SCHEDULING)
    assert job(batch, parent)["arrayProperties"]["statusSummary"]["STARTING"] == 16  # maxvCpus 16, 1 vCPU each
