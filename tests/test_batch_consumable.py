"""Consumable resources (resource-aware scheduling): their API, and jobs that wait for, take and give them back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from batch_helpers import FARGATE_START, SCHEDULING, SUBMITTED, definition, job, ready, status, submit
from botocore.exceptions import ClientError

from pytest_ecsfake import EcsFake

KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
ARN = "arn:aws:batch:us-east-1:123456789012:consumable-resource/"


@pytest.fixture
def batch(ecs_fake: EcsFake) -> Any:
    client = boto3.client("batch", region_name="us-east-1")
    ready(client, ecs_fake, max_vcpus=8)
    return client


def licensed(batch: Any, name: str = "licensed", quantity: int = 1, resource: str = "licenses") -> str:
    return definition(batch, name, consumableResourceProperties={
        "consumableResourceList": [{"consumableResource": resource, "quantity": quantity}]})


def test_create_describe_update_and_delete(batch: Any, ecs_fake: EcsFake) -> None:
    created = batch.create_consumable_resource(consumableResourceName="licenses", totalQuantity=3,
                                               tags={"team": "cfd"})
    assert created == {"consumableResourceName": "licenses", "consumableResourceArn": ARN + "licenses",
                       "ResponseMetadata": created["ResponseMetadata"]}
    seen = batch.describe_consumable_resource(consumableResource=ARN + "licenses")
    seen.pop("ResponseMetadata")
    assert seen == {"consumableResourceName": "licenses", "consumableResourceArn": ARN + "licenses",
                    "totalQuantity": 3, "inUseQuantity": 0, "availableQuantity": 3,
                    "resourceType": "REPLENISHABLE", "createdAt": seen["createdAt"], "tags": {"team": "cfd"}}
    assert batch.update_consumable_resource(consumableResource="licenses", operation="ADD",
                                            quantity=2)["totalQuantity"] == 5
    assert batch.update_consumable_resource(consumableResource="licenses", operation="REMOVE",
                                            quantity=1)["totalQuantity"] == 4
    assert batch.update_consumable_resource(consumableResource="licenses", operation="SET",
                                            quantity=10)["totalQuantity"] == 10
    # The same clientToken and payload: the update happens once.
    for _ in range(2):
        answer = batch.update_consumable_resource(consumableResource="licenses", operation="ADD", quantity=1,
                                                  clientToken="once")
    assert answer["totalQuantity"] == 11
    assert batch.list_tags_for_resource(resourceArn=ARN + "licenses")["tags"] == {"team": "cfd"}
    batch.delete_consumable_resource(consumableResource="licenses")
    with pytest.raises(ClientError) as raised:
        batch.describe_consumable_resource(consumableResource="licenses")
    assert raised.value.response["Error"]["Code"] == "ClientException"


def test_refusals(batch: Any) -> None:
    batch.create_consumable_resource(consumableResourceName="db", totalQuantity=1)
    for call in (lambda: batch.create_consumable_resource(consumableResourceName="db"),
                 lambda: batch.create_consumable_resource(consumableResourceName="neg", totalQuantity=-1),
                 lambda: batch.update_consumable_resource(consumableResource="nope", operation="ADD", quantity=1),
                 lambda: batch.delete_consumable_resource(consumableResource="nope")):
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "ClientException"
    with pytest.raises(ClientError, match="Object already exists"):
        batch.create_consumable_resource(consumableResourceName="db")


def test_list_with_a_name_filter_and_the_paginator(batch: Any) -> None:
    for name in ("db-read", "DB-write", "licenses"):
        batch.create_consumable_resource(consumableResourceName=name, totalQuantity=2,
                                         resourceType="NON_REPLENISHABLE" if name == "licenses" else "REPLENISHABLE")
    pages = list(batch.get_paginator("list_consumable_resources").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["consumableResources"]) for p in pages] == [2, 1]
    every = [r for p in pages for r in p["consumableResources"]]
    assert [r["consumableResourceName"] for r in every] == ["db-read", "DB-write", "licenses"]
    assert every[2] == {"consumableResourceArn": ARN + "licenses", "consumableResourceName": "licenses",
                        "totalQuantity": 2, "inUseQuantity": 0, "resourceType": "NON_REPLENISHABLE"}
    found = batch.list_consumable_resources(filters=[{"name": "CONSUMABLE_RESOURCE_NAME", "values": ["db*"]}])
    assert [r["consumableResourceName"] for r in found["consumableResources"]] == ["db-read", "DB-write"]
    exact = batch.list_consumable_resources(filters=[{"name": "CONSUMABLE_RESOURCE_NAME", "values": ["LICENSES"]}])
    assert [r["consumableResourceName"] for r in exact["consumableResources"]] == ["licenses"]


def test_a_job_waits_runnable_until_the_resource_is_available(batch: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("worker:1", runs_for=60)
    batch.create_consumable_resource(consumableResourceName="licenses", totalQuantity=1)
    licensed(batch)
    assert batch.describe_job_definitions(jobDefinitionName="licensed")["jobDefinitions"][0][
        "consumableResourceProperties"] == {"consumableResourceList": [{"consumableResource": "licenses",
                                                                         "quantity": 1}]}
    first = submit(batch, "first", jobDefinition="licensed")
    second = submit(batch, "second", jobDefinition="licensed")
    ecs_fake.advance(SUBMITTED + SCHEDULING)
    assert (status(batch, first), status(batch, second)) == ("STARTING", "RUNNABLE")
    usage = batch.describe_consumable_resource(consumableResource="licenses")
    assert (usage["inUseQuantity"], usage["availableQuantity"], usage["totalQuantity"]) == (1, 0, 1)
    listed = batch.list_jobs_by_consumable_resource(consumableResource="licenses")["jobs"]
    assert [(j["jobName"], j["jobStatus"], j["quantity"]) for j in listed] == [
        ("first", "STARTING", 1), ("second", "RUNNABLE", 1)]
    assert listed[0]["consumableResourceProperties"] == job(batch, first)["consumableResourceProperties"]
    ecs_fake.advance(FARGATE_START + 60)
    assert status(batch, first) == "SUCCEEDED"
    # The replenishable license came back: the second job took it.
    assert status(batch, second) == "STARTING"
    usage = batch.describe_consumable_resource(consumableResource="licenses")
    assert (usage["inUseQuantity"], usage["totalQuantity"]) == (1, 1)
    running = batch.list_jobs_by_consumable_resource(
        consumableResource="licenses", filters=[{"name": "JOB_STATUS", "values": ["SUCCEEDED"]}])["jobs"]
    assert [j["jobName"] for j in running] == ["first"]
    assert "startedAt" in running[0]


def test_adding_quantity_lets_the_waiting_job_start(batch: Any, ecs_fake: EcsFake) -> None:
    batch.create_consumable_resource(consumableResourceName="licenses", totalQuantity=1)
    licensed(batch, quantity=2)
    waiting = submit(batch, "needs-two", jobDefinition="licensed")
    ecs_fake.advance(SUBMITTED + SCHEDULING + 30)
    assert status(batch, waiting) == "RUNNABLE"
    batch.update_consumable_resource(consumableResource="licenses", operation="ADD", quantity=1)
    ecs_fake.advance(0)
    assert status(batch, waiting) == "STARTING"


def test_a_non_replenishable_resource_is_consumed(batch: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("worker:1", runs_for=10)
    batch.create_consumable_resource(consumableResourceName="credits", totalQuantity=3,
                                     resourceType="NON_REPLENISHABLE")
    licensed(batch, resource="credits", quantity=2)
    first = submit(batch, "first", jobDefinition="licensed")
    second = submit(batch, "second", jobDefinition="licensed")
    ecs_fake.advance(SUBMITTED + SCHEDULING + FARGATE_START + 10)
    assert status(batch, first) == "SUCCEEDED"
    usage = batch.describe_consumable_resource(consumableResource="credits")
    assert (usage["totalQuantity"], usage["inUseQuantity"], usage["availableQuantity"]) == (1, 0, 1)
    ecs_fake.advance(120)
    assert status(batch, second) == "RUNNABLE"  # one credit left, two needed


def test_submit_job_overrides_the_quantity(batch: Any, ecs_fake: EcsFake) -> None:
    batch.create_consumable_resource(consumableResourceName="licenses", totalQuantity=5)
    licensed(batch, quantity=1)
    job_id = submit(batch, "big", jobDefinition="licensed", consumableResourcePropertiesOverride={
        "consumableResourceList": [{"consumableResource": ARN + "licenses", "quantity": 4}]})
    assert job(batch, job_id)["consumableResourceProperties"] == {
        "consumableResourceList": [{"consumableResource": ARN + "licenses", "quantity": 4}]}
    ecs_fake.advance(SUBMITTED + SCHEDULING)
    assert batch.describe_consumable_resource(consumableResource="licenses")["availableQuantity"] == 1
    assert batch.list_jobs_by_consumable_resource(consumableResource="licenses")["jobs"][0]["quantity"] == 4


def test_a_failed_job_gives_the_resource_back_after_its_retries(batch: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("worker:1", runs_for=5, exit_code=1)
    batch.create_consumable_resource(consumableResourceName="licenses", totalQuantity=1)
    licensed(batch)
    job_id = submit(batch, "flaky", jobDefinition="licensed", retryStrategy={"attempts": 2})
    ecs_fake.advance(SUBMITTED + SCHEDULING + FARGATE_START + 5)
    assert status(batch, job_id) == "RUNNABLE"  # retrying: it keeps the license
    assert batch.describe_consumable_resource(consumableResource="licenses")["inUseQuantity"] == 1
    ecs_fake.advance(SCHEDULING + FARGATE_START + 5)
    assert status(batch, job_id) == "FAILED"
    assert batch.describe_consumable_resource(consumableResource="licenses")["inUseQuantity"] == 0


@pytest.fixture
def served(ecs_fake: EcsFake) -> Iterator[Any]:
    with ecs_fake.serve() as url:
        client = boto3.client("batch", endpoint_url=url, region_name="us-east-1", **KEYS)
        yield client
        client.close()


def test_over_the_server(served: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("worker:1", runs_for=10)
    ready(served, ecs_fake)
    served.create_consumable_resource(consumableResourceName="licenses", totalQuantity=1)
    licensed(served)
    job_id = submit(served, "served", jobDefinition="licensed")
    ecs_fake.advance(SUBMITTED + SCHEDULING)
    assert served.describe_consumable_resource(consumableResource="licenses")["inUseQuantity"] == 1
    pages = served.get_paginator("list_jobs_by_consumable_resource").paginate(consumableResource="licenses")
    assert [j["jobArn"].rsplit("/", 1)[1] for p in pages for j in p["jobs"]] == [job_id]
    ecs_fake.advance(FARGATE_START + 10)
    assert status(served, job_id) == "SUCCEEDED"
    assert served.describe_consumable_resource(consumableResource="licenses")["availableQuantity"] == 1
