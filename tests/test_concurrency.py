"""One fake shared by many threads: nothing raised, lost or duplicated; task versions only grow."""

from __future__ import annotations

import threading
from collections import Counter

import boto3
import pytest
from batch_helpers import ready
from ecs_helpers import SUBNETS, fargate_definition

from pytest_ecsfake import EcsFake

THREADS = 8
CALLS = 500


@pytest.fixture
def shared(ecs_fake: EcsFake) -> EcsFake:
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs)
    ready(boto3.client("batch", region_name="us-east-1"), ecs_fake, max_vcpus=64)  # queue "q", definition "work"
    return ecs_fake


def worker(fake: EcsFake, seed: int, launched: list[str], jobs: list[str], versions: dict[str, list[int]],
           errors: list[BaseException]) -> None:
    session = boto3.session.Session()  # sessions are not thread-safe: one per thread, as botocore advises
    ecs = session.client("ecs", region_name="us-east-1")
    batch = session.client("batch", region_name="us-east-1")
    mine: list[str] = []
    try:
        for i in range(CALLS):
            step = (seed + i) % 6
            if step == 0:
                answer = ecs.run_task(cluster="c", taskDefinition="job", launchType="FARGATE",
                                      networkConfiguration=SUBNETS)
                mine += [t["taskArn"] for t in answer["tasks"]]
            elif step == 1 and mine:
                for task in ecs.describe_tasks(cluster="c", tasks=mine[-5:])["tasks"]:
                    versions.setdefault(task["taskArn"], []).append(task["version"])
            elif step == 2:
                ecs.list_tasks(cluster="c", maxResults=10)
            elif step == 3 and mine:
                ecs.stop_task(cluster="c", task=mine[i % len(mine)])
            elif step == 4:
                jobs.append(batch.submit_job(jobName=f"j{seed}-{i}", jobQueue="q", jobDefinition="work")["jobId"])
            else:
                fake.advance(1)
    except BaseException as error:  # collected and asserted on by the test
        errors.append(error)
    launched.extend(mine)


def test_eight_threads_of_mixed_calls(shared: EcsFake) -> None:
    launched: list[str] = []
    jobs: list[str] = []
    versions: dict[str, list[int]] = {}
    errors: list[BaseException] = []
    threads = [threading.Thread(target=worker, args=(shared, n, launched, jobs, versions, errors))
               for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert not any(thread.is_alive() for thread in threads)
    ecs = boto3.client("ecs", region_name="us-east-1")
    # Every ARN RunTask returned is described exactly once, and nothing else exists.
    described: Counter[str] = Counter()
    for start in range(0, len(launched), 100):
        chunk = launched[start : start + 100]
        described.update(t["taskArn"] for t in ecs.describe_tasks(cluster="c", tasks=chunk)["tasks"])
    assert len(launched) == len(set(launched)) == len(described) and set(described) == set(launched)
    listed = [a for status in ("RUNNING", "STOPPED") for page in ecs.get_paginator("list_tasks").paginate(
        cluster="c", desiredStatus=status) for a in page["taskArns"]]
    assert sorted(listed) == sorted(launched)
    # Versions seen by any thread never go backwards for a task.
    assert all(seen == sorted(seen) for seen in versions.values())
    batch = boto3.client("batch", region_name="us-east-1")
    found = [j["jobId"] for start in range(0, len(jobs), 100)
             for j in batch.describe_jobs(jobs=jobs[start:start + 100])["jobs"]]
    assert sorted(found) == sorted(jobs) and len(set(jobs)) == len(jobs)
    assert len(shared.calls) >= THREADS * CALLS * 0.8
