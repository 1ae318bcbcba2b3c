"""The container agent's operations: code that plays the agent of an EXTERNAL or EC2 container instance reports
task, container and attachment states (the fake's own agent then steps aside), discovers its poll endpoints, and
is updated by UpdateContainerAgent through the documented stages."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from pytest_ecsfake import EcsFake

REGION = "us-east-1"
START = 1735689600.0  # 2025-01-01T00:00:00Z, the fake's default start
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture
def ecs(ecs_fake: EcsFake) -> Any:
    client = boto3.client("ecs", region_name=REGION)
    client.create_cluster(clusterName="c")
    return client


def _external_instance(ecs: Any, version: str = "1.89.2", **extra: Any) -> str:
    """What the agent on an ECS Anywhere host registers."""
    arn: str = ecs.register_container_instance(
        cluster="c", attributes=[{"name": "ecs.capability.external"}, *extra.pop("attributes", [])],
        totalResources=[{"name": "CPU", "type": "INTEGER", "integerValue": 2048},
                        {"name": "MEMORY", "type": "INTEGER", "integerValue": 4096}],
        versionInfo={"agentVersion": version, "agentHash": "0a1b2c3d", "dockerVersion": "DockerVersion: 20.10.25"},
        **extra,
    )["containerInstance"]["containerInstanceArn"]
    return arn


def _run_external(ecs: Any, image: str = "app:1") -> dict[str, Any]:
    ecs.register_task_definition(family="ext", requiresCompatibilities=["EXTERNAL"], containerDefinitions=[
        {"name": "app", "image": image, "memory": 256, "portMappings": [{"containerPort": 80}]}])
    task: dict[str, Any] = ecs.run_task(cluster="c", taskDefinition="ext", launchType="EXTERNAL")["tasks"][0]
    return task


def _task(ecs: Any, arn: str) -> dict[str, Any]:
    task: dict[str, Any] = ecs.describe_tasks(cluster="c", tasks=[arn])["tasks"][0]
    return task


def _instance(ecs: Any, arn: str) -> dict[str, Any]:
    found: dict[str, Any] = ecs.describe_container_instances(cluster="c", containerInstances=[arn])
    return found["containerInstances"][0]


# -- SubmitTaskStateChange / SubmitContainerStateChange -------------------------------------------------
def test_an_agent_runs_and_stops_its_task_and_the_fake_follows(ecs_fake: EcsFake, ecs: Any) -> None:
    ecs_fake.behavior("app:1", runs_for=30, exit_code=0)  # what the fake's own agent would have done
    instance = _external_instance(ecs)
    task = _run_external(ecs)
    arn = task["taskArn"]
    binding = {"bindIP": "0.0.0.0", "containerPort": 80, "hostPort": 32768, "protocol": "tcp"}
    answer = ecs.submit_task_state_change(
        cluster="c", task=arn, status="RUNNING", pullStartedAt=START + 1, pullStoppedAt=START + 4,
        containers=[{"containerName": "app", "runtimeId": "d0c4e7", "status": "RUNNING", "networkBindings": [binding],
                     "imageDigest": "sha256:" + "ab" * 32}])
    assert set(answer) - {"ResponseMetadata"} == {"acknowledgment"}
    running = _task(ecs, arn)
    assert (running["lastStatus"], running["desiredStatus"], running["connectivity"]) == ("RUNNING", "RUNNING",
                                                                                         "CONNECTED")
    assert running["pullStartedAt"].timestamp() == START + 1 and running["pullStoppedAt"].timestamp() == START + 4
    assert running["startedAt"].timestamp() == START and running["version"] > task["version"]
    container = running["containers"][0]
    assert (container["lastStatus"], container["runtimeId"], container["networkBindings"]) == ("RUNNING", "d0c4e7",
                                                                                               [binding])
    assert container["imageDigest"] == "sha256:" + "ab" * 32
    ecs.get_waiter("tasks_running").wait(cluster="c", tasks=[arn])
    ecs_fake.advance(600)  # the fake's own agent stepped aside: no exit after runs_for, nothing moves
    assert _task(ecs, arn)["lastStatus"] == "RUNNING" and _task(ecs, arn)["containers"][0]["lastStatus"] == "RUNNING"
    assert _instance(ecs, instance)["runningTasksCount"] == 1
    ecs.submit_container_state_change(cluster="c", task=arn, containerName="app", status="STOPPED", exitCode=2,
                                      reason="OutOfMemoryError: Container killed due to memory usage")
    exited = _task(ecs, arn)
    assert exited["lastStatus"] == "RUNNING"  # a container's stop is not its task's: the agent reports that
    assert exited["containers"][0]["exitCode"] == 2 and exited["containers"][0]["lastStatus"] == "STOPPED"
    assert exited["containers"][0]["reason"].startswith("OutOfMemoryError")
    ecs_fake.advance(10)
    ecs.submit_task_state_change(cluster="c", task=arn, status="STOPPED", executionStoppedAt=START + 605)
    stopped = _task(ecs, arn)
    assert (stopped["lastStatus"], stopped["desiredStatus"]) == ("STOPPED", "STOPPED")
    assert (stopped["stopCode"], stopped["stoppedReason"]) == ("EssentialContainerExited",
                                                              "Essential container in task exited")
    assert stopped["executionStoppedAt"].timestamp() == START + 605
    assert stopped["stoppingAt"].timestamp() == stopped["stoppedAt"].timestamp() == START + 610
    assert stopped["connectivity"] == "DISCONNECTED"
    ecs.get_waiter("tasks_stopped").wait(cluster="c", tasks=[arn])
    after = _instance(ecs, instance)
    assert after["runningTasksCount"] == 0 and after["remainingResources"][1]["integerValue"] == 4096
    ecs.submit_task_state_change(cluster="c", task=arn, status="RUNNING")  # a stop is final
    assert _task(ecs, arn)["lastStatus"] == "STOPPED"
    ecs_fake.advance(3600)  # ECS still forgets stopped tasks
    assert ecs.describe_tasks(cluster="c", tasks=[arn])["failures"][0]["reason"] == "MISSING"


def test_a_report_takes_the_task_from_the_simulated_agent_midway(ecs_fake: EcsFake, ecs: Any) -> None:
    _external_instance(ecs)
    arn = _run_external(ecs)["taskArn"]
    ecs.submit_task_state_change(cluster="c", task=arn, status="ACTIVATING", pullStartedAt=START)
    ecs_fake.advance(300)
    waiting = _task(ecs, arn)
    assert waiting["lastStatus"] == "ACTIVATING" and "startedAt" not in waiting  # no simulated RUNNING
    ecs.submit_task_state_change(cluster="c", task=arn, status="PENDING")  # earlier than ACTIVATING: ignored
    ecs.submit_task_state_change(cluster="c", task=arn, status="MANIFEST_PULLED")  # not a task status: ignored
    assert _task(ecs, arn)["lastStatus"] == "ACTIVATING"
    ecs.submit_task_state_change(cluster="c", task=arn, status="RUNNING")
    assert _task(ecs, arn)["startedAt"].timestamp() == START + 300


def test_stop_task_waits_for_the_agent_to_report_the_stop(ecs_fake: EcsFake, ecs: Any) -> None:
    _external_instance(ecs)
    arn = _run_external(ecs)["taskArn"]
    ecs.submit_task_state_change(cluster="c", task=arn, status="RUNNING",
                                 containers=[{"containerName": "app", "status": "RUNNING"}])
    stopping = ecs.stop_task(cluster="c", task=arn, reason="deploy")["task"]
    assert (stopping["desiredStatus"], stopping["stopCode"], stopping["stoppedReason"]) == ("STOPPED", "UserInitiated",
                                                                                            "deploy")
    ecs_fake.advance(300)  # the stop is the agent's to carry out
    assert _task(ecs, arn)["lastStatus"] == "RUNNING"
    ecs.submit_task_state_change(cluster="c", task=arn, status="STOPPING")
    ecs.submit_task_state_change(cluster="c", task=arn, status="RUNNING")  # backwards: ignored
    assert _task(ecs, arn)["lastStatus"] == "STOPPING"
    ecs.submit_task_state_change(cluster="c", task=arn, status="STOPPED", reason="whatever the agent says",
                                 containers=[{"containerName": "app", "status": "STOPPED", "exitCode": 143}])
    stopped = _task(ecs, arn)
    assert (stopped["stopCode"], stopped["stoppedReason"]) == ("UserInitiated", "deploy")  # the first stop stands
    assert stopped["containers"][0]["exitCode"] == 143 and stopped["stoppingAt"].timestamp() == START


def test_a_task_the_agent_could_not_start(ecs_fake: EcsFake, ecs: Any) -> None:
    _external_instance(ecs)
    arn = _run_external(ecs)["taskArn"]
    ecs.submit_task_state_change(cluster="c", task=arn, status="STOPPED",
                                 reason="CannotPullContainerError: pull access denied for app")
    stopped = _task(ecs, arn)
    assert (stopped["lastStatus"], stopped["stopCode"]) == ("STOPPED", "TaskFailedToStart")
    assert stopped["stoppedReason"] == "CannotPullContainerError: pull access denied for app"
    assert stopped["containers"][0]["lastStatus"] == "STOPPED" and "exitCode" not in stopped["containers"][0]
    assert "startedAt" not in stopped


def test_managed_agents_follow_the_reports(ecs_fake: EcsFake, ecs: Any) -> None:
    _external_instance(ecs)
    ecs.register_task_definition(family="ext", requiresCompatibilities=["EXTERNAL"],
                                 taskRoleArn="arn:aws:iam::123456789012:role/t",
                                 containerDefinitions=[{"name": "app", "image": "app:1", "memory": 256}])
    arn = ecs.run_task(cluster="c", taskDefinition="ext", launchType="EXTERNAL",
                       enableExecuteCommand=True)["tasks"][0]["taskArn"]
    ecs_fake.advance(5)
    ecs.submit_task_state_change(cluster="c", task=arn, status="RUNNING", managedAgents=[
        {"containerName": "app", "managedAgentName": "ExecuteCommandAgent", "status": "RUNNING"}])
    agent = _task(ecs, arn)["containers"][0]["managedAgents"]
    assert len(agent) == 1 and agent[0]["lastStatus"] == "RUNNING"
    assert agent[0]["lastStartedAt"].timestamp() == START + 5
    ecs.submit_task_state_change(cluster="c", task=arn, managedAgents=[
        {"containerName": "app", "managedAgentName": "ExecuteCommandAgent", "status": "STOPPED",
         "reason": "agent exited"}])
    agent = _task(ecs, arn)["containers"][0]["managedAgents"][0]
    assert (agent["lastStatus"], agent["reason"]) == ("STOPPED", "agent exited")


def test_reports_name_a_task_of_the_cluster(ecs_fake: EcsFake, ecs: Any) -> None:
    _external_instance(ecs)
    arn = _run_external(ecs)["taskArn"]
    ecs.create_cluster(clusterName="other")
    with pytest.raises(ecs.exceptions.ClusterNotFoundException, match="Cluster not found."):
        ecs.submit_task_state_change(cluster="nope", task=arn, status="RUNNING")
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="The referenced task was not found."):
        ecs.submit_task_state_change(cluster="other", task=arn, status="RUNNING")
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="The referenced task was not found."):
        ecs.submit_container_state_change(cluster="c", task="0" * 32, containerName="app", status="RUNNING")
    ecs.submit_container_state_change(cluster="c", task=arn, containerName="nope", status="RUNNING")  # acknowledged
    assert _task(ecs, arn)["containers"][0]["lastStatus"] == "PENDING"


# -- SubmitAttachmentStateChanges -----------------------------------------------------------------------
def test_an_agent_reports_the_eni_of_an_awsvpc_task(ecs_fake: EcsFake, ecs: Any) -> None:
    ecs_fake.add_container_instance("c")
    ecs.register_task_definition(family="vpc", networkMode="awsvpc", requiresCompatibilities=["EC2"],
                                 containerDefinitions=[{"name": "app", "image": "app:1", "memory": 256}])
    task = ecs.run_task(cluster="c", taskDefinition="vpc", launchType="EC2", networkConfiguration={
        "awsvpcConfiguration": {"subnets": ["subnet-0a1b2c3d"]}})["tasks"][0]
    arn, eni = task["taskArn"], task["attachments"][0]
    assert (task["lastStatus"], eni["status"]) == ("PROVISIONING", "PRECREATED")
    attachment = f"arn:aws:ecs:{REGION}:123456789012:attachment/{eni['id']}"
    ecs.submit_attachment_state_changes(cluster="c", attachments=[{"attachmentArn": attachment, "status": "ATTACHING"}])
    ecs_fake.advance(60)  # reported on: the fake no longer attaches it itself
    assert _task(ecs, arn)["lastStatus"] == "PROVISIONING"
    ecs.submit_attachment_state_changes(cluster="c", attachments=[
        {"attachmentArn": attachment, "status": "ATTACHED"},
        {"attachmentArn": f"arn:aws:ecs:{REGION}:123456789012:attachment/{'0' * 8}", "status": "ATTACHED"}])
    pending = _task(ecs, arn)
    assert (pending["lastStatus"], pending["attachments"][0]["status"]) == ("PENDING", "ATTACHED")
    assert pending["connectivityAt"].timestamp() == START + 60
    assert pending["containers"][0]["networkInterfaces"][0]["attachmentId"] == eni["id"]
    with pytest.raises(ecs.exceptions.ClusterNotFoundException):
        ecs.submit_attachment_state_changes(cluster="nope", attachments=[{"attachmentArn": attachment,
                                                                          "status": "DETACHED"}])
    ecs.submit_task_state_change(cluster="c", task=arn, status="STOPPED")
    assert _task(ecs, arn)["attachments"][0]["status"] == "DELETED"


# -- DiscoverPollEndpoint -------------------------------------------------------------------------------
def test_poll_endpoints_have_aws_host_formats(ecs_fake: EcsFake, ecs: Any) -> None:
    first, second = _external_instance(ecs), _external_instance(ecs)
    answer = ecs.discover_poll_endpoint(cluster="c", containerInstance=first)
    shard = answer["endpoint"].split(".")[0].rsplit("-", 1)[1]
    assert answer["endpoint"] == f"https://ecs-a-{shard}.{REGION}.amazonaws.com/" and 1 <= int(shard) <= 16
    assert answer["telemetryEndpoint"] == f"https://ecs-t-{shard}.{REGION}.amazonaws.com/"
    assert answer["serviceConnectEndpoint"] == f"https://ecs-sc.{REGION}.api.aws"
    same = ecs.discover_poll_endpoint(containerInstance=second)  # the cluster from the instance ARN
    assert {k: v for k, v in same.items() if k != "ResponseMetadata"} == \
        {k: v for k, v in answer.items() if k != "ResponseMetadata"}
    west = boto3.client("ecs", region_name="eu-west-1").discover_poll_endpoint(cluster="c")
    assert west["telemetryEndpoint"] == f"https://ecs-t-{shard}.eu-west-1.amazonaws.com/"


# -- UpdateContainerAgent -------------------------------------------------------------------------------
def test_an_agent_update_walks_its_stages(ecs_fake: EcsFake, ecs: Any) -> None:
    arn = _external_instance(ecs, version="1.70.0")
    before = _instance(ecs, arn)
    assert "agentUpdateStatus" not in before  # never requested: NULL
    answer = ecs.update_container_agent(cluster="c", containerInstance=arn)["containerInstance"]
    assert answer["agentUpdateStatus"] == "PENDING" and answer["versionInfo"]["agentVersion"] == "1.70.0"
    with pytest.raises(ecs.exceptions.UpdateInProgressException):
        ecs.update_container_agent(cluster="c", containerInstance=arn)
    seen = []
    for step in (5, 20, 1, 10):
        ecs_fake.advance(step)
        now = _instance(ecs, arn)
        seen.append((now["agentUpdateStatus"], now["agentConnected"], now["versionInfo"]["agentVersion"]))
    assert seen == [("STAGING", True, "1.70.0"), ("STAGED", True, "1.70.0"), ("UPDATING", False, "1.70.0"),
                    ("UPDATED", True, "1.89.2")]
    assert _instance(ecs, arn)["version"] == before["version"] + 5
    with pytest.raises(ecs.exceptions.NoUpdateAvailableException,
                       match="There is no update available for your container agent."):
        ecs.update_container_agent(cluster="c", containerInstance=arn)


def test_agent_update_errors(ecs_fake: EcsFake, ecs: Any) -> None:
    current = ecs_fake.add_container_instance("c")  # registers with the newest agent the fake knows
    with pytest.raises(ecs.exceptions.NoUpdateAvailableException):
        ecs.update_container_agent(cluster="c", containerInstance=current)
    custom = _external_instance(ecs, version="custom-build")
    with pytest.raises(ecs.exceptions.MissingVersionException):
        ecs.update_container_agent(cluster="c", containerInstance=custom)
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="container instance was not found"):
        ecs.update_container_agent(cluster="c", containerInstance="0" * 32)
    with pytest.raises(ecs.exceptions.ClusterNotFoundException):
        ecs.update_container_agent(cluster="nope", containerInstance=current)
    ecs.deregister_container_instance(cluster="c", containerInstance=custom)
    with pytest.raises(ecs.exceptions.InvalidParameterException):
        ecs.update_container_agent(cluster="c", containerInstance=custom)


def test_an_update_the_reference_says_does_not_apply_is_answered_recorded_and_fails(ecs_fake: EcsFake,
                                                                                      ecs: Any) -> None:
    arn = _external_instance(ecs, version="1.70.0", attributes=[{"name": "ecs.os-type", "value": "windows"}])
    assert ecs.update_container_agent(cluster="c", containerInstance=arn)["containerInstance"][
        "agentUpdateStatus"] == "PENDING"
    assert "do not apply to Windows container instances" in ecs_fake.calls[-1].violations[0]
    ecs_fake.advance(25)
    failed = _instance(ecs, arn)
    assert (failed["agentUpdateStatus"], failed["versionInfo"]["agentVersion"]) == ("FAILED", "1.70.0")
    ecs.update_container_agent(cluster="c", containerInstance=arn)  # after FAILED, a new update may start


def test_a_deregistered_instance_update_goes_no_further(ecs_fake: EcsFake, ecs: Any) -> None:
    arn = _external_instance(ecs, version="1.70.0")
    ecs.update_container_agent(cluster="c", containerInstance=arn)
    ecs.deregister_container_instance(cluster="c", containerInstance=arn)
    ecs_fake.advance(100)
    assert _instance(ecs, arn)["agentUpdateStatus"] == "PENDING"


# -- over HTTP ------------------------------------------------------------------------------------------
def test_an_agent_over_the_server(ecs_fake: EcsFake) -> None:
    with ecs_fake.serve() as url:
        ecs = boto3.client("ecs", endpoint_url=url, region_name=REGION, **KEYS)
        ecs.create_cluster(clusterName="c")
        instance = _external_instance(ecs, version="1.70.0")
        assert ecs.discover_poll_endpoint(cluster="c")["endpoint"].startswith("https://ecs-a-")
        arn = _run_external(ecs)["taskArn"]
        ecs.submit_task_state_change(cluster="c", task=arn, status="RUNNING")
        ecs.submit_container_state_change(cluster="c", task=arn, containerName="app", status="RUNNING",
                                          runtimeId="abc")
        assert _task(ecs, arn)["containers"][0]["runtimeId"] == "abc"
        assert ecs.update_container_agent(cluster="c", containerInstance=instance)["containerInstance"][
            "agentUpdateStatus"] == "PENDING"
        ecs.close()


def test_a_service_replaces_the_task_its_agent_reported_stopped(ecs_fake: EcsFake, ecs: Any) -> None:
    ecs_fake.add_container_instance("c")
    ecs.register_task_definition(family="web", containerDefinitions=[{"name": "app", "image": "web:1", "memory": 128}])
    ecs.create_service(cluster="c", serviceName="web", taskDefinition="web", desiredCount=1, launchType="EC2")
    ecs_fake.advance(30)
    first = ecs.list_tasks(cluster="c", serviceName="web")["taskArns"]
    assert len(first) == 1 and _task(ecs, first[0])["lastStatus"] == "RUNNING"
    ecs.submit_task_state_change(cluster="c", task=first[0], status="STOPPED", reason="Essential container exited",
                                 containers=[{"containerName": "app", "status": "STOPPED", "exitCode": 1}])
    assert _task(ecs, first[0])["stopCode"] == "EssentialContainerExited"
    ecs_fake.advance(30)
    replacement = ecs.list_tasks(cluster="c", serviceName="web")["taskArns"]
    assert len(replacement) == 1 and replacement != first
    assert _task(ecs, replacement[0])["lastStatus"] == "RUNNING"  # not reported on: the fake's agent runs it
