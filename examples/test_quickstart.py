"""The README's quick start, runnable: `pip install . && python -m pytest examples`."""

from __future__ import annotations

import boto3
import pytest

from pytest_ecsfake import EcsFake, mock_ecs


def register_migration(ecs) -> str:  # code under test: registers a one-off Fargate task definition
    answer = ecs.register_task_definition(
        family="migrate",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": "migrate:1"}],
    )
    return answer["taskDefinition"]["taskDefinitionArn"]


def test_with_the_fixture(ecs_fake):
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="jobs")
    arn = register_migration(ecs)
    assert arn == "arn:aws:ecs:us-east-1:123456789012:task-definition/migrate:1"
    ecs_fake.advance(60)
    assert [c.operation for c in ecs_fake.calls] == ["CreateCluster", "RegisterTaskDefinition"]


@pytest.mark.ecsfake(region="eu-west-1")
def test_with_the_marker():
    ecs = boto3.client("ecs", region_name="eu-west-1")
    assert register_migration(ecs).startswith("arn:aws:ecs:eu-west-1:")


@mock_ecs
def test_with_the_decorator():
    ecs = boto3.client("ecs", region_name="us-east-1")
    with pytest.raises(ecs.exceptions.ClientException, match="No Fargate configuration exists"):
        ecs.register_task_definition(
            family="too-big", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
            cpu="256", memory="8192", containerDefinitions=[{"name": "app", "image": "x"}],
        )


def test_with_the_context_manager():
    with EcsFake(start="2030-01-01T00:00:00Z") as fake:
        ecs = boto3.client("ecs", region_name="us-east-1")
        registered = ecs.register_task_definition(
            family="f", containerDefinitions=[{"name": "a", "image": "x", "memory": 128}]
        )["taskDefinition"]["registeredAt"]
        assert registered == fake.now
        fake.advance(30)
        assert (fake.now - registered).total_seconds() == 30
