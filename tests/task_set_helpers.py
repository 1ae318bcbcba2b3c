"""Shared set-up for the task set tests: a cluster with two revisions of a Fargate "web" definition."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from ecs_helpers import fargate_definition

LB = [{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/0123456789abcdef",
       "containerName": "app", "containerPort": 80}]


def error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def web_cluster() -> Any:
    """A boto3 ECS client, cluster "c" and task definitions web:1 (image web:1) and web:2 (image web:2)."""
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs, family="web", image="web:1")
    fargate_definition(ecs, family="web", image="web:2")
    return ecs
