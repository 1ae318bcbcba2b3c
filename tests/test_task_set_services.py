"""Services of the EXTERNAL and CODE_DEPLOY deployment controllers: CreateService, UpdateService, DeleteService,
DescribeServices and its services_stable waiter, over the botocore hook and the HTTP server."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from ecs_helpers import SUBNETS, fargate_definition
from service_helpers import HEALTHY_AFTER, STARTED_AFTER, service
from task_set_helpers import LB, error, web_cluster

from pytest_ecsfake import EcsFake

KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
@pytest.fixture
def client(ecs_fake: EcsFake) -> Any:
    ecs = web_cluster()
    return ecs


def code_deploy_service(ecs: Any, desired: int = 2) -> dict[str, Any]:
    created: dict[str, Any] = ecs.create_service(
        cluster="c", serviceName="web", taskDefinition="web:1", desiredCount=desired, launchType="FARGATE",
        networkConfiguration=SUBNETS, loadBalancers=LB, deploymentController={"type": "CODE_DEPLOY"})["service"]
    return created


def test_external_service_has_no_task_of_its_own(client: Any, ecs_fake: EcsFake) -> None:
    created = client.create_service(cluster="c", serviceName="web", desiredCount=2,
                                    deploymentController={"type": "EXTERNAL"})["service"]
    assert created["deploymentController"] == {"type": "EXTERNAL"}
    assert created["taskSets"] == [] and created["deployments"] == []
    assert "taskDefinition" not in created and "launchType" not in created
    assert ecs_fake.calls[-1].violations == ()
    ecs_fake.advance(STARTED_AFTER)
    assert client.list_tasks(cluster="c", serviceName="web")["taskArns"] == []
    assert (service(client)["runningCount"], service(client)["pendingCount"]) == (0, 0)
    # Members a task set controls are answered and recorded (only the reference states the rule).
    client.create_service(cluster="c", serviceName="other", desiredCount=1, taskDefinition="web",
                          deploymentController={"type": "EXTERNAL"})
    assert ecs_fake.calls[-1].violations == (
        "taskDefinition: a service of the EXTERNAL deployment controller takes only parameters that aren't "
        "controlled at the task set level (documented: [M:CreateService])",)
    assert "taskDefinition" not in service(client, "other")


def test_code_deploy_service_starts_with_its_primary_task_set(client: Any, ecs_fake: EcsFake) -> None:
    created = code_deploy_service(client)
    assert created["deploymentController"] == {"type": "CODE_DEPLOY"}
    [first] = created["taskSets"]
    assert (first["status"], first["scale"]) == ("PRIMARY", {"value": 100.0, "unit": "PERCENT"})
    assert first["taskDefinition"].endswith("web:1") and first["loadBalancers"] == LB
    assert created["taskDefinition"].endswith("web:1") and created["launchType"] == "FARGATE"
    assert [(d["id"], d["status"]) for d in created["deployments"]] == [(first["id"], "PRIMARY")]
    assert "rolloutState" not in created["deployments"][0]
    ecs_fake.advance(STARTED_AFTER)
    arns = client.list_tasks(cluster="c", serviceName="web")["taskArns"]
    assert {t["startedBy"] for t in client.describe_tasks(cluster="c", tasks=arns)["tasks"]} == {first["id"]}
    assert service(client)["runningCount"] == 2
    # A replacement task set, as CodeDeploy creates it: startedBy CODE_DEPLOY [M:TaskSet.startedBy].
    green = client.create_task_set(cluster="c", service="web", taskDefinition="web:2", launchType="FARGATE",
                                   networkConfiguration=SUBNETS, loadBalancers=LB, externalId="d-ABCDEF123",
                                   scale={"value": 100.0, "unit": "PERCENT"})["taskSet"]
    assert (green["startedBy"], green["externalId"], green["status"]) == ("CODE_DEPLOY", "d-ABCDEF123", "ACTIVE")
    ecs_fake.advance(STARTED_AFTER)
    client.update_service_primary_task_set(cluster="c", service="web", primaryTaskSet=green["id"])
    client.delete_task_set(cluster="c", service="web", taskSet=first["id"], force=True)
    ecs_fake.advance(60)
    found = service(client)
    assert [t["id"] for t in found["taskSets"]] == [green["id"]]
    assert found["taskDefinition"].endswith("web:2") and found["runningCount"] == 2


def test_update_service_of_code_deploy(client: Any, ecs_fake: EcsFake) -> None:
    code_deploy_service(client)
    with pytest.raises(ClientError) as definition:
        client.update_service(cluster="c", service="web", taskDefinition="web:2")
    assert error(definition) == ("InvalidParameterException", "Unable to update task definition on services with a "
                                 "CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.")
    with pytest.raises(ClientError) as network:
        client.update_service(cluster="c", service="web", networkConfiguration=SUBNETS)
    assert error(network) == ("InvalidParameterException", "Unable to update network parameters on services with a "
                              "CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.")
    updated = client.update_service(cluster="c", service="web", desiredCount=3, healthCheckGracePeriodSeconds=30,
                                    deploymentConfiguration={"maximumPercent": 150,
                                                             "minimumHealthyPercent": 50})["service"]
    assert ecs_fake.calls[-1].violations == ()
    assert (updated["desiredCount"], updated["healthCheckGracePeriodSeconds"]) == (3, 30)
    assert updated["deploymentConfiguration"]["maximumPercent"] == 150
    ecs_fake.advance(1)
    assert service(client)["taskSets"][0]["computedDesiredCount"] == 3
    ecs_fake.advance(STARTED_AFTER)
    assert service(client)["runningCount"] == 3
    # What only a new CodeDeploy deployment changes: answered, recorded, not applied.
    client.update_service(cluster="c", service="web", platformVersion="1.3.0")
    assert ecs_fake.calls[-1].violations == (
        "platformVersion: UpdateService cannot change them on a service of the CODE_DEPLOY deployment controller; "
        "create a new CodeDeploy deployment (documented: [M:UpdateService])",)
    assert service(client)["platformVersion"] == "LATEST"


def test_update_service_of_external(client: Any, ecs_fake: EcsFake) -> None:
    client.create_service(cluster="c", serviceName="web", desiredCount=2, deploymentController={"type": "EXTERNAL"})
    client.update_service(cluster="c", service="web", desiredCount=4, propagateTags="SERVICE")
    assert ecs_fake.calls[-1].violations == ()
    assert (service(client)["desiredCount"], service(client)["propagateTags"]) == (4, "SERVICE")
    client.update_service(cluster="c", service="web", taskDefinition="web:2")
    assert ecs_fake.calls[-1].violations == (
        "taskDefinition: UpdateService cannot change them on a service of the EXTERNAL deployment controller; "
        "create a new task set (documented: [M:UpdateService])",)
    assert "taskDefinition" not in service(client)


def test_services_stable_waits_for_the_task_set(client: Any, ecs_fake: EcsFake) -> None:
    client.create_service(cluster="c", serviceName="web", desiredCount=2, deploymentController={"type": "EXTERNAL"})
    ident = client.create_task_set(cluster="c", service="web", taskDefinition="web", launchType="FARGATE",
                                   networkConfiguration=SUBNETS, scale={"value": 100.0, "unit": "PERCENT"},
                                   )["taskSet"]["id"]
    client.update_service_primary_task_set(cluster="c", service="web", primaryTaskSet=ident)
    start = ecs_fake.now
    client.get_waiter("services_stable").wait(cluster="c", services=["web"])
    assert service(client)["runningCount"] == 2
    assert 0 < (ecs_fake.now - start).total_seconds() <= STARTED_AFTER + 15  # one 15 s poll after RUNNING


def test_delete_external_service_drains_its_task_sets(client: Any, ecs_fake: EcsFake) -> None:
    client.create_service(cluster="c", serviceName="web", desiredCount=2, deploymentController={"type": "EXTERNAL"})
    ident = client.create_task_set(cluster="c", service="web", taskDefinition="web", launchType="FARGATE",
                                   networkConfiguration=SUBNETS, scale={"value": 100.0, "unit": "PERCENT"},
                                   )["taskSet"]["id"]
    ecs_fake.advance(STARTED_AFTER + HEALTHY_AFTER)
    assert client.delete_service(cluster="c", service="web", force=True)["service"]["status"] == "DRAINING"
    ecs_fake.advance(60)
    assert service(client)["status"] == "INACTIVE" and service(client)["taskSets"] == []
    arns = client.list_tasks(cluster="c", startedBy=ident, desiredStatus="STOPPED")["taskArns"]
    assert {t["lastStatus"] for t in client.describe_tasks(cluster="c", tasks=arns)["tasks"]} == {"STOPPED"}


def test_blue_green_over_the_http_server(ecs_fake: EcsFake) -> None:
    with ecs_fake.serve() as url:
        ecs = boto3.client("ecs", endpoint_url=url, region_name="us-east-1", **KEYS)
        ecs.create_cluster(clusterName="c")
        fargate_definition(ecs, family="web", image="web:1")
        fargate_definition(ecs, family="web", image="web:2")
        ecs.create_service(cluster="c", serviceName="web", desiredCount=2, deploymentController={"type": "EXTERNAL"})
        full = {"value": 100.0, "unit": "PERCENT"}
        blue = ecs.create_task_set(cluster="c", service="web", taskDefinition="web:1", launchType="FARGATE",
                                   networkConfiguration=SUBNETS, scale=full)["taskSet"]["id"]
        ecs.update_service_primary_task_set(cluster="c", service="web", primaryTaskSet=blue)
        ecs_fake.advance(STARTED_AFTER + HEALTHY_AFTER)
        green = ecs.create_task_set(cluster="c", service="web", taskDefinition="web:2", launchType="FARGATE",
                                    networkConfiguration=SUBNETS)["taskSet"]["id"]
        ecs.update_task_set(cluster="c", service="web", taskSet=green, scale=full)
        ecs_fake.advance(STARTED_AFTER + HEALTHY_AFTER)
        assert ecs.describe_task_sets(cluster="c", service="web", taskSets=[green])["taskSets"][0][
            "stabilityStatus"] == "STEADY_STATE"
        ecs.update_service_primary_task_set(cluster="c", service="web", primaryTaskSet=green)
        ecs.update_task_set(cluster="c", service="web", taskSet=blue, scale={"value": 0.0, "unit": "PERCENT"})
        ecs.delete_task_set(cluster="c", service="web", taskSet=blue)
        ecs_fake.advance(60)
        found = ecs.describe_services(cluster="c", services=["web"])["services"][0]
        ecs.close()
    assert [(t["id"], t["status"]) for t in found["taskSets"]] == [(green, "PRIMARY")]
    assert found["taskDefinition"].endswith("web:2") and found["runningCount"] == 2
