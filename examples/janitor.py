"""Code under test: a worker that launches report tasks and cleans up the stuck ones.

``reap_stuck_tasks`` stops tasks of a family that have been PENDING (not yet RUNNING) for longer than a limit,
or RUNNING for longer than another, and returns what it stopped — paging through ListTasks as real code must.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import boto3


def launch_reports(cluster: str, count: int, *, ecs: Any = None) -> list[str]:
    ecs = ecs or boto3.client("ecs")
    arns: list[str] = []
    while len(arns) < count:
        answer = ecs.run_task(cluster=cluster, taskDefinition="report", count=min(10, count - len(arns)),
                              launchType="FARGATE", startedBy="report-worker",
                              networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-1"]}})
        arns += [t["taskArn"] for t in answer["tasks"]]
    return arns


def reap_stuck_tasks(cluster: str, family: str, *, max_pending: timedelta, max_running: timedelta,
                     ecs: Any = None) -> dict[str, str]:
    """Stop stuck tasks of ``family``; return {task ARN: why}."""
    ecs = ecs or boto3.client("ecs")
    now = datetime.now(timezone.utc)
    stopped: dict[str, str] = {}
    arns = [arn for page in ecs.get_paginator("list_tasks").paginate(cluster=cluster, family=family)
            for arn in page["taskArns"]]
    for start in range(0, len(arns), 100):
        for task in ecs.describe_tasks(cluster=cluster, tasks=arns[start : start + 100])["tasks"]:
            status = task["lastStatus"]
            if status != "RUNNING" and now - task["createdAt"] > max_pending:
                why = f"stuck in {status} for more than {max_pending}"
            elif status == "RUNNING" and now - task["startedAt"] > max_running:
                why = f"running for more than {max_running}"
            else:
                continue
            ecs.stop_task(cluster=cluster, task=task["taskArn"], reason=why[:255])
            stopped[task["taskArn"]] = why
    return stopped
