"""CreateDaemon, UpdateDaemon, DeleteDaemon, DescribeDaemon, ListDaemons: managed daemons and their tasks on the
fake clock (one task on each container instance of the daemon's capacity providers)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from daemon_helpers import CP_ARN, cluster_with_provider, create, daemon_tasks, deployment, register

from pytest_ecsfake import EcsFake

DAEMON_ARN = "arn:aws:ecs:us-east-1:123456789012:daemon/prod/monitor"


def code(raised: pytest.ExceptionInfo[ClientError]) -> str:
    found: str = raised.value.response["Error"]["Code"]
    return found


def test_create_runs_one_task_per_instance_and_its_deployment_succeeds(ecs: Any, ecs_fake: EcsFake) -> None:
    instances = cluster_with_provider(ecs, ecs_fake)
    definition = register(ecs)
    answer = create(ecs, definition)
    assert answer["daemonArn"] == DAEMON_ARN and answer["status"] == "ACTIVE"
    assert answer["createdAt"] == ecs_fake.now
    assert answer["deploymentArn"].startswith("arn:aws:ecs:us-east-1:123456789012:daemon-deployment/prod/monitor/")
    assert deployment(ecs, answer["deploymentArn"])["status"] == "PENDING"
    ecs.get_waiter("daemon_active").wait(daemonArn=answer["daemonArn"])
    ecs.get_waiter("daemon_deployment_successful").wait(daemonDeploymentArns=[answer["deploymentArn"]])
    tasks = daemon_tasks(ecs)
    assert sorted(t["containerInstanceArn"] for t in tasks) == sorted(instances)
    for task in tasks:
        assert task["lastStatus"] == "RUNNING" and task["group"] == "daemon:monitor"
        assert task["taskDefinitionArn"] == definition and task["capacityProviderName"] == "agents"
        assert task["startedBy"] == answer["deploymentArn"].rsplit("/", 1)[-1]
    detail = ecs.describe_daemon(daemonArn=answer["daemonArn"])["daemon"]
    assert detail["clusterArn"] == "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
    assert detail["deploymentArn"] == answer["deploymentArn"] and detail["status"] == "ACTIVE"
    [current] = detail["currentRevisions"]
    assert current["arn"].startswith("arn:aws:ecs:us-east-1:123456789012:daemon-revision/prod/monitor/")
    assert current["totalRunningCount"] == 3 and current["totalWithoutDaemonCount"] == 0
    assert current["capacityProviders"] == [{"arn": CP_ARN.format("agents"), "runningCount": 3,
                                             "withoutDaemonCount": 0}]
    # The fake stands in Auto Scaling group providers for Managed Instances: the rule is recorded on the call.
    assert any("Managed Instances" in v for v in ecs_fake.calls_to("CreateDaemon")[0].violations)


def test_tasks_follow_the_instances_and_a_stopped_task_is_replaced(ecs: Any, ecs_fake: EcsFake) -> None:
    [first, second] = cluster_with_provider(ecs, ecs_fake, instances=2)
    create(ecs, register(ecs))
    ecs_fake.advance(60)
    third = ecs_fake.add_container_instance("prod", cpu=1024, memory=2048)
    ecs_fake.advance(30)
    assert sorted(t["containerInstanceArn"] for t in daemon_tasks(ecs)) == sorted([first, second, third])
    [victim] = [t for t in daemon_tasks(ecs) if t["containerInstanceArn"] == first]
    ecs.stop_task(cluster="prod", task=victim["taskArn"])
    ecs_fake.advance(60)
    on_first = [t for t in daemon_tasks(ecs) if t["containerInstanceArn"] == first]
    assert len(on_first) == 1 and on_first[0]["taskArn"] != victim["taskArn"] and on_first[0]["lastStatus"] == "RUNNING"
    ecs.deregister_container_instance(cluster="prod", containerInstance=second, force=True)
    ecs_fake.advance(60)
    assert sorted(t["containerInstanceArn"] for t in daemon_tasks(ecs)) == sorted([first, third])
    stopped = ecs.list_tasks(cluster="prod", daemonName="monitor", desiredStatus="STOPPED")["taskArns"]
    assert victim["taskArn"] in stopped


def test_update_rolls_the_tasks_drain_percent_at_a_time(ecs: Any, ecs_fake: EcsFake) -> None:
    cluster_with_provider(ecs, ecs_fake, instances=4)
    created = create(ecs, register(ecs))
    ecs.get_waiter("daemon_deployment_successful").wait(daemonDeploymentArns=[created["deploymentArn"]])
    old = {t["taskArn"] for t in daemon_tasks(ecs)}
    assert len(old) == 4
    newer = register(ecs, image="amazon/cloudwatch-agent:2")
    updated = ecs.update_daemon(daemonArn=DAEMON_ARN, daemonTaskDefinitionArn=newer,
                                capacityProviderArns=[CP_ARN.format("agents")],
                                deploymentConfiguration={"drainPercent": 50.0})
    assert updated["status"] == "ACTIVE" and updated["updatedAt"] == ecs_fake.now
    assert updated["deploymentArn"] != created["deploymentArn"]
    ecs_fake.advance(6)  # started: two of four instances drain at once
    rolled = deployment(ecs, updated["deploymentArn"])
    assert rolled["status"] == "IN_PROGRESS" and rolled["deploymentConfiguration"]["drainPercent"] == 50.0
    [source] = rolled["sourceDaemonRevisions"]
    assert (source["totalRunningInstanceCount"], source["totalDrainingInstanceCount"]) == (2, 2)
    assert len(old & {t["taskArn"] for t in daemon_tasks(ecs)}) == 2  # the other two are stopping
    ecs.get_waiter("daemon_deployment_successful").wait(daemonDeploymentArns=[updated["deploymentArn"]])
    tasks = daemon_tasks(ecs)
    assert len(tasks) == 4 and {t["taskDefinitionArn"] for t in tasks} == {newer}
    assert not old & {t["taskArn"] for t in tasks}
    [current] = ecs.describe_daemon(daemonArn=DAEMON_ARN)["daemon"]["currentRevisions"]
    assert current["arn"] == rolled["targetDaemonRevision"]["arn"] and current["totalRunningCount"] == 4


def test_bake_time_waits_between_batches_and_a_newer_update_stops_the_deployment(ecs: Any,
                                                                                  ecs_fake: EcsFake) -> None:
    cluster_with_provider(ecs, ecs_fake, instances=2)
    create(ecs, register(ecs), deploymentConfiguration={"drainPercent": 50.0, "bakeTimeInMinutes": 5})
    ecs_fake.advance(60)
    second = register(ecs, image="amazon/cloudwatch-agent:2")
    updated = ecs.update_daemon(daemonArn=DAEMON_ARN, daemonTaskDefinitionArn=second,
                                capacityProviderArns=[CP_ARN.format("agents")])
    ecs_fake.advance(120)  # the first instance rolled; the bake time holds the second
    assert sorted(t["taskDefinitionArn"].rsplit(":", 1)[-1] for t in daemon_tasks(ecs)) == ["1", "2"]
    assert deployment(ecs, updated["deploymentArn"])["status"] == "IN_PROGRESS"
    third = register(ecs, image="amazon/cloudwatch-agent:3")
    latest = ecs.update_daemon(daemonArn=DAEMON_ARN, daemonTaskDefinitionArn=third,
                               capacityProviderArns=[CP_ARN.format("agents")],
                               deploymentConfiguration={"bakeTimeInMinutes": 0})
    ecs.get_waiter("daemon_deployment_stopped").wait(daemonDeploymentArns=[updated["deploymentArn"]])
    replaced = deployment(ecs, updated["deploymentArn"])
    assert replaced["status"] == "STOPPED" and replaced["stoppedAt"] == ecs_fake.now and replaced["statusReason"]
    fresh = deployment(ecs, latest["deploymentArn"])
    assert len(fresh["sourceDaemonRevisions"]) == 2  # revisions 1 and 2 both still had tasks
    ecs.get_waiter("daemon_deployment_successful").wait(daemonDeploymentArns=[latest["deploymentArn"]])
    assert {t["taskDefinitionArn"] for t in daemon_tasks(ecs)} == {third}


def test_delete_drains_the_tasks_then_the_daemon_is_gone(ecs: Any, ecs_fake: EcsFake) -> None:
    cluster_with_provider(ecs, ecs_fake, instances=2)
    definition = register(ecs)
    create(ecs, definition)
    ecs_fake.advance(60)
    deleted = ecs.delete_daemon(daemonArn=DAEMON_ARN)
    assert deleted["status"] == "DELETE_IN_PROGRESS" and deleted["updatedAt"] == ecs_fake.now
    assert ecs.describe_daemon(daemonArn=DAEMON_ARN)["daemon"]["status"] == "DELETE_IN_PROGRESS"
    for again in (lambda: ecs.delete_daemon(daemonArn=DAEMON_ARN),
                  lambda: ecs.update_daemon(daemonArn=DAEMON_ARN, daemonTaskDefinitionArn=definition,
                                            capacityProviderArns=[CP_ARN.format("agents")])):
        with pytest.raises(ClientError) as raised:
            again()
        assert code(raised) == "DaemonNotActiveException"
    with pytest.raises(Exception, match="DELETE_IN_PROGRESS|Waiter"):
        ecs.get_waiter("daemon_active").wait(daemonArn=DAEMON_ARN)
    ecs.get_waiter("daemon_deployment_successful").wait(daemonDeploymentArns=[deleted["deploymentArn"]])
    assert daemon_tasks(ecs) == []
    with pytest.raises(ClientError) as raised:
        ecs.describe_daemon(daemonArn=DAEMON_ARN)
    assert code(raised) == "DaemonNotFoundException"
    assert ecs.list_daemons(clusterArn="prod")["daemonSummariesList"] == []
    create(ecs, definition)  # the name is free again
    assert ecs.describe_daemon(daemonArn=DAEMON_ARN)["daemon"]["status"] == "ACTIVE"


def test_errors_for_unknown_clusters_daemons_definitions_and_providers(ecs: Any, ecs_fake: EcsFake) -> None:
    cluster_with_provider(ecs, ecs_fake, instances=0)
    definition = register(ecs)
    cases = [
        (lambda: create(ecs, definition, cluster="nowhere"), "ClusterNotFoundException"),
        (lambda: create(ecs, "arn:aws:ecs:us-east-1:123456789012:daemon-task-definition/none:1"), "ClientException"),
        (lambda: create(ecs, definition, provider="missing"), "InvalidParameterException"),
        (lambda: create(ecs, definition, name="bad name"), "InvalidParameterException"),
        (lambda: ecs.describe_daemon(daemonArn=DAEMON_ARN), "DaemonNotFoundException"),
        (lambda: ecs.describe_daemon(daemonArn="monitor"), "InvalidParameterException"),
        (lambda: ecs.describe_daemon(daemonArn=DAEMON_ARN.replace("/prod/", "/gone/")), "ClusterNotFoundException"),
        (lambda: ecs.delete_daemon(daemonArn=DAEMON_ARN), "DaemonNotFoundException"),
        (lambda: ecs.list_daemons(clusterArn="nowhere"), "ClusterNotFoundException"),
    ]
    for call, expected in cases:
        with pytest.raises(ClientError) as raised:
            call()
        assert code(raised) == expected
    first = create(ecs, definition, clientToken="token-1")
    assert create(ecs, definition, clientToken="token-1")["deploymentArn"] == first["deploymentArn"]
    with pytest.raises(ClientError) as raised:
        create(ecs, definition)
    assert code(raised) == "InvalidParameterException"


def test_list_daemons_by_cluster_and_provider_with_pages(ecs: Any, ecs_fake: EcsFake) -> None:
    cluster_with_provider(ecs, ecs_fake, instances=0)
    ecs.create_capacity_provider(name="other", autoScalingGroupProvider={"autoScalingGroupArn": "asg-other"})
    ecs.put_cluster_capacity_providers(cluster="prod", capacityProviders=["agents", "other"],
                                       defaultCapacityProviderStrategy=[])
    definition = register(ecs)
    for name in ("a", "b", "c"):
        create(ecs, definition, name=name)
    create(ecs, definition, name="d", provider="other")
    ecs.create_cluster(clusterName="default")
    assert ecs.list_daemons()["daemonSummariesList"] == []

    def names(**query: Any) -> list[str]:
        return [d["daemonArn"].rsplit("/", 1)[-1]
                for d in ecs.list_daemons(clusterArn="prod", **query)["daemonSummariesList"]]

    assert names() == ["a", "b", "c", "d"]
    assert names(capacityProviderArns=[CP_ARN.format("other")]) == ["d"]
    page = ecs.list_daemons(clusterArn="prod", maxResults=3)
    assert len(page["daemonSummariesList"]) == 3
    rest = ecs.list_daemons(clusterArn="prod", maxResults=3, nextToken=page["nextToken"])
    assert [d["daemonArn"].rsplit("/", 1)[-1] for d in rest["daemonSummariesList"]] == ["d"]
    summary = page["daemonSummariesList"][0]
    assert summary["status"] == "ACTIVE" and summary["createdAt"] == summary["updatedAt"]


def test_tags_propagate_to_the_tasks_and_a_non_critical_daemon_counts_instances_without_it(
        ecs: Any, ecs_fake: EcsFake) -> None:
    cluster_with_provider(ecs, ecs_fake, instances=1)
    small = ecs_fake.add_container_instance("prod", cpu=128, memory=64)  # the daemon task does not fit on it
    answer = create(ecs, register(ecs), tags=[{"key": "team", "value": "obs"}], propagateTags="DAEMON",
                    enableECSManagedTags=True, critical=False)
    ecs_fake.advance(60)
    assert ecs.list_tags_for_resource(resourceArn=answer["daemonArn"])["tags"] == [{"key": "team", "value": "obs"}]
    [task] = daemon_tasks(ecs)
    assert task["containerInstanceArn"] != small
    tags = {t["key"]: t["value"] for t in ecs.list_tags_for_resource(resourceArn=task["taskArn"])["tags"]}
    assert tags == {"team": "obs", "aws:ecs:clusterName": "prod", "aws:ecs:daemonName": "monitor"}
    [current] = ecs.describe_daemon(daemonArn=answer["daemonArn"])["daemon"]["currentRevisions"]
    assert (current["totalRunningCount"], current["totalWithoutDaemonCount"]) == (1, 1)
    # Not critical: the deployment does not wait for the instance the task cannot run on.
    done = deployment(ecs, answer["deploymentArn"])
    assert done["status"] == "SUCCESSFUL" and done["targetDaemonRevision"]["totalRunningInstanceCount"] == 1


def test_a_critical_daemon_waits_for_every_instance(ecs: Any, ecs_fake: EcsFake) -> None:
    cluster_with_provider(ecs, ecs_fake, instances=1)
    ecs_fake.add_container_instance("prod", cpu=128, memory=64)
    answer = create(ecs, register(ecs))
    ecs_fake.advance(300)
    assert deployment(ecs, answer["deploymentArn"])["status"] == "IN_PROGRESS"
    [current] = ecs.describe_daemon(daemonArn=answer["daemonArn"])["daemon"]["currentRevisions"]
    assert (current["totalRunningCount"], current["totalWithoutDaemonCount"]) == (1, 0)


def test_on_a_draining_instance_the_daemon_task_stops_after_the_other_tasks(ecs: Any, ecs_fake: EcsFake) -> None:
    [instance] = cluster_with_provider(ecs, ecs_fake, instances=1)
    create(ecs, register(ecs))
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "app", "image": "app:1", "memory": 128}])
    ecs_fake.advance(30)
    [app] = ecs.run_task(cluster="prod", taskDefinition="app", launchType="EC2")["tasks"]
    ecs_fake.advance(30)
    ecs.update_container_instances_state(cluster="prod", containerInstances=[instance], status="DRAINING")
    ecs_fake.advance(20)
    [daemon_task] = daemon_tasks(ecs)
    assert daemon_task["lastStatus"] == "RUNNING"  # the application task is still there
    ecs.stop_task(cluster="prod", task=app["taskArn"])
    ecs_fake.advance(60)
    assert daemon_tasks(ecs) == []
    stopped = ecs.describe_tasks(cluster="prod", tasks=[daemon_task["taskArn"]])["tasks"][0]
    assert stopped["lastStatus"] == "STOPPED" and stopped["stopCode"] == "ServiceSchedulerInitiated"


def test_daemons_and_daemon_task_definitions_are_taggable(ecs: Any, ecs_fake: EcsFake) -> None:
    cluster_with_provider(ecs, ecs_fake, instances=0)
    definition = register(ecs)
    daemon = create(ecs, definition)["daemonArn"]
    for arn in (daemon, definition):
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "test"}])
        assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "test"}]
        ecs.untag_resource(resourceArn=arn, tagKeys=["env"])
        assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == []
    with pytest.raises(ClientError) as raised:
        ecs.tag_resource(resourceArn=daemon.replace("monitor", "nobody"), tags=[{"key": "env", "value": "x"}])
    assert code(raised) == "ResourceNotFoundException"
