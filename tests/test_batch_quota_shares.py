"""Quota shares: created in a VALID job queue with a quota-share policy, described, listed, updated, deleted."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from batch_helpers import CE_CREATE, QUEUE_CREATE, environment, queue

from pytest_ecsfake import EcsFake

LIMITS = [{"maxCapacity": 4, "capacityUnit": "ml.m5.large"}]
SHARING = {"strategy": "LEND_AND_BORROW", "borrowLimit": 200}
PREEMPTION = {"inSharePreemption": "DISABLED"}


@pytest.fixture
def batch(ecs_fake: Any) -> Any:
    return boto3.client("batch", region_name="us-east-1")


def quota_queue(batch: Any, fake: EcsFake, name: str = "q") -> str:
    policy = batch.create_scheduling_policy(name=f"quota-{name}",
                                            quotaSharePolicy={"idleResourceAssignmentStrategy": "FIFO"})
    if "ce" not in [e["computeEnvironmentName"] for e in batch.describe_compute_environments()[
            "computeEnvironments"]]:
        environment(batch)
        fake.advance(CE_CREATE)
    arn = queue(batch, name, schedulingPolicyArn=policy["arn"])
    fake.advance(QUEUE_CREATE)
    return arn


def create(batch: Any, name: str = "team", job_queue: str = "q", **extra: Any) -> str:
    extra.setdefault("resourceSharingConfiguration", SHARING)
    arn: str = batch.create_quota_share(quotaShareName=name, jobQueue=job_queue, capacityLimits=LIMITS,
                                        preemptionConfiguration=PREEMPTION, **extra)["quotaShareArn"]
    return arn


def test_create_and_describe_on_the_clock(batch: Any, ecs_fake: EcsFake) -> None:
    queue_arn = quota_queue(batch, ecs_fake)
    answer = batch.create_quota_share(quotaShareName="team", jobQueue=queue_arn, capacityLimits=LIMITS,
                                      resourceSharingConfiguration=SHARING, preemptionConfiguration=PREEMPTION,
                                      tags={"team": "a"})
    arn = answer["quotaShareArn"]
    assert (answer["quotaShareName"], arn) == ("team", f"{queue_arn}/quota-share/team")
    detail = batch.describe_quota_share(quotaShareArn=arn)
    detail.pop("ResponseMetadata")
    assert detail == {"quotaShareName": "team", "quotaShareArn": arn, "jobQueueArn": queue_arn,
                      "capacityLimits": LIMITS, "resourceSharingConfiguration": SHARING,
                      "preemptionConfiguration": PREEMPTION, "state": "ENABLED", "status": "CREATING",
                      "tags": {"team": "a"}}
    ecs_fake.advance(QUEUE_CREATE)
    assert batch.describe_quota_share(quotaShareArn=arn)["status"] == "VALID"
    with pytest.raises(batch.exceptions.ClientException, match="Object already exists"):
        create(batch)


def test_the_queue_must_be_valid_and_have_a_quota_share_policy(batch: Any, ecs_fake: EcsFake) -> None:
    environment(batch)
    ecs_fake.advance(CE_CREATE)
    queue(batch, "fifo")
    policy = batch.create_scheduling_policy(name="quota", quotaSharePolicy={"idleResourceAssignmentStrategy": "FIFO"})
    queue(batch, "young", schedulingPolicyArn=policy["arn"])
    with pytest.raises(batch.exceptions.ClientException, match="CREATING: it must be VALID"):
        create(batch, job_queue="young")
    ecs_fake.advance(QUEUE_CREATE)
    with pytest.raises(batch.exceptions.ClientException, match="no quota-share scheduling policy"):
        create(batch, job_queue="fifo")
    with pytest.raises(batch.exceptions.ClientException, match="does not exist"):
        create(batch, job_queue="missing")
    create(batch, job_queue="young")


def test_list_by_queue_with_the_paginator(batch: Any, ecs_fake: EcsFake) -> None:
    quota_queue(batch, ecs_fake, "q")
    quota_queue(batch, ecs_fake, "other")
    mine = [create(batch, f"s{i}") for i in range(3)]
    create(batch, "elsewhere", job_queue="other")
    pages = list(batch.get_paginator("list_quota_shares").paginate(jobQueue="q",
                                                                    PaginationConfig={"PageSize": 2}))
    assert [[s["quotaShareArn"] for s in p["quotaShares"]] for p in pages] == [mine[:2], mine[2:]]
    assert "tags" not in pages[0]["quotaShares"][0]  # QuotaShareDetail has no tags
    assert batch.list_quota_shares(jobQueue="missing")["quotaShares"] == []


def test_update_then_delete_after_disabling(batch: Any, ecs_fake: EcsFake) -> None:
    quota_queue(batch, ecs_fake)
    arn = create(batch)
    batch.update_quota_share(quotaShareArn=arn, state="ENABLED")  # while CREATING: applied, the rule recorded
    assert "is CREATING; update it once it is VALID" in ecs_fake.calls[-1].violations[0]
    assert batch.describe_quota_share(quotaShareArn=arn)["status"] == "CREATING"
    ecs_fake.advance(QUEUE_CREATE)
    assert batch.describe_quota_share(quotaShareArn=arn)["status"] == "VALID"
    answer = batch.update_quota_share(quotaShareArn=arn, capacityLimits=[{"maxCapacity": 8, "capacityUnit":
                                                                           "ml.g5.xlarge"}],
                                      resourceSharingConfiguration={"strategy": "RESERVE"})
    assert answer["quotaShareArn"] == arn
    detail = batch.describe_quota_share(quotaShareArn=arn)
    assert (detail["status"], detail["capacityLimits"][0]["capacityUnit"]) == ("UPDATING", "ml.g5.xlarge")
    assert detail["resourceSharingConfiguration"] == {"strategy": "RESERVE"}
    ecs_fake.advance(QUEUE_CREATE)
    with pytest.raises(batch.exceptions.ClientException, match="is ENABLED: disable it"):
        batch.delete_quota_share(quotaShareArn=arn)
    batch.update_quota_share(quotaShareArn=arn, state="DISABLED")
    ecs_fake.advance(QUEUE_CREATE)
    batch.delete_quota_share(quotaShareArn=arn)
    assert batch.describe_quota_share(quotaShareArn=arn)["status"] == "DELETING"
    ecs_fake.advance(10)
    with pytest.raises(batch.exceptions.ClientException, match="does not exist"):
        batch.describe_quota_share(quotaShareArn=arn)
    assert batch.list_quota_shares(jobQueue="q")["quotaShares"] == []


def test_a_borrow_limit_without_lend_and_borrow_is_answered_and_recorded(batch: Any, ecs_fake: EcsFake) -> None:
    quota_queue(batch, ecs_fake)
    arn = create(batch, "reserve", resourceSharingConfiguration={"strategy": "RESERVE", "borrowLimit": 50})
    assert batch.describe_quota_share(quotaShareArn=arn)["resourceSharingConfiguration"]["borrowLimit"] == 50
    recorded = [c for c in ecs_fake.calls if c.operation == "CreateQuotaShare"][-1].violations
    assert any("LEND_AND_BORROW" in rule for rule in recorded)


def test_quota_shares_over_the_server() -> None:
    with EcsFake() as fake, fake.serve() as url:
        batch = boto3.client("batch", region_name="us-east-1", endpoint_url=url, aws_access_key_id="testing",
                             aws_secret_access_key="testing")
        quota_queue(batch, fake)
        arn = create(batch)
        fake.advance(QUEUE_CREATE)
        assert batch.describe_quota_share(quotaShareArn=arn)["status"] == "VALID"
        assert [s["quotaShareName"] for s in batch.list_quota_shares(jobQueue="q")["quotaShares"]] == ["team"]
