"""Tests of examples/janitor.py: time-based clean-up, tested by stepping the fake clock."""

from __future__ import annotations

from datetime import timedelta

import boto3
import pytest
from janitor import launch_reports, reap_stuck_tasks

LIMITS = {"max_pending": timedelta(minutes=10), "max_running": timedelta(hours=2)}


@pytest.fixture
def ecs(ecs_fake):
    client = boto3.client("ecs", region_name="us-east-1")
    client.create_cluster(clusterName="workers")
    client.register_task_definition(
        family="report", requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256", memory="512",
        containerDefinitions=[{"name": "report", "image": "reports:3"}],
    )
    return client


def test_nothing_to_reap_while_tasks_are_young(ecs, ecs_fake):
    launch_reports("workers", 5, ecs=ecs)
    ecs_fake.advance(timedelta(minutes=30))
    assert reap_stuck_tasks("workers", "report", ecs=ecs, **LIMITS) == {}
    ecs_fake.assert_not_called("StopTask")


def test_long_running_tasks_are_stopped_and_their_containers_killed(ecs, ecs_fake):
    ecs_fake.behavior("reports:3", ignores_sigterm=True)           # a report that hangs and ignores SIGTERM
    arns = launch_reports("workers", 3, ecs=ecs)
    ecs_fake.advance(timedelta(hours=2, minutes=1))
    stopped = reap_stuck_tasks("workers", "report", ecs=ecs, **LIMITS)
    assert set(stopped) == set(arns)
    ecs.get_waiter("tasks_stopped").wait(cluster="workers", tasks=arns)
    tasks = ecs.describe_tasks(cluster="workers", tasks=arns)["tasks"]
    assert {t["containers"][0]["exitCode"] for t in tasks} == {137}  # SIGKILL after the stop timeout
    assert {t["stoppedReason"] for t in tasks} == {"running for more than 2:00:00"}


@pytest.mark.ecsfake(timings={"pull": 3600})  # image pulls take an hour: tasks sit in ACTIVATING, where ECS pulls
def test_tasks_stuck_before_running_are_reaped(ecs, ecs_fake):
    arns = launch_reports("workers", 4, ecs=ecs)
    ecs_fake.advance(timedelta(minutes=11))
    stopped = reap_stuck_tasks("workers", "report", ecs=ecs, **LIMITS)
    assert stopped == dict.fromkeys(arns, "stuck in ACTIVATING for more than 0:10:00")
    ecs_fake.advance(60)
    assert {t["lastStatus"] for t in ecs.describe_tasks(cluster="workers", tasks=arns)["tasks"]} == {"STOPPED"}


def test_tasks_ecs_stopped_itself_are_left_alone(ecs, ecs_fake):
    ecs_fake.behavior("reports:3", runs_for=60, exit_code=0)
    healthy = launch_reports("workers", 2, ecs=ecs)
    ecs.register_task_definition(  # a new revision whose image cannot be pulled: ECS stops those tasks itself
        family="report", requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256", memory="512",
        containerDefinitions=[{"name": "report", "image": "reports:4"}],
    )
    ecs_fake.behavior("reports:4", pull_error="toomanyrequests: rate limit")
    failed = launch_reports("workers", 2, ecs=ecs)
    ecs_fake.advance(timedelta(minutes=15))
    assert reap_stuck_tasks("workers", "report", ecs=ecs, **LIMITS) == {}   # ECS already stopped them
    stopped = ecs.describe_tasks(cluster="workers", tasks=healthy + failed)["tasks"]
    assert {t["taskArn"]: t["stopCode"] for t in stopped} == {
        **dict.fromkeys(healthy, "EssentialContainerExited"), **dict.fromkeys(failed, "TaskFailedToStart")}


def test_paging_through_many_tasks(ecs, ecs_fake):
    arns = launch_reports("workers", 230, ecs=ecs)
    ecs_fake.advance(timedelta(hours=3))
    assert set(reap_stuck_tasks("workers", "report", ecs=ecs, **LIMITS)) == set(arns)
    assert len(ecs_fake.calls_to("StopTask")) == 230
