"""Task sets of an EXTERNAL service: CreateTaskSet, DescribeTaskSets, UpdateTaskSet, DeleteTaskSet,
UpdateServicePrimaryTaskSet, and their tasks on the fake's clock."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError
from ecs_helpers import SUBNETS
from service_helpers import HEALTHY_AFTER, STARTED_AFTER, service
from task_set_helpers import LB, error, web_cluster

from pytest_ecsfake import EcsFake


@pytest.fixture
def client(ecs_fake: EcsFake) -> Any:
    ecs = web_cluster()
    ecs.create_service(cluster="c", serviceName="web", desiredCount=4, deploymentController={"type": "EXTERNAL"})
    return ecs


def task_set(ecs: Any, revision: int = 1, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"cluster": "c", "service": "web", "taskDefinition": f"web:{revision}",
                            "launchType": "FARGATE", "networkConfiguration": SUBNETS}
    body.update(extra)
    created: dict[str, Any] = ecs.create_task_set(**body)["taskSet"]
    return created


def described(ecs: Any, ident: str) -> dict[str, Any]:
    answer = ecs.describe_task_sets(cluster="c", service="web", taskSets=[ident])
    assert answer["failures"] == []
    found: dict[str, Any] = answer["taskSets"][0]
    return found


def tasks_of(ecs: Any, started_by: str, status: str = "RUNNING") -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster="c", startedBy=started_by, desiredStatus=status)["taskArns"]
    return ecs.describe_tasks(cluster="c", tasks=arns)["tasks"] if arns else []


def test_create_task_set_answers_the_task_set(client: Any, ecs_fake: EcsFake) -> None:
    created = task_set(client, loadBalancers=LB, externalId="blue", tags=[{"key": "team", "value": "web"}])
    ident = created["id"]
    assert re.fullmatch(r"ecs-svc/\d{19}", ident)
    assert created["taskSetArn"] == f"arn:aws:ecs:us-east-1:123456789012:task-set/c/web/{ident}"
    assert created["serviceArn"] == "arn:aws:ecs:us-east-1:123456789012:service/c/web"
    assert created["clusterArn"] == "arn:aws:ecs:us-east-1:123456789012:cluster/c"
    assert created["status"] == "ACTIVE"  # not PRIMARY until UpdateServicePrimaryTaskSet
    assert created["taskDefinition"] == "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
    assert created["scale"] == {"value": 0.0, "unit": "PERCENT"}  # no scale given: 0 % (fidelity-task-sets.md)
    assert (created["computedDesiredCount"], created["pendingCount"], created["runningCount"]) == (0, 0, 0)
    assert (created["launchType"], created["platformVersion"], created["platformFamily"]) == ("FARGATE", "LATEST",
                                                                                             "Linux")
    # assignPublicIp DISABLED is filled in, as in the AWS CLI reference's examples.
    assert created["networkConfiguration"] == {"awsvpcConfiguration": {**SUBNETS["awsvpcConfiguration"],
                                                                       "assignPublicIp": "DISABLED"}}
    assert created["loadBalancers"] == LB
    assert created["externalId"] == "blue" and "startedBy" not in created  # "the startedBy field isn't used"
    assert created["stabilityStatus"] == "STABILIZING"
    assert created["tags"] == [{"key": "team", "value": "web"}]
    ecs_fake.advance(1)  # 0 % of 4 is nothing to run: steady at the scheduler's first step
    assert described(client, ident)["stabilityStatus"] == "STEADY_STATE"
    assert "tags" not in described(client, ident)


def test_scale_launches_the_computed_count_rounded_up_and_stabilizes(client: Any, ecs_fake: EcsFake) -> None:
    client.update_service(cluster="c", service="web", desiredCount=3)
    created = task_set(client, scale={"value": 50.0, "unit": "PERCENT"})
    ident = created["id"]
    assert created["computedDesiredCount"] == 0  # computed at the scheduler's first step
    ecs_fake.advance(1)
    now = described(client, ident)
    assert now["computedDesiredCount"] == 2  # 1.5 rounds up [M:TaskSet.computedDesiredCount]
    assert (now["pendingCount"], now["runningCount"], now["stabilityStatus"]) == (2, 0, "STABILIZING")
    tasks = tasks_of(client, ident)
    assert len(tasks) == 2 and {t["group"] for t in tasks} == {"service:web"}
    assert {t["taskDefinitionArn"].rsplit("/", 1)[1] for t in tasks} == {"web:1"}
    ecs_fake.advance(STARTED_AFTER)
    now = described(client, ident)
    assert (now["pendingCount"], now["runningCount"], now["stabilityStatus"]) == (0, 2, "STABILIZING")
    ecs_fake.advance(HEALTHY_AFTER)  # every task healthy: STEADY_STATE, and when it got there
    now = described(client, ident)
    assert now["stabilityStatus"] == "STEADY_STATE"
    assert now["stabilityStatusAt"].timestamp() > now["createdAt"].timestamp() + STARTED_AFTER
    # The service's counts are its task sets' (its desiredCount stays its own).
    found = service(client)
    assert (found["desiredCount"], found["pendingCount"], found["runningCount"]) == (3, 0, 2)
    assert [t["id"] for t in found["taskSets"]] == [ident]
    events = [e["message"] for e in reversed(found["events"])]  # oldest first
    assert events[0] == f"(service web) updated computedDesiredCount for taskSet {ident} to 2."
    assert re.fullmatch(rf"\(service web, taskSet {ident}\) has started 2 tasks: \(task \w{{32}}\) \(task \w{{32}}\)\.",
                        events[1])
    assert events[2:] == ["(service web) has reached a steady state."]


def test_update_task_set_scales_in_and_out(client: Any, ecs_fake: EcsFake) -> None:
    ident = task_set(client)["id"]
    ecs_fake.advance(5)
    updated = client.update_task_set(cluster="c", service="web", taskSet=ident,
                                     scale={"value": 100.0, "unit": "PERCENT"})["taskSet"]
    # The answer has the new scale, the former computed count, and turns STABILIZING (as AWS's example answer).
    assert (updated["scale"]["value"], updated["computedDesiredCount"]) == (100.0, 0)
    assert updated["stabilityStatus"] == "STABILIZING" and updated["stabilityStatusAt"] == updated["updatedAt"]
    ecs_fake.advance(1)
    assert described(client, ident)["computedDesiredCount"] == 4
    ecs_fake.advance(STARTED_AFTER)
    assert described(client, ident)["runningCount"] == 4
    client.update_task_set(cluster="c", service="web", taskSet=ident, scale={"value": 25.0, "unit": "PERCENT"})
    ecs_fake.advance(1)
    stopping = tasks_of(client, ident, "STOPPED")
    assert len(stopping) == 3
    assert {(t["stopCode"], t["stoppedReason"]) for t in stopping} == {
        ("ServiceSchedulerInitiated", f"Scaling activity initiated by (deployment {ident})")}
    assert len(tasks_of(client, ident)) == 1
    # The service's desiredCount drives every task set: 25 % of 8 is 2.
    client.update_service(cluster="c", service="web", desiredCount=8)
    ecs_fake.advance(1)
    assert described(client, ident)["computedDesiredCount"] == 2
    ecs_fake.advance(STARTED_AFTER)
    assert described(client, ident)["runningCount"] == 2
    with pytest.raises(ClientError) as bad:
        client.update_task_set(cluster="c", service="web", taskSet=ident, scale={"value": 150.0, "unit": "PERCENT"})
    assert error(bad)[0] == "InvalidParameterException"


def test_primary_task_set_gives_the_service_its_settings(client: Any, ecs_fake: EcsFake) -> None:
    blue = task_set(client, scale={"value": 100.0, "unit": "PERCENT"}, loadBalancers=LB)["id"]
    assert "taskDefinition" not in service(client)  # no PRIMARY task set yet
    primary = client.update_service_primary_task_set(cluster="c", service="web", primaryTaskSet=blue)["taskSet"]
    assert primary["status"] == "PRIMARY"
    found = service(client)
    assert found["taskDefinition"].endswith("web:1") and found["launchType"] == "FARGATE"
    assert found["loadBalancers"] == LB and found["deploymentController"] == {"type": "EXTERNAL"}
    green = task_set(client, 2, scale={"value": 100.0, "unit": "PERCENT"})["id"]
    ecs_fake.advance(STARTED_AFTER)
    assert service(client)["runningCount"] == 8  # both task sets at 100 % of 4
    assert [(d["id"], d["status"]) for d in service(client)["deployments"]] == [(blue, "PRIMARY"), (green, "ACTIVE")]
    client.update_service_primary_task_set(cluster="c", service="web", primaryTaskSet=green)
    assert (described(client, blue)["status"], described(client, green)["status"]) == ("ACTIVE", "PRIMARY")
    assert service(client)["taskDefinition"].endswith("web:2")
    with pytest.raises(ClientError) as missing:
        client.update_service_primary_task_set(cluster="c", service="web", primaryTaskSet="ecs-svc/1")
    assert error(missing)[0] == "TaskSetNotFoundException"


def test_delete_task_set_drains_it_then_it_is_missing(client: Any, ecs_fake: EcsFake) -> None:
    ident = task_set(client, scale={"value": 50.0, "unit": "PERCENT"})["id"]
    ecs_fake.advance(STARTED_AFTER)
    with pytest.raises(ClientError) as scaled:
        client.delete_task_set(cluster="c", service="web", taskSet=ident)
    assert error(scaled)[0] == "InvalidParameterException"
    deleted = client.delete_task_set(cluster="c", service="web", taskSet=ident, force=True)["taskSet"]
    assert (deleted["status"], deleted["computedDesiredCount"]) == ("DRAINING", 0)
    ecs_fake.advance(1)
    assert described(client, ident)["status"] == "DRAINING"
    assert {t["stopCode"] for t in tasks_of(client, ident, "STOPPED")} == {"ServiceSchedulerInitiated"}
    ecs_fake.advance(60)  # its tasks stopped: the task set is gone
    answer = client.describe_task_sets(cluster="c", service="web", taskSets=[ident])
    assert answer["taskSets"] == []
    assert answer["failures"] == [{"arn": f"arn:aws:ecs:us-east-1:123456789012:task-set/c/web/{ident}",
                                   "reason": "MISSING"}]
    assert service(client)["taskSets"] == []
    with pytest.raises(ClientError) as gone:
        client.delete_task_set(cluster="c", service="web", taskSet=ident)
    assert error(gone)[0] == "TaskSetNotFoundException"
    # A task set at 0 % is deleted without force.
    idle = task_set(client)["id"]
    assert client.delete_task_set(cluster="c", service="web", taskSet=idle)["taskSet"]["status"] == "DRAINING"


def test_describe_by_arn_tags_and_missing(client: Any) -> None:
    created = task_set(client, tags=[{"key": "a", "value": "1"}])
    arn = created["taskSetArn"]
    client.tag_resource(resourceArn=arn, tags=[{"key": "b", "value": "2"}])
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "a", "value": "1"},
                                                                       {"key": "b", "value": "2"}]
    answer = client.describe_task_sets(cluster="c", service="web", taskSets=[arn, "ecs-svc/42"], include=["TAGS"])
    assert [t["id"] for t in answer["taskSets"]] == [created["id"]]
    assert answer["taskSets"][0]["tags"] == [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]
    assert answer["failures"] == [{"arn": "arn:aws:ecs:us-east-1:123456789012:task-set/c/web/ecs-svc/42",
                                   "reason": "MISSING"}]
    with pytest.raises(ClientError) as no_service:
        client.describe_task_sets(cluster="c", service="nope", taskSets=[arn])
    assert error(no_service) == ("ServiceNotFoundException", "Service not found.")
    # AWS's answers (aws/aws-cli#5380; boto/boto3#3895): no task set named, or a task ARN for a task set.
    with pytest.raises(ClientError) as empty:
        client.describe_task_sets(cluster="c", service="web")
    assert error(empty) == ("InvalidParameterException", "TaskSets cannot be empty.")
    with pytest.raises(ClientError) as not_a_task_set:
        client.describe_task_sets(cluster="c", service="web",
                                  taskSets=["arn:aws:ecs:us-east-1:123456789012:task/c/0123456789abcdef0123456789abcdef"])
    assert error(not_a_task_set) == ("InvalidParameterException", "Task Set Identifier is invalid")


def test_create_task_set_refusals(client: Any) -> None:
    client.create_service(cluster="c", serviceName="rolling", taskDefinition="web", desiredCount=1,
                          launchType="FARGATE", networkConfiguration=SUBNETS)
    with pytest.raises(ClientError) as ecs_controller:
        client.create_task_set(cluster="c", service="rolling", taskDefinition="web")
    assert error(ecs_controller) == ("InvalidParameterException", "Amazon ECS only supports task set management on "
                                     "services configured to use external deployment controllers.")
    with pytest.raises(ClientError) as no_network:
        client.create_task_set(cluster="c", service="web", taskDefinition="web", launchType="FARGATE")
    assert error(no_network) == ("InvalidParameterException",
                                 "Network Configuration must be provided when networkMode 'awsvpc' is specified.")
    with pytest.raises(ClientError) as both:
        task_set(client, capacityProviderStrategy=[{"capacityProvider": "FARGATE"}])
    assert error(both)[0] == "InvalidParameterException"
    for _ in range(5):
        task_set(client)
    with pytest.raises(ClientError) as limit:
        task_set(client)
    assert error(limit) == ("InvalidParameterException", "5 deployments exist on the service. Unable to create new "
                            "TaskSet since this exceeds the maximum limit.")


def test_client_token_answers_the_same_task_set(client: Any) -> None:
    first = task_set(client, clientToken="deploy-1")
    again = task_set(client, clientToken="deploy-1")
    assert again["id"] == first["id"]
    assert [t["id"] for t in service(client)["taskSets"]] == [first["id"]]
