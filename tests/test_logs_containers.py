"""Container output: ``fake.behavior(..., logs=[...])`` written through awslogs, read back with boto3."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import boto3
import pytest
from batch_helpers import CE_CREATE, QUEUE_CREATE, definition, environment, queue, ready, submit
from batch_helpers import job as describe_job
from ecs_helpers import SUBNETS, fargate_definition, run_fargate

from pytest_ecsfake import EcsFake
from pytest_ecsfake.ecs.container_output import GROUP_MISSING

AWSLOGS = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/job", "awslogs-region": "us-east-1",
                                               "awslogs-stream-prefix": "ecs"}}


def awslogs_definition(ecs: Any, image: str = "worker:1", **options: str) -> str:
    config = {"logDriver": "awslogs", "options": {**AWSLOGS["options"], **options}}
    return fargate_definition(ecs, image=image, containerDefinitions=[
        {"name": "app", "image": image, "logConfiguration": config}])


def read_all(logs: Any, group: str, stream: str) -> tuple[list[dict[str, Any]], int]:
    """Airflow's way (AwsLogsHook.get_log_events): from the head, until nextForwardToken repeats."""
    events: list[dict[str, Any]] = []
    token = None
    calls = 0
    while True:
        extra = {"nextToken": token} if token else {}
        answer = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True, limit=2,
                                     **extra)
        calls += 1
        events += answer["events"]
        if answer["nextForwardToken"] == token:
            return events, calls
        token = answer["nextForwardToken"]


@pytest.fixture
def clients(ecs_fake: EcsFake) -> tuple[Any, Any]:
    ecs = boto3.client("ecs", region_name="us-east-1")
    logs = boto3.client("logs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    logs.create_log_group(logGroupName="/ecs/job")
    return ecs, logs


def test_the_airflow_flow_run_task_wait_then_read_the_whole_stream(ecs_fake: EcsFake, clients: Any) -> None:
    ecs, logs = clients
    ecs_fake.behavior("worker:1", runs_for=30, exit_code=0,
                      logs=["starting", "loading 3 files", (10, "file 1 done"), (20, "file 2 done"), (30, "all done")])
    awslogs_definition(ecs)
    task = run_fargate(ecs)
    ecs.get_waiter("tasks_stopped").wait(cluster="c", tasks=[task["taskArn"]])
    stopped = ecs.describe_tasks(cluster="c", tasks=[task["taskArn"]])["tasks"][0]
    task_id = task["taskArn"].rsplit("/", 1)[1]
    events, calls = read_all(logs, "/ecs/job", f"ecs/app/{task_id}")
    assert [e["message"] for e in events] == ["starting", "loading 3 files", "file 1 done", "file 2 done",
                                              "all done"]
    assert calls == 4  # 2 + 2 + 1 events, then the same token with nothing new
    started = int(round(stopped["startedAt"].timestamp() * 1000))
    assert [e["timestamp"] for e in events] == [started, started, started + 10_000, started + 20_000,
                                                started + 30_000]
    assert all(e["ingestionTime"] == e["timestamp"] for e in events)
    assert stopped["containers"][0]["exitCode"] == 0


def test_the_stream_exists_once_the_container_started_even_with_no_lines(ecs_fake: EcsFake, clients: Any) -> None:
    ecs, logs = clients
    awslogs_definition(ecs)
    task = run_fargate(ecs)
    assert logs.describe_log_streams(logGroupName="/ecs/job")["logStreams"] == []  # still PROVISIONING
    ecs.get_waiter("tasks_running").wait(cluster="c", tasks=[task["taskArn"]])
    [stream] = logs.describe_log_streams(logGroupName="/ecs/job")["logStreams"]
    assert stream["logStreamName"] == "ecs/app/" + task["taskArn"].rsplit("/", 1)[1]
    assert "lastEventTimestamp" not in stream


def test_lines_due_after_the_container_stopped_are_never_written(ecs_fake: EcsFake, clients: Any) -> None:
    ecs, logs = clients
    ecs_fake.behavior("worker:1", logs=["up", (5, "tick 5"), (60, "tick 60")])
    awslogs_definition(ecs)
    task = run_fargate(ecs)
    ecs.get_waiter("tasks_running").wait(cluster="c", tasks=[task["taskArn"]])
    ecs_fake.advance(10)
    ecs.stop_task(cluster="c", task=task["taskArn"])
    ecs_fake.advance(120)
    [stream] = logs.describe_log_streams(logGroupName="/ecs/job")["logStreams"]
    events = logs.get_log_events(logGroupName="/ecs/job", logStreamName=stream["logStreamName"],
                                 startFromHead=True)["events"]
    assert [e["message"] for e in events] == ["up", "tick 5"]


def test_a_missing_group_fails_the_task_as_fargate_reports_it(ecs_fake: EcsFake) -> None:
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    awslogs_definition(ecs)  # /ecs/job was never created
    task = run_fargate(ecs)
    ecs.get_waiter("tasks_stopped").wait(cluster="c", tasks=[task["taskArn"]])
    stopped = ecs.describe_tasks(cluster="c", tasks=[task["taskArn"]])["tasks"][0]
    assert (stopped["stopCode"], stopped["stoppedReason"]) == ("TaskFailedToStart", GROUP_MISSING["FARGATE"])
    assert stopped["stoppedReason"].startswith("ResourceInitializationError: failed to validate logger args")
    assert "startedAt" not in stopped


def test_awslogs_create_group_creates_it_and_the_region_option_is_honoured(ecs_fake: EcsFake) -> None:
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    ecs_fake.behavior("worker:1", runs_for=1, logs=["hello from eu"])
    awslogs_definition(ecs, **{"awslogs-create-group": "true", "awslogs-group": "/new/group",
                               "awslogs-region": "eu-west-1"})
    task = run_fargate(ecs)
    ecs.get_waiter("tasks_stopped").wait(cluster="c", tasks=[task["taskArn"]])
    assert boto3.client("logs", region_name="us-east-1").describe_log_groups()["logGroups"] == []
    west = boto3.client("logs", region_name="eu-west-1")
    found = west.filter_log_events(logGroupName="/new/group")["events"]
    assert [(e["logStreamName"], e["message"]) for e in found] == [
        ("ecs/app/" + task["taskArn"].rsplit("/", 1)[1], "hello from eu")]


def test_a_container_without_awslogs_writes_nowhere(ecs_fake: EcsFake, clients: Any) -> None:
    ecs, logs = clients
    ecs_fake.behavior("worker:1", runs_for=1, logs=["lost"])
    fargate_definition(ecs)  # no logConfiguration
    task = run_fargate(ecs)
    ecs.get_waiter("tasks_stopped").wait(cluster="c", tasks=[task["taskArn"]])
    assert logs.describe_log_streams(logGroupName="/ecs/job")["logStreams"] == []
    assert ecs.describe_tasks(cluster="c", tasks=[task["taskArn"]])["tasks"][0]["stopCode"] == (
        "EssentialContainerExited")


@pytest.mark.parametrize(("logs", "message"), [
    ("one line", "behavior(logs=...) takes a list of lines"),
    ([3], "behavior(logs=...) takes lines as str or (seconds_after_start >= 0, str), got 3"),
    ([(-1, "x")], "got (-1, 'x')"),
    ([(1, 2)], "got (1, 2)"),
    ([(True, "x")], "got (True, 'x')"),
])
def test_behavior_logs_is_checked(ecs_fake: EcsFake, logs: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        ecs_fake.behavior("worker:1", logs=logs)


def test_behavior_logs_accepts_lines_and_pairs(ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("worker:1", logs=["a", (1.5, "b"), [2, "c"]])
    assert ecs_fake._backend.behaviors["worker:1"].logs == ((None, "a"), (1.5, "b"), (2.0, "c"))


def test_the_batch_flow_job_then_its_log_stream_on_aws_batch_job(ecs_fake: EcsFake) -> None:
    batch = boto3.client("batch", region_name="us-east-1")
    logs = boto3.client("logs", region_name="us-east-1")
    ready(batch, ecs_fake)
    ecs_fake.behavior("worker:1", runs_for=60, logs=["job starting", (59, "job finished")])
    job_id = submit(batch)
    ecs_fake.advance(600)
    found = describe_job(batch, job_id)
    assert found["status"] == "SUCCEEDED"
    stream = found["container"]["logStreamName"]
    assert found["attempts"][0]["container"]["logStreamName"] == stream
    assert stream.startswith("work/default/")
    events = logs.get_log_events(logGroupName="/aws/batch/job", logStreamName=stream, startFromHead=True)["events"]
    assert [e["message"] for e in events] == ["job starting", "job finished"]
    assert events[1]["timestamp"] - events[0]["timestamp"] == 59_000


def test_a_batch_job_definition_s_own_awslogs_configuration(ecs_fake: EcsFake) -> None:
    batch = boto3.client("batch", region_name="us-east-1")
    logs = boto3.client("logs", region_name="us-east-1")
    environment(batch)
    ecs_fake.advance(CE_CREATE)
    queue(batch)
    ecs_fake.advance(QUEUE_CREATE)
    logs.create_log_group(logGroupName="/team/etl")
    definition(batch, name="etl", container={"logConfiguration": {
        "logDriver": "awslogs", "options": {"awslogs-group": "/team/etl", "awslogs-stream-prefix": "nightly"}}})
    ecs_fake.behavior("worker:1", runs_for=5, logs=["etl ran"])
    job_id = submit(batch, jobDefinition="etl")
    ecs_fake.advance(600)
    stream = describe_job(batch, job_id)["container"]["logStreamName"]
    assert stream.startswith("nightly/default/")
    events = logs.get_log_events(logGroupName="/team/etl", logStreamName=stream)["events"]
    assert [e["message"] for e in events] == ["etl ran"]
    assert logs.describe_log_groups(logGroupNamePrefix="/aws/batch")["logGroups"] == []


def test_the_whole_flow_over_the_http_server(ecs_fake: EcsFake) -> None:
    with ecs_fake.serve() as url:
        keys = {"endpoint_url": url, "region_name": "us-east-1", "aws_access_key_id": "testing",
                "aws_secret_access_key": "testing"}
        ecs, logs = boto3.client("ecs", **keys), boto3.client("logs", **keys)
        request = urllib.request.Request(url + "/_ecsfake/behavior", method="POST", data=json.dumps(
            {"match": "worker:1", "runs_for": 3, "logs": ["served line", [3, "served end"]]}).encode())
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - a loopback URL
            assert answer.status == 200
        ecs.create_cluster(clusterName="c")
        logs.create_log_group(logGroupName="/ecs/job")
        awslogs_definition(ecs)
        arn = ecs.run_task(cluster="c", taskDefinition="job", launchType="FARGATE",
                           networkConfiguration=SUBNETS)["tasks"][0]["taskArn"]
        ecs.get_waiter("tasks_stopped").wait(cluster="c", tasks=[arn])
        events, _ = read_all(logs, "/ecs/job", "ecs/app/" + arn.rsplit("/", 1)[1])
        assert [e["message"] for e in events] == ["served line", "served end"]


def test_while_moto_holds_logs_a_task_does_not_fail_for_a_group_the_fake_cannot_see() -> None:
    import moto  # the test extra has it
    with moto.mock_aws(), EcsFake():
        ecs = boto3.client("ecs", region_name="us-east-1")
        boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName="/ecs/job")  # moto's
        ecs.create_cluster(clusterName="c")
        awslogs_definition(ecs)
        task = run_fargate(ecs)
        ecs.get_waiter("tasks_running").wait(cluster="c", tasks=[task["taskArn"]])
        assert ecs.describe_tasks(cluster="c", tasks=[task["taskArn"]])["tasks"][0]["lastStatus"] == "RUNNING"


def test_a_missing_group_fails_an_ec2_task_as_docker_s_driver_reports_it(ecs_fake: EcsFake) -> None:
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    ecs_fake.add_container_instance("c")
    ecs.register_task_definition(family="ec2job", networkMode="bridge", containerDefinitions=[
        {"name": "app", "image": "worker:1", "memory": 256, "logConfiguration": AWSLOGS}])
    arn = ecs.run_task(cluster="c", taskDefinition="ec2job", launchType="EC2")["tasks"][0]["taskArn"]
    ecs.get_waiter("tasks_stopped").wait(cluster="c", tasks=[arn])
    stopped = ecs.describe_tasks(cluster="c", tasks=[arn])["tasks"][0]
    assert (stopped["stopCode"], stopped["stoppedReason"]) == ("TaskFailedToStart", GROUP_MISSING["EC2"])
    assert stopped["containers"][0]["reason"] == GROUP_MISSING["EC2"]
