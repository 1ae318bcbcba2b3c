"""Requests that break only a documented rule reach the handlers: none crashes, none echoes what AWS would not.

The rules they break are "documented only" (FIDELITY.md, "Which rules refuse a request": nothing shows AWS
refusing them), so the schema check reports them and the handlers see them: unknown members, Batch's tag
characters, the reserved ``aws:`` prefix, StartTask's 36-character ``startedBy``, ListTasks' ``startedBy``
beside other filters. Required members, types and enums still refuse.

Every answer here is also checked against the response schema (tests/conftest.py), and the fake fails the
test at teardown on any bug of its own (a crash answers ServerException "pytest-ecsfake internal error").
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from batch_helpers import CE_CREATE, EXECUTION_ROLE, QUEUE_CREATE, SCHEDULING, SUBMITTED, job, queue, ready
from ecs_helpers import SUBNETS, describe, fargate_definition, run_fargate

from pytest_ecsfake import EcsFake


def with_extra(client: Any, operation: str, extra: dict[str, Any]) -> None:
    """Make ``client`` add ``extra`` (deep-merged) to the JSON body of its ``operation`` requests, as raw HTTP
    could: botocore itself cannot serialise a member its model does not have."""

    def merge(into: dict[str, Any], more: dict[str, Any]) -> None:
        for key, value in more.items():
            if isinstance(value, dict) and isinstance(into.get(key), dict):
                merge(into[key], value)
            elif isinstance(value, list) and isinstance(into.get(key), list):
                for have, add in zip(into[key], value, strict=False):
                    merge(have, add)
            else:
                into[key] = value

    def add(request: Any, **_: Any) -> None:  # the prepared request, about to be sent
        body = json.loads(request.body or b"{}")
        merge(body, extra)
        request.body = json.dumps(body).encode()
        request.headers["Content-Length"] = str(len(request.body))

    client.meta.events.register(f"before-send.{client.meta.service_model.service_id.hyphenize()}.{operation}", add)


def holds(value: Any, name: str) -> bool:
    """Whether ``name`` is a member anywhere in ``value``."""
    if isinstance(value, dict):
        return name in value or any(holds(v, name) for v in value.values())
    if isinstance(value, list):
        return any(holds(v, name) for v in value)
    return False


def echoed_nothing_unknown(fake: EcsFake, operations: set[str]) -> None:
    """No answer on the wire holds a member the requests added (botocore drops unknown members when it parses
    an answer, so the recorded wire answer is what to look at); ``operations`` were all answered."""
    answered = [c for c in fake.calls if c.status == 200]
    assert operations <= {c.operation for c in answered}
    for call in answered:
        for name in ("surplus", "extra"):
            assert not holds(call.response, name), (call.operation, name, call.response)


def no_bug(fake: EcsFake) -> None:
    assert not [c for c in fake.calls if c.error == "ServerException"], [c for c in fake.calls if c.error]


# -- unknown members ----------------------------------------------------------------------------------------
def test_ecs_writes_ignore_members_the_api_does_not_define(ecs: Any, ecs_fake: EcsFake) -> None:
    with_extra(ecs, "CreateCluster", {"surplus": 1, "settings": [{"extra": "x"}]})
    ecs.create_cluster(clusterName="c", settings=[{"name": "containerInsights", "value": "enabled"}])
    with_extra(ecs, "RegisterTaskDefinition", {"surplus": {"a": 1}, "containerDefinitions": [
        {"extra": True, "portMappings": [{"extra": 1}]}]})
    registered = fargate_definition(ecs, containerDefinitions=[{"name": "app", "image": "worker:1",
                                                                "portMappings": [{"containerPort": 80}]}])
    with_extra(ecs, "RunTask", {"surplus": 1, "overrides": {"extra": 1, "containerOverrides": [{"extra": 2}]},
                                "networkConfiguration": {"awsvpcConfiguration": {"extra": 3}}})
    task = run_fargate(ecs, overrides={"containerOverrides": [{"name": "app", "command": ["go"]}]})
    with_extra(ecs, "CreateService", {"surplus": 1, "deploymentConfiguration": {"extra": 1},
                                      "placementStrategy": [{"extra": 1}],
                                      "networkConfiguration": {"awsvpcConfiguration": {"extra": 3}}})
    created = ecs.create_service(cluster="c", serviceName="web", taskDefinition="job", desiredCount=1,
                                 launchType="FARGATE", networkConfiguration=SUBNETS,
                                 deploymentConfiguration={"maximumPercent": 150},
                                 placementStrategy=[{"type": "random"}])["service"]
    with_extra(ecs, "UpdateService", {"surplus": 1, "networkConfiguration": {"awsvpcConfiguration": {"x": 1}}})
    updated = ecs.update_service(cluster="c", service="web", desiredCount=2, networkConfiguration=SUBNETS)["service"]
    ecs_fake.advance(30)
    ecs.describe_clusters(clusters=["c"], include=["SETTINGS"])
    ecs.describe_services(cluster="c", services=["web"])
    assert created["deploymentConfiguration"]["maximumPercent"] == 150 and updated["desiredCount"] == 2
    assert ecs.describe_task_definition(taskDefinition=registered)["taskDefinition"]["containerDefinitions"][0][
        "portMappings"] == [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]
    assert describe(ecs, task["taskArn"])["overrides"]["containerOverrides"] == [{"name": "app", "command": ["go"]}]
    echoed_nothing_unknown(ecs_fake, {"CreateCluster", "RegisterTaskDefinition", "RunTask", "CreateService",
                                      "UpdateService", "DescribeClusters", "DescribeTaskDefinition", "DescribeTasks",
                                      "DescribeServices"})
    # The call record keeps the request as it was sent.
    run = next(c for c in ecs_fake.calls if c.operation == "RunTask")
    assert run.request["surplus"] == 1 and run.request["overrides"]["containerOverrides"][0]["extra"] == 2
    no_bug(ecs_fake)


def test_batch_writes_ignore_members_the_api_does_not_define(ecs_fake: EcsFake) -> None:
    batch = boto3.client("batch", region_name="us-east-1")
    with_extra(batch, "CreateComputeEnvironment", {"surplus": 1, "computeResources": {"extra": 1}})
    from batch_helpers import environment

    environment(batch)
    ecs_fake.advance(CE_CREATE)
    with_extra(batch, "CreateJobQueue", {"surplus": 1, "jobStateTimeLimitActions": [{"extra": 1}]})
    queue(batch, jobStateTimeLimitActions=[{"reason": "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
                                            "state": "RUNNABLE", "maxTimeSeconds": 600, "action": "CANCEL"}])
    ecs_fake.advance(QUEUE_CREATE)
    with_extra(batch, "RegisterJobDefinition", {"surplus": 1, "containerProperties": {
        "extra": 1, "environment": [{"extra": 1}]}, "retryStrategy": {"extra": 1}, "timeout": {"extra": 1}})
    batch.register_job_definition(
        jobDefinitionName="work", type="container", platformCapabilities=["FARGATE"],
        containerProperties={"image": "worker:1", "executionRoleArn": EXECUTION_ROLE,
                             "environment": [{"name": "MODE", "value": "full"}],
                             "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                      {"type": "MEMORY", "value": "2048"}]},
        retryStrategy={"attempts": 2}, timeout={"attemptDurationSeconds": 600})
    with_extra(batch, "SubmitJob", {"surplus": 1, "containerOverrides": {"extra": 1, "environment": [{"extra": 1}]},
                                    "retryStrategy": {"extra": 1, "evaluateOnExit": [{"extra": 1}]}})
    job_id = batch.submit_job(jobName="j", jobQueue="q", jobDefinition="work",
                              containerOverrides={"environment": [{"name": "DAY", "value": "today"}]},
                              retryStrategy={"attempts": 3, "evaluateOnExit": [{"action": "EXIT",
                                                                                "onExitCode": "1"}]})["jobId"]
    ecs_fake.advance(SUBMITTED + SCHEDULING)
    batch.describe_compute_environments()
    batch.describe_job_queues()
    batch.describe_job_definitions()
    detail = job(batch, job_id)
    assert detail["status"] == "STARTING"
    assert detail["container"]["environment"] == [{"name": "MODE", "value": "full"}, {"name": "DAY", "value": "today"}]
    assert detail["retryStrategy"] == {"attempts": 3, "evaluateOnExit": [{"action": "exit", "onExitCode": "1"}]}
    echoed_nothing_unknown(ecs_fake, {"CreateComputeEnvironment", "CreateJobQueue", "RegisterJobDefinition",
                                      "SubmitJob", "DescribeComputeEnvironments", "DescribeJobQueues",
                                      "DescribeJobDefinitions", "DescribeJobs"})
    no_bug(ecs_fake)


# -- tags outside the documented pattern, the aws: prefix ---------------------------------------------------
def test_batch_tags_with_any_characters_and_aws_prefix(ecs_fake: EcsFake) -> None:
    batch = boto3.client("batch", region_name="us-east-1")
    odd = {"cost#centre": "a&b", "aws:team": "data", "AWS:Owner": "aws:me", "emoji✓": "ok!"}
    ready(batch, ecs_fake)
    job_id = batch.submit_job(jobName="j", jobQueue="q", jobDefinition="work", tags=odd)["jobId"]
    assert job(batch, job_id)["tags"] == odd
    arn = job(batch, job_id)["jobArn"]
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == odd
    batch.tag_resource(resourceArn=arn, tags={"aws:more": "x?"})
    batch.untag_resource(resourceArn=arn, tagKeys=["cost#centre"])
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {
        "aws:team": "data", "AWS:Owner": "aws:me", "emoji✓": "ok!", "aws:more": "x?"}
    queue_arn = batch.describe_job_queues()["jobQueues"][0]["jobQueueArn"]
    batch.tag_resource(resourceArn=queue_arn, tags=odd)
    assert batch.describe_job_queues()["jobQueues"][0]["tags"] == odd
    no_bug(ecs_fake)


def test_ecs_tags_with_the_aws_prefix_are_kept_and_the_models_pattern_refuses(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs)
    arn = run_fargate(ecs)["taskArn"]
    # The aws: prefix rule is documented only: such tags are answered and come back as given.
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "aws:team", "value": "aws:data"}])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "aws:team", "value": "aws:data"}]
    # ECS's own model holds the tag pattern (AWS's generic validation message quotes it): enforced.
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="at 'tags\\[0\\].key' failed to satisfy"):
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "cost#centre", "value": "v"}])
    ecs.tag_resource(resourceArn=arn, tags=[{"key": f"k{i}", "value": "v"} for i in range(49)])
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="at most 50 tags"):
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "one-more", "value": "v"}])
    ecs.untag_resource(resourceArn=arn, tagKeys=[f"k{i}" for i in range(49)])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "aws:team", "value": "aws:data"}]
    no_bug(ecs_fake)


# -- startedBy ---------------------------------------------------------------------------------------------
def test_start_task_started_by_beyond_36_characters(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs.create_cluster(clusterName="c")
    ecs.register_task_definition(family="web", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
    instance = ecs_fake.add_container_instance("c")
    started_by = "nightly reindex job: " + "x" * 60  # 81 characters, a space and a colon
    task = ecs.start_task(cluster="c", taskDefinition="web", containerInstances=[instance],
                          startedBy=started_by)["tasks"][0]
    assert task["startedBy"] == started_by
    assert ecs.describe_tasks(cluster="c", tasks=[task["taskArn"]])["tasks"][0]["startedBy"] == started_by
    assert ecs.list_tasks(cluster="c", startedBy=started_by)["taskArns"] == [task["taskArn"]]
    no_bug(ecs_fake)


def test_list_tasks_started_by_with_every_other_filter(ecs: Any, ecs_fake: EcsFake) -> None:
    """ListTasks' "startedBy must be the only filter" is documented only: with it off, all filters apply (AND)."""
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs, family="job")
    fargate_definition(ecs, family="other")
    ecs.register_task_definition(family="bridge", containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
    instance = ecs_fake.add_container_instance("c")
    mine = run_fargate(ecs, family="job", startedBy="me")["taskArn"]
    mine_other = run_fargate(ecs, family="other", startedBy="me")["taskArn"]
    theirs = run_fargate(ecs, family="job", startedBy="them")["taskArn"]
    on_instance = ecs.start_task(cluster="c", taskDefinition="bridge", containerInstances=[instance],
                                 startedBy="me")["tasks"][0]["taskArn"]
    from service_helpers import web_service

    web_service(ecs, desired=1)
    ecs_fake.advance(30)
    (service_task,) = ecs.list_tasks(cluster="c", serviceName="web")["taskArns"]
    service_started_by = ecs.describe_tasks(cluster="c", tasks=[service_task])["tasks"][0]["startedBy"]
    stopped = run_fargate(ecs, family="job", startedBy="me")["taskArn"]
    ecs.stop_task(cluster="c", task=stopped)

    def listed(**filters: Any) -> list[str]:
        arns: list[str] = ecs.list_tasks(cluster="c", **filters)["taskArns"]
        return arns

    assert listed(startedBy="me") == [mine, mine_other, on_instance]
    assert listed(startedBy="me", family="job") == [mine]
    assert listed(startedBy="them", family="job") == [theirs]
    assert listed(startedBy="me", family="job", desiredStatus="STOPPED") == [stopped]
    assert listed(startedBy="me", launchType="FARGATE") == [mine, mine_other]
    assert listed(startedBy="me", launchType="EC2") == [on_instance]
    assert listed(startedBy="me", containerInstance=instance) == [on_instance]
    assert listed(startedBy="them", containerInstance=instance) == []
    assert listed(startedBy=service_started_by, serviceName="web") == [service_task]
    assert listed(startedBy="me", serviceName="web") == []
    assert listed(startedBy="me", daemonName="agent") == []
    assert listed(startedBy="me", family="job", launchType="FARGATE", desiredStatus="RUNNING") == [mine]
    # serviceName with family or containerInstance stays refused: AWS's wording for it is observed.
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="cannot specify serviceName"):
        listed(startedBy="me", serviceName="web", family="job")
    no_bug(ecs_fake)


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


def test_required_members_still_refuse(ecs: Any) -> None:
    from botocore.config import Config

    raw = boto3.client("ecs", region_name="us-east-1", config=Config(parameter_validation=False))
    with pytest.raises(raw.exceptions.InvalidParameterException, match="taskDefinition"):
        raw.run_task(cluster="c")
