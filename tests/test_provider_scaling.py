"""Tasks through Auto Scaling group capacity providers: placement, PROVISIONING while managed scaling adds
instances on the fake clock, the give-up timeout, scale-in, services."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from ecs_helpers import SUBNETS, describe

from pytest_ecsfake import EcsFake

ASG = ("arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0b1c2d3e-aaaa-bbbb-cccc-1234567890ab:"
       "autoScalingGroupName/{}")
STRATEGY = [{"capacityProvider": "cp", "weight": 1}]


def setup(ecs: Any, scaling: str = "ENABLED", cpu: int = 1024, memory: int = 2048, **managed: Any) -> None:
    ecs.create_cluster(clusterName="c")
    ecs.create_capacity_provider(name="cp", autoScalingGroupProvider={
        "autoScalingGroupArn": ASG.format("cp"), "managedScaling": {"status": scaling, **managed}})
    ecs.put_cluster_capacity_providers(cluster="c", capacityProviders=["cp"], defaultCapacityProviderStrategy=STRATEGY)
    ecs.register_task_definition(family="web", requiresCompatibilities=["EC2"], containerDefinitions=[
        {"name": "app", "image": "nginx:1", "cpu": cpu, "memory": memory}])


def instances(ecs: Any) -> list[dict[str, Any]]:
    arns = ecs.list_container_instances(cluster="c")["containerInstanceArns"]
    if not arns:
        return []
    found: list[dict[str, Any]] = ecs.describe_container_instances(cluster="c", containerInstances=arns)[
        "containerInstances"]
    return found


def test_tasks_wait_in_provisioning_while_managed_scaling_adds_instances(ecs: Any, ecs_fake: EcsFake) -> None:
    setup(ecs, cpu=2048, memory=4096, maximumScalingStepSize=1)
    answer = ecs.run_task(cluster="c", taskDefinition="web", count=2)  # the default strategy: provider cp
    assert answer["failures"] == []
    first, second = (t["taskArn"] for t in answer["tasks"])
    task = answer["tasks"][0]
    assert (task["lastStatus"], task["launchType"], task["capacityProviderName"]) == ("PROVISIONING", "EC2", "cp")
    assert "containerInstanceArn" not in task
    assert ecs.describe_clusters(clusters=["c"])["clusters"][0]["pendingTasksCount"] == 2
    ecs_fake.advance(179)
    assert instances(ecs) == []
    ecs_fake.advance(1)  # capacity_provider_scale_out: one instance (maximumScalingStepSize=1) of m5.large size
    [launched] = instances(ecs)
    assert launched["capacityProviderName"] == "cp"
    assert {r["name"]: r.get("integerValue") for r in launched["registeredResources"]}["CPU"] == 2048
    placed = describe(ecs, first)
    assert placed["containerInstanceArn"] == launched["containerInstanceArn"]
    assert placed["lastStatus"] == "PENDING"
    assert describe(ecs, second)["lastStatus"] == "PROVISIONING"
    ecs_fake.advance(30)
    assert describe(ecs, first)["lastStatus"] == "RUNNING"
    ecs_fake.advance(150)  # the next step
    assert len(instances(ecs)) == 2
    ecs_fake.advance(30)
    assert describe(ecs, second)["lastStatus"] == "RUNNING"


def test_a_step_adds_what_the_waiting_tasks_need_within_the_step_sizes(ecs: Any, ecs_fake: EcsFake) -> None:
    setup(ecs, cpu=1024, memory=2048, minimumScalingStepSize=1, maximumScalingStepSize=10)
    ecs_fake.add_container_instance("c", cpu=2048, memory=4096)  # the group's size comes from this instance
    answer = ecs.run_task(cluster="c", taskDefinition="web", count=6)
    on_existing = [t for t in answer["tasks"] if "containerInstanceArn" in t]
    assert len(on_existing) == 2  # two fit on the existing instance; four wait
    ecs_fake.advance(180)
    added = [i for i in instances(ecs) if i.get("capacityProviderName") == "cp"]
    assert len(added) == 2  # four tasks of 1024 CPU units on 2048-unit instances
    statuses = {describe(ecs, t["taskArn"])["lastStatus"] for t in answer["tasks"]}
    assert "PROVISIONING" not in statuses


def test_target_capacity_below_100_keeps_spare_instances(ecs: Any, ecs_fake: EcsFake) -> None:
    setup(ecs, cpu=2048, memory=4096, targetCapacity=50)
    ecs.run_task(cluster="c", taskDefinition="web")
    ecs_fake.advance(180)
    assert len(instances(ecs)) == 2  # one busy instance is 50% of the group


def test_without_managed_scaling_a_task_that_fits_nowhere_fails_at_once(ecs: Any, ecs_fake: EcsFake) -> None:
    setup(ecs, scaling="DISABLED", cpu=2048, memory=4096)
    with pytest.raises(ClientError) as none:
        ecs.run_task(cluster="c", taskDefinition="web")
    assert none.value.response["Error"]["Message"] == "No Container Instances were found in your capacity provider."
    arn = ecs_fake.add_container_instance("c", cpu=2048, memory=4096)
    answer = ecs.run_task(cluster="c", taskDefinition="web", count=2)
    assert [t["containerInstanceArn"] for t in answer["tasks"]] == [arn]
    assert answer["tasks"][0]["capacityProviderName"] == "cp"
    assert answer["failures"] == [{"arn": arn, "reason": "RESOURCE:CPU"}]
    ecs_fake.advance(600)
    assert len(instances(ecs)) == 1  # nothing scales


def test_a_task_no_instance_can_hold_is_stopped_after_the_provisioning_timeout(ecs: Any, ecs_fake: EcsFake) -> None:
    setup(ecs, cpu=4096, memory=16384)  # bigger than an m5.large
    task = ecs.run_task(cluster="c", taskDefinition="web")["tasks"][0]
    ecs_fake.advance(1799)
    assert describe(ecs, task["taskArn"])["lastStatus"] == "PROVISIONING"
    assert instances(ecs) == []
    ecs_fake.advance(10)
    stopped = describe(ecs, task["taskArn"])
    assert (stopped["lastStatus"], stopped["stopCode"]) == ("STOPPED", "TaskFailedToStart")
    assert stopped["stoppedReason"] == "EMPTY CAPACITY PROVIDER"


def test_stopping_a_waiting_task_and_scale_in_of_idle_instances(ecs: Any, ecs_fake: EcsFake) -> None:
    setup(ecs, cpu=2048, memory=4096)
    waiting = ecs.run_task(cluster="c", taskDefinition="web", count=2)["tasks"]
    ecs.stop_task(cluster="c", task=waiting[1]["taskArn"])
    ecs_fake.advance(5)
    assert describe(ecs, waiting[1]["taskArn"])["lastStatus"] == "STOPPED"
    ecs_fake.advance(175)
    assert len(instances(ecs)) == 1  # only for the task still waiting
    ecs_fake.advance(30)
    ecs.stop_task(cluster="c", task=waiting[0]["taskArn"])
    ecs_fake.advance(60)
    assert describe(ecs, waiting[0]["taskArn"])["lastStatus"] == "STOPPED"
    assert ecs.describe_clusters(clusters=["c"])["clusters"][0]["registeredContainerInstancesCount"] == 1
    ecs_fake.advance(900)  # idle for 15 minutes: scaled in
    assert ecs.describe_clusters(clusters=["c"])["clusters"][0]["registeredContainerInstancesCount"] == 0


def test_a_service_on_the_provider_scales_the_group_out(ecs: Any, ecs_fake: EcsFake) -> None:
    setup(ecs, cpu=1024, memory=2048)
    created = ecs.create_service(cluster="c", serviceName="web", taskDefinition="web", desiredCount=3)["service"]
    assert created["capacityProviderStrategy"] == [{"capacityProvider": "cp", "weight": 1, "base": 0}]
    assert "launchType" not in created  # the cluster's default strategy, as PutClusterCapacityProviders echoed it
    ecs_fake.advance(400)
    tasks = ecs.describe_tasks(cluster="c", tasks=ecs.list_tasks(cluster="c")["taskArns"])["tasks"]
    assert sorted(t["lastStatus"] for t in tasks) == ["RUNNING"] * 3
    assert {t["capacityProviderName"] for t in tasks} == {"cp"}
    assert len(instances(ecs)) == 2
    # A provider a service uses stays with the cluster.
    with pytest.raises(ClientError) as raised:
        ecs.put_cluster_capacity_providers(cluster="c", capacityProviders=[], defaultCapacityProviderStrategy=[])
    assert raised.value.response["Error"]["Code"] == "ResourceInUseException"


def test_placement_first_then_waiting_and_re_enabled_scaling_serves_tasks_still_waiting(
        ecs: Any, ecs_fake: EcsFake) -> None:
    setup(ecs, cpu=1024, memory=2048)
    ecs_fake.add_container_instance("c", cpu=1024, memory=2048)
    answer = ecs.run_task(cluster="c", taskDefinition="web", count=2)
    assert [t["lastStatus"] for t in answer["tasks"]] == ["PENDING", "PROVISIONING"]
    ecs.update_capacity_provider(name="cp", autoScalingGroupProvider={"managedScaling": {"status": "DISABLED"}})
    ecs_fake.advance(300)
    assert len(instances(ecs)) == 1  # no scaling while DISABLED: the task keeps waiting
    assert describe(ecs, answer["tasks"][1]["taskArn"])["lastStatus"] == "PROVISIONING"
    ecs.update_capacity_provider(name="cp", autoScalingGroupProvider={"managedScaling": {"status": "ENABLED"}})
    ecs_fake.advance(210)
    assert len(instances(ecs)) == 2
    assert describe(ecs, answer["tasks"][1]["taskArn"])["lastStatus"] == "RUNNING"


def test_a_service_on_a_provider_without_instances_or_scaling_says_so(ecs: Any, ecs_fake: EcsFake) -> None:
    setup(ecs, scaling="DISABLED")
    ecs.create_service(cluster="c", serviceName="web", taskDefinition="web", desiredCount=1)
    ecs_fake.advance(5)
    events = [e["message"] for e in ecs.describe_services(cluster="c", services=["web"])["services"][0]["events"]]
    assert any("was unable to place a task because no container instance met all of its requirements. Reason: No "
               "Container Instances were found in your capacity provider." in m for m in events)
    assert ecs.list_tasks(cluster="c")["taskArns"] == []


def test_an_awsvpc_task_waits_then_gets_its_eni_once_placed(ecs: Any, ecs_fake: EcsFake) -> None:
    setup(ecs)
    ecs.register_task_definition(family="vpc", requiresCompatibilities=["EC2"], networkMode="awsvpc",
                                 containerDefinitions=[{"name": "app", "image": "nginx:1", "cpu": 1024,
                                                        "memory": 2048}])
    task = ecs.run_task(cluster="c", taskDefinition="vpc", networkConfiguration=SUBNETS)["tasks"][0]
    assert (task["lastStatus"], task["attachments"][0]["status"]) == ("PROVISIONING", "PRECREATED")
    ecs_fake.advance(180)
    placed = describe(ecs, task["taskArn"])
    assert placed["lastStatus"] == "PROVISIONING" and "containerInstanceArn" in placed  # the ENI comes next
    ecs_fake.advance(5)
    attached = describe(ecs, task["taskArn"])
    assert (attached["lastStatus"], attached["attachments"][0]["status"]) == ("PENDING", "ATTACHED")
    [instance] = instances(ecs)
    assert attached["availabilityZone"] == next(a["value"] for a in instance["attributes"]
                                                if a["name"] == "ecs.availability-zone")
