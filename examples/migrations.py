"""Code under test: a deploy step that runs a one-off database migration as a Fargate task.

It launches the task, waits for it to stop, and fails the deploy unless the migration exited 0. This is the
kind of function pytest-ecsfake is for: the waiter and the exit code come from the fake's clock and
behaviours, so a test can drive success, failure, a stuck task and a failed image pull in milliseconds.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import WaiterError


class MigrationFailed(RuntimeError):
    pass


def run_migration(cluster: str, task_definition: str, subnets: list[str], *, timeout_minutes: int = 30,
                  ecs: Any = None) -> str:
    """Run the migration task to completion; return its ARN, or raise MigrationFailed with the reason."""
    ecs = ecs or boto3.client("ecs")
    answer = ecs.run_task(
        cluster=cluster,
        taskDefinition=task_definition,
        launchType="FARGATE",
        startedBy="deploy-migrate",
        networkConfiguration={"awsvpcConfiguration": {"subnets": subnets, "assignPublicIp": "DISABLED"}},
    )
    if answer["failures"]:
        raise MigrationFailed(f"could not start the migration: {answer['failures']}")
    arn: str = answer["tasks"][0]["taskArn"]
    attempts = timeout_minutes * 60 // 6
    try:
        ecs.get_waiter("tasks_stopped").wait(cluster=cluster, tasks=[arn],
                                             WaiterConfig={"Delay": 6, "MaxAttempts": attempts})
    except WaiterError:
        ecs.stop_task(cluster=cluster, task=arn, reason="migration timed out")
        raise MigrationFailed(f"migration still running after {timeout_minutes} minutes; stopped it") from None
    task = ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"][0]
    container = task["containers"][0]
    if container.get("exitCode") != 0:
        why = container.get("reason") or task.get("stoppedReason")
        raise MigrationFailed(f"migration exited with {container.get('exitCode')}: {why}")
    return arn
