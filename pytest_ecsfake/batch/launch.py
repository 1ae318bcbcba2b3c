"""What an attempt runs on ECS: the task definition of a job definition revision, and the per-job overrides.

Each job definition revision gets one ECS task definition, ``batch-<name>:<revision>``, with one container
named ``default`` (as Batch log streams ``<jobDefName>/default/<task id>`` show). It is kept out of
``EcsState.families``: it runs tasks, but ECS ListTaskDefinitions/DescribeTaskDefinition don't see it, as
they don't see the task definitions AWS Batch manages. What differs per job (command, environment, vCPUs and
memory) travels as ECS task overrides, as Batch passes it; the environment also carries the variables Batch
sets (``AWS_BATCH_JOB_ID``, ``AWS_BATCH_JOB_ATTEMPT``, ``AWS_BATCH_JQ_NAME``, ``AWS_BATCH_CE_NAME`` and, for
array children, ``AWS_BATCH_JOB_ARRAY_INDEX``).

Fargate environments launch ``awsvpc`` tasks in the environment's subnets with the FARGATE or FARGATE_SPOT
capacity provider; EC2 environments launch ``bridge`` tasks on their container instances.
"""

from __future__ import annotations

from typing import Any

from ..core.context import Context
from ..ecs.launch import PLATFORM_VERSIONS, LaunchSpec
from ..ecs.state import TaskDefinition
from . import ecs_definitions, ecs_properties
from .state import ComputeEnvironment, Job, JobDefinition, json_copy

CONTAINER_NAME = "default"
DEFAULT_LOG_GROUP = "/aws/batch/job"  # [BUG:using_cloudwatch_logs]


def log_configuration(definition: JobDefinition) -> dict[str, Any]:
    """The log configuration of the attempts' container: the job definition's, else awslogs to
    ``/aws/batch/job`` (which Batch creates as needed). Without an ``awslogs-stream-prefix`` the job
    definition's name is the prefix, so the stream is the attempt's ``logStreamName``
    (``<jobDefName>/default/<ecs task id>`` [M:ContainerDetail.logStreamName]); inferred for a job
    definition's own awslogs configuration without a prefix."""
    given = definition.body["containerProperties"].get("logConfiguration")
    if given is None:
        return {"logDriver": "awslogs", "options": {"awslogs-group": DEFAULT_LOG_GROUP,
                                                     "awslogs-stream-prefix": definition.name,
                                                     "awslogs-create-group": "true"}}
    config = json_copy(given)
    if config.get("logDriver") == "awslogs":
        options = config.setdefault("options", {})
        options.setdefault("awslogs-group", DEFAULT_LOG_GROUP)
        options.setdefault("awslogs-stream-prefix", definition.name)
        if options["awslogs-group"] == DEFAULT_LOG_GROUP:
            options.setdefault("awslogs-create-group", "true")
    return config  # type: ignore[no-any-return]


def task_definition(ctx: Context, definition: JobDefinition) -> TaskDefinition:
    """The ECS task definition attempts of ``definition`` run (made once per revision)."""
    if definition.task_definition is not None:
        return definition.task_definition
    props = definition.body["containerProperties"]
    container: dict[str, Any] = {
        "name": CONTAINER_NAME,
        "image": props["image"],
        "essential": True,
        "cpu": 0,
        "command": list(props.get("command", [])),
        "environment": [dict(v) for v in props.get("environment", [])],
        "portMappings": [],
        "mountPoints": [],
        "volumesFrom": [],
        "logConfiguration": log_configuration(definition),
    }
    return ecs_definitions.make(ctx, definition, [container], {"executionRoleArn": props.get("executionRoleArn"),
                                                               "taskRoleArn": props.get("jobRoleArn")})


def _environment(job: Job, env: ComputeEnvironment, attempt: int) -> list[dict[str, str]]:
    variables = [dict(v) for v in job.container.get("environment", [])]
    variables += [
        {"name": "AWS_BATCH_JOB_ID", "value": job.id},
        {"name": "AWS_BATCH_JOB_ATTEMPT", "value": str(attempt)},
        {"name": "AWS_BATCH_JQ_NAME", "value": job.queue.name},
        {"name": "AWS_BATCH_CE_NAME", "value": env.name},
    ]
    if job.index is not None:
        variables.append({"name": "AWS_BATCH_JOB_ARRAY_INDEX", "value": str(job.index)})
    if job.multinode is not None and job.multinode.is_node:
        variables += job.multinode.variables()  # nodes.py: AWS_BATCH_JOB_NODE_INDEX, ...
    return variables


def overrides(job: Job, env: ComputeEnvironment, attempt: int) -> dict[str, Any]:
    """The ECS task overrides of one attempt."""
    if job.containers is not None:  # a multi-container job: every container (ecs_properties.py)
        return ecs_properties.overrides(job, env, _environment(job, env, attempt))
    container: dict[str, Any] = {"name": CONTAINER_NAME, "environment": _environment(job, env, attempt)}
    if job.container.get("command"):
        container["command"] = list(job.container["command"])
    body: dict[str, Any] = {"containerOverrides": [container]}
    if env.fargate:
        body["cpu"] = str(int(job.vcpus * 1024))
        body["memory"] = str(job.memory)
    else:
        container["cpu"] = int(job.vcpus * 1024)
        container["memory"] = job.memory
    return body


def spec(ctx: Context, job: Job, env: ComputeEnvironment, attempt: int) -> LaunchSpec:
    """The LaunchSpec of one attempt of ``job`` in ``env``'s cluster."""
    assert env.cluster is not None
    multi = job.containers is not None
    definition = ecs_properties.task_definition(ctx, job.definition) if multi else task_definition(ctx, job.definition)
    tags = {**job.definition.tags, **job.tags} if job.propagate_tags else {}
    version = None
    if env.fargate:
        asked = (job.definition.body["ecsProperties"]["taskProperties"][0].get("platformVersion", "LATEST") if multi
                 else job.container.get("fargatePlatformConfiguration", {}).get("platformVersion", "LATEST"))
        version = PLATFORM_VERSIONS.get(asked, asked)
    return LaunchSpec(
        cluster=env.cluster,
        definition=definition,
        launch_type="FARGATE" if env.fargate else "EC2",
        network_mode="awsvpc" if env.fargate else "bridge",
        overrides=overrides(job, env, attempt),
        group=f"family:{definition.family}",
        started_by=job.id,
        subnets=list(env.resources["subnets"]) if env.fargate and env.resources else [],
        platform_version=version,
        tags=[{"key": k, "value": v} for k, v in tags.items()],
    )
