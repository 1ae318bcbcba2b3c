"""RUNNABLE → STARTING: capacity (maxvCpus, instances), queue priority, submission order, environment order."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from batch_helpers import (
    CE_CREATE,
    FARGATE_START,
    QUEUE_CREATE,
    SCHEDULING,
    SUBMITTED,
    definition,
    environment,
    job,
    queue,
    ready,
    status,
    submit,
)

PLACED = SUBMITTED + SCHEDULING


@pytest.fixture
def batch(ecs_fake: Any) -> Any:
    return boto3.client("batch", region_name="us-east-1")


def test_jobs_wait_runnable_while_the_environment_lacks_vcpus(batch: Any, ecs_fake: Any) -> None:
    ready(batch, ecs_fake, max_vcpus=4)
    definition(batch, "two", vcpus="2", memory="4096")
    ecs_fake.behavior("worker:1", runs_for=60)
    jobs = [submit(batch, f"j{i}", jobDefinition="two") for i in range(3)]
    ecs_fake.advance(PLACED)
    assert [status(batch, j) for j in jobs] == ["STARTING", "STARTING", "RUNNABLE"]
    assert "statusReason" not in job(batch, jobs[2])  # only waiting for its turn
    ecs_fake.advance(FARGATE_START + 60)
    assert [status(batch, j) for j in jobs] == ["SUCCEEDED", "SUCCEEDED", "RUNNABLE"]
    # The vCPUs come back when the ECS task is STOPPED (deactivating 2 + cleanup 1 + deprovisioning 5).
    ecs_fake.advance(8)
    assert status(batch, jobs[2]) == "STARTING"


def test_higher_priority_queues_and_earlier_submissions_start_first(batch: Any, ecs_fake: Any) -> None:
    environment(batch, max_vcpus=1)
    ecs_fake.advance(CE_CREATE)
    queue(batch, "low", priority=1)
    queue(batch, "high", priority=10)
    ecs_fake.advance(QUEUE_CREATE)
    definition(batch)
    ecs_fake.behavior("worker:1", runs_for=30)
    low = submit(batch, "low", jobQueue="low")
    high_first = submit(batch, "high1", jobQueue="high")
    high_second = submit(batch, "high2", jobQueue="high")
    order: list[str] = []
    for _ in range(400):
        ecs_fake.advance(1)
        for job_id in (low, high_first, high_second):
            if job_id not in order and status(batch, job_id) == "STARTING":
                order.append(job_id)
    assert order == [high_first, high_second, low]


def test_the_next_environment_of_the_queue_takes_what_the_first_cannot(batch: Any, ecs: Any, ecs_fake: Any) -> None:
    environment(batch, "small", max_vcpus=1)
    environment(batch, "spot", kind="FARGATE_SPOT", max_vcpus=4)
    ecs_fake.advance(CE_CREATE)
    queue(batch, environments=("small", "spot"))
    ecs_fake.advance(QUEUE_CREATE)
    definition(batch)
    first, second = submit(batch, "a"), submit(batch, "b")
    ecs_fake.advance(PLACED)
    arns = [job(batch, j)["container"]["taskArn"] for j in (first, second)]
    assert [a.split("/")[1].split("_Batch_")[0] for a in arns] == ["small", "spot"]
    task = ecs.describe_tasks(cluster=arns[1].split("/")[1], tasks=[arns[1]])["tasks"][0]
    assert task["capacityProviderName"] == "FARGATE_SPOT"


def test_a_job_bigger_than_every_environment_says_why_and_blocks_its_queue(batch: Any, ecs_fake: Any) -> None:
    ready(batch, ecs_fake, max_vcpus=2)
    definition(batch, "huge", vcpus="4", memory="8192")
    big = submit(batch, "big", jobDefinition="huge")
    small = submit(batch, "small")
    ecs_fake.advance(PLACED + 60)
    assert job(batch, big)["statusReason"].startswith("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE")
    assert (status(batch, big), status(batch, small)) == ("RUNNABLE", "RUNNABLE")  # FIFO: the head waits
    batch.update_compute_environment(computeEnvironment="ce", computeResources={"maxvCpus": 8})
    assert (status(batch, big), status(batch, small)) == ("STARTING", "STARTING")
    assert "statusReason" not in job(batch, big)


def test_job_state_time_limit_actions_cancel_a_stuck_head_of_queue(batch: Any, ecs_fake: Any) -> None:
    environment(batch, max_vcpus=2)
    ecs_fake.advance(CE_CREATE)
    reason = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
    action = {"reason": reason, "state": "RUNNABLE", "maxTimeSeconds": 600, "action": "CANCEL"}
    queue(batch, jobStateTimeLimitActions=[action])
    with pytest.raises(batch.exceptions.ClientException, match="from 600 to 86400"):
        queue(batch, "bad", jobStateTimeLimitActions=[{**action, "maxTimeSeconds": 60}])
    ecs_fake.advance(QUEUE_CREATE)
    definition(batch, "huge", vcpus="4", memory="8192")
    definition(batch)
    stuck = submit(batch, "stuck", jobDefinition="huge")
    behind = submit(batch, "behind")
    ecs_fake.advance(PLACED)
    assert job(batch, stuck)["statusReason"].startswith(reason + " - ")
    ecs_fake.advance(599)
    assert status(batch, stuck) == "RUNNABLE"
    ecs_fake.advance(1)
    done = job(batch, stuck)
    assert (done["status"], done["statusReason"], done["isCancelled"]) == ("FAILED", reason, True)
    assert status(batch, behind) == "STARTING"


def test_disabled_environments_and_creating_queues_hold_jobs(batch: Any, ecs_fake: Any) -> None:
    environment(batch)
    ecs_fake.advance(CE_CREATE)
    queue(batch)
    definition(batch)
    early = submit(batch, "early")  # accepted while the queue is CREATING
    ecs_fake.advance(PLACED)
    assert status(batch, early) == "STARTING"  # the queue became VALID after 5 s
    batch.update_compute_environment(computeEnvironment="ce", state="DISABLED")
    held = submit(batch, "held")
    ecs_fake.advance(60)
    assert (status(batch, early), status(batch, held)) == ("RUNNING", "RUNNABLE")  # running jobs go on
    batch.update_compute_environment(computeEnvironment="ce", state="ENABLED")
    assert status(batch, held) == "STARTING"


def test_ec2_jobs_run_on_the_environments_container_instance(batch: Any, ecs: Any, ecs_fake: Any) -> None:
    ready(batch, ecs_fake, kind="EC2", max_vcpus=4)
    definition(batch, "big-memory", fargate=False, vcpus="1", memory=str(4 * 8192 + 1))
    job_id = submit(batch)
    too_big = submit(batch, "too-big", jobDefinition="big-memory")
    ecs_fake.advance(PLACED)
    detail = job(batch, job_id)
    instance = detail["container"]["containerInstanceArn"]
    task_arn = detail["container"]["taskArn"]
    cluster = task_arn.split("/")[1]
    task = ecs.describe_tasks(cluster=cluster, tasks=[task_arn])["tasks"][0]
    assert (task["launchType"], task["containerInstanceArn"], task["lastStatus"]) == ("EC2", instance, "PENDING")
    ecs_fake.advance(6)  # EC2 bridge tasks: pull_start 1 + pull 3 + activating 2
    assert status(batch, job_id) == "RUNNING"
    described = ecs.describe_container_instances(cluster=cluster, containerInstances=[instance])["containerInstances"]
    remaining = {r["name"]: r.get("integerValue") for r in described[0]["remainingResources"]}
    assert (remaining["CPU"], remaining["MEMORY"]) == (3 * 1024, 4 * 8192 - 2048)
    assert job(batch, too_big)["statusReason"].startswith("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT")


def test_ec2_jobs_take_the_deprecated_vcpus_and_memory_and_their_overrides(batch: Any, ecs: Any,
                                                                          ecs_fake: Any) -> None:
    ready(batch, ecs_fake, kind="EC2", max_vcpus=4)
    batch.register_job_definition(jobDefinitionName="legacy", type="container",
                                  containerProperties={"image": "worker:1", "vcpus": 1, "memory": 256})
    job_id = submit(batch, jobDefinition="legacy", containerOverrides={"vcpus": 3, "memory": 512})
    ecs_fake.advance(PLACED)
    detail = job(batch, job_id)
    assert (detail["container"]["vcpus"], detail["container"]["memory"]) == (3, 512)
    task_arn = detail["container"]["taskArn"]
    container = ecs.describe_tasks(cluster=task_arn.split("/")[1], tasks=[task_arn])["tasks"][0]["containers"][0]
    assert (container["cpu"], container["memory"]) == ("3072", "512")
    with pytest.raises(batch.exceptions.ClientException, match="at least 1 vCPU"):
        submit(batch, jobDefinition="legacy", containerOverrides={"vcpus": 0})


def test_unmanaged_environments_run_jobs_on_the_instances_you_register(batch: Any, ecs_fake: Any) -> None:
    batch.create_compute_environment(computeEnvironmentName="ce", type="UNMANAGED")
    ecs_fake.advance(CE_CREATE)
    queue(batch)
    ecs_fake.advance(QUEUE_CREATE)
    definition(batch, fargate=False, vcpus="2", memory="2048")
    first, second = submit(batch, "a"), submit(batch, "b")
    ecs_fake.advance(PLACED + 60)
    assert (status(batch, first), status(batch, second)) == ("RUNNABLE", "RUNNABLE")
    cluster = batch.describe_compute_environments()["computeEnvironments"][0]["ecsClusterArn"].split("/")[1]
    ecs_fake.add_container_instance(cluster, cpu=2048, memory=4096)
    ecs_fake.advance(SCHEDULING)  # the scheduler's next cycle sees the instance
    assert (status(batch, first), status(batch, second)) == ("STARTING", "RUNNABLE")  # 2 vCPUs: one job at a time
