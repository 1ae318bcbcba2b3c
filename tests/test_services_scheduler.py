"""The service scheduler on the clock: starting tasks, counts that follow the tasks' states, replacing tasks
that stop, scale-in and scale-out, placement on EC2 instances and by capacity provider strategy."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from ecs_helpers import SUBNETS, fargate_definition
from service_helpers import HEALTHY_AFTER, STARTED_AFTER, counts, messages, service, service_tasks, web_service

from pytest_ecsfake import EcsFake


@pytest.fixture
def ecs_c(ecs: Any) -> Any:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs, family="web", image="web:1")
    return ecs


def test_counts_follow_the_tasks_states(ecs_c: Any, ecs_fake: EcsFake) -> None:
    web_service(ecs_c, desired=2)
    assert counts(ecs_c) == (2, 0, 0)
    ecs_fake.advance(1)  # the scheduler's first step: two tasks PROVISIONING
    assert counts(ecs_c) == (2, 2, 0)
    assert {t["lastStatus"] for t in service_tasks(ecs_c)} == {"PROVISIONING"}
    ecs_fake.advance(17)  # ACTIVATING is still pending
    assert counts(ecs_c) == (2, 2, 0)
    ecs_fake.advance(1)  # RUNNING 18 s after launch
    assert counts(ecs_c) == (2, 0, 2)
    assert ecs_c.describe_clusters(clusters=["c"])["clusters"][0]["runningTasksCount"] == 2


def test_service_tasks_carry_the_deployment_and_group(ecs_c: Any, ecs_fake: EcsFake) -> None:
    created = web_service(ecs_c, desired=2, enableECSManagedTags=True, propagateTags="SERVICE",
                          tags=[{"key": "team", "value": "web"}])
    ecs_fake.advance(STARTED_AFTER)
    deployment_id = created["deployments"][0]["id"]
    arns = ecs_c.list_tasks(cluster="c", startedBy=deployment_id)["taskArns"]
    tasks = ecs_c.describe_tasks(cluster="c", tasks=arns, include=["TAGS"])["tasks"]
    assert len(tasks) == 2
    for task in tasks:
        assert (task["group"], task["startedBy"], task["launchType"]) == ("service:web", deployment_id, "FARGATE")
        assert task["taskDefinitionArn"] == created["taskDefinition"] and task["platformVersion"] == "1.4.0"
        assert {t["key"]: t["value"] for t in task["tags"]} == {
            "team": "web", "aws:ecs:clusterName": "c", "aws:ecs:serviceName": "web"}


def test_list_tasks_service_name_filter(ecs_c: Any, ecs_fake: EcsFake) -> None:
    web_service(ecs_c, name="front", desired=2)
    web_service(ecs_c, name="back", desired=1)
    ecs_fake.advance(STARTED_AFTER)
    front = set(ecs_c.list_tasks(cluster="c", serviceName="front")["taskArns"])
    back = set(ecs_c.list_tasks(cluster="c", serviceName="back")["taskArns"])
    assert (len(front), len(back)) == (2, 1) and not front & back
    assert set(ecs_c.list_tasks(cluster="c")["taskArns"]) == front | back
    with pytest.raises(ecs_c.exceptions.InvalidParameterException, match="serviceName with other arguments"):
        ecs_c.list_tasks(cluster="c", serviceName="front", family="web")


def _essential_exit(ecs: Any, fake: EcsFake, arn: str) -> None:
    pass  # the container exits by itself (see the behaviour set in the test)


def _interrupt(ecs: Any, fake: EcsFake, arn: str) -> None:
    fake.interrupt(arn, stop_code="SpotInterruption")


def _stop_task(ecs: Any, fake: EcsFake, arn: str) -> None:
    ecs.stop_task(cluster="c", task=arn, reason="by hand")


@pytest.mark.parametrize(
    ("cause", "runs_for", "stop_code", "reason"),
    [
        (_essential_exit, 100.0, "EssentialContainerExited", "Essential container in task exited"),
        (_interrupt, None, "SpotInterruption", "Your Spot Task was interrupted."),
        (_stop_task, None, "UserInitiated", "by hand"),
    ],
    ids=["essential-exit", "interrupt", "stop-task"],
)
def test_a_task_that_stops_is_replaced(ecs_c: Any, ecs_fake: EcsFake, cause: Any, runs_for: float | None,
                                       stop_code: str, reason: str) -> None:
    ecs_fake.behavior("web:1", runs_for=runs_for, exit_code=1)
    web_service(ecs_c, desired=1)
    ecs_fake.advance(STARTED_AFTER)
    (first,) = [t["taskArn"] for t in service_tasks(ecs_c)]
    cause(ecs_c, ecs_fake, first)
    ecs_fake.advance(runs_for + 2 if runs_for else 2)  # past the exit (at 119 s) or the stop request
    (replacement,) = service_tasks(ecs_c)
    assert replacement["taskArn"] != first and replacement["group"] == "service:web"
    stopped = ecs_c.describe_tasks(cluster="c", tasks=[first])["tasks"][0]
    assert (stopped["stopCode"], stopped["stoppedReason"]) == (stop_code, reason)
    replacement_id = replacement["taskArn"].rsplit("/", 1)[1]
    assert messages(ecs_c)[-1] == f"(service web) has started 1 tasks: (task {replacement_id})."
    ecs_fake.advance(STARTED_AFTER)
    assert counts(ecs_c) == (1, 0, 1)


def test_scale_in_stops_tasks_as_the_scheduler(ecs_c: Any, ecs_fake: EcsFake) -> None:
    created = web_service(ecs_c, desired=3)
    ecs_fake.advance(STARTED_AFTER)
    ecs_c.update_service(cluster="c", service="web", desiredCount=1)
    ecs_fake.advance(1)
    stopped = service_tasks(ecs_c, status="STOPPED")
    assert len(stopped) == 2
    deployment_id = created["deployments"][0]["id"]
    for task in stopped:
        assert task["stopCode"] == "ServiceSchedulerInitiated"
        assert task["stoppedReason"] == f"Scaling activity initiated by (deployment {deployment_id})"
    said = re.fullmatch(r"\(service web\) has stopped 2 running tasks: \(task (\w+)\) \(task (\w+)\)\.",
                        messages(ecs_c)[-1])
    assert said is not None and set(said.groups()) == {t["taskArn"].rsplit("/", 1)[1] for t in stopped}
    ecs_fake.advance(1)
    assert counts(ecs_c) == (1, 0, 1)
    ecs_fake.advance(HEALTHY_AFTER)  # steady once the remaining task is healthy
    assert messages(ecs_c)[-1] == "(service web) has reached a steady state."
    assert len(service(ecs_c)["deployments"]) == 1
    done = ecs_c.describe_tasks(cluster="c", tasks=[t["taskArn"] for t in stopped])["tasks"]
    assert [(t["lastStatus"], t["containers"][0]["exitCode"]) for t in done] == [("STOPPED", 143)] * 2  # SIGTERM


def test_scale_out_starts_tasks_without_a_new_deployment(ecs_c: Any, ecs_fake: EcsFake) -> None:
    web_service(ecs_c, desired=1)
    ecs_fake.advance(STARTED_AFTER)
    ecs_c.update_service(cluster="c", service="web", desiredCount=4)
    ecs_fake.advance(1)
    assert counts(ecs_c) == (4, 3, 1)
    ecs_fake.advance(STARTED_AFTER + HEALTHY_AFTER)
    (deployment,) = service(ecs_c)["deployments"]
    assert (deployment["desiredCount"], deployment["runningCount"], deployment["rolloutState"]) == (4, 4, "COMPLETED")


@pytest.fixture
def ec2(ecs_c: Any, ecs_fake: EcsFake) -> Any:
    ecs_c.register_task_definition(family="api", containerDefinitions=[
        {"name": "app", "image": "api:1", "cpu": 256, "memory": 512}])
    return ecs_c


@pytest.mark.parametrize(
    ("constraints", "strategy", "expected"),
    [
        # memberOf keeps the data instances; binpack on memory fills the first of them before the other.
        ([{"type": "memberOf", "expression": "attribute:team == data"}], [{"type": "binpack", "field": "memory"}],
         {"data-1": 3}),
        # distinctInstance: one task per instance.
        ([{"type": "distinctInstance"}], [], {"data-1": 1, "data-2": 1, "web-1": 1}),
        # the default: spread over zones, then instances.
        ([], [], {"data-1": 1, "data-2": 1, "web-1": 1}),
    ],
    ids=["memberOf-binpack", "distinctInstance", "default-spread"],
)
def test_ec2_placement_follows_the_service(ec2: Any, ecs_fake: EcsFake, constraints: list[dict[str, str]],
                                          strategy: list[dict[str, str]], expected: dict[str, int]) -> None:
    names = {}
    for name, team, zone in (("data-1", "data", "us-east-1a"), ("data-2", "data", "us-east-1b"),
                             ("web-1", "web", "us-east-1c")):
        arn = ecs_fake.add_container_instance("c", availability_zone=zone, attributes={"team": team, "name": name})
        names[arn] = name
    ec2.create_service(cluster="c", serviceName="api", taskDefinition="api", desiredCount=3, launchType="EC2",
                       placementConstraints=constraints, placementStrategy=strategy)
    ecs_fake.advance(STARTED_AFTER)
    tasks = service_tasks(ec2, "api")
    assert Counter(names[t["containerInstanceArn"]] for t in tasks) == expected
    assert {(t["launchType"], t["lastStatus"]) for t in tasks} == {("EC2", "RUNNING")}


def test_ec2_service_waits_for_capacity(ec2: Any, ecs_fake: EcsFake) -> None:
    ec2.create_service(cluster="c", serviceName="api", taskDefinition="api", desiredCount=2, launchType="EC2")
    ecs_fake.advance(100)  # first try at 1 s, retries every 30 s: reported once
    head = "(service api) was unable to place a task because no container instance met all of its requirements."
    assert messages(ec2, "api") == [
        f"{head} Reason: No Container Instances were found in your cluster. For more information, see the "
        "Troubleshooting section of the Amazon ECS Developer Guide."]
    small = ecs_fake.add_container_instance("c", cpu=128)
    ecs_fake.advance(30)
    instance_id = small.rsplit("/", 1)[1]
    assert messages(ec2, "api")[-1] == (
        f"{head} The closest matching (container-instance {instance_id}) has insufficient CPU units available. "
        "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.")
    ecs_fake.add_container_instance("c", cpu=1024)
    ecs_fake.advance(30 + STARTED_AFTER + HEALTHY_AFTER)
    assert counts(ec2, "api") == (2, 0, 2)
    assert messages(ec2, "api")[-1] == "(service api) has reached a steady state."


def test_tasks_on_a_draining_instance_are_replaced_elsewhere(ec2: Any, ecs_fake: EcsFake) -> None:
    # [DG:container-instance-draining] service tasks on a DRAINING instance are stopped and replaced within
    # minimumHealthyPercent/maximumPercent: the replacements start first (default 100/200), the old ones stop
    # once the replacements are healthy; nothing new is placed on the draining instance.
    old = ecs_fake.add_container_instance("c")
    ec2.create_service(cluster="c", serviceName="api", taskDefinition="api", desiredCount=2, launchType="EC2")
    ecs_fake.advance(STARTED_AFTER + HEALTHY_AFTER)
    assert {t["containerInstanceArn"] for t in service_tasks(ec2, "api")} == {old}
    new = ecs_fake.add_container_instance("c")
    ec2.update_container_instances_state(cluster="c", containerInstances=[old], status="DRAINING")
    ecs_fake.advance(STARTED_AFTER)  # replacements RUNNING on the new instance, not yet healthy: both stay
    assert sorted(t["containerInstanceArn"] == new for t in service_tasks(ec2, "api")) == [False, False, True, True]
    ecs_fake.advance(HEALTHY_AFTER + 60)
    tasks = service_tasks(ec2, "api")
    assert [t["containerInstanceArn"] for t in tasks] == [new, new]
    assert counts(ec2, "api") == (2, 0, 2)
    stopped = service_tasks(ec2, "api", status="STOPPED")
    assert {(t["containerInstanceArn"], t["stopCode"]) for t in stopped} == {(old, "ServiceSchedulerInitiated")}


def test_tasks_on_a_draining_instance_stay_while_nothing_can_replace_them(ec2: Any, ecs_fake: EcsFake) -> None:
    only = ecs_fake.add_container_instance("c")  # minimumHealthyPercent 100: no task goes before its replacement
    ec2.create_service(cluster="c", serviceName="api", taskDefinition="api", desiredCount=2, launchType="EC2")
    ecs_fake.advance(STARTED_AFTER + HEALTHY_AFTER)
    ec2.update_container_instances_state(cluster="c", containerInstances=[only], status="DRAINING")
    ecs_fake.advance(300)
    assert [t["lastStatus"] for t in service_tasks(ec2, "api")] == ["RUNNING", "RUNNING"]
    assert "was unable to place a task" in messages(ec2, "api")[-1]

def test_tasks_orphaned_by_a_forced_deregistration_run_on_and_the_service_starts_copies(
        ec2: Any, ecs_fake: EcsFake) -> None:
    # [M:DeregisterContainerInstanceRequest.force] the orphaned tasks keep running; a service's scheduler starts
    # another copy of each, on a different container instance if possible.
    old = ecs_fake.add_container_instance("c")
    ec2.create_service(cluster="c", serviceName="api", taskDefinition="api", desiredCount=2, launchType="EC2")
    ecs_fake.advance(STARTED_AFTER + HEALTHY_AFTER)
    orphans = [t["taskArn"] for t in service_tasks(ec2, "api")]
    new = ecs_fake.add_container_instance("c")
    ec2.deregister_container_instance(cluster="c", containerInstance=old, force=True)
    ecs_fake.advance(STARTED_AFTER + HEALTHY_AFTER)
    assert counts(ec2, "api") == (2, 0, 2)
    described = ec2.describe_tasks(cluster="c", tasks=orphans)["tasks"]
    assert [t["lastStatus"] for t in described] == ["RUNNING", "RUNNING"]
    copies = [t for t in service_tasks(ec2, "api") if t["taskArn"] not in orphans]
    assert [t["containerInstanceArn"] for t in copies] == [new, new]


def test_capacity_provider_strategy(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs.create_cluster(clusterName="c", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    strategy = [{"capacityProvider": "FARGATE", "base": 1, "weight": 1},
                {"capacityProvider": "FARGATE_SPOT", "weight": 3}]
    created = web_service(ecs, desired=5, capacityProviderStrategy=strategy)
    assert created["capacityProviderStrategy"] == strategy and "launchType" not in created
    assert created["deployments"][0]["capacityProviderStrategy"] == strategy
    ecs_fake.advance(STARTED_AFTER)
    tasks = service_tasks(ecs)
    assert Counter(t["capacityProviderName"] for t in tasks) == {"FARGATE": 2, "FARGATE_SPOT": 3}
    spot = next(t["taskArn"] for t in tasks if t["capacityProviderName"] == "FARGATE_SPOT")
    ecs_fake.interrupt(spot, stop_code="TerminationNotice")
    ecs_fake.advance(STARTED_AFTER)
    # The replacement keeps the split the strategy asks for.
    assert Counter(t["capacityProviderName"] for t in service_tasks(ecs)) == {"FARGATE": 2, "FARGATE_SPOT": 3}


def test_cluster_default_capacity_provider_strategy(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs.create_cluster(clusterName="c", capacityProviders=["FARGATE_SPOT"],
                       defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}])
    fargate_definition(ecs, family="web", image="web:1")
    ecs.create_service(cluster="c", serviceName="web", taskDefinition="web", desiredCount=1,
                       networkConfiguration=SUBNETS)
    ecs_fake.advance(STARTED_AFTER)
    assert [t["capacityProviderName"] for t in service_tasks(ecs)] == ["FARGATE_SPOT"]
    assert service(ecs)["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
