"""Tests of examples/migrations.py, written as a user of pytest-ecsfake would write them."""

from __future__ import annotations

import boto3
import pytest
from migrations import MigrationFailed, run_migration

from pytest_ecsfake import EcsFake, mock_ecs

SUBNETS = ["subnet-0a1b2c3d"]


def set_up(ecs) -> None:
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(
        family="migrate", requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="512", memory="1024",
        containerDefinitions=[{"name": "migrate", "image": "registry.example/app:2025.1", "command": ["migrate"]}],
    )


@pytest.fixture
def ecs(ecs_fake):
    client = boto3.client("ecs", region_name="eu-west-1")
    set_up(client)
    return client


@pytest.mark.ecsfake(region="eu-west-1")
def test_successful_migration(ecs, ecs_fake):
    ecs_fake.behavior("migrate", runs_for=95, exit_code=0)        # the container, by name
    arn = run_migration("prod", "migrate", SUBNETS, ecs=ecs)
    task = ecs.describe_tasks(cluster="prod", tasks=[arn])["tasks"][0]
    assert task["stopCode"] == "EssentialContainerExited"
    assert (task["executionStoppedAt"] - task["startedAt"]).total_seconds() == 95
    ecs_fake.assert_called("RunTask", startedBy="deploy-migrate", launchType="FARGATE")


@pytest.mark.ecsfake(region="eu-west-1")
def test_failing_migration_fails_the_deploy(ecs, ecs_fake):
    ecs_fake.behavior("migrate", runs_for=10, exit_code=2)
    with pytest.raises(MigrationFailed, match="exited with 2: Essential container in task exited"):
        run_migration("prod", "migrate", SUBNETS, ecs=ecs)


@pytest.mark.ecsfake(region="eu-west-1")
def test_image_that_cannot_be_pulled(ecs, ecs_fake):
    ecs_fake.behavior("registry.example/app:2025.1", pull_error="manifest for app:2025.1 not found")
    with pytest.raises(MigrationFailed, match="CannotPullContainerError: manifest for app:2025.1 not found"):
        run_migration("prod", "migrate", SUBNETS, ecs=ecs)


@pytest.mark.ecsfake(region="eu-west-1")
def test_stuck_migration_is_stopped_after_the_timeout(ecs, ecs_fake):
    ecs_fake.behavior("migrate", runs_for=None)                    # never exits by itself
    started = ecs_fake.now
    with pytest.raises(MigrationFailed, match="still running after 5 minutes"):
        run_migration("prod", "migrate", SUBNETS, ecs=ecs, timeout_minutes=5)
    assert (ecs_fake.now - started).total_seconds() > 4 * 60       # minutes of fake time, none of yours
    ecs_fake.assert_called("StopTask", reason="migration timed out")


@mock_ecs(region="eu-west-1")
def test_with_the_decorator():
    ecs = boto3.client("ecs", region_name="eu-west-1")
    set_up(ecs)
    # No behaviour set: the container runs until stopped, so the deploy's 30-minute timeout fires (in fake time).
    with pytest.raises(MigrationFailed, match="still running after 30 minutes"):
        run_migration("prod", "migrate", SUBNETS, ecs=ecs)


def test_with_the_context_manager():
    with EcsFake(region="eu-west-1") as fake:
        ecs = boto3.client("ecs", region_name="eu-west-1")
        set_up(ecs)
        fake.behavior("migrate", runs_for=30, exit_code=1)
        with pytest.raises(MigrationFailed):
            run_migration("prod", "migrate", SUBNETS, ecs=ecs)
