"""ECS Exec: enableExecuteCommand on tasks and services, the ExecuteCommandAgent on the fake clock, and
ExecuteCommand's sessions and refusals."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest
from ecs_helpers import SUBNETS, describe, fargate_definition
from service_helpers import web_service

from pytest_ecsfake import EcsFake

ROLE = "arn:aws:iam::123456789012:role/app"
RUNNING_AFTER = 18  # Fargate: provisioning 5 + pull_start 1 + pull 10 + activating 2 (ecs/timings.py)
NOT_ENABLED = (
    "The execute command failed because execute command was not enabled when the task was run or the execute "
    "command agent isn\u2019t running. Wait and try again or run a new task with execute command enabled and try "
    "again."
)
TWO_CONTAINERS = [{"name": "app", "image": "app:1"}, {"name": "sidecar", "image": "sidecar:1", "essential": False}]


@pytest.fixture
def client(ecs_fake: EcsFake) -> Any:
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    return ecs


def _agents(task: dict[str, Any]) -> dict[str, Any]:
    return {c["name"]: c.get("managedAgents") for c in task["containers"]}


def _run(ecs: Any, **extra: Any) -> dict[str, Any]:
    answer = ecs.run_task(cluster="c", taskDefinition="job", launchType="FARGATE", networkConfiguration=SUBNETS,
                          enableExecuteCommand=True, **extra)
    assert answer["failures"] == []
    task: dict[str, Any] = answer["tasks"][0]
    return task


def _error(raised: pytest.ExceptionInfo[Any]) -> tuple[str, str]:
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


def test_exec_session_follows_the_agent_on_the_clock(ecs_fake: EcsFake, ecs: Any) -> None:
    """The whole flow, through the botocore hook and over ``fake.serve()``."""
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs, containerDefinitions=TWO_CONTAINERS, taskRoleArn=ROLE)
    task = _run(ecs)
    assert task["enableExecuteCommand"] is True
    assert _agents(task) == {"app": [{"name": "ExecuteCommandAgent", "lastStatus": "PENDING"}],
                             "sidecar": [{"name": "ExecuteCommandAgent", "lastStatus": "PENDING"}]}
    with pytest.raises(ecs.exceptions.InvalidParameterException) as raised:  # not running yet: wait and retry
        ecs.execute_command(cluster="c", task=task["taskArn"], container="app", command="ls", interactive=True)
    assert _error(raised) == ("InvalidParameterException", NOT_ENABLED)

    ecs_fake.advance(RUNNING_AFTER)
    running = describe(ecs, task["taskArn"])
    assert running["lastStatus"] == "RUNNING"
    for agents in _agents(running).values():
        assert agents == [
            {"name": "ExecuteCommandAgent", "lastStatus": "RUNNING", "lastStartedAt": running["startedAt"]}]
    answer = ecs.execute_command(cluster="c", task=task["taskArn"], container="app", command="/bin/sh -c 'ls /'",
                                 interactive=True)
    app = running["containers"][0]
    assert (answer["clusterArn"], answer["taskArn"], answer["containerArn"], answer["containerName"],
            answer["interactive"]) == (running["clusterArn"], task["taskArn"], app["containerArn"], "app", True)
    session = answer["session"]
    assert re.fullmatch(r"ecs-execute-command-0[0-9a-f]{16}", session["sessionId"])
    assert session["streamUrl"] == (f"wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/"
                                    f"{session['sessionId']}?role=publish_subscribe")
    assert len(session["tokenValue"]) > 100
    second = ecs.execute_command(cluster="c", task=task["taskArn"].rsplit("/", 1)[1], container="sidecar",
                                 command="env", interactive=True)["session"]
    assert second["sessionId"] != session["sessionId"]
    # What was run: the call record has each command and its session.
    calls = ecs_fake.calls_to("ExecuteCommand")
    assert [(c.request["command"], c.response.get("session", {}).get("sessionId")) for c in calls] == [
        ("ls", None), ("/bin/sh -c 'ls /'", session["sessionId"]), ("env", second["sessionId"])]

    ecs.stop_task(cluster="c", task=task["taskArn"])
    ecs.get_waiter("tasks_stopped").wait(cluster="c", tasks=[task["taskArn"]])
    stopped = describe(ecs, task["taskArn"])
    for agents in _agents(stopped).values():
        assert agents == [
            {"name": "ExecuteCommandAgent", "lastStatus": "STOPPED", "lastStartedAt": running["startedAt"]}]
    with pytest.raises(ecs.exceptions.InvalidParameterException) as raised:
        ecs.execute_command(cluster="c", task=task["taskArn"], container="app", command="ls", interactive=True)
    assert _error(raised) == ("InvalidParameterException", NOT_ENABLED)


def test_sessions_are_kept_on_the_task_record(ecs_fake: EcsFake, client: Any) -> None:
    fargate_definition(client, taskRoleArn=ROLE)
    task = _run(client)
    ecs_fake.advance(RUNNING_AFTER)
    # One container: no need to name it.
    answer = client.execute_command(cluster="c", task=task["taskArn"], command="whoami", interactive=True)
    assert answer["containerName"] == "app"
    record = ecs_fake._backend.region_state("us-east-1").ecs.tasks[task["taskArn"].rsplit("/", 1)[1]]
    assert [(s["sessionId"], s["container"], s["command"]) for s in record.exec_sessions] == [
        (answer["session"]["sessionId"], "app", "whoami")]


def test_a_task_without_exec_has_no_agent_and_is_refused(ecs_fake: EcsFake, client: Any) -> None:
    fargate_definition(client, taskRoleArn=ROLE)
    task = client.run_task(cluster="c", taskDefinition="job", launchType="FARGATE",
                           networkConfiguration=SUBNETS)["tasks"][0]
    ecs_fake.advance(RUNNING_AFTER)
    running = describe(client, task["taskArn"])
    assert running["enableExecuteCommand"] is False and _agents(running) == {"app": None}
    with pytest.raises(client.exceptions.InvalidParameterException) as raised:
        client.execute_command(cluster="c", task=task["taskArn"], command="ls", interactive=True)
    assert _error(raised) == ("InvalidParameterException", NOT_ENABLED)


def test_a_container_that_exited_has_a_stopped_agent(ecs_fake: EcsFake, client: Any) -> None:
    ecs_fake.behavior("sidecar:1", runs_for=30)
    fargate_definition(client, containerDefinitions=TWO_CONTAINERS, taskRoleArn=ROLE)
    task = _run(client)
    ecs_fake.advance(RUNNING_AFTER + 30)
    agents = _agents(describe(client, task["taskArn"]))
    assert (agents["app"][0]["lastStatus"], agents["sidecar"][0]["lastStatus"]) == ("RUNNING", "STOPPED")
    with pytest.raises(client.exceptions.InvalidParameterException) as raised:
        client.execute_command(cluster="c", task=task["taskArn"], container="sidecar", command="ls", interactive=True)
    assert _error(raised)[1] == NOT_ENABLED
    assert client.execute_command(cluster="c", task=task["taskArn"], container="app", command="ls",
                                  interactive=True)["containerName"] == "app"


def test_execute_command_refusals(ecs_fake: EcsFake, client: Any) -> None:
    fargate_definition(client, containerDefinitions=TWO_CONTAINERS, taskRoleArn=ROLE)
    arn = _run(client)["taskArn"]
    ecs_fake.advance(RUNNING_AFTER)
    with pytest.raises(client.exceptions.InvalidParameterException) as raised:
        client.execute_command(cluster="c", task=arn, container="app", command="ls", interactive=False)
    assert _error(raised)[1] == "Interactive is the only mode supported currently."
    with pytest.raises(client.exceptions.InvalidParameterException) as raised:  # two containers: name one
        client.execute_command(cluster="c", task=arn, command="ls", interactive=True)
    assert "app, sidecar" in _error(raised)[1]
    with pytest.raises(client.exceptions.InvalidParameterException) as raised:
        client.execute_command(cluster="c", task=arn, container="db", command="ls", interactive=True)
    assert "db" in _error(raised)[1]
    with pytest.raises(client.exceptions.InvalidParameterException) as raised:
        client.execute_command(cluster="c", task="abc", command="ls", interactive=True)
    assert _error(raised)[1] == "task length should be one of [32,36]"
    with pytest.raises(client.exceptions.InvalidParameterException) as raised:
        client.execute_command(cluster="c", task="0" * 32, command="ls", interactive=True)
    assert _error(raised)[1] == "The referenced task was not found."
    client.create_cluster(clusterName="other")
    with pytest.raises(client.exceptions.InvalidParameterException):  # the task is in cluster c
        client.execute_command(cluster="other", task=arn, container="app", command="ls", interactive=True)
    with pytest.raises(client.exceptions.ClusterNotFoundException):
        client.execute_command(cluster="nope", task=arn, container="app", command="ls", interactive=True)
    assert ecs_fake._backend.region_state("us-east-1").ecs.tasks[arn.rsplit("/", 1)[1]].exec_sessions == []


def test_exec_needs_a_task_role(ecs_fake: EcsFake, client: Any) -> None:
    fargate_definition(client)
    with pytest.raises(client.exceptions.InvalidParameterException) as raised:
        _run(client)
    assert _error(raised)[1] == (
        "The execute command failed because a valid task role is not being used. Specify a valid task role in "
        "your task definition or as a task override and try again.")
    assert _run(client, overrides={"taskRoleArn": ROLE})["enableExecuteCommand"] is True
    with pytest.raises(client.exceptions.InvalidParameterException) as raised:
        web_service(client, taskDefinition="job", enableExecuteCommand=True)
    assert _error(raised)[1].startswith("The service couldn't be created because a valid taskRoleArn")
    web_service(client, taskDefinition="job")
    with pytest.raises(client.exceptions.InvalidParameterException) as raised:
        client.update_service(cluster="c", service="web", enableExecuteCommand=True)
    assert _error(raised)[1] == ("The service couldn't be updated because a valid taskRoleArn is not being used. "
                                 "Specify a valid task role in your task definition and try again.")


def test_service_tasks_carry_the_agent(ecs_fake: EcsFake, client: Any) -> None:
    fargate_definition(client, family="web", image="web:1", taskRoleArn=ROLE)
    assert web_service(client, enableExecuteCommand=True)["enableExecuteCommand"] is True
    client.get_waiter("services_stable").wait(cluster="c", services=["web"])
    arns = client.list_tasks(cluster="c", serviceName="web")["taskArns"]
    tasks = client.describe_tasks(cluster="c", tasks=arns)["tasks"]
    assert len(tasks) == 2 and all(t["enableExecuteCommand"] for t in tasks)
    assert {_agents(t)["app"][0]["lastStatus"] for t in tasks} == {"RUNNING"}
    assert client.execute_command(cluster="c", task=arns[0], command="ls", interactive=True)["taskArn"] == arns[0]


def test_start_task_on_ec2_with_exec(ecs_fake: EcsFake, client: Any) -> None:
    instance = ecs_fake.add_container_instance("c")
    client.register_task_definition(family="ec2", taskRoleArn=ROLE, containerDefinitions=[
        {"name": "app", "image": "app:1", "memory": 256}])
    task = client.start_task(cluster="c", taskDefinition="ec2", containerInstances=[instance],
                             enableExecuteCommand=True)["tasks"][0]
    assert _agents(task) == {"app": [{"name": "ExecuteCommandAgent", "lastStatus": "PENDING"}]}
    client.get_waiter("tasks_running").wait(cluster="c", tasks=[task["taskArn"]])
    assert client.execute_command(cluster="c", task=task["taskArn"], command="ls", interactive=True)[
        "containerName"] == "app"


def test_target_not_connected_can_be_injected(ecs_fake: EcsFake, client: Any) -> None:
    fargate_definition(client, taskRoleArn=ROLE)
    arn = _run(client)["taskArn"]
    ecs_fake.advance(RUNNING_AFTER)
    ecs_fake.fail("ExecuteCommand", "TargetNotConnectedException",
                  message="The execute command failed due to an internal error. Try again later.")
    with pytest.raises(client.exceptions.TargetNotConnectedException):
        client.execute_command(cluster="c", task=arn, command="ls", interactive=True)
    assert client.execute_command(cluster="c", task=arn, command="ls", interactive=True)["taskArn"] == arn
