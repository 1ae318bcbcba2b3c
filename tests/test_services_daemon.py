"""DAEMON services: one task per eligible container instance, following the instances, and their deployments."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from service_helpers import HEALTHY_AFTER, STARTED_AFTER, counts, deployments, service, service_tasks

from pytest_ecsfake import EcsFake


@pytest.fixture
def ecs_c(ecs: Any) -> Any:
    ecs.create_cluster(clusterName="c")
    register(ecs, "agent:1")
    return ecs


def register(ecs: Any, image: str) -> str:
    arn: str = ecs.register_task_definition(family="agent", containerDefinitions=[
        {"name": "agent", "image": image, "cpu": 256, "memory": 256}])["taskDefinition"]["taskDefinitionArn"]
    return arn


def daemon(ecs: Any, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"cluster": "c", "serviceName": "agent", "taskDefinition": "agent",
                            "schedulingStrategy": "DAEMON", **extra}
    created: dict[str, Any] = ecs.create_service(**body)["service"]
    return created


def instances_of_tasks(ecs: Any) -> list[str]:
    return sorted(t["containerInstanceArn"] for t in service_tasks(ecs, "agent"))


def test_one_task_on_each_active_instance(ecs_c: Any, ecs_fake: EcsFake) -> None:
    one = ecs_fake.add_container_instance("c")
    two = ecs_fake.add_container_instance("c")
    created = daemon(ecs_c)
    assert created["schedulingStrategy"] == "DAEMON"
    assert created["desiredCount"] == 2
    assert created["launchType"] == "EC2"
    assert created["deploymentConfiguration"]["maximumPercent"] == 100
    assert created["deploymentConfiguration"]["minimumHealthyPercent"] == 0
    ecs_fake.advance(STARTED_AFTER + HEALTHY_AFTER)
    assert counts(ecs_c, "agent") == (2, 0, 2)
    assert instances_of_tasks(ecs_c) == sorted([one, two])
    assert service(ecs_c, "agent")["deployments"][0]["rolloutState"] == "COMPLETED"
    assert ecs_c.list_services(cluster="c", schedulingStrategy="DAEMON")["serviceArns"] == [created["serviceArn"]]
    assert ecs_c.list_services(cluster="c", schedulingStrategy="REPLICA")["serviceArns"] == []


def test_tasks_follow_the_instances(ecs_c: Any, ecs_fake: EcsFake) -> None:
    one = ecs_fake.add_container_instance("c")
    daemon(ecs_c)
    ecs_fake.advance(STARTED_AFTER)
    assert instances_of_tasks(ecs_c) == [one]
    two = ecs_fake.add_container_instance("c")  # a new instance gets its task
    ecs_fake.advance(STARTED_AFTER)
    assert counts(ecs_c, "agent") == (2, 0, 2)
    assert instances_of_tasks(ecs_c) == sorted([one, two])
    (on_one,) = [t for t in service_tasks(ecs_c, "agent") if t["containerInstanceArn"] == one]
    ecs_c.update_container_instances_state(cluster="c", containerInstances=[one], status="DRAINING")
    ecs_fake.advance(STARTED_AFTER)
    assert instances_of_tasks(ecs_c) == [two]
    stopped = ecs_c.describe_tasks(cluster="c", tasks=[on_one["taskArn"]])["tasks"][0]
    assert stopped["desiredStatus"] == "STOPPED"
    assert stopped["stopCode"] == "ServiceSchedulerInitiated"
    assert counts(ecs_c, "agent")[0] == 1
    ecs_c.update_container_instances_state(cluster="c", containerInstances=[one], status="ACTIVE")
    ecs_fake.advance(STARTED_AFTER)
    assert instances_of_tasks(ecs_c) == sorted([one, two])
    ecs_c.deregister_container_instance(cluster="c", containerInstance=two, force=True)
    ecs_fake.advance(STARTED_AFTER)
    assert instances_of_tasks(ecs_c) == [one]
    assert counts(ecs_c, "agent") == (1, 0, 1)


def test_a_stopped_daemon_task_is_replaced(ecs_c: Any, ecs_fake: EcsFake) -> None:
    one = ecs_fake.add_container_instance("c")
    daemon(ecs_c)
    ecs_fake.advance(STARTED_AFTER)
    (task,) = service_tasks(ecs_c, "agent")
    ecs_c.stop_task(cluster="c", task=task["taskArn"])
    ecs_fake.advance(STARTED_AFTER + 60)
    (replacement,) = service_tasks(ecs_c, "agent")
    assert replacement["taskArn"] != task["taskArn"]
    assert replacement["containerInstanceArn"] == one
    assert replacement["lastStatus"] == "RUNNING"


def test_placement_constraints_choose_the_instances(ecs_c: Any, ecs_fake: EcsFake) -> None:
    gpu = ecs_fake.add_container_instance("c", attributes={"role": "gpu"})
    ecs_fake.add_container_instance("c", attributes={"role": "web"})
    created = daemon(ecs_c, placementConstraints=[{"type": "memberOf", "expression": "attribute:role == gpu"}])
    assert created["desiredCount"] == 1
    ecs_fake.advance(STARTED_AFTER)
    assert instances_of_tasks(ecs_c) == [gpu]


def test_a_deployment_replaces_tasks_instance_by_instance(ecs_c: Any, ecs_fake: EcsFake) -> None:
    for _ in range(3):
        ecs_fake.add_container_instance("c")
    daemon(ecs_c)
    ecs_fake.advance(STARTED_AFTER + HEALTHY_AFTER)
    before = {t["containerInstanceArn"]: t["taskArn"] for t in service_tasks(ecs_c, "agent")}
    ecs_c.update_service(cluster="c", service="agent", taskDefinition=register(ecs_c, "agent:2"),
                         deploymentConfiguration={"minimumHealthyPercent": 50, "maximumPercent": 100})
    ecs_fake.advance(2)
    # ceil(3 * 50%) = 2 must stay healthy: one old task stops, and nothing new starts beside the other two.
    assert len(service_tasks(ecs_c, "agent")) == 2
    ecs_fake.advance(STARTED_AFTER + HEALTHY_AFTER)
    ecs_fake.advance(3 * (STARTED_AFTER + HEALTHY_AFTER))
    after = {t["containerInstanceArn"]: t for t in service_tasks(ecs_c, "agent")}
    assert sorted(after) == sorted(before)
    assert all(t["taskDefinitionArn"].endswith("agent:2") for t in after.values())
    assert deployments(ecs_c, "agent") == [("PRIMARY", "agent:2", 3, 0, 3, "COMPLETED")]


def test_default_daemon_deployment_stops_every_old_task_first(ecs_c: Any, ecs_fake: EcsFake) -> None:
    for _ in range(2):
        ecs_fake.add_container_instance("c")
    daemon(ecs_c)
    ecs_fake.advance(STARTED_AFTER + HEALTHY_AFTER)
    ecs_c.update_service(cluster="c", service="agent", taskDefinition=register(ecs_c, "agent:2"))
    ecs_fake.advance(STARTED_AFTER + 60)
    new = service_tasks(ecs_c, "agent")
    assert [t["taskDefinitionArn"].rsplit("/", 1)[1] for t in new] == ["agent:2"] * 2
    old = service_tasks(ecs_c, "agent", status="STOPPED")
    assert len(old) == 2
    # minimumHealthyPercent 0 and maximumPercent 100: both old tasks stop at once, and each instance's new task
    # starts only once its old one has stopped.
    assert len({t["stoppingAt"] for t in old}) == 1
    assert max(t["stoppedAt"] for t in old) <= min(t["createdAt"] for t in new)


@pytest.mark.parametrize(("extra", "message"), [
    ({"desiredCount": 1}, "The daemon scheduling strategy does not support a desired count for services. "
                          "Remove the desired count value and try again"),
    ({"placementStrategy": [{"type": "random"}]}, "The daemon scheduling strategy does not support placement "
                                                   "strategies. Remove the placement strategy and try again"),
    ({"capacityProviderStrategy": [{"capacityProvider": "FARGATE"}]},
     "Specifying a capacity provider strategy is not supported when you create a service using the DAEMON "
     "scheduling strategy."),
])
def test_what_a_daemon_refuses(ecs_c: Any, extra: dict[str, Any], message: str) -> None:
    with pytest.raises(ClientError) as caught:
        daemon(ecs_c, **extra)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
    assert caught.value.response["Error"]["Message"] == message


def test_update_service_refuses_a_desired_count(ecs_c: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.add_container_instance("c")
    daemon(ecs_c)
    with pytest.raises(ClientError) as caught:
        ecs_c.update_service(cluster="c", service="agent", desiredCount=0)
    assert "does not support a desired count" in caught.value.response["Error"]["Message"]
    ecs_c.delete_service(cluster="c", service="agent")  # no force needed: a daemon cannot be scaled to 0
    ecs_fake.advance(STARTED_AFTER + 60)
    assert service(ecs_c, "agent")["status"] == "INACTIVE"
    assert service_tasks(ecs_c, "agent") == []


def test_daemon_over_the_server(ecs_fake: EcsFake) -> None:
    import boto3

    with ecs_fake.serve() as url:
        ecs = boto3.client("ecs", region_name="us-east-1", endpoint_url=url, aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        ecs.create_cluster(clusterName="c")
        register(ecs, "agent:1")
        ecs_fake.add_container_instance("c")
        assert daemon(ecs)["desiredCount"] == 1
        ecs_fake.advance(STARTED_AFTER)
        assert counts(ecs, "agent") == (1, 0, 1)


def test_a_daemon_deployment_waits_for_a_protected_task(ecs_c: Any, ecs_fake: EcsFake) -> None:
    for _ in range(2):
        ecs_fake.add_container_instance("c")
    daemon(ecs_c)
    ecs_fake.advance(STARTED_AFTER + HEALTHY_AFTER)
    kept = service_tasks(ecs_c, "agent")[0]["taskArn"]
    ecs_c.update_task_protection(cluster="c", tasks=[kept], protectionEnabled=True, expiresInMinutes=10)
    ecs_c.update_service(cluster="c", service="agent", taskDefinition=register(ecs_c, "agent:2"))
    ecs_fake.advance(5 * 60)
    families = sorted(t["taskDefinitionArn"].rsplit("/", 1)[1] for t in service_tasks(ecs_c, "agent"))
    assert families == ["agent:1", "agent:2"]
    assert kept in [t["taskArn"] for t in service_tasks(ecs_c, "agent")]
    ecs_fake.advance(5 * 60 + STARTED_AFTER + 60)  # the protection ends: its instance's task is replaced
    families = sorted(t["taskDefinitionArn"].rsplit("/", 1)[1] for t in service_tasks(ecs_c, "agent"))
    assert families == ["agent:2", "agent:2"]


def test_a_deployment_no_configuration_allows_is_reported(ecs_c: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.add_container_instance("c")
    daemon(ecs_c, deploymentConfiguration={"minimumHealthyPercent": 100, "maximumPercent": 100})
    ecs_fake.advance(STARTED_AFTER + HEALTHY_AFTER)
    ecs_c.update_service(cluster="c", service="agent", taskDefinition=register(ecs_c, "agent:2"))
    ecs_fake.advance(60)
    assert [t["taskDefinitionArn"].rsplit("/", 1)[1] for t in service_tasks(ecs_c, "agent")] == ["agent:1"]
    assert service(ecs_c, "agent")["events"][0]["message"] == (
        "(service agent) was unable to stop or start tasks during a deployment because of the service deployment "
        "configuration. Update the minimumHealthyPercent or maximumPercent value and try again.")
