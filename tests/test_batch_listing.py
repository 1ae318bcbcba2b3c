"""ListJobs: jobQueue/arrayJobId/multiNodeJobId, jobStatus, filters, maxResults, nextToken and the paginator."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from batch_helpers import FARGATE_START, SCHEDULING, SUBMITTED, definition, ms, ready, submit


@pytest.fixture
def batch(ecs_fake: Any) -> Any:
    client = boto3.client("batch", region_name="us-east-1")
    ready(client, ecs_fake, max_vcpus=2)
    return client


def names(batch: Any, **kwargs: Any) -> list[str]:
    return [s["jobName"] for s in batch.list_jobs(**kwargs)["jobSummaryList"]]


def test_default_status_is_running_and_queues_are_named_either_way(batch: Any, ecs_fake: Any) -> None:
    for name in ("a", "b", "c"):
        submit(batch, name)
    assert names(batch, jobQueue="q") == []
    ecs_fake.advance(SUBMITTED)
    assert names(batch, jobQueue="q", jobStatus="RUNNABLE") == ["a", "b", "c"]
    ecs_fake.advance(SCHEDULING + FARGATE_START)
    assert names(batch, jobQueue="q") == ["a", "b"]  # maxvCpus 2: c is still RUNNABLE
    assert names(batch, jobQueue="arn:aws:batch:us-east-1:123456789012:job-queue/q") == ["a", "b"]
    assert names(batch, jobQueue="q", jobStatus="RUNNABLE") == ["c"]
    assert names(batch, jobQueue="nope") == []
    assert names(batch, multiNodeJobId="nope") == []


def test_summaries_carry_times_container_and_definition(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("worker:1", runs_for=5, exit_code=4)
    job_id = submit(batch)
    ecs_fake.advance(60)
    summary = batch.list_jobs(jobQueue="q", jobStatus="FAILED")["jobSummaryList"][0]
    assert set(summary) == {"jobArn", "jobId", "jobName", "createdAt", "status", "statusReason", "startedAt",
                            "stoppedAt", "container", "jobDefinition"}
    assert (summary["jobId"], summary["container"]) == (job_id, {"exitCode": 4})
    assert summary["jobDefinition"] == "arn:aws:batch:us-east-1:123456789012:job-definition/work:1"


def test_exactly_one_of_queue_array_or_multi_node(batch: Any) -> None:
    for kwargs in ({}, {"jobQueue": "q", "arrayJobId": "x"}):
        with pytest.raises(batch.exceptions.ClientException, match="exactly one of jobQueue, arrayJobId"):
            batch.list_jobs(**kwargs)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("JOB_NAME", "NIGHTLY-1", ["nightly-1"]),  # case-insensitive
        ("JOB_NAME", "nightly*", ["nightly-2", "nightly-1"]),  # newest first
        ("JOB_DEFINITION", "other", ["adhoc"]),
        ("JOB_DEFINITION", "wor*", ["nightly-2", "nightly-1"]),
        ("JOB_DEFINITION", "arn:aws:batch:us-east-1:123456789012:job-definition/other:1", ["adhoc"]),
        ("SHARE_IDENTIFIER", "team", []),
    ],
)
def test_filters_ignore_job_status(batch: Any, ecs_fake: Any, name: str, value: str, expected: list[str]) -> None:
    definition(batch, "other")
    submit(batch, "nightly-1")
    ecs_fake.advance(1)
    submit(batch, "nightly-2")
    ecs_fake.advance(1)
    submit(batch, "adhoc", jobDefinition="other")
    assert names(batch, jobQueue="q", jobStatus="SUCCEEDED", filters=[{"name": name, "values": [value]}]) == expected


def test_created_at_filters(batch: Any, ecs_fake: Any) -> None:
    submit(batch, "old")
    ecs_fake.advance(10)
    middle = ms(ecs_fake)
    ecs_fake.advance(10)
    submit(batch, "new")
    assert names(batch, jobQueue="q", filters=[{"name": "BEFORE_CREATED_AT", "values": [str(middle)]}]) == ["old"]
    assert names(batch, jobQueue="q", filters=[{"name": "AFTER_CREATED_AT", "values": [str(middle)]}]) == ["new"]
    with pytest.raises(batch.exceptions.ClientException, match="milliseconds since the epoch"):
        batch.list_jobs(jobQueue="q", filters=[{"name": "AFTER_CREATED_AT", "values": ["yesterday"]}])
    with pytest.raises(batch.exceptions.ClientException, match="Only one filter can be used at a time"):
        batch.list_jobs(jobQueue="q", filters=[{"name": "JOB_NAME", "values": ["a"]},
                                               {"name": "JOB_NAME", "values": ["b"]}])
    with pytest.raises(batch.exceptions.ClientException, match="Unknown filter name 'COLOR'"):
        batch.list_jobs(jobQueue="q", filters=[{"name": "COLOR", "values": ["red"]}])


def test_max_results_and_opaque_tokens(batch: Any, ecs_fake: Any) -> None:
    for i in range(5):
        submit(batch, f"j{i}")
    ecs_fake.advance(SUBMITTED)
    first = batch.list_jobs(jobQueue="q", jobStatus="RUNNABLE", maxResults=2)
    assert [s["jobName"] for s in first["jobSummaryList"]] == ["j0", "j1"]
    second = batch.list_jobs(jobQueue="q", jobStatus="RUNNABLE", maxResults=2, nextToken=first["nextToken"])
    assert [s["jobName"] for s in second["jobSummaryList"]] == ["j2", "j3"]
    last = batch.list_jobs(jobQueue="q", jobStatus="RUNNABLE", maxResults=2, nextToken=second["nextToken"])
    assert [s["jobName"] for s in last["jobSummaryList"]] == ["j4"] and "nextToken" not in last
    with pytest.raises(batch.exceptions.ClientException, match="Invalid nextToken"):
        batch.list_jobs(jobQueue="q", nextToken="forged")
    with pytest.raises(batch.exceptions.ClientException, match="greater than or equal to 1"):
        batch.list_jobs(jobQueue="q", maxResults=0)


def test_the_paginator_returns_each_job_once_while_statuses_change(batch: Any, ecs_fake: Any) -> None:
    ids = [submit(batch, f"j{i}") for i in range(7)]
    pages = batch.get_paginator("list_jobs").paginate(jobQueue="q", filters=[{"name": "JOB_NAME", "values": ["j*"]}],
                                                      PaginationConfig={"PageSize": 3})
    seen: list[str] = []
    for page in pages:
        seen.extend(s["jobId"] for s in page["jobSummaryList"])
        ecs_fake.advance(SUBMITTED + SCHEDULING)  # jobs move on between pages
    assert sorted(seen) == sorted(ids) and len(seen) == 7
    assert seen == list(reversed(ids))  # with a filter: newest first
