"""Services through boto3: CreateService/DescribeServices/ListServices/UpdateService/DeleteService, their
errors, tags, the service lifecycle ACTIVE → DRAINING → INACTIVE, and botocore's service waiters."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import WaiterError
from ecs_helpers import SUBNETS, fargate_definition
from service_helpers import HEALTHY_AFTER, STARTED_AFTER, counts, service, service_tasks, web_service

from pytest_ecsfake import EcsFake

ARN = "arn:aws:ecs:us-east-1:123456789012"


@pytest.fixture
def ecs_c(ecs: Any) -> Any:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs, family="web", image="web:1")
    return ecs


def test_create_service_answers_the_new_service(ecs_c: Any, ecs_fake: EcsFake) -> None:
    created = web_service(ecs_c, desired=2)
    assert created["serviceArn"] == f"{ARN}:service/c/web"
    assert (created["serviceName"], created["clusterArn"], created["status"]) == ("web", f"{ARN}:cluster/c", "ACTIVE")
    assert (created["desiredCount"], created["pendingCount"], created["runningCount"]) == (2, 0, 0)
    assert created["taskDefinition"] == f"{ARN}:task-definition/web:1"
    assert (created["launchType"], created["platformVersion"], created["platformFamily"]) == ("FARGATE", "LATEST",
                                                                                             "Linux")
    assert "capacityProviderStrategy" not in created
    assert created["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
    }
    assert created["schedulingStrategy"] == "REPLICA" and created["createdAt"] == ecs_fake.now
    assert created["networkConfiguration"] == SUBNETS and created["events"] == []
    # The ECS deployment controller, the default, is stated; no taskSets for it [M:CreateService].
    assert created["deploymentController"] == {"type": "ECS"} and "taskSets" not in created
    (deployment,) = created["deployments"]
    assert re.fullmatch(r"ecs-svc/[1-9]\d{18}", deployment["id"])
    assert (deployment["status"], deployment["rolloutState"]) == ("PRIMARY", "IN_PROGRESS")
    assert deployment["rolloutStateReason"] == f"ECS deployment {deployment['id']} in progress."
    assert (deployment["desiredCount"], deployment["pendingCount"], deployment["runningCount"]) == (2, 0, 0)
    assert deployment["platformVersion"] == "1.4.0" and deployment["failedTasks"] == 0
    assert ecs_c.describe_clusters(clusters=["c"])["clusters"][0]["activeServicesCount"] == 1


def test_launch_type_with_an_empty_strategy_is_as_if_no_strategy(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs.create_cluster(clusterName="c", capacityProviders=["FARGATE", "FARGATE_SPOT"],
                       defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}])
    fargate_definition(ecs, family="web", image="web:1")
    body = {"cluster": "c", "taskDefinition": "web", "desiredCount": 1, "launchType": "FARGATE",
            "networkConfiguration": SUBNETS}
    created = ecs.create_service(serviceName="web", capacityProviderStrategy=[], **body)["service"]
    plain = ecs.create_service(serviceName="plain", **body)["service"]
    for answer in (created, plain):
        assert (answer["launchType"], answer["platformVersion"]) == ("FARGATE", "LATEST")
        assert "capacityProviderStrategy" not in answer
    # An empty strategy on a launch-type service changes nothing, so it needs no new deployment.
    updated = ecs.update_service(cluster="c", service="web", capacityProviderStrategy=[])["service"]
    assert updated["launchType"] == "FARGATE" and "capacityProviderStrategy" not in updated
    assert [d["id"] for d in updated["deployments"]] == [d["id"] for d in created["deployments"]]
    ecs.get_waiter("services_stable").wait(cluster="c", services=["web", "plain"])
    for name in ("web", "plain"):
        (task,) = service_tasks(ecs, name)
        assert task["launchType"] == "FARGATE" and "capacityProviderName" not in task


def test_services_stable_waiter_waits_in_fake_time(ecs_c: Any, ecs_fake: EcsFake) -> None:
    web_service(ecs_c, desired=3)
    before = ecs_fake.now
    ecs_c.get_waiter("services_stable").wait(cluster="c", services=["web"])
    # Polls every 15 s; the three tasks are RUNNING 19 s after CreateService.
    assert ecs_fake.now - before == timedelta(seconds=30)
    assert counts(ecs_c) == (3, 0, 3)
    # The waiter reads counts; the rollout completes once the tasks are healthy (40 s in RUNNING).
    assert service(ecs_c)["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    ecs_fake.advance(HEALTHY_AFTER)
    assert service(ecs_c)["deployments"][0]["rolloutState"] == "COMPLETED"


@pytest.mark.parametrize("status", ["MISSING", "DRAINING"])
def test_services_stable_waiter_fails_on_missing_or_draining(ecs_c: Any, status: str) -> None:
    if status == "DRAINING":
        web_service(ecs_c, desired=1)
        ecs_c.delete_service(cluster="c", service="web", force=True)
    with pytest.raises(WaiterError, match="failure state"):
        ecs_c.get_waiter("services_stable").wait(cluster="c", services=["web"])


def test_same_seed_same_deployment_ids() -> None:
    ids = []
    for _ in range(2):
        with EcsFake(seed=7):
            ecs = boto3.client("ecs", region_name="us-east-1")
            ecs.create_cluster(clusterName="c")
            fargate_definition(ecs, family="web", image="web:1")
            ids.append(web_service(ecs)["deployments"][0]["id"])
    assert ids[0] == ids[1]


def test_describe_services_reports_missing_ones(ecs_c: Any) -> None:
    ecs_c.create_cluster(clusterName="other")
    web_service(ecs_c)
    web_service(ecs_c, cluster="other", name="api")
    answer = ecs_c.describe_services(
        cluster="c", services=["web", f"{ARN}:service/c/web", "nope", f"{ARN}:service/other/api"])
    assert [s["serviceName"] for s in answer["services"]] == ["web", "web"]
    assert answer["failures"] == [
        {"arn": f"{ARN}:service/nope", "reason": "MISSING"},  # a name: the short form, as AWS answers it
        {"arn": f"{ARN}:service/other/api", "reason": "MISSING"},
    ]
    with pytest.raises(ecs_c.exceptions.ClusterNotFoundException):
        ecs_c.describe_services(cluster="gone", services=["web"])


def test_tags_on_services(ecs_c: Any) -> None:
    created = web_service(ecs_c, tags=[{"key": "team", "value": "web"}])
    arn = created["serviceArn"]
    assert created["tags"] == [{"key": "team", "value": "web"}]
    assert "tags" not in service(ecs_c)
    ecs_c.tag_resource(resourceArn=arn, tags=[{"key": "tier", "value": "front"}])
    ecs_c.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert ecs_c.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "tier", "value": "front"}]
    described = ecs_c.describe_services(cluster="c", services=["web"], include=["TAGS"])["services"][0]
    assert described["tags"] == [{"key": "tier", "value": "front"}]
    ecs_c.delete_service(cluster="c", service="web", force=True)
    # "When a service is deleted, the tags are deleted as well." [M:CreateService]
    with pytest.raises(ecs_c.exceptions.ResourceNotFoundException):
        ecs_c.list_tags_for_resource(resourceArn=arn)


def test_list_services_pages_ten_at_a_time(ecs_c: Any) -> None:
    for number in range(12):
        web_service(ecs_c, name=f"s{number:02}", desired=0)
    first = ecs_c.list_services(cluster="c")
    assert [a.rsplit("/", 1)[1] for a in first["serviceArns"]] == [f"s{n:02}" for n in range(10)]
    second = ecs_c.list_services(cluster="c", nextToken=first["nextToken"])
    assert [a.rsplit("/", 1)[1] for a in second["serviceArns"]] == ["s10", "s11"]
    assert "nextToken" not in second
    pages = ecs_c.get_paginator("list_services").paginate(cluster="c", PaginationConfig={"PageSize": 5})
    assert [len(p["serviceArns"]) for p in pages] == [5, 5, 2]
    with pytest.raises(ecs_c.exceptions.InvalidParameterException, match="nextToken"):
        ecs_c.list_services(cluster="c", nextToken="forged")


def test_list_services_filters_and_hides_deleted_services(ecs_c: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.add_container_instance("c")
    ecs_c.register_task_definition(family="batchy", containerDefinitions=[{"name": "a", "image": "b", "memory": 64}])
    web_service(ecs_c, name="front", desired=0)
    ecs_c.create_service(cluster="c", serviceName="back", taskDefinition="batchy", desiredCount=0, launchType="EC2")
    web_service(ecs_c, name="gone", desired=0)
    ecs_c.delete_service(cluster="c", service="gone")
    names = {a.rsplit("/", 1)[1] for a in ecs_c.list_services(cluster="c")["serviceArns"]}
    assert names == {"front", "back"}
    assert [a.rsplit("/", 1)[1] for a in ecs_c.list_services(cluster="c", launchType="EC2")["serviceArns"]] == ["back"]
    assert ecs_c.list_services(cluster="c", schedulingStrategy="DAEMON")["serviceArns"] == []
    assert ecs_c.list_services(cluster="c", launchType="EXTERNAL")["serviceArns"] == []


def test_create_service_again(ecs_c: Any) -> None:
    first = web_service(ecs_c)
    again = web_service(ecs_c)  # the very same request: AWS answers the service it made
    assert again["deployments"][0]["id"] == first["deployments"][0]["id"]
    with pytest.raises(ecs_c.exceptions.InvalidParameterException, match=r"Creation of service was not idempotent\."):
        web_service(ecs_c, desired=5)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"cluster": "nope"}, "ClusterNotFoundException", r"Cluster not found\."),
        ({"taskDefinition": "missing"}, "ClientException", r"TaskDefinition not found\."),
        ({"networkConfiguration": None}, "InvalidParameterException",
         r"Network Configuration must be provided when networkMode 'awsvpc' is specified\."),
        ({"capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}], "launchType": "FARGATE"},
         "InvalidParameterException", r"Specifying both a launch type and capacity provider strategy"),
        ({"desiredCount": -1}, "InvalidParameterException", r"desiredCount must be 0 or more"),
        ({"platformVersion": "9.9.9"}, "PlatformUnknownException", r"platform version does not exist"),
        ({"placementStrategy": [{"type": "spread", "field": "memory"}]}, "InvalidParameterException", r"spread"),
    ],
)
def test_create_service_errors(ecs_c: Any, change: dict[str, Any], error: str, message: str) -> None:
    body: dict[str, Any] = {"cluster": "c", "serviceName": "web", "taskDefinition": "web", "desiredCount": 1,
                            "launchType": "FARGATE", "networkConfiguration": SUBNETS}
    body.update(change)
    if "capacityProviderStrategy" in change and "launchType" not in change:
        del body["launchType"]
    body = {k: v for k, v in body.items() if v is not None}
    with pytest.raises(getattr(ecs_c.exceptions, error), match=message):
        ecs_c.create_service(**body)
    assert ecs_c.list_services(cluster="c")["serviceArns"] == []


def test_a_replica_service_without_desired_count_is_created_with_none_and_the_rule_recorded(
        ecs_c: Any, ecs_fake: Any) -> None:
    # The reference says desiredCount is required for REPLICA; AWS's refusal is not known: answered, recorded.
    service = ecs_c.create_service(cluster="c", serviceName="web", taskDefinition="web", launchType="FARGATE",
                                   networkConfiguration=SUBNETS)["service"]
    assert (service["desiredCount"], service["schedulingStrategy"]) == (0, "REPLICA")
    assert "desiredCount is required" in ecs_fake.calls[-1].violations[0]
    ecs_fake.advance(120)
    assert ecs_c.list_tasks(cluster="c")["taskArns"] == []
    ecs_c.update_service(cluster="c", service="web", desiredCount=1)
    ecs_fake.advance(120)
    assert len(ecs_c.list_tasks(cluster="c", desiredStatus="RUNNING")["taskArns"]) == 1


@pytest.mark.parametrize(("change", "feature"), [
    ({"deploymentController": {"type": "EXTERNAL"}, "schedulingStrategy": "DAEMON"},
     "DAEMON services of the EXTERNAL deployment controller"),
    ({"deploymentConfiguration": {"strategy": "BLUE_GREEN"}}, "the BLUE_GREEN deployment strategy (only ROLLING)"),
])
def test_a_feature_the_fake_lacks_is_unsupported_not_an_aws_error(change: dict[str, Any], feature: str) -> None:
    import boto3
    from botocore.exceptions import ClientError

    from pytest_ecsfake import EcsFake

    message = f"pytest-ecsfake does not support {feature} in ecs:CreateService yet."
    with pytest.raises(AssertionError, match=re.escape(message)), EcsFake():  # the test fails at teardown
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName="c")
        ecs.register_task_definition(family="web", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                     cpu="256", memory="512", containerDefinitions=[{"name": "a", "image": "x"}])
        body = {"cluster": "c", "serviceName": "web", "taskDefinition": "web", "desiredCount": 1,
                "launchType": "FARGATE", "networkConfiguration": SUBNETS, **change}
        with pytest.raises(ClientError) as caught:
            ecs.create_service(**body)
        assert caught.value.response["Error"] == {"Code": "UnsupportedOperation", "Message": message}
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_update_and_delete_unknown_service(ecs_c: Any) -> None:
    with pytest.raises(ecs_c.exceptions.ServiceNotFoundException, match=r"Service not found\."):
        ecs_c.update_service(cluster="c", service="nope", desiredCount=1)
    with pytest.raises(ecs_c.exceptions.ServiceNotFoundException, match=r"Service not found\."):
        ecs_c.delete_service(cluster="c", service="nope")


def test_delete_service_needs_zero_desired_or_force(ecs_c: Any) -> None:
    web_service(ecs_c, desired=1)
    with pytest.raises(ecs_c.exceptions.InvalidParameterException,
                       match=r"The service cannot be stopped while it is scaled above 0\."):
        ecs_c.delete_service(cluster="c", service="web")
    assert service(ecs_c)["status"] == "ACTIVE"


def test_delete_drains_then_inactive(ecs_c: Any, ecs_fake: EcsFake) -> None:
    web_service(ecs_c, desired=2)
    ecs_fake.advance(STARTED_AFTER)
    ecs_c.update_service(cluster="c", service="web", desiredCount=0)
    deleted = ecs_c.delete_service(cluster="c", service="web")["service"]
    assert (deleted["status"], deleted["desiredCount"]) == ("DRAINING", 0)
    assert ecs_c.describe_clusters(clusters=["c"])["clusters"][0]["activeServicesCount"] == 0
    ecs_fake.advance(1)  # the scheduler stops the tasks: DEACTIVATING, not yet STOPPING
    assert {t["lastStatus"] for t in service_tasks(ecs_c, status="STOPPED")} == {"DEACTIVATING"}
    assert service(ecs_c)["status"] == "DRAINING"
    ecs_fake.advance(2)  # STOPPING; the scheduler notices one step later
    assert {t["lastStatus"] for t in service_tasks(ecs_c, status="STOPPED")} == {"STOPPING"}
    assert service(ecs_c)["status"] == "DRAINING"
    ecs_fake.advance(1)  # "After all tasks have transitioned to either STOPPING or STOPPED": INACTIVE
    assert {t["lastStatus"] for t in service_tasks(ecs_c, status="STOPPED")} == {"DEPROVISIONING"}
    assert service(ecs_c)["status"] == "INACTIVE"
    stopped = service_tasks(ecs_c, status="STOPPED")
    assert {(t["stopCode"], t["stoppedReason"].split(" (")[0]) for t in stopped} == {
        ("ServiceSchedulerInitiated", "Scaling activity initiated by")}


def test_lifecycle_after_delete(ecs_c: Any, ecs_fake: EcsFake) -> None:
    web_service(ecs_c, desired=2)
    ecs_c.get_waiter("services_stable").wait(cluster="c", services=["web"])
    ecs_c.delete_service(cluster="c", service="web", force=True)
    assert service(ecs_c)["status"] == "DRAINING"
    assert ecs_c.list_services(cluster="c")["serviceArns"] == []
    before = ecs_fake.now
    ecs_c.get_waiter("services_inactive").wait(cluster="c", services=["web"])
    assert ecs_fake.now - before == timedelta(seconds=15)
    inactive = service(ecs_c)
    assert (inactive["status"], inactive["runningCount"]) == ("INACTIVE", 0)
    with pytest.raises(ecs_c.exceptions.ServiceNotActiveException, match=r"Service was not ACTIVE\."):
        ecs_c.update_service(cluster="c", service="web", desiredCount=1)
    with pytest.raises(ecs_c.exceptions.ServiceNotActiveException, match=r"Service was not ACTIVE\."):
        ecs_c.delete_service(cluster="c", service="web", force=True)
    # An INACTIVE service's name can be used again [M:DeleteService].
    again = web_service(ecs_c, desired=1)
    assert again["status"] == "ACTIVE" and again["deployments"][0]["id"] != inactive["deployments"][0]["id"]


def test_delete_cluster_refuses_while_services_or_their_tasks_remain(ecs_c: Any, ecs_fake: EcsFake) -> None:
    web_service(ecs_c, desired=1)
    ecs_fake.advance(STARTED_AFTER)
    with pytest.raises(ecs_c.exceptions.ClusterContainsServicesException,
                       match=r"The Cluster cannot be deleted while Services are active\."):
        ecs_c.delete_cluster(cluster="c")
    ecs_c.delete_service(cluster="c", service="web", force=True)
    with pytest.raises(ecs_c.exceptions.ClusterContainsTasksException,
                       match=r"The Cluster cannot be deleted while Tasks are active\."):
        ecs_c.delete_cluster(cluster="c")
    ecs_fake.advance(60)
    assert ecs_c.delete_cluster(cluster="c")["cluster"]["status"] == "INACTIVE"
