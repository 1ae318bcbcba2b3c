"""A whole pipeline through real boto3 clients: A, then B after A, then an array after B, a long job that is
terminated, and one array child terminated; the clock is stepped and every final state and timestamp checked."""

from __future__ import annotations

import time
from typing import Any

import boto3
from batch_helpers import CE_CREATE, QUEUE_CREATE, definition, environment, ms, queue


def test_pipeline(ecs_fake: Any) -> None:
    batch = boto3.client("batch", region_name="us-east-1")
    ecs = boto3.client("ecs", region_name="us-east-1")
    environment(batch, max_vcpus=8)
    time.sleep(CE_CREATE)  # the frozen clock: sleeping moves fake time, at once
    queue(batch)
    time.sleep(QUEUE_CREATE)
    for name in ("extract", "transform", "render", "report"):
        definition(batch, name, image=f"{name}:1")
    ecs_fake.behavior("extract:1", runs_for=60)
    ecs_fake.behavior("transform:1", runs_for=30)
    ecs_fake.behavior("render:1", runs_for=20)
    ecs_fake.behavior("report:1")  # runs until stopped

    t0 = ms(ecs_fake)
    a = batch.submit_job(jobName="A", jobQueue="q", jobDefinition="extract")["jobId"]
    b = batch.submit_job(jobName="B", jobQueue="q", jobDefinition="transform", dependsOn=[{"jobId": a}])["jobId"]
    c = batch.submit_job(jobName="C", jobQueue="q", jobDefinition="render", arrayProperties={"size": 3},
                         dependsOn=[{"jobId": b}])["jobId"]
    d = batch.submit_job(jobName="D", jobQueue="q", jobDefinition="report")["jobId"]

    def seconds(stamp: int) -> float:
        return (stamp - t0) / 1000

    for _ in range(10):
        ecs_fake.advance(10)  # step the clock: t0 + 100 s
    batch.terminate_job(jobId=d, reason="report no longer needed")
    for _ in range(7):
        ecs_fake.advance(10)  # t0 + 170 s: C's children are RUNNING (since t0 + 161 s)
    batch.terminate_job(jobId=f"{c}:1", reason="bad shard")
    ecs_fake.advance(600)

    jobs = {j["jobName"] if "arrayProperties" not in j or "size" in j["arrayProperties"] else
            f"C:{j['arrayProperties']['index']}": j
            for j in batch.describe_jobs(jobs=[a, b, c, d] + [f"{c}:{i}" for i in range(3)])["jobs"]}
    final = {name: (j["status"], j.get("statusReason")) for name, j in jobs.items()}
    assert final == {
        "A": ("SUCCEEDED", "Essential container in task exited"),
        "B": ("SUCCEEDED", "Essential container in task exited"),
        "C": ("FAILED", "Array Child Job failed"),
        "C:0": ("SUCCEEDED", "Essential container in task exited"),
        "C:1": ("FAILED", "bad shard"),
        "C:2": ("SUCCEEDED", "Essential container in task exited"),
        "D": ("FAILED", "report no longer needed"),
    }
    # SUBMITTED 2 s, RUNNABLE 5 s, STARTING 18 s (the Fargate task's launch), then the container's run.
    times = {name: (seconds(j["createdAt"]), j.get("startedAt") and seconds(j["startedAt"]),
                    seconds(j["stoppedAt"])) for name, j in jobs.items()}
    assert times == {
        "A": (0, 25, 85),
        "B": (0, 108, 138),  # RUNNABLE when A ended (85), placed 5 s later
        "C": (0, None, 181),  # the parent never runs; it ends with its last child
        "C:0": (2, 161, 181),  # children are created when the parent leaves SUBMITTED
        "C:1": (2, 161, 173),  # SIGTERM 2 s after TerminateJob (DEACTIVATING), reported 1 s after the exit
        "C:2": (2, 161, 181),
        "D": (0, 25, 103),
    }
    assert jobs["D"]["isTerminated"] and jobs["C:1"]["isTerminated"] and not jobs["A"]["isTerminated"]
    assert jobs["C"]["arrayProperties"]["statusSummary"] == {
        "SUBMITTED": 0, "PENDING": 0, "RUNNABLE": 0, "STARTING": 0, "RUNNING": 0, "SUCCEEDED": 2, "FAILED": 1}
    assert [len(j["attempts"]) for j in jobs.values()] == [1, 1, 0, 1, 1, 1, 1]
    # Every attempt was an ECS task of the environment's cluster, now STOPPED.
    cluster = batch.describe_compute_environments()["computeEnvironments"][0]["ecsClusterArn"]
    task_arns = [j["container"]["taskArn"] for name, j in jobs.items() if name != "C"]
    tasks = ecs.describe_tasks(cluster=cluster, tasks=task_arns)["tasks"]
    assert [t["lastStatus"] for t in tasks] == ["STOPPED"] * 6
    assert sorted(s["jobName"] for s in batch.list_jobs(jobQueue="q", jobStatus="SUCCEEDED")["jobSummaryList"]) == [
        "A", "B"]
