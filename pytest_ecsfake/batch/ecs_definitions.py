"""The ECS task definition a Batch job definition revision runs: ``batch-<name>:<revision>``, made once at its
first attempt and kept out of ECS's own listings (``launch.py`` for container jobs, ``ecs_properties.py`` for
multi-container jobs give the container definitions)."""

from __future__ import annotations

from typing import Any

from ..core.context import Context
from ..ecs.state import TaskDefinition
from .state import JobDefinition


def family_and_arn(ctx: Context, definition: JobDefinition) -> tuple[str, str]:
    family = f"batch-{definition.name}"
    return family, ctx.arn("ecs", f"task-definition/{family}:{definition.revision}")


def make(ctx: Context, definition: JobDefinition, containers: list[dict[str, Any]],
         roles: dict[str, str | None]) -> TaskDefinition:
    """Record and return the task definition with ``containers``; ``roles`` maps executionRoleArn/taskRoleArn to
    the job definition's (None: not given)."""
    family, arn = family_and_arn(ctx, definition)
    body: dict[str, Any] = {
        "taskDefinitionArn": arn,
        "family": family,
        "revision": definition.revision,
        "status": "ACTIVE",
        "containerDefinitions": containers,
        "networkMode": "awsvpc" if definition.fargate else "bridge",
        "compatibilities": ["EC2", "FARGATE"] if definition.fargate else ["EC2"],
        "requiresAttributes": [],
        "placementConstraints": [],
        "volumes": [],
        "registeredAt": ctx.now,
        "registeredBy": "batch.amazonaws.com",
    }
    body.update({member: value for member, value in roles.items() if value})
    if definition.fargate:
        body["requiresCompatibilities"] = ["FARGATE"]
    definition.task_definition = TaskDefinition(arn, family, definition.revision, body)
    return definition.task_definition
