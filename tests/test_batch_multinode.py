"""Multi-node parallel jobs: node ranges, node jobs <jobId>#<index>, the main node first, the job's outcome."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from batch_helpers import CE_CREATE, QUEUE_CREATE, SCHEDULING, SUBMITTED, environment, job, queue, submit
from botocore.exceptions import ClientError

from pytest_ecsfake import EcsFake

KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def container(image: str = "mpi:1", vcpus: int = 1, memory: int = 2048) -> dict[str, Any]:
    return {"image": image, "command": ["mpirun"], "vcpus": vcpus, "memory": memory}


def mnp(batch: Any, name: str = "mpi", num_nodes: int = 3, main: int = 0,
        ranges: list[dict[str, Any]] | None = None, **extra: Any) -> str:
    ranges = ranges if ranges is not None else [{"targetNodes": "0:", "container": container()}]
    arn: str = batch.register_job_definition(
        jobDefinitionName=name, type="multinode",
        nodeProperties={"numNodes": num_nodes, "mainNode": main, "nodeRangeProperties": ranges}, **extra,
    )["jobDefinitionArn"]
    return arn


def ec2_ready(batch: Any, fake: EcsFake, max_vcpus: int = 16) -> None:
    environment(batch, kind="EC2", max_vcpus=max_vcpus)
    fake.advance(CE_CREATE)
    queue(batch)
    fake.advance(QUEUE_CREATE)


@pytest.fixture
def batch(ecs_fake: EcsFake) -> Any:
    client = boto3.client("batch", region_name="us-east-1")
    ec2_ready(client, ecs_fake)
    return client


@pytest.fixture
def ecs(ecs_fake: EcsFake) -> Any:
    return boto3.client("ecs", region_name="us-east-1")


def task_environment(ecs: Any, detail: dict[str, Any]) -> dict[str, str]:
    arn = detail["container"]["taskArn"]
    task = ecs.describe_tasks(cluster=arn.split("/")[1], tasks=[arn])["tasks"][0]
    return {v["name"]: v["value"] for v in task["overrides"]["containerOverrides"][0]["environment"]}


def status(batch: Any, job_id: str) -> str | None:
    """The job's status; None while it does not exist (a node before its job is RUNNABLE)."""
    found = batch.describe_jobs(jobs=[job_id])["jobs"]
    return str(found[0]["status"]) if found else None


def until(fake: EcsFake, check: Any, limit: int = 300) -> int:
    """Advance one second at a time until ``check()``; the seconds it took."""
    for second in range(limit):
        if check():
            return second
        fake.advance(1)
    raise AssertionError("never happened")


def test_the_main_node_starts_first_then_the_children(batch: Any, ecs: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("mpi:1", runs_for=100)
    arn = mnp(batch)
    described = batch.describe_job_definitions(jobDefinitions=[arn])["jobDefinitions"][0]
    assert described["type"] == "multinode" and "containerProperties" not in described
    assert described["nodeProperties"]["nodeRangeProperties"][0]["container"]["image"] == "mpi:1"
    job_id = submit(batch, "train", jobDefinition="mpi")
    ecs_fake.advance(SUBMITTED)
    assert status(batch, job_id) == "RUNNABLE"
    nodes = [f"{job_id}#{i}" for i in range(3)]
    listed = batch.list_jobs(multiNodeJobId=job_id, jobStatus="RUNNABLE")["jobSummaryList"]
    assert [j["jobId"] for j in listed] == nodes
    assert listed[0]["nodeProperties"] == {"isMainNode": True, "numNodes": 3, "nodeIndex": 0}
    ecs_fake.advance(SCHEDULING)
    parent = job(batch, job_id)
    assert parent["status"] == "STARTING" and "container" not in parent
    assert parent["nodeProperties"]["numNodes"] == 3
    assert [status(batch, n) for n in nodes] == ["STARTING", "RUNNABLE", "RUNNABLE"]
    until(ecs_fake, lambda: status(batch, nodes[0]) == "RUNNING")
    assert status(batch, job_id) == "RUNNING"
    assert [status(batch, n) for n in nodes[1:]] == ["STARTING", "STARTING"]
    until(ecs_fake, lambda: status(batch, nodes[2]) == "RUNNING")
    main, child = job(batch, nodes[0]), job(batch, nodes[1])
    assert main["nodeDetails"] == {"nodeIndex": 0, "isMainNode": True}
    assert child["nodeDetails"] == {"nodeIndex": 1, "isMainNode": False}
    main_env, child_env = task_environment(ecs, main), task_environment(ecs, child)
    assert (main_env["AWS_BATCH_JOB_NODE_INDEX"], main_env["AWS_BATCH_JOB_MAIN_NODE_INDEX"],
            main_env["AWS_BATCH_JOB_NUM_NODES"], main_env["AWS_BATCH_JOB_ID"]) == ("0", "0", "3", nodes[0])
    assert "AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS" not in main_env
    assert child_env["AWS_BATCH_JOB_NODE_INDEX"] == "1"
    assert child_env["AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS"].startswith("10.0.")
    assert child_env["AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS"] == task_environment(ecs, job(batch, nodes[2]))[
        "AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS"]
    # The job's queue lists the job, not its nodes.
    assert [j["jobId"] for j in batch.list_jobs(jobQueue="q")["jobSummaryList"]] == [job_id]
    ecs_fake.advance(120)
    done = job(batch, job_id)
    assert (done["status"], done["statusReason"]) == ("SUCCEEDED", "Essential container in task exited")
    assert done["attempts"][0]["container"]["taskArn"] == main["container"]["taskArn"]


def test_the_job_ends_with_its_main_node_and_the_children_are_stopped(batch: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("mpi:1", runs_for=1000)
    ecs_fake.behavior("train#1", runs_for=20, exit_code=3)  # one node, by "<jobName>#<index>"
    mnp(batch, main=2, ranges=[{"targetNodes": "0:1", "container": container()},
                               {"targetNodes": "2", "container": container("coordinator:1")}])
    ecs_fake.behavior("coordinator:1", runs_for=60)
    job_id = submit(batch, "train", jobDefinition="mpi")
    ecs_fake.advance(SUBMITTED + SCHEDULING)
    assert [status(batch, f"{job_id}#{i}") for i in range(3)] == ["RUNNABLE", "RUNNABLE", "STARTING"]
    until(ecs_fake, lambda: status(batch, f"{job_id}#1") == "FAILED")
    assert job(batch, f"{job_id}#1")["container"]["exitCode"] == 3
    assert status(batch, job_id) == "RUNNING"  # a child node's end is not the job's
    until(ecs_fake, lambda: status(batch, job_id) == "SUCCEEDED")
    ecs_fake.advance(60)
    child = job(batch, f"{job_id}#0")
    assert child["status"] == "FAILED"  # stopped when the main node ended
    assert child["attempts"][-1]["statusReason"] == "The main node of the multi-node parallel job ended"


def test_a_failed_main_node_retries_the_whole_job(batch: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("mpi:1", runs_for=30, exit_code=1)
    mnp(batch, num_nodes=2, retryStrategy={"attempts": 2})
    job_id = submit(batch, "train", jobDefinition="mpi")
    until(ecs_fake, lambda: status(batch, job_id) == "RUNNABLE" and len(job(batch, job_id)["attempts"]) == 1)
    until(ecs_fake, lambda: status(batch, job_id) == "RUNNING")
    assert len(job(batch, f"{job_id}#0")["attempts"]) == 1
    until(ecs_fake, lambda: status(batch, job_id) == "FAILED")
    done = job(batch, job_id)
    assert len(done["attempts"]) == 2
    assert done["statusReason"] == "Essential container in task exited"
    assert len(job(batch, f"{job_id}#0")["attempts"]) == 2


def test_node_overrides_and_the_timeout_of_the_whole_job(batch: Any, ecs: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("mpi:1", runs_for=1000)
    mnp(batch, num_nodes=2, ranges=[{"targetNodes": "0:", "container": container()}])
    job_id = submit(batch, "big", jobDefinition="mpi", timeout={"attemptDurationSeconds": 60}, nodeOverrides={
        "numNodes": 4,
        "nodePropertyOverrides": [{"targetNodes": "1:", "containerOverrides": {
            "command": ["worker"], "environment": [{"name": "ROLE", "value": "worker"}]}}]})
    assert job(batch, job_id)["nodeProperties"]["numNodes"] == 4
    until(ecs_fake, lambda: status(batch, f"{job_id}#3") == "RUNNING")
    worker = job(batch, f"{job_id}#3")
    assert worker["container"]["command"] == ["worker"]
    assert task_environment(ecs, worker)["ROLE"] == "worker"
    assert job(batch, f"{job_id}#0")["container"]["command"] == ["mpirun"]
    until(ecs_fake, lambda: status(batch, job_id) == "FAILED", limit=200)
    assert job(batch, job_id)["statusReason"] == "Job attempt duration exceeded timeout"


def test_terminate_stops_every_node(batch: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("mpi:1", runs_for=1000)
    mnp(batch, num_nodes=2)
    job_id = submit(batch, "train", jobDefinition="mpi")
    until(ecs_fake, lambda: status(batch, f"{job_id}#1") == "RUNNING")
    batch.terminate_job(jobId=job_id, reason="enough")
    until(ecs_fake, lambda: status(batch, job_id) == "FAILED")
    assert job(batch, job_id)["statusReason"] == "enough"
    until(ecs_fake, lambda: status(batch, f"{job_id}#1") == "FAILED")


def test_the_job_waits_until_every_node_fits(batch: Any, ecs_fake: EcsFake) -> None:
    mnp(batch, num_nodes=3, ranges=[{"targetNodes": ":", "container": container(vcpus=8, memory=1024)}])
    job_id = submit(batch, "wide", jobDefinition="mpi")
    ecs_fake.advance(SUBMITTED + SCHEDULING + 30)
    detail = job(batch, job_id)
    assert detail["status"] == "RUNNABLE"  # 24 vCPUs on a 16-vCPU environment
    assert detail["statusReason"].startswith("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE")


@pytest.mark.parametrize(("node_properties", "capabilities", "words"), [
    ({"numNodes": 2, "mainNode": 2, "nodeRangeProperties": [{"targetNodes": "0:", "container": container()}]},
     ["EC2"], "mainNode must be fewer than numNodes"),
    ({"numNodes": 3, "mainNode": 0, "nodeRangeProperties": [{"targetNodes": "0:1", "container": container()}]},
     ["EC2"], "don't account for node 2"),
    ({"numNodes": 2, "mainNode": 0, "nodeRangeProperties": [{"targetNodes": "0:", "container": container()}]},
     ["FARGATE"], "aren't supported on Fargate"),
    ({"numNodes": 2, "mainNode": 0, "nodeRangeProperties": [{"targetNodes": "x", "container": container()}]},
     ["EC2"], "not a node range"),
])
def test_register_refusals(batch: Any, node_properties: dict[str, Any], capabilities: list[str], words: str) -> None:
    with pytest.raises(ClientError, match=words) as raised:
        batch.register_job_definition(jobDefinitionName="bad", type="multinode", nodeProperties=node_properties,
                                      platformCapabilities=capabilities)
    assert raised.value.response["Error"]["Code"] == "ClientException"


def test_num_nodes_override_needs_an_open_range(batch: Any) -> None:
    mnp(batch, num_nodes=2, ranges=[{"targetNodes": "0:1", "container": container()}])
    with pytest.raises(ClientError, match="open upper boundary"):
        submit(batch, "x", jobDefinition="mpi", nodeOverrides={"numNodes": 4})


@pytest.fixture
def served(ecs_fake: EcsFake) -> Iterator[Any]:
    with ecs_fake.serve() as url:
        client = boto3.client("batch", endpoint_url=url, region_name="us-east-1", **KEYS)
        yield client
        client.close()


def test_over_the_server(served: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("mpi:1", runs_for=30)
    ec2_ready(served, ecs_fake)
    mnp(served, num_nodes=2)
    job_id = submit(served, "served", jobDefinition="mpi")
    until(ecs_fake, lambda: status(served, f"{job_id}#1") == "RUNNING")
    pages = served.get_paginator("list_jobs").paginate(multiNodeJobId=job_id, jobStatus="RUNNING")
    assert [j["jobId"] for p in pages for j in p["jobSummaryList"]] == [f"{job_id}#0", f"{job_id}#1"]
    until(ecs_fake, lambda: status(served, job_id) == "SUCCEEDED")
