"""Shared set-up for the task tests: what a user's own test module would have."""

from __future__ import annotations

from typing import Any

SUBNETS = {"awsvpcConfiguration": {"subnets": ["subnet-0a1b2c3d"], "securityGroups": ["sg-1"]}}


def fargate_definition(ecs: Any, family: str = "job", image: str = "worker:1", **extra: Any) -> str:
    body: dict[str, Any] = {
        "family": family,
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [{"name": "app", "image": image}],
    }
    body.update(extra)
    arn: str = ecs.register_task_definition(**body)["taskDefinition"]["taskDefinitionArn"]
    return arn


def run_fargate(ecs: Any, family: str = "job", cluster: str = "c", **extra: Any) -> dict[str, Any]:
    """RunTask on Fargate; the task as RunTask answered it."""
    answer = ecs.run_task(cluster=cluster, taskDefinition=family, launchType="FARGATE",
                          networkConfiguration=SUBNETS, **extra)
    assert answer["failures"] == []
    task: dict[str, Any] = answer["tasks"][0]
    return task


def describe(ecs: Any, arn: str, cluster: str = "c") -> dict[str, Any]:
    task: dict[str, Any] = ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"][0]
    return task


TIMESTAMPS = ("connectivityAt", "pullStartedAt", "pullStoppedAt", "startedAt", "stoppingAt",
              "executionStoppedAt", "stoppedAt")


def unimplemented_operation() -> tuple[str, str]:
    """A CloudWatch Logs operation of botocore's model that the fake has no handler for and whose request needs
    no member: (its name, its boto3 client method). Every ECS and Batch operation has a handler; the tests of what
    an unimplemented operation answers use this, so they hold whichever operations get handlers next."""
    import botocore
    import botocore.session

    from pytest_ecsfake.core import registry

    model = botocore.session.get_session().get_service_model("logs")
    handled = set(registry.supported("logs"))
    for name in sorted(model.operation_names):
        shape = model.operation_model(name).input_shape
        if name not in handled and not (shape is not None and shape.required_members):
            return name, botocore.xform_name(name)
    raise AssertionError("every Logs operation that needs no member has a handler: test this another way")
