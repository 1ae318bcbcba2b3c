"""A task's life on the fake clock: states in order, timestamps at their transitions, version, visibility."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from ecs_helpers import TIMESTAMPS, describe, fargate_definition, run_fargate

from pytest_ecsfake import EcsFake


@pytest.fixture
def cluster(ecs: Any) -> Any:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs)
    return ecs


def walk(ecs: Any, fake: EcsFake, arn: str, seconds: int) -> list[tuple[int, dict[str, Any]]]:
    """Describe the task every second; keep each describe where lastStatus changed."""
    changes: list[tuple[int, dict[str, Any]]] = []
    for second in range(seconds):
        task = describe(ecs, arn)
        if not changes or changes[-1][1]["lastStatus"] != task["lastStatus"]:
            changes.append((second, task))
        fake.advance(1)
    return changes


def test_fargate_task_walks_all_eight_states_with_timestamps(cluster: Any, ecs_fake: EcsFake) -> None:
    ecs = cluster
    ecs_fake.behavior("worker:1", stop_takes=3)
    created = run_fargate(ecs)
    assert (created["lastStatus"], created["desiredStatus"], created["version"]) == ("PROVISIONING", "RUNNING", 1)
    assert not set(TIMESTAMPS) & set(created)  # nothing has happened yet
    start = created["createdAt"]
    assert start == ecs_fake.now
    changes = walk(ecs, ecs_fake, created["taskArn"], 30)
    ecs.stop_task(cluster="c", task=created["taskArn"])
    changes += walk(ecs, ecs_fake, created["taskArn"], 30)
    assert [t["lastStatus"] for _, t in changes] == [
        "PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"
    ]
    final = changes[-1][1]
    offsets = {key: (final[key] - start).total_seconds() for key in TIMESTAMPS}
    # Documented Fargate order: createdAt < connectivityAt < pullStartedAt < pullStoppedAt < startedAt.
    assert offsets == {
        "connectivityAt": 5, "pullStartedAt": 6, "pullStoppedAt": 16, "startedAt": 18,
        "stoppingAt": 30, "executionStoppedAt": 35, "stoppedAt": 41,
    }
    assert final["desiredStatus"] == "STOPPED" and final["connectivity"] == "DISCONNECTED"
    assert final["containers"][0]["exitCode"] == 143  # no SIGTERM handler: it dies of the signal


def test_launch_states_and_timestamps_appear_in_order(cluster: Any, ecs_fake: EcsFake) -> None:
    ecs = cluster
    arn = run_fargate(ecs)["taskArn"]
    changes = walk(ecs, ecs_fake, arn, 25)
    assert [(s, t["lastStatus"]) for s, t in changes] == [
        (0, "PROVISIONING"), (5, "PENDING"), (6, "ACTIVATING"), (18, "RUNNING")
    ]
    # Images are pulled during ACTIVATING [DG:task-lifecycle]: from its first instant to 2 s before RUNNING.
    activating, running = changes[2][1], changes[3][1]
    assert activating["pullStartedAt"] == activating["createdAt"] + timedelta(seconds=6)
    assert "pullStoppedAt" not in activating
    assert running["pullStoppedAt"] == running["createdAt"] + timedelta(seconds=16)
    # A timestamp appears at its transition and never before.
    for _, task in changes:
        present = [k for k in TIMESTAMPS if k in task]
        assert present == list(TIMESTAMPS[: len(present)])
    assert "startedAt" not in changes[2][1] and "startedAt" in changes[3][1]
    assert changes[1][1]["connectivity"] == "CONNECTED"


def test_version_grows_with_every_change(cluster: Any, ecs_fake: EcsFake) -> None:
    ecs = cluster
    arn = run_fargate(ecs)["taskArn"]
    versions = []
    for _ in range(30):
        versions.append(describe(ecs, arn)["version"])
        ecs_fake.advance(1)
    ecs.stop_task(cluster="c", task=arn)
    for _ in range(15):
        versions.append(describe(ecs, arn)["version"])
        ecs_fake.advance(1)
    assert versions == sorted(versions)
    assert len(set(versions)) >= 8  # one per state at least


def test_fargate_running_within_a_minute_by_default(cluster: Any, ecs_fake: EcsFake) -> None:
    arn = run_fargate(cluster)["taskArn"]
    ecs_fake.advance(60)
    assert describe(cluster, arn)["lastStatus"] == "RUNNING"


def test_timings_are_overridable_per_fake(ecs_fake: EcsFake) -> None:
    import boto3

    with EcsFake(timings={"provisioning": 1, "pull": 0, "activating": 0, "pull_start": 0}) as fast:
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName="c")
        fargate_definition(ecs)
        arn = run_fargate(ecs)["taskArn"]
        fast.advance(1)
        task = describe(ecs, arn)
        assert task["lastStatus"] == "RUNNING"
        assert task["startedAt"] - task["createdAt"] == timedelta(seconds=1)


def test_an_advance_past_many_transitions_stamps_each_at_its_own_time(cluster: Any, ecs_fake: EcsFake) -> None:
    created = run_fargate(cluster)
    ecs_fake.advance(3600 * 5)
    task = describe(cluster, created["taskArn"])
    assert task["lastStatus"] == "RUNNING"
    assert task["startedAt"] - created["createdAt"] == timedelta(seconds=18)


def test_stopped_task_visible_for_an_hour_then_missing(cluster: Any, ecs_fake: EcsFake) -> None:
    arn = run_fargate(cluster)["taskArn"]
    ecs_fake.advance(30)
    cluster.stop_task(cluster="c", task=arn)
    ecs_fake.advance(60)
    stopped_at = describe(cluster, arn)["stoppedAt"]
    ecs_fake.advance(3600 - (ecs_fake.now - stopped_at).total_seconds() - 1)
    assert describe(cluster, arn)["lastStatus"] == "STOPPED"
    ecs_fake.advance(2)
    answer = cluster.describe_tasks(cluster="c", tasks=[arn])
    assert answer["tasks"] == [] and answer["failures"] == [{"arn": arn, "reason": "MISSING"}]
    assert cluster.list_tasks(cluster="c", desiredStatus="STOPPED")["taskArns"] == []


def test_cluster_counts_follow_task_states(cluster: Any, ecs_fake: EcsFake) -> None:
    def counts() -> tuple[int, int]:
        c = cluster.describe_clusters(clusters=["c"])["clusters"][0]
        return c["pendingTasksCount"], c["runningTasksCount"]

    arns = [run_fargate(cluster)["taskArn"] for _ in range(3)]
    assert counts() == (3, 0)
    ecs_fake.advance(20)
    assert counts() == (0, 3)
    cluster.stop_task(cluster="c", task=arns[0])
    ecs_fake.advance(60)
    assert counts() == (0, 2)
    with pytest.raises(cluster.exceptions.ClusterContainsTasksException):
        cluster.delete_cluster(cluster="c")


@pytest.mark.parametrize(("stop_after", "expected"), [
    # Stopped while its images are pulled (ACTIVATING, no container created yet): nothing to signal.
    (10, ["ACTIVATING", "DEPROVISIONING", "STOPPED"]),
    # Stopped after the pull, containers created: they get SIGTERM like a running task's.
    (17, ["DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"]),
])
def test_a_task_stopped_while_activating(cluster: Any, ecs_fake: EcsFake, stop_after: int,
                                         expected: list[str]) -> None:
    ecs = cluster
    arn = run_fargate(ecs)["taskArn"]
    ecs_fake.advance(stop_after)
    ecs.stop_task(cluster="c", task=arn)
    seen = [describe(ecs, arn)["lastStatus"]]
    for _ in range(30):
        ecs_fake.advance(1)
        status = describe(ecs, arn)["lastStatus"]
        if status != seen[-1]:
            seen.append(status)
    assert seen == expected
    final = describe(ecs, arn)
    assert "startedAt" not in final and "exitCode" not in final["containers"][0]
    assert final["containers"][0]["lastStatus"] == "STOPPED"
