"""Service deployments and revisions: ListServiceDeployments, DescribeServiceDeployments,
DescribeServiceRevisions, StopServiceDeployment, ContinueServiceDeployment, following the scheduler."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from ecs_helpers import SUBNETS, fargate_definition
from service_helpers import HEALTHY_AFTER, STARTED_AFTER, deployments, new_revision, service, web_service

from pytest_ecsfake import EcsFake

BREAKER = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
STEADY = STARTED_AFTER + HEALTHY_AFTER + 5


@pytest.fixture
def ecs_c(ecs: Any) -> Any:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs, family="web", image="web:1")
    return ecs


def listed(ecs: Any, **extra: Any) -> list[dict[str, Any]]:
    answer = ecs.list_service_deployments(cluster="c", service="web", **extra)
    found: list[dict[str, Any]] = answer["serviceDeployments"]
    return found


def described(ecs: Any, arn: str) -> dict[str, Any]:
    answer = ecs.describe_service_deployments(serviceDeploymentArns=[arn])
    assert answer["failures"] == []
    found: dict[str, Any] = answer["serviceDeployments"][0]
    return found


def test_create_service_makes_a_deployment_that_runs_to_success(ecs_c: Any, ecs_fake: EcsFake) -> None:
    created_at = ecs_fake.now
    web_service(ecs_c)
    (brief,) = listed(ecs_c)
    assert brief["status"] == "PENDING"
    assert brief["serviceDeploymentArn"].startswith(
        "arn:aws:ecs:us-east-1:123456789012:service-deployment/c/web/")
    assert brief["targetServiceRevisionArn"].startswith("arn:aws:ecs:us-east-1:123456789012:service-revision/c/web/")
    assert brief["createdAt"] == created_at and "startedAt" not in brief
    ecs_fake.advance(1)
    started = described(ecs_c, brief["serviceDeploymentArn"])
    assert started["status"] == "IN_PROGRESS"
    assert started["startedAt"] == created_at + timedelta(seconds=1)
    assert started["sourceServiceRevisions"] == []
    assert started["deploymentCircuitBreaker"]["status"] == "DISABLED"
    assert started["alarms"]["status"] == "DISABLED"
    assert started["deploymentConfiguration"]["maximumPercent"] == 200
    ecs_fake.advance(STEADY)
    done = described(ecs_c, brief["serviceDeploymentArn"])
    assert done["status"] == "SUCCESSFUL"
    assert done["finishedAt"] > done["startedAt"]
    assert done["targetServiceRevision"] == {"arn": brief["targetServiceRevisionArn"], "requestedTaskCount": 2,
                                             "runningTaskCount": 2, "pendingTaskCount": 0}
    (revision,) = ecs_c.describe_service_revisions(
        serviceRevisionArns=[brief["targetServiceRevisionArn"]])["serviceRevisions"]
    assert revision["taskDefinition"].endswith(":task-definition/web:1")
    assert revision["launchType"] == "FARGATE"
    assert revision["platformVersion"] == "1.4.0"
    assert revision["networkConfiguration"] == SUBNETS
    assert revision["containerImages"] == [{"containerName": "app", "image": "web:1"}]
    assert revision["serviceArn"] == service(ecs_c)["serviceArn"]


def test_an_update_deploys_from_the_previous_revision(ecs_c: Any, ecs_fake: EcsFake) -> None:
    web_service(ecs_c)
    ecs_fake.advance(STEADY)
    (first,) = listed(ecs_c)
    ecs_fake.advance(60)
    between = ecs_fake.now
    ecs_fake.advance(1)
    ecs_c.update_service(cluster="c", service="web", taskDefinition=new_revision(ecs_c, "web:2"))
    ecs_fake.advance(2)
    newest, oldest = listed(ecs_c)  # newest first
    assert oldest["serviceDeploymentArn"] == first["serviceDeploymentArn"]
    assert newest["status"] == "IN_PROGRESS"
    ongoing = described(ecs_c, newest["serviceDeploymentArn"])
    (source,) = ongoing["sourceServiceRevisions"]
    assert source["arn"] == first["targetServiceRevisionArn"]
    assert source["requestedTaskCount"] == 2
    assert [b["status"] for b in listed(ecs_c, status=["SUCCESSFUL"])] == ["SUCCESSFUL"]
    assert [b["serviceDeploymentArn"] for b in listed(ecs_c, createdAt={"after": between})] == [
        newest["serviceDeploymentArn"]]
    assert [b["serviceDeploymentArn"] for b in listed(ecs_c, createdAt={"before": between})] == [
        first["serviceDeploymentArn"]]
    page = ecs_c.list_service_deployments(cluster="c", service="web", maxResults=1)
    assert [b["serviceDeploymentArn"] for b in page["serviceDeployments"]] == [newest["serviceDeploymentArn"]]
    rest = ecs_c.list_service_deployments(cluster="c", service="web", maxResults=1, nextToken=page["nextToken"])
    assert [b["serviceDeploymentArn"] for b in rest["serviceDeployments"]] == [first["serviceDeploymentArn"]]
    assert "nextToken" not in rest
    ecs_fake.advance(4 * STEADY)
    finished = described(ecs_c, newest["serviceDeploymentArn"])
    assert finished["status"] == "SUCCESSFUL"
    assert finished["sourceServiceRevisions"][0]["runningTaskCount"] == 0  # replaced


def test_circuit_breaker_rollback_is_recorded(ecs_c: Any, ecs_fake: EcsFake) -> None:
    web_service(ecs_c, deploymentConfiguration=BREAKER)
    ecs_fake.advance(STEADY + 2 * HEALTHY_AFTER)
    (good,) = listed(ecs_c)
    ecs_fake.behavior("web:2", runs_for=5, exit_code=1)
    ecs_c.update_service(cluster="c", service="web", taskDefinition=new_revision(ecs_c, "web:2"))
    while deployments(ecs_c)[0][1] == "web:2":
        ecs_fake.advance(1)
    bad = listed(ecs_c)[0]
    rolling = described(ecs_c, bad["serviceDeploymentArn"])
    assert rolling["status"] == "ROLLBACK_IN_PROGRESS"
    assert rolling["deploymentCircuitBreaker"]["status"] == "TRIGGERED"
    assert rolling["deploymentCircuitBreaker"]["failureCount"] >= 3
    assert rolling["deploymentCircuitBreaker"]["threshold"] == 3
    assert rolling["rollback"]["serviceRevisionArn"] == good["targetServiceRevisionArn"]
    assert rolling["rollback"]["startedAt"] == ecs_fake.now
    assert len(listed(ecs_c)) == 2  # a rollback is part of the deployment it rolls back
    ecs_c.get_waiter("services_stable").wait(cluster="c", services=["web"])
    ecs_fake.advance(2 * HEALTHY_AFTER)
    assert described(ecs_c, bad["serviceDeploymentArn"])["status"] == "ROLLBACK_SUCCESSFUL"


def test_breaker_without_rollback_stops_the_deployment(ecs_c: Any, ecs_fake: EcsFake) -> None:
    web_service(ecs_c, deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": False}})
    ecs_fake.advance(STEADY + 2 * HEALTHY_AFTER)
    ecs_fake.behavior("web:2", pull_error="manifest for web:2 not found")
    ecs_c.update_service(cluster="c", service="web", taskDefinition=new_revision(ecs_c, "web:2"))
    ecs_fake.advance(120)
    stopped = described(ecs_c, listed(ecs_c)[0]["serviceDeploymentArn"])
    assert stopped["status"] == "STOPPED"
    assert stopped["statusReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert stopped["stoppedAt"] <= ecs_fake.now
    assert "rollback" not in stopped


def test_stop_service_deployment_rolls_back_on_the_clock(ecs_c: Any, ecs_fake: EcsFake) -> None:
    web_service(ecs_c)
    ecs_fake.advance(STEADY + 2 * HEALTHY_AFTER)
    (good,) = listed(ecs_c)
    ecs_c.update_service(cluster="c", service="web", taskDefinition=new_revision(ecs_c, "web:2"))
    ecs_fake.advance(STARTED_AFTER)
    arn = listed(ecs_c)[0]["serviceDeploymentArn"]
    assert ecs_c.stop_service_deployment(serviceDeploymentArn=arn)["serviceDeploymentArn"] == arn
    assert described(ecs_c, arn)["status"] == "ROLLBACK_REQUESTED"
    ecs_c.stop_service_deployment(serviceDeploymentArn=arn, stopType="ROLLBACK")  # already stopping: continues
    ecs_fake.advance(1)
    rolling = described(ecs_c, arn)
    assert rolling["status"] == "ROLLBACK_IN_PROGRESS"
    assert rolling["rollback"]["serviceRevisionArn"] == good["targetServiceRevisionArn"]
    assert deployments(ecs_c)[0][1] == "web:1"
    ecs_fake.advance(4 * STEADY)
    assert described(ecs_c, arn)["status"] == "ROLLBACK_SUCCESSFUL"
    assert service(ecs_c)["taskDefinition"].endswith("/web:1")
    assert deployments(ecs_c) == [("PRIMARY", "web:1", 2, 0, 2, "COMPLETED")]
    with pytest.raises(ecs_c.exceptions.ConflictException):
        ecs_c.stop_service_deployment(serviceDeploymentArn=arn)


def test_unknown_arns(ecs_c: Any, ecs_fake: EcsFake) -> None:
    web_service(ecs_c)
    missing = "arn:aws:ecs:us-east-1:123456789012:service-deployment/c/web/nope"
    answer = ecs_c.describe_service_deployments(serviceDeploymentArns=[missing])
    assert answer["serviceDeployments"] == [] and answer["failures"] == [{"arn": missing, "reason": "MISSING"}]
    revision = "arn:aws:ecs:us-east-1:123456789012:service-revision/c/web/1"
    assert ecs_c.describe_service_revisions(serviceRevisionArns=[revision])["failures"][0]["reason"] == "MISSING"
    with pytest.raises(ecs_c.exceptions.ServiceDeploymentNotFoundException):
        ecs_c.stop_service_deployment(serviceDeploymentArn=missing)
    with pytest.raises(ecs_c.exceptions.ServiceDeploymentNotFoundException):
        ecs_c.continue_service_deployment(serviceDeploymentArn=missing, hookId="h")
    with pytest.raises(ecs_c.exceptions.ServiceNotFoundException):
        ecs_c.list_service_deployments(cluster="c", service="other")


def test_continue_needs_a_paused_deployment(ecs_c: Any, ecs_fake: EcsFake) -> None:
    web_service(ecs_c)
    (brief,) = listed(ecs_c)
    with pytest.raises(ClientError) as caught:
        ecs_c.continue_service_deployment(serviceDeploymentArn=brief["serviceDeploymentArn"], hookId="h")
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"


def test_deleting_the_service_deletes_its_deployments(ecs_c: Any, ecs_fake: EcsFake) -> None:
    web_service(ecs_c, desired=0)
    (brief,) = listed(ecs_c)
    ecs_c.delete_service(cluster="c", service="web")
    answer = ecs_c.describe_service_deployments(serviceDeploymentArns=[brief["serviceDeploymentArn"]])
    assert answer["failures"][0]["reason"] == "MISSING"


def test_service_deployments_over_the_server(ecs_fake: EcsFake) -> None:
    import boto3

    with ecs_fake.serve() as url:
        ecs = boto3.client("ecs", region_name="us-east-1", endpoint_url=url, aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        ecs.create_cluster(clusterName="c")
        fargate_definition(ecs, family="web", image="web:1")
        web_service(ecs, desired=1)
        ecs_fake.advance(STEADY)
        (brief,) = listed(ecs)
        assert described(ecs, brief["serviceDeploymentArn"])["status"] == "SUCCESSFUL"
