"""Members the model leaves optional that handlers used to take for granted: no handler crashes on them."""

from __future__ import annotations

from typing import Any

import boto3
from batch_helpers import SCHEDULING, SUBMITTED, job, ready

from pytest_ecsfake import EcsFake


def no_bug(fake: EcsFake) -> None:
    assert not [c for c in fake.calls if c.error == "ServerException"], [c for c in fake.calls if c.error]


# -- members the model leaves optional that handlers used to take for granted -------------------------------
def test_port_ranges_without_container_port(ecs: Any, ecs_fake: EcsFake) -> None:
    """A port mapping may give ``containerPortRange`` instead of ``containerPort`` (the model requires neither)."""
    ecs.create_cluster(clusterName="c")
    ecs_fake.add_container_instance("c")
    ecs.register_task_definition(family="ranges", containerDefinitions=[{
        "name": "a", "image": "x", "memory": 64,
        "portMappings": [{"containerPort": 80}, {"containerPortRange": "9000-9009"}, {"containerPort": 81},
                         {"protocol": "udp"}]}])
    task = ecs.run_task(cluster="c", taskDefinition="ranges")["tasks"][0]
    assert task["containers"][0]["networkBindings"] == [
        {"bindIP": "0.0.0.0", "containerPort": 80, "hostPort": 32768, "protocol": "tcp"},
        {"bindIP": "0.0.0.0", "containerPortRange": "9000-9009", "hostPortRange": "32769-32778", "protocol": "tcp"},
        {"bindIP": "0.0.0.0", "containerPort": 81, "hostPort": 32779, "protocol": "tcp"},
    ]
    no_bug(ecs_fake)


def test_batch_environment_variables_without_a_name(ecs_fake: EcsFake) -> None:
    """The model leaves a variable's ``name`` optional: such a variable is kept, replacing nothing."""
    batch = boto3.client("batch", region_name="us-east-1")
    ready(batch, ecs_fake)
    from batch_helpers import definition

    definition(batch, "env", container={"environment": [{"name": "A", "value": "1"}, {"value": "nameless"}]})
    job_id = batch.submit_job(jobName="j", jobQueue="q", jobDefinition="env", containerOverrides={
        "environment": [{"name": "A", "value": "2"}, {"value": "also nameless"}]})["jobId"]
    assert job(batch, job_id)["container"]["environment"] == [
        {"name": "A", "value": "2"}, {"value": "nameless"}, {"value": "also nameless"}]
    ecs_fake.advance(SUBMITTED + SCHEDULING)
    task_arn = job(batch, job_id)["container"]["taskArn"]
    ecs = boto3.client("ecs", region_name="us-east-1")
    task = ecs.describe_tasks(cluster=task_arn.split("/")[1], tasks=[task_arn])["tasks"][0]
    assert {"value": "nameless"} in task["overrides"]["containerOverrides"][0]["environment"]
    no_bug(ecs_fake)
