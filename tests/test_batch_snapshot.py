"""GetJobQueueSnapshot: the front of FIFO and fair-share queues in dispatch order, positions, utilization."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from batch_helpers import (
    CE_CREATE,
    QUEUE_CREATE,
    SCHEDULING,
    SUBMITTED,
    definition,
    environment,
    ms,
    queue,
    ready,
    status,
    submit,
)

from pytest_ecsfake import EcsFake

PLACED = SUBMITTED + SCHEDULING


@pytest.fixture
def batch(ecs_fake: Any) -> Any:
    return boto3.client("batch", region_name="us-east-1")


def arns(batch: Any, ids: list[str]) -> list[str]:
    found = {j["jobId"]: j["jobArn"] for j in batch.describe_jobs(jobs=ids)["jobs"]}
    return [found[i] for i in ids]


def front(batch: Any) -> list[dict[str, Any]]:
    jobs: list[dict[str, Any]] = batch.get_job_queue_snapshot(jobQueue="q")["frontOfQueue"]["jobs"]
    return jobs


def test_fifo_front_is_submission_order_and_positions_move_as_jobs_leave(batch: Any, ecs_fake: EcsFake) -> None:
    ready(batch, ecs_fake, max_vcpus=2)
    ecs_fake.behavior("worker:1", runs_for=100)
    ids = [submit(batch, f"j{i}") for i in range(5)]
    ecs_fake.advance(SUBMITTED)
    became_runnable = ms(ecs_fake)
    snapshot = batch.get_job_queue_snapshot(jobQueue="q")
    assert [j["jobArn"] for j in snapshot["frontOfQueue"]["jobs"]] == arns(batch, ids)  # all RUNNABLE
    assert {j["earliestTimeAtPosition"] for j in snapshot["frontOfQueue"]["jobs"]} == {became_runnable}
    assert snapshot["frontOfQueue"]["lastUpdatedAt"] == ms(ecs_fake)
    assert snapshot["queueUtilization"]["totalCapacityUsage"] == [{"capacityUnit": "VCPU", "quantity": 0.0}]
    assert "fairshareUtilization" not in snapshot["queueUtilization"]
    ecs_fake.advance(SCHEDULING)
    dispatched = ms(ecs_fake)
    ecs_fake.advance(3)
    snapshot = batch.get_job_queue_snapshot(jobQueue="q")
    assert [j["jobArn"] for j in snapshot["frontOfQueue"]["jobs"]] == arns(batch, ids[2:])
    # Two jobs ahead left RUNNABLE when the scheduler took them: the others moved up then.
    assert {j["earliestTimeAtPosition"] for j in snapshot["frontOfQueue"]["jobs"]} == {dispatched}
    assert snapshot["queueUtilization"]["totalCapacityUsage"][0]["quantity"] == 2.0
    assert snapshot["queueUtilization"]["lastUpdatedAt"] == ms(ecs_fake)


def test_the_front_lists_at_most_100_jobs(batch: Any, ecs_fake: EcsFake) -> None:
    ready(batch, ecs_fake, max_vcpus=1)
    parent = submit(batch, "array", arrayProperties={"size": 120})
    ecs_fake.advance(PLACED)
    listed = front(batch)
    assert len(listed) == 100
    assert listed[0]["jobArn"].endswith(f"{parent}:1")  # child 0 is STARTING; the rest in index order
    assert listed[-1]["jobArn"].endswith(f"{parent}:100")


def test_fair_share_front_is_the_order_the_scheduler_takes(batch: Any, ecs_fake: EcsFake) -> None:
    policy = batch.create_scheduling_policy(name="fs", fairsharePolicy={"shareDistribution": [
        {"shareIdentifier": "light", "weightFactor": 1.0}, {"shareIdentifier": "heavy", "weightFactor": 3.0}]})
    environment(batch, max_vcpus=4)
    ecs_fake.advance(CE_CREATE)
    queue(batch, schedulingPolicyArn=policy["arn"])
    ecs_fake.advance(QUEUE_CREATE)
    definition(batch, schedulingPriority=0)
    ecs_fake.behavior("worker:1", runs_for=600)
    heavy = [submit(batch, f"heavy{i}", shareIdentifier="heavy") for i in range(4)]
    light = [submit(batch, f"light{i}", shareIdentifier="light") for i in range(4)]
    ecs_fake.advance(SUBMITTED)
    by_arn = dict(zip(arns(batch, heavy + light), heavy + light, strict=True))
    order = [by_arn[j["jobArn"]] for j in front(batch)]
    # Usage × weight: heavy first (tie, submitted first: 0 → 3), light 0 → 1 → 2 → 3, then heavy 3 → 6 ...
    assert order[:5] == [heavy[0], light[0], light[1], light[2], heavy[1]]
    ecs_fake.advance(SCHEDULING)
    assert [status(batch, j) for j in order[:4]] == ["STARTING"] * 4
    assert {status(batch, j) for j in order[4:]} == {"RUNNABLE"}
    utilization = batch.get_job_queue_snapshot(jobQueue="q")["queueUtilization"]
    assert utilization["totalCapacityUsage"][0]["quantity"] == 4.0
    assert utilization["fairshareUtilization"]["activeShareCount"] == 2
    assert [(u["shareIdentifier"], u["capacityUsage"]) for u in utilization["fairshareUtilization"][
        "topCapacityUtilization"]] == [("light", [{"capacityUnit": "VCPU", "quantity": 3.0}]),
                                       ("heavy", [{"capacityUnit": "VCPU", "quantity": 1.0}])]


def test_an_unknown_queue_is_a_client_exception(batch: Any) -> None:
    with pytest.raises(batch.exceptions.ClientException, match="JobQueue nowhere not found."):
        batch.get_job_queue_snapshot(jobQueue="nowhere")


def test_snapshot_over_the_server() -> None:
    with EcsFake() as fake, fake.serve() as url:
        batch = boto3.client("batch", region_name="us-east-1", endpoint_url=url, aws_access_key_id="testing",
                             aws_secret_access_key="testing")
        ready(batch, fake, max_vcpus=1)
        fake.behavior("worker:1", runs_for=100)
        ids = [submit(batch, f"j{i}") for i in range(3)]
        fake.advance(PLACED)
        listed = batch.get_job_queue_snapshot(jobQueue="q")["frontOfQueue"]["jobs"]
        assert [j["jobArn"] for j in listed] == arns(batch, ids[1:])
