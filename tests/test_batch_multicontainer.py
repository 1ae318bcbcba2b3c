"""Multi-container jobs: ecsProperties job definitions run as one ECS task with several containers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from batch_helpers import EXECUTION_ROLE, FARGATE_START, SCHEDULING, SUBMITTED, job, ready, status, submit
from botocore.exceptions import ClientError

from pytest_ecsfake import EcsFake

KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def resources(vcpus: str, memory: str) -> list[dict[str, str]]:
    return [{"type": "VCPU", "value": vcpus}, {"type": "MEMORY", "value": memory}]


def containers() -> list[dict[str, Any]]:
    return [
        {"name": "setup", "image": "setup:1", "essential": False, "command": ["prepare"],
         "resourceRequirements": resources("0.25", "512")},
        {"name": "main", "image": "app:1", "command": ["work", "Ref::day"],
         "dependsOn": [{"containerName": "setup", "condition": "SUCCESS"}],
         "resourceRequirements": resources("0.5", "1024")},
        {"name": "sidecar", "image": "side:1", "essential": False, "resourceRequirements": resources("0.25", "512")},
    ]


def multi(batch: Any, name: str = "multi", parts: list[dict[str, Any]] | None = None, **extra: Any) -> str:
    arn: str = batch.register_job_definition(
        jobDefinitionName=name, type="container", platformCapabilities=["FARGATE"],
        ecsProperties={"taskProperties": [{"containers": parts or containers(), "executionRoleArn": EXECUTION_ROLE}]},
        **extra)["jobDefinitionArn"]
    return arn


@pytest.fixture
def batch(ecs_fake: EcsFake) -> Any:
    client = boto3.client("batch", region_name="us-east-1")
    ready(client, ecs_fake)
    return client


@pytest.fixture
def ecs(ecs_fake: EcsFake) -> Any:
    return boto3.client("ecs", region_name="us-east-1")


def test_one_task_with_every_container_and_their_dependencies(batch: Any, ecs: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("setup:1", runs_for=10)
    ecs_fake.behavior("app:1", runs_for=30)
    multi(batch, parameters={"day": "monday"})
    described = batch.describe_job_definitions(jobDefinitionName="multi")["jobDefinitions"][0]
    assert [c["name"] for c in described["ecsProperties"]["taskProperties"][0]["containers"]] == [
        "setup", "main", "sidecar"]
    assert "containerProperties" not in described
    job_id = submit(batch, "pipeline", jobDefinition="multi")
    ecs_fake.advance(SUBMITTED + SCHEDULING)
    starting = job(batch, job_id)
    assert starting["status"] == "STARTING" and starting["container"] == {}
    task_arn = starting["ecsProperties"]["taskProperties"][0]["taskArn"]
    task = ecs.describe_tasks(cluster=task_arn.split("/")[1], tasks=[task_arn])["tasks"][0]
    assert (task["cpu"], task["memory"]) == ("1024", "2048")  # the sums of the containers'
    overrides = {o["name"]: o for o in task["overrides"]["containerOverrides"]}
    assert overrides["main"]["command"] == ["work", "monday"]
    assert {"name": "AWS_BATCH_JOB_ID", "value": job_id} in overrides["sidecar"]["environment"]
    ecs_fake.advance(FARGATE_START)
    running = job(batch, job_id)
    assert running["status"] == "RUNNING"
    shown = {c["name"]: c for c in running["ecsProperties"]["taskProperties"][0]["containers"]}
    task_id = task_arn.rsplit("/", 1)[1]
    assert shown["setup"]["logStreamName"] == f"multi/setup/{task_id}"
    assert "logStreamName" not in shown["main"]  # waits for setup to succeed
    ecs_fake.advance(10 + 30)
    assert status(batch, job_id) == "RUNNING"  # main exited: the sidecar is being stopped
    ecs_fake.advance(10)
    done = job(batch, job_id)
    assert (done["status"], done["statusReason"]) == ("SUCCEEDED", "Essential container in task exited")
    attempt = done["attempts"][0]["taskProperties"][0]
    assert attempt["taskArn"] == task_arn
    exits = {c["name"]: c.get("exitCode") for c in attempt["containers"]}
    assert exits == {"setup": 0, "main": 0, "sidecar": 143}  # the sidecar got SIGTERM when main exited
    assert {c["name"]: c["logStreamName"] for c in attempt["containers"]}["main"] == f"multi/main/{task_id}"


def test_an_essential_container_that_fails_fails_the_attempt(batch: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("setup:1", runs_for=5)
    ecs_fake.behavior("app:1", runs_for=20, exit_code=4)
    ecs_fake.behavior("side:1", runs_for=2, exit_code=1)  # not essential: its failure does not matter
    multi(batch, retryStrategy={"attempts": 2, "evaluateOnExit": [{"onExitCode": "4", "action": "RETRY"}]})
    job_id = submit(batch, "pipeline", jobDefinition="multi")
    ecs_fake.advance(SUBMITTED + SCHEDULING + FARGATE_START + 25)
    assert status(batch, job_id) == "RUNNABLE"  # retried on main's exit code 4
    ecs_fake.advance(SCHEDULING + FARGATE_START + 25)
    done = job(batch, job_id)
    assert done["status"] == "FAILED" and len(done["attempts"]) == 2
    assert batch.list_jobs(jobQueue="q", jobStatus="FAILED")["jobSummaryList"][0]["container"]["exitCode"] == 4


def test_ecs_properties_override(batch: Any, ecs: Any, ecs_fake: EcsFake) -> None:
    multi(batch, parameters={"day": "monday"})
    job_id = submit(batch, "custom", jobDefinition="multi", ecsPropertiesOverride={"taskProperties": [{"containers": [
        {"name": "main", "command": ["other"], "environment": [{"name": "MODE", "value": "fast"}],
         "resourceRequirements": [{"type": "VCPU", "value": "1.5"}, {"type": "MEMORY", "value": "3072"}]}]}]})
    ecs_fake.advance(SUBMITTED + SCHEDULING)
    detail = job(batch, job_id)
    main = {c["name"]: c for c in detail["ecsProperties"]["taskProperties"][0]["containers"]}["main"]
    assert main["command"] == ["other"] and {"name": "MODE", "value": "fast"} in main["environment"]
    task_arn = detail["ecsProperties"]["taskProperties"][0]["taskArn"]
    task = ecs.describe_tasks(cluster=task_arn.split("/")[1], tasks=[task_arn])["tasks"][0]
    assert (task["cpu"], task["memory"]) == ("2048", "4096")


@pytest.mark.parametrize(("parts", "words"), [
    ([{"name": "a", "image": "x", "essential": False, "resourceRequirements": resources("1", "2048")}],
     "at least one essential container"),
    ([{"name": "a", "image": "x", "resourceRequirements": resources("1", "2048")},
      {"name": "a", "image": "y", "resourceRequirements": resources("1", "2048")}], "unique names"),
    ([{"name": "a", "image": "x", "resourceRequirements": resources("1", "2048"),
       "dependsOn": [{"containerName": "b", "condition": "START"}]}], "not a container of the task"),
    ([{"name": "a", "image": "x", "resourceRequirements": resources("1", "3000")}], "not valid"),
])
def test_register_refusals(batch: Any, parts: list[dict[str, Any]], words: str) -> None:
    with pytest.raises(ClientError, match=words) as raised:
        multi(batch, "bad", parts)
    assert raised.value.response["Error"]["Code"] == "ClientException"


@pytest.fixture
def served(ecs_fake: EcsFake) -> Iterator[Any]:
    with ecs_fake.serve() as url:
        client = boto3.client("batch", endpoint_url=url, region_name="us-east-1", **KEYS)
        yield client
        client.close()


def test_over_the_server(served: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("setup:1", runs_for=5)
    ecs_fake.behavior("app:1", runs_for=5)
    ready(served, ecs_fake)
    multi(served, parameters={"day": "friday"})
    job_id = submit(served, "served", jobDefinition="multi")
    ecs_fake.advance(SUBMITTED + SCHEDULING + FARGATE_START + 20)
    done = job(served, job_id)
    assert done["status"] == "SUCCEEDED"
    assert [c["name"] for c in done["attempts"][0]["taskProperties"][0]["containers"]] == ["setup", "main", "sidecar"]
