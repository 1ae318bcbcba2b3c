"""``fake.inside(task)``: code that runs inside a task and asks about itself (task metadata endpoint v4/v3, the
container's environment, a Batch attempt's AWS_BATCH_* variables)."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
import requests
from batch_helpers import FARGATE_START, SCHEDULING, SUBMITTED, ready, submit
from ecs_helpers import fargate_definition, run_fargate

from pytest_ecsfake import EcsFake

URI = "ECS_CONTAINER_METADATA_URI_V4"
LOGS = {"awslogs-group": "/ecs/job", "awslogs-region": "us-east-1", "awslogs-create-group": "true",
        "awslogs-stream-prefix": "ecs"}


@pytest.fixture
def ecs(ecs_fake: EcsFake) -> Any:
    client = boto3.client("ecs", region_name="us-east-1")
    client.create_cluster(clusterName="c")
    fargate_definition(client, containerDefinitions=[
        {"name": "app", "image": "worker:1", "environment": [{"name": "MODE", "value": "batch"}],
         "logConfiguration": {"logDriver": "awslogs", "options": LOGS}},
        {"name": "sidecar", "image": "envoy:1", "essential": False}])
    return client


def get(path: str = "") -> Any:
    return requests.get(os.environ[URI] + path, timeout=5).json()


def test_a_fargate_task_sees_itself_through_the_v4_endpoint(ecs: Any, ecs_fake: EcsFake) -> None:
    task = run_fargate(ecs, overrides={"containerOverrides": [{"name": "app", "environment": [
        {"name": "RUN_ID", "value": "42"}]}]})
    ecs_fake.advance(30)
    with ecs_fake.inside(task["taskArn"]) as variables:
        assert variables[URI] == os.environ[URI] and os.environ[URI].startswith("http://127.0.0.1:")
        assert (os.environ["MODE"], os.environ["RUN_ID"]) == ("batch", "42")  # definition + overrides
        assert (os.environ["AWS_EXECUTION_ENV"], os.environ["AWS_REGION"]) == ("AWS_ECS_FARGATE", "us-east-1")
        me = get("/task")
        container = get()
        stats = get("/stats")
        task_stats = get("/task/stats")
    described = ecs.describe_tasks(cluster="c", tasks=[task["taskArn"]])["tasks"][0]
    assert me["TaskARN"] == task["taskArn"] and me["Cluster"] == described["clusterArn"]  # Fargate: the ARN
    assert (me["Family"], me["Revision"], me["LaunchType"]) == ("job", "1", "FARGATE")
    assert (me["DesiredStatus"], me["KnownStatus"]) == ("RUNNING", "RUNNING")
    assert me["Limits"] == {"CPU": 0.25, "Memory": 512}
    assert me["AvailabilityZone"] == described["availabilityZone"]
    assert [c["Name"] for c in me["Containers"]] == ["app", "sidecar"]
    ip = described["containers"][0]["networkInterfaces"][0]["privateIpv4Address"]
    assert container["Networks"][0]["IPv4Addresses"] == [ip] and container["Networks"][0]["NetworkMode"] == "awsvpc"
    assert container["Labels"]["com.amazonaws.ecs.task-arn"] == task["taskArn"]
    assert container["Labels"]["com.amazonaws.ecs.container-name"] == "app"
    assert (container["Name"], container["Image"], container["KnownStatus"]) == ("app", "worker:1", "RUNNING")
    assert container["DockerId"] == described["containers"][0]["runtimeId"]
    assert container["ContainerARN"] == described["containers"][0]["containerArn"]
    assert container["LogDriver"] == "awslogs" and container["LogOptions"]["awslogs-group"] == "/ecs/job"
    assert stats["id"] == container["DockerId"] and stats["cpu_stats"]["cpu_usage"]["total_usage"] > 0
    assert sorted(task_stats) == sorted(c["DockerId"] for c in me["Containers"])
    for name in (URI, "ECS_CONTAINER_METADATA_URI", "MODE", "RUN_ID", "AWS_EXECUTION_ENV"):
        assert name not in os.environ  # restored


def test_the_answers_follow_the_task_on_the_fake_clock(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("worker:1", runs_for=60, exit_code=3)
    task = run_fargate(ecs)
    with ecs_fake.inside(task["taskArn"], container="app"):
        assert get("/task")["KnownStatus"] == "PROVISIONING"
        ecs_fake.advance(30)
        assert get()["KnownStatus"] == "RUNNING"
        first = get("/stats")["cpu_stats"]["cpu_usage"]["total_usage"]
        ecs_fake.advance(120)
        ended = get()
        assert (ended["KnownStatus"], ended["ExitCode"], get("/task")["KnownStatus"]) == ("STOPPED", 3, "STOPPED")
        assert "FinishedAt" in ended and get("/stats")["cpu_stats"]["cpu_usage"]["total_usage"] > first


def test_v3_urllib_http_client_botocore_and_a_subprocess_reach_the_endpoint(ecs: Any, ecs_fake: EcsFake) -> None:
    task = run_fargate(ecs)
    ecs_fake.advance(30)
    with ecs_fake.inside(task["taskArn"]):
        v3 = os.environ["ECS_CONTAINER_METADATA_URI"]
        with urllib.request.urlopen(v3 + "/task", timeout=5) as answer:  # noqa: S310 (a loopback URL)
            assert json.load(answer)["TaskARN"] == task["taskArn"]
        where = urlsplit(os.environ[URI])
        connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=5)
        connection.request("GET", where.path)
        assert json.loads(connection.getresponse().read())["Name"] == "app"
        connection.close()
        from botocore.awsrequest import AWSRequest
        from botocore.httpsession import URLLib3Session

        session = URLLib3Session()
        response = session.send(AWSRequest(method="GET", url=os.environ[URI] + "/task").prepare())
        assert json.loads(response.content)["Family"] == "job"
        session.close()
        code = ("import json, os, urllib.request; print(json.load(urllib.request.urlopen("
                "os.environ['ECS_CONTAINER_METADATA_URI_V4'] + '/task'))['TaskARN'])")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert done.stdout.strip() == task["taskArn"], done.stderr
        missing = requests.get(os.environ[URI] + "/nothing", timeout=5)
        assert missing.status_code == 404 and "no /v4/" in missing.json()["message"]


def test_an_ec2_service_task_names_its_cluster_and_service(ecs_fake: EcsFake) -> None:
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    ecs_fake.add_container_instance("c")
    ecs.register_task_definition(family="api", containerDefinitions=[{"name": "api", "image": "api:1",
                                                                      "memory": 256, "cpu": 128}])
    ecs.create_service(cluster="c", serviceName="web", taskDefinition="api", desiredCount=1, launchType="EC2")
    ecs_fake.advance(60)
    arn = ecs.list_tasks(cluster="c", serviceName="web")["taskArns"][0]
    with ecs_fake.inside(arn) as variables:
        me = get("/task")
        container = get()
    assert (me["Cluster"], me["ServiceName"], me["LaunchType"]) == ("c", "web", "EC2")  # EC2: the cluster's name
    assert "Limits" not in me and container["Limits"] == {"CPU": 128, "Memory": 256}
    assert variables["AWS_EXECUTION_ENV"] == "AWS_ECS_EC2" and "AWS_REGION" not in variables


def test_a_batch_attempt_sees_its_job_variables(ecs_fake: EcsFake) -> None:
    batch = boto3.client("batch", region_name="us-east-1")
    ready(batch, ecs_fake)
    job_id = submit(batch, arrayProperties={"size": 2})
    ecs_fake.advance(SUBMITTED + SCHEDULING + FARGATE_START)
    child = f"{job_id}:1"
    task_arn = batch.describe_jobs(jobs=[child])["jobs"][0]["container"]["taskArn"]
    with ecs_fake.inside(child):
        seen = {name: os.environ[name] for name in ("AWS_BATCH_JOB_ID", "AWS_BATCH_JQ_NAME", "AWS_BATCH_JOB_ATTEMPT",
                                                    "AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_CE_NAME")}
        assert get("/task")["TaskARN"] == task_arn
    assert seen == {"AWS_BATCH_JOB_ID": child, "AWS_BATCH_JQ_NAME": "q", "AWS_BATCH_JOB_ATTEMPT": "1",
                    "AWS_BATCH_JOB_ARRAY_INDEX": "1", "AWS_BATCH_CE_NAME": "ce"}


def test_what_it_restores_and_what_it_refuses(ecs: Any, ecs_fake: EcsFake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODE", "outside")
    task = run_fargate(ecs)
    with ecs_fake.inside(task["taskArn"].rsplit("/", 1)[1], container="sidecar") as variables:
        assert os.environ["MODE"] == "outside" and "MODE" not in variables  # the sidecar's own environment
        assert get()["Name"] == "sidecar"
    with ecs_fake.inside(task["taskArn"]):
        assert os.environ["MODE"] == "batch"
    assert os.environ["MODE"] == "outside"
    with pytest.raises(LookupError, match="no such container; its containers: 'app', 'sidecar'"):
        ecs_fake.inside(task["taskArn"], container="web").__enter__()
    with pytest.raises(LookupError, match="no such task or Batch job"):
        ecs_fake.inside("arn:aws:ecs:us-east-1:123456789012:task/c/0123").__enter__()
