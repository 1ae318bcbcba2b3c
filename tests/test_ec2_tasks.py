"""Tasks on EC2 container instances: bridge lifecycle, placement through RunTask, StartTask, resources."""

from __future__ import annotations

from typing import Any

import pytest
from ecs_helpers import SUBNETS, describe

from pytest_ecsfake import EcsFake


@pytest.fixture
def ecs_c(ecs: Any) -> Any:
    ecs.create_cluster(clusterName="c")
    ecs.register_task_definition(family="web", containerDefinitions=[
        {"name": "app", "image": "nginx:1", "cpu": 512, "memory": 1024,
         "portMappings": [{"containerPort": 80, "hostPort": 8080}]}])
    return ecs


def statuses_over(ecs: Any, fake: EcsFake, arn: str, seconds: int) -> list[str]:
    seen: list[str] = []
    for _ in range(seconds):
        status = describe(ecs, arn)["lastStatus"]
        if not seen or seen[-1] != status:
            seen.append(status)
        fake.advance(1)
    return seen


def test_bridge_task_skips_the_eni_states(ecs_c: Any, ecs_fake: EcsFake) -> None:
    instance = ecs_fake.add_container_instance("c", availability_zone="us-east-1b")
    task = ecs_c.run_task(cluster="c", taskDefinition="web")["tasks"][0]
    assert (task["launchType"], task["containerInstanceArn"]) == ("EC2", instance)
    assert task["availabilityZone"] == "us-east-1b"
    assert task["attachments"] == [] and "platformVersion" not in task
    walk = statuses_over(ecs_c, ecs_fake, task["taskArn"], 30)
    assert walk == ["PENDING", "ACTIVATING", "RUNNING"]
    running = describe(ecs_c, task["taskArn"])
    assert (running["startedAt"] - running["createdAt"]).total_seconds() <= 30
    assert running["containers"][0]["networkBindings"] == [
        {"bindIP": "0.0.0.0", "containerPort": 80, "hostPort": 8080, "protocol": "tcp"}
    ]
    ecs_c.stop_task(cluster="c", task=task["taskArn"])
    # DEACTIVATING is due at the stop request's own instant: the next describe already shows it.
    assert statuses_over(ecs_c, ecs_fake, task["taskArn"], 30) == ["DEACTIVATING", "STOPPING", "STOPPED"]


def test_a_bridge_task_has_no_connectivity_until_the_agent_takes_it_up(ecs_c: Any, ecs_fake: EcsFake) -> None:
    # The AWS CLI's run-task sample (an EC2 bridge task at PENDING) has neither connectivity nor connectivityAt.
    ecs_fake.add_container_instance("c")
    task = ecs_c.run_task(cluster="c", taskDefinition="web")["tasks"][0]
    assert task["lastStatus"] == "PENDING"
    assert "connectivity" not in task and "connectivityAt" not in task
    ecs_fake.advance(30)
    running = describe(ecs_c, task["taskArn"])
    assert running["connectivity"] == "CONNECTED"
    assert task["createdAt"] < running["connectivityAt"] <= running["pullStartedAt"] < running["startedAt"]


def test_awsvpc_on_ec2_walks_all_eight_states(ecs_c: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.add_container_instance("c")
    ecs_c.register_task_definition(family="eni", networkMode="awsvpc", containerDefinitions=[
        {"name": "app", "image": "x", "memory": 128}])
    arn = ecs_c.run_task(cluster="c", taskDefinition="eni", networkConfiguration=SUBNETS)["tasks"][0]["taskArn"]
    seen = statuses_over(ecs_c, ecs_fake, arn, 30)
    ecs_c.stop_task(cluster="c", task=arn)
    seen += statuses_over(ecs_c, ecs_fake, arn, 30)
    assert seen == ["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING",
                    "DEPROVISIONING", "STOPPED"]


def test_no_container_instances(ecs_c: Any) -> None:
    with pytest.raises(ecs_c.exceptions.InvalidParameterException,
                       match=r"No Container Instances were found in your cluster\."):
        ecs_c.run_task(cluster="c", taskDefinition="web")


def test_placement_failures_instead_of_tasks_and_resources_come_back(ecs_c: Any, ecs_fake: EcsFake) -> None:
    instance = ecs_fake.add_container_instance("c", cpu=1024, memory=4096)
    answer = ecs_c.run_task(cluster="c", taskDefinition="web", count=3)
    # The first task takes port 8080; the second cannot bind it again.
    assert len(answer["tasks"]) == 1
    assert answer["failures"] == [{"arn": instance, "reason": "RESOURCE:PORTS"}]
    ecs_c.register_task_definition(family="big", containerDefinitions=[{"name": "a", "image": "x", "memory": 8000}])
    big = ecs_c.run_task(cluster="c", taskDefinition="big")
    assert big["tasks"] == [] and big["failures"] == [{"arn": instance, "reason": "RESOURCE:MEMORY"}]
    remaining = {r["name"]: r for r in ecs_c.describe_container_instances(
        cluster="c", containerInstances=[instance])["containerInstances"][0]["remainingResources"]}
    assert remaining["CPU"]["integerValue"] == 512 and remaining["MEMORY"]["integerValue"] == 3072
    ecs_c.stop_task(cluster="c", task=answer["tasks"][0]["taskArn"])
    ecs_fake.advance(60)
    again = ecs_c.run_task(cluster="c", taskDefinition="web")
    assert len(again["tasks"]) == 1 and again["failures"] == []


def test_draining_instances_take_no_new_tasks(ecs_c: Any, ecs_fake: EcsFake) -> None:
    first = ecs_fake.add_container_instance("c")
    second = ecs_fake.add_container_instance("c")
    ecs_c.update_container_instances_state(cluster="c", containerInstances=[first], status="DRAINING")
    tasks = ecs_c.run_task(cluster="c", taskDefinition="web")["tasks"]
    assert [t["containerInstanceArn"] for t in tasks] == [second]


def test_list_tasks_by_container_instance(ecs_c: Any, ecs_fake: EcsFake) -> None:
    first = ecs_fake.add_container_instance("c")
    second = ecs_fake.add_container_instance("c")
    tasks = ecs_c.run_task(cluster="c", taskDefinition="web", count=2,
                           placementStrategy=[{"type": "spread", "field": "instanceId"}])["tasks"]
    by_instance = {t["containerInstanceArn"]: t["taskArn"] for t in tasks}
    assert set(by_instance) == {first, second}
    assert ecs_c.list_tasks(cluster="c", containerInstance=first)["taskArns"] == [by_instance[first]]
    # runningTasksCount counts tasks whose desiredStatus is RUNNING, pending ones included [M:ContainerInstance].
    described = ecs_c.describe_container_instances(cluster="c", containerInstances=[first, second])
    assert {ci["containerInstanceArn"]: (ci["pendingTasksCount"], ci["runningTasksCount"])
            for ci in described["containerInstances"]} == {first: (1, 1), second: (1, 1)}


def test_start_task_places_one_task_per_named_instance(ecs_c: Any, ecs_fake: EcsFake) -> None:
    first = ecs_fake.add_container_instance("c")
    small = ecs_fake.add_container_instance("c", cpu=256)
    drained = ecs_fake.add_container_instance("c")
    ecs_c.deregister_container_instance(cluster="c", containerInstance=drained)
    missing = "arn:aws:ecs:us-east-1:123456789012:container-instance/c/" + "f" * 32
    answer = ecs_c.start_task(cluster="c", taskDefinition="web", containerInstances=[first, small, drained, missing],
                              startedBy="cron")
    assert [t["containerInstanceArn"] for t in answer["tasks"]] == [first]
    assert answer["tasks"][0]["startedBy"] == "cron" and answer["tasks"][0]["launchType"] == "EC2"
    assert answer["failures"] == [
        {"arn": small, "reason": "RESOURCE:CPU"},
        {"arn": drained, "reason": "INACTIVE"},
        {"arn": missing, "reason": "MISSING"},
    ]


def test_external_launch_type_uses_external_instances(ecs_c: Any, ecs_fake: EcsFake) -> None:
    ecs_c.register_task_definition(family="ext", requiresCompatibilities=["EXTERNAL"],
                                   containerDefinitions=[{"name": "a", "image": "x", "memory": 64}])
    ecs_fake.add_container_instance("c")
    # No EXTERNAL instance registered: the EC2 instance must not take an EXTERNAL task.
    with pytest.raises(ecs_c.exceptions.InvalidParameterException, match="No Container Instances"):
        ecs_c.run_task(cluster="c", taskDefinition="ext", launchType="EXTERNAL")
    external = ecs_c.register_container_instance(  # ECS Anywhere: what the agent on a managed host registers
        cluster="c", attributes=[{"name": "ecs.capability.external"}],
        totalResources=[{"name": "CPU", "type": "INTEGER", "integerValue": 1024},
                        {"name": "MEMORY", "type": "INTEGER", "integerValue": 2048}],
    )["containerInstance"]["containerInstanceArn"]
    task = ecs_c.run_task(cluster="c", taskDefinition="ext", launchType="EXTERNAL")["tasks"][0]
    assert (task["launchType"], task["containerInstanceArn"]) == ("EXTERNAL", external)
