"""ECS container dependencies: a container with dependsOn starts when its conditions hold."""

from __future__ import annotations

from typing import Any

from ecs_helpers import describe, fargate_definition, run_fargate

from pytest_ecsfake import EcsFake

START = 5 + 1 + 10 + 2  # provisioning, pull_start, pull, activating: the task is RUNNING 18 s after RunTask


def containers(ecs: Any, arn: str) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in describe(ecs, arn)["containers"]}


def test_complete_and_success_wait_for_the_exit(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs.create_cluster(clusterName="c")
    ecs_fake.behavior("init:1", runs_for=10)
    ecs_fake.behavior("app:1", runs_for=30)
    fargate_definition(ecs, containerDefinitions=[
        {"name": "init", "image": "init:1", "essential": False},
        {"name": "sidecar", "image": "side:1", "essential": False,
         "dependsOn": [{"containerName": "init", "condition": "START"}]},
        {"name": "app", "image": "app:1", "dependsOn": [{"containerName": "init", "condition": "SUCCESS"}]},
    ])
    arn = run_fargate(ecs)["taskArn"]
    ecs_fake.advance(START)
    seen = containers(ecs, arn)
    assert [seen[n]["lastStatus"] for n in ("init", "sidecar", "app")] == ["RUNNING", "RUNNING", "PENDING"]
    ecs_fake.advance(10)
    seen = containers(ecs, arn)
    assert (seen["init"]["lastStatus"], seen["init"]["exitCode"], seen["app"]["lastStatus"]) == ("STOPPED", 0,
                                                                                                 "RUNNING")
    ecs_fake.advance(30)
    task = describe(ecs, arn)
    assert (task["desiredStatus"], task["stopCode"]) == ("STOPPED", "EssentialContainerExited")


def test_a_failed_success_dependency_stops_the_task(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs.create_cluster(clusterName="c")
    ecs_fake.behavior("init:1", runs_for=5, exit_code=2)
    fargate_definition(ecs, containerDefinitions=[
        {"name": "init", "image": "init:1", "essential": False},
        {"name": "app", "image": "app:1", "dependsOn": [{"containerName": "init", "condition": "SUCCESS"}]},
    ])
    arn = run_fargate(ecs)["taskArn"]
    ecs_fake.advance(START + 5)
    app = containers(ecs, arn)["app"]
    assert app["lastStatus"] == "STOPPED" and "exitCode" not in app
    assert app["reason"] == "Dependency condition SUCCESS of container init was not met"
    assert describe(ecs, arn)["desiredStatus"] == "STOPPED"
