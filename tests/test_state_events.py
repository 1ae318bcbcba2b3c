"""The state-change events ECS and Batch send to EventBridge, as the fake emits them (``fake.events``,
``fake.events_for``), and onto moto's default event bus while moto is active."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from batch_helpers import FARGATE_START, SCHEDULING, SUBMITTED, ready, submit
from ecs_helpers import fargate_definition, run_fargate
from service_helpers import HEALTHY_AFTER, STARTED_AFTER, web_service

from pytest_ecsfake import EcsFake

ENVELOPE = ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]


@pytest.fixture
def ecs(ecs_fake: EcsFake) -> Any:
    client = boto3.client("ecs", region_name="us-east-1")
    client.create_cluster(clusterName="c")
    fargate_definition(client)
    return client


def test_a_task_s_events_follow_its_lifecycle_as_eventbridge_gets_them(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("worker:1", runs_for=30, exit_code=1)
    arn = run_fargate(ecs)["taskArn"]
    ecs_fake.advance(120)
    events = ecs_fake.events_for(arn)
    assert [(e["detail"]["lastStatus"], e["detail"]["desiredStatus"]) for e in events] == [
        ("PROVISIONING", "RUNNING"), ("PENDING", "RUNNING"), ("ACTIVATING", "RUNNING"), ("RUNNING", "RUNNING"),
        ("RUNNING", "STOPPED"), ("DEACTIVATING", "STOPPED"), ("STOPPING", "STOPPED"), ("DEPROVISIONING", "STOPPED"),
        ("STOPPED", "STOPPED")]
    first, last = events[0], events[-1]
    assert list(first) == ENVELOPE
    assert (first["version"], first["source"], first["detail-type"]) == ("0", "aws.ecs", "ECS Task State Change")
    assert (first["account"], first["region"], first["resources"]) == ("123456789012", "us-east-1", [arn])
    assert (first["time"], last["time"]) == ("2025-01-01T00:00:00Z", "2025-01-01T00:00:56Z")  # fake time
    versions = [e["detail"]["version"] for e in events]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    described = ecs.describe_tasks(cluster="c", tasks=[arn])["tasks"][0]
    detail = last["detail"]
    assert detail["version"] == described["version"] and detail["taskArn"] == arn
    assert (detail["stopCode"], detail["stoppedReason"]) == ("EssentialContainerExited",
                                                           "Essential container in task exited")
    assert detail["containers"][0]["exitCode"] == 1 and detail["containers"][0]["name"] == "app"
    assert detail["stoppedAt"] == "2025-01-01T00:00:56.000Z" and detail["updatedAt"] == "2025-01-01T00:00:56.000Z"
    assert "tags" not in detail and "enableExecuteCommand" not in detail  # not members of the event
    assert ecs_fake.events_for(arn.rsplit("/", 1)[1]) == events  # a task id works too
    assert [e for e in ecs_fake.events if e["resources"] == [arn]] == events
    # A failing test's report shows them beside the task's timeline, compactly.
    assert ("      events: 9 × ECS Task State Change: PROVISIONING/RUNNING v1 +0s, PENDING/RUNNING v2 +5s"
            in ecs_fake.report())


def test_a_batch_job_s_events_start_after_its_submission(ecs_fake: EcsFake) -> None:
    batch = boto3.client("batch", region_name="us-east-1")
    ready(batch, ecs_fake)
    ecs_fake.behavior("worker:1", runs_for=10)
    job_id = submit(batch)
    ecs_fake.advance(SUBMITTED + SCHEDULING + FARGATE_START + 60)
    job_arn = batch.describe_jobs(jobs=[job_id])["jobs"][0]["jobArn"]
    events = ecs_fake.events_for(job_arn)
    # "Events aren't created for the initial job submission" [the Batch user guide, batch_job_events].
    assert [e["detail"]["status"] for e in events] == ["RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"]
    assert {(e["source"], e["detail-type"]) for e in events} == {("aws.batch", "Batch Job State Change")}
    done = events[-1]["detail"]
    assert done == batch.describe_jobs(jobs=[job_id])["jobs"][0]  # the JobDetail DescribeJobs answers
    assert done["stoppedAt"] > done["createdAt"] and done["attempts"][0]["container"]["exitCode"] == 0
    task_arn = done["attempts"][0]["container"]["taskArn"]
    assert ecs_fake.events_for(task_arn)[-1]["detail"]["lastStatus"] == "STOPPED"  # its ECS task's own events


def test_a_service_s_deployment_and_steady_state_events(ecs: Any, ecs_fake: EcsFake) -> None:
    created = web_service(ecs, desired=1, taskDefinition="job")
    ecs_fake.advance(STARTED_AFTER + HEALTHY_AFTER + 5)
    service_events = ecs_fake.events_for(created["serviceArn"])
    names = [(e["detail-type"], e["detail"]["eventName"]) for e in service_events]
    assert names == [("ECS Deployment State Change", "SERVICE_DEPLOYMENT_IN_PROGRESS"),
                     ("ECS Deployment State Change", "SERVICE_DEPLOYMENT_COMPLETED"),
                     ("ECS Service Action", "SERVICE_STEADY_STATE")]
    deployment_id = created["deployments"][0]["id"]
    assert service_events[0]["detail"] == {
        "eventType": "INFO", "eventName": "SERVICE_DEPLOYMENT_IN_PROGRESS", "deploymentId": deployment_id,
        "updatedAt": "2025-01-01T00:00:00.000Z", "reason": f"ECS deployment {deployment_id} in progress."}
    steady = service_events[-1]["detail"]
    assert (steady["eventType"], steady["clusterArn"]) == ("INFO", created["clusterArn"]) and "createdAt" in steady


def test_placement_failures_and_container_instances_have_their_events(ecs_fake: EcsFake) -> None:
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    ecs.register_task_definition(family="api", containerDefinitions=[{"name": "api", "image": "api:1",
                                                                      "memory": 256}])
    ecs.create_service(cluster="c", serviceName="api", taskDefinition="api", desiredCount=1, launchType="EC2")
    ecs_fake.advance(5)
    failure = [e for e in ecs_fake.events if e["detail"].get("eventName") == "SERVICE_TASK_PLACEMENT_FAILURE"][0]
    assert (failure["detail-type"], failure["detail"]["eventType"]) == ("ECS Service Action", "WARN")
    assert failure["detail"]["reasons"]
    instance = ecs_fake.add_container_instance("c")
    ecs.update_container_instances_state(cluster="c", containerInstances=[instance], status="DRAINING")
    changes = ecs_fake.events_for(instance)
    assert [e["detail"]["status"] for e in changes] == ["ACTIVE", "DRAINING"]
    assert {e["detail-type"] for e in changes} == {"ECS Container Instance State Change"}
    assert changes[-1]["detail"]["containerInstanceArn"] == instance and "updatedAt" in changes[-1]["detail"]
    assert changes[1]["detail"]["version"] > changes[0]["detail"]["version"]


def test_reset_forgets_the_events(ecs: Any, ecs_fake: EcsFake) -> None:
    run_fargate(ecs)
    assert ecs_fake.events
    ecs_fake.reset()
    assert ecs_fake.events == []


def test_with_moto_the_events_reach_its_eventbridge_rules_and_targets(ecs_fake: EcsFake) -> None:
    from moto import mock_aws

    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="stopped")["QueueUrl"]
        queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events = boto3.client("events", region_name="us-east-1")
        events.put_rule(Name="stopped", EventPattern=json.dumps({
            "source": ["aws.ecs"], "detail-type": ["ECS Task State Change"], "detail": {"lastStatus": ["STOPPED"]}}))
        events.put_targets(Rule="stopped", Targets=[{"Id": "queue", "Arn": queue}])
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName="c")
        fargate_definition(ecs)
        ecs_fake.behavior("worker:1", runs_for=30, exit_code=1)
        arn = run_fargate(ecs)["taskArn"]
        ecs_fake.advance(120)
        received = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
                    .get("Messages", [])]
    assert len(received) == 1  # the rule matched only the STOPPED event
    assert received[0]["detail"] == ecs_fake.events_for(arn)[-1]["detail"]
    assert (received[0]["time"], received[0]["resources"]) == ("2025-01-01T00:00:56Z", [arn])
