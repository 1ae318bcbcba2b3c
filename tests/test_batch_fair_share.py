"""Fair-share scheduling: shares by weight factor, decay, compute reservation, priority within a share, SubmitJob.

The proportion test: the scheduler gives the next job to the share whose usage × weightFactor is lowest
("(T * weightFactor)", the Batch user guide's share identifiers page), so a share gets capacity in inverse
proportion to its weight factor ("0.125 (1/8) ... eight times the compute resources of ... 1"). With weight
factors 1 and 3 on 8 vCPUs of 1-vCPU jobs: a + b = 8 and a × 1 = b × 3, so 6 and 2 run at once.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from batch_helpers import CE_CREATE, QUEUE_CREATE, SCHEDULING, SUBMITTED, definition, environment, queue, submit

from pytest_ecsfake import EcsFake

PLACED = SUBMITTED + SCHEDULING


@pytest.fixture
def batch(ecs_fake: Any) -> Any:
    return boto3.client("batch", region_name="us-east-1")


def fair_queue(batch: Any, fake: EcsFake, *, vcpus: int = 8, kind: str = "FARGATE", **policy: Any) -> str:
    """A VALID fair-share queue "q" on an environment of ``vcpus``, definition "work" (priority 0)."""
    arn: str = batch.create_scheduling_policy(name="fs", fairsharePolicy=policy)["arn"]
    environment(batch, max_vcpus=vcpus, kind=kind)
    fake.advance(CE_CREATE)
    queue(batch, schedulingPolicyArn=arn)
    fake.advance(QUEUE_CREATE)
    definition(batch, schedulingPriority=0, fargate=kind == "FARGATE")
    return arn


def statuses(batch: Any, ids: list[str]) -> list[str]:
    found = {j["jobId"]: j["status"] for chunk in range(0, len(ids), 100)
             for j in batch.describe_jobs(jobs=ids[chunk:chunk + 100])["jobs"]}
    return [found[i] for i in ids]


def started(batch: Any, ids: list[str]) -> int:
    return sum(s in ("STARTING", "RUNNING") for s in statuses(batch, ids))


def submit_many(batch: Any, share: str, count: int, **extra: Any) -> list[str]:
    return [submit(batch, f"{share}-{i}", shareIdentifier=share, **extra) for i in range(count)]


@pytest.mark.parametrize("kind", ["FARGATE", "EC2"])
def test_weight_factors_1_and_3_share_8_vcpus_6_to_2(batch: Any, ecs_fake: EcsFake, kind: str) -> None:
    fair_queue(batch, ecs_fake, kind=kind, shareDistribution=[{"shareIdentifier": "light", "weightFactor": 1.0},
                                                    {"shareIdentifier": "heavy", "weightFactor": 3.0}])
    ecs_fake.behavior("worker:1", runs_for=600)
    heavy = submit_many(batch, "heavy", 20)  # submitted first: FIFO would start 8 of these
    light = submit_many(batch, "light", 20)
    ecs_fake.advance(PLACED)
    assert (started(batch, light), started(batch, heavy)) == (6, 2)
    # The next waves keep the proportion: both shares' history grows alike (6 : 2 vCPU-seconds).
    for _ in range(2):
        ecs_fake.advance(640)
        assert (started(batch, light), started(batch, heavy)) == (6, 2)
    snapshot = batch.get_job_queue_snapshot(jobQueue="q")["queueUtilization"]["fairshareUtilization"]
    assert snapshot["activeShareCount"] == 2
    assert [(u["shareIdentifier"], u["capacityUsage"][0]["quantity"]) for u in snapshot["topCapacityUtilization"]] \
        == [("light", 6.0), ("heavy", 2.0)]


def test_prefix_weights_and_the_default_weight_of_1(batch: Any, ecs_fake: EcsFake) -> None:
    fair_queue(batch, ecs_fake, shareDistribution=[{"shareIdentifier": "gold*", "weightFactor": 0.25}])
    ecs_fake.behavior("worker:1", runs_for=600)
    other = submit_many(batch, "bronze", 10)  # not listed: weight 1.0
    gold = submit_many(batch, "gold1", 10)  # gold*: 0.25, four times the capacity of bronze
    ecs_fake.advance(PLACED)
    assert (started(batch, gold), started(batch, other)) == (6, 2)  # the split of 8 nearest 4 : 1


def test_equal_weights_alternate_between_shares(batch: Any, ecs_fake: EcsFake) -> None:
    fair_queue(batch, ecs_fake, vcpus=4)
    ecs_fake.behavior("worker:1", runs_for=600)
    first = submit_many(batch, "a", 6)
    second = submit_many(batch, "b", 6)
    ecs_fake.advance(PLACED)
    assert statuses(batch, first)[:3] == ["STARTING", "STARTING", "RUNNABLE"]
    assert (started(batch, first), started(batch, second)) == (2, 2)


@pytest.mark.parametrize(("decay", "expected"), [(3600, (6, 2)), (60, (4, 4))])
def test_a_share_that_used_the_queue_recently_yields_to_a_new_one(
    batch: Any, ecs_fake: EcsFake, decay: int, expected: tuple[int, int]
) -> None:
    """"old" holds all 8 vCPUs for ~300 s; then "new" arrives. With a long decay window the old share's usage
    weighs 8 × 3600 × (1 - e^(-300/3600)) / 600 ≈ 3.8 at release, and the newcomer takes 6 of the 8 freed vCPUs;
    with a 60 s window it weighs ≈ 0.8, and the two split evenly."""
    fair_queue(batch, ecs_fake, shareDecaySeconds=decay)
    ecs_fake.behavior("worker:1", runs_for=300)
    old = submit_many(batch, "old", 16)
    ecs_fake.advance(PLACED)
    assert started(batch, old) == 8
    new = submit_many(batch, "new", 16)
    ecs_fake.advance(330)  # the old share's first wave has ended; the scheduler refilled the 8 vCPUs
    assert (started(batch, new), started(batch, old)) == expected


def test_compute_reservation_keeps_capacity_for_inactive_shares(batch: Any, ecs_fake: EcsFake) -> None:
    """computeReservation 50: (50/100)^1 = 50 % is kept back while one share is active, 25 % with two."""
    fair_queue(batch, ecs_fake, computeReservation=50)
    ecs_fake.behavior("worker:1", runs_for=600)
    first = submit_many(batch, "first", 10)
    ecs_fake.advance(PLACED)
    assert started(batch, first) == 4
    second = submit_many(batch, "second", 10)
    ecs_fake.advance(PLACED)
    assert started(batch, first) + started(batch, second) == 6  # 8 × (1 - 0.25)
    assert started(batch, second) == 2


def test_scheduling_priority_orders_jobs_within_a_share(batch: Any, ecs_fake: EcsFake) -> None:
    fair_queue(batch, ecs_fake, vcpus=2)
    definition(batch, "urgent", schedulingPriority=50)
    ecs_fake.behavior("worker:1", runs_for=600)
    low = submit(batch, "low", shareIdentifier="t")
    high = submit(batch, "high", shareIdentifier="t", jobDefinition="urgent")
    top = submit(batch, "top", shareIdentifier="t", schedulingPriorityOverride=99)
    ecs_fake.advance(PLACED)
    assert statuses(batch, [top, high, low]) == ["STARTING", "STARTING", "RUNNABLE"]
    details = {j["jobName"]: j for j in batch.describe_jobs(jobs=[low, high, top])["jobs"]}
    assert {name: (j["schedulingPriority"], j["shareIdentifier"]) for name, j in details.items()} == {
        "low": (0, "t"), "high": (50, "t"), "top": (99, "t")}


def test_submit_job_rules_of_fair_share_and_fifo_queues(batch: Any, ecs_fake: EcsFake) -> None:
    fair_queue(batch, ecs_fake)
    definition(batch, "unprioritised")
    with pytest.raises(batch.exceptions.ClientException, match=r"^.*: shareIdentifier must be specified\.$"):
        submit(batch)
    with pytest.raises(batch.exceptions.ClientException,
                       match="Either schedulingPriority in job definition or schedulingPriorityOverride should be "
                             "specified."):
        submit(batch, shareIdentifier="t", jobDefinition="unprioritised")
    submit(batch, shareIdentifier="t", jobDefinition="unprioritised", schedulingPriorityOverride=1)
    queue(batch, "fifo")
    ecs_fake.advance(QUEUE_CREATE)
    with pytest.raises(batch.exceptions.ClientException, match="fair-share scheduling policy"):
        submit(batch, jobQueue="fifo", shareIdentifier="t")
    fifo_job = submit(batch, jobQueue="fifo", schedulingPriorityOverride=5)  # no effect on a FIFO queue, accepted
    assert "shareIdentifier" not in batch.describe_jobs(jobs=[fifo_job])["jobs"][0]


def test_list_jobs_filters_by_share_identifier(batch: Any, ecs_fake: EcsFake) -> None:
    fair_queue(batch, ecs_fake)
    mine = submit_many(batch, "team-a", 2)
    submit_many(batch, "team-b", 1)
    listed = batch.list_jobs(jobQueue="q", filters=[{"name": "SHARE_IDENTIFIER", "values": ["team-a"]}])
    assert sorted(j["jobId"] for j in listed["jobSummaryList"]) == sorted(mine)
    assert {j["shareIdentifier"] for j in listed["jobSummaryList"]} == {"team-a"}
    prefixed = batch.list_jobs(jobQueue="q", filters=[{"name": "SHARE_IDENTIFIER", "values": ["team*"]}])
    assert len(prefixed["jobSummaryList"]) == 3


def test_array_children_run_in_their_parent_share(batch: Any, ecs_fake: EcsFake) -> None:
    fair_queue(batch, ecs_fake, vcpus=4, shareDistribution=[{"shareIdentifier": "arr", "weightFactor": 1.0},
                                                            {"shareIdentifier": "one", "weightFactor": 1.0}])
    ecs_fake.behavior("worker:1", runs_for=600)
    parent = submit(batch, "array", shareIdentifier="arr", arrayProperties={"size": 6})
    singles = submit_many(batch, "one", 6)
    ecs_fake.advance(PLACED)
    children = [f"{parent}:{i}" for i in range(6)]
    assert (started(batch, children), started(batch, singles)) == (2, 2)
    assert batch.describe_jobs(jobs=[children[0]])["jobs"][0]["shareIdentifier"] == "arr"


def test_fair_share_over_the_server() -> None:
    with EcsFake() as fake, fake.serve() as url:
        batch = boto3.client("batch", region_name="us-east-1", endpoint_url=url, aws_access_key_id="testing",
                             aws_secret_access_key="testing")
        fair_queue(batch, fake, shareDistribution=[{"shareIdentifier": "light", "weightFactor": 1.0},
                                                    {"shareIdentifier": "heavy", "weightFactor": 3.0}])
        fake.behavior("worker:1", runs_for=600)
        heavy = submit_many(batch, "heavy", 10)
        light = submit_many(batch, "light", 10)
        fake.advance(PLACED)
        assert (started(batch, light), started(batch, heavy)) == (6, 2)


def test_a_501st_active_share_identifier_is_refused(batch: Any, ecs_fake: EcsFake) -> None:
    fair_queue(batch, ecs_fake, vcpus=1)
    for share in range(500):
        submit(batch, f"j{share}", shareIdentifier=f"s{share}")
    submit(batch, "again", shareIdentifier="s7")  # an active share takes more jobs
    with pytest.raises(batch.exceptions.ClientException, match="already has 500 active share identifiers"):
        submit(batch, "new", shareIdentifier="s500")
