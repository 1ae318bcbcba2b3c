"""UpdateTaskProtection and GetTaskProtection: protected service tasks survive scale-in and deployments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from ecs_helpers import run_fargate
from service_helpers import HEALTHY_AFTER, STARTED_AFTER, deployments, new_revision, service_tasks, web_service

from pytest_ecsfake import EcsFake


@pytest.fixture
def ecs_c(ecs: Any) -> Any:
    ecs.create_cluster(clusterName="c")
    return ecs


def running_service(ecs: Any, fake: EcsFake, desired: int = 2) -> list[str]:
    web_service(ecs, desired=desired)
    fake.advance(STARTED_AFTER + HEALTHY_AFTER)
    return sorted(t["taskArn"] for t in service_tasks(ecs))


def test_protection_defaults_to_two_hours_and_expires_by_itself(ecs_c: Any, ecs_fake: EcsFake) -> None:
    first, _ = running_service(ecs_c, ecs_fake)
    now = ecs_fake.now
    answer = ecs_c.update_task_protection(cluster="c", tasks=[first], protectionEnabled=True)
    assert answer["failures"] == []
    (protected,) = answer["protectedTasks"]
    assert protected["taskArn"] == first
    assert protected["protectionEnabled"] is True
    assert protected["expirationDate"] == now + timedelta(minutes=120)
    ecs_fake.advance(119 * 60)
    assert ecs_c.get_task_protection(cluster="c", tasks=[first])["protectedTasks"][0]["protectionEnabled"] is True
    ecs_fake.advance(60)
    (expired,) = ecs_c.get_task_protection(cluster="c", tasks=[first])["protectedTasks"]
    assert expired == {"taskArn": first, "protectionEnabled": False}


def test_expires_in_minutes_is_reset_by_each_call(ecs_c: Any, ecs_fake: EcsFake) -> None:
    first, _ = running_service(ecs_c, ecs_fake)
    ecs_c.update_task_protection(cluster="c", tasks=[first], protectionEnabled=True, expiresInMinutes=10)
    ecs_fake.advance(9 * 60)
    renewed = ecs_c.update_task_protection(cluster="c", tasks=[first], protectionEnabled=True, expiresInMinutes=5)
    assert renewed["protectedTasks"][0]["expirationDate"] == ecs_fake.now + timedelta(minutes=5)
    ecs_fake.advance(2 * 60)  # past the first expiry: the renewal holds
    assert ecs_c.get_task_protection(cluster="c", tasks=[first])["protectedTasks"][0]["protectionEnabled"] is True
    off = ecs_c.update_task_protection(cluster="c", tasks=[first], protectionEnabled=False)
    assert off["protectedTasks"] == [{"taskArn": first, "protectionEnabled": False}]


def test_scale_in_skips_protected_tasks_until_the_protection_ends(ecs_c: Any, ecs_fake: EcsFake) -> None:
    first, second = running_service(ecs_c, ecs_fake)
    ecs_c.update_task_protection(cluster="c", tasks=[first], protectionEnabled=True, expiresInMinutes=30)
    ecs_c.update_service(cluster="c", service="web", desiredCount=1)
    ecs_fake.advance(5)
    assert [t["taskArn"] for t in service_tasks(ecs_c)] == [first]  # the unprotected one went
    ecs_c.update_service(cluster="c", service="web", desiredCount=0)
    ecs_fake.advance(20 * 60)
    assert [t["taskArn"] for t in service_tasks(ecs_c)] == [first]  # still protected
    ecs_fake.advance(10 * 60 + 5)
    assert service_tasks(ecs_c) == []  # the protection ended: the scheduler proceeds
    stopped = ecs_c.describe_tasks(cluster="c", tasks=[first])["tasks"][0]
    assert stopped["stopCode"] == "ServiceSchedulerInitiated"
    assert stopped["stoppingAt"] >= ecs_fake.now - timedelta(seconds=10)


def test_a_deployment_waits_for_a_protected_task(ecs_c: Any, ecs_fake: EcsFake) -> None:
    first, second = running_service(ecs_c, ecs_fake)
    ecs_c.update_task_protection(cluster="c", tasks=[first], protectionEnabled=True, expiresInMinutes=15)
    ecs_c.update_service(cluster="c", service="web", taskDefinition=new_revision(ecs_c, "web:2"))
    ecs_fake.advance(5 * 60)
    assert first in [t["taskArn"] for t in service_tasks(ecs_c)]
    assert second not in [t["taskArn"] for t in service_tasks(ecs_c)]
    assert [d[0] for d in deployments(ecs_c)] == ["PRIMARY", "ACTIVE"]
    ecs_c.update_task_protection(cluster="c", tasks=[first], protectionEnabled=False)  # released early
    ecs_fake.advance(60)
    assert first not in [t["taskArn"] for t in service_tasks(ecs_c)]
    assert deployments(ecs_c) == [("PRIMARY", "web:2", 2, 0, 2, "COMPLETED")]


def test_failures_for_unknown_and_standalone_tasks(ecs_c: Any, ecs_fake: EcsFake) -> None:
    (task,) = running_service(ecs_c, ecs_fake, desired=1)
    standalone = run_fargate(ecs_c, family="web")["taskArn"]
    answer = ecs_c.update_task_protection(cluster="c", tasks=[task, standalone, "0" * 32], protectionEnabled=True)
    assert [t["taskArn"] for t in answer["protectedTasks"]] == [task]
    assert [(f["arn"], f["reason"]) for f in answer["failures"]] == [
        (standalone, "TASK_NOT_VALID"),
        (f"arn:aws:ecs:us-east-1:123456789012:task/c/{'0' * 32}", "MISSING"),
    ]
    got = ecs_c.get_task_protection(cluster="c", tasks=[standalone])
    assert got["protectedTasks"] == [] and got["failures"][0]["reason"] == "TASK_NOT_VALID"


@pytest.mark.parametrize("minutes", [0, 2881])
def test_expires_in_minutes_out_of_range(ecs_c: Any, ecs_fake: EcsFake, minutes: int) -> None:
    (task,) = running_service(ecs_c, ecs_fake, desired=1)
    with pytest.raises(ClientError) as caught:
        ecs_c.update_task_protection(cluster="c", tasks=[task], protectionEnabled=True, expiresInMinutes=minutes)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"


def test_unknown_cluster(ecs_c: Any) -> None:
    with pytest.raises(ecs_c.exceptions.ClusterNotFoundException):
        ecs_c.get_task_protection(cluster="nope", tasks=["x"])


def test_task_protection_over_the_server(ecs_fake: EcsFake) -> None:
    import boto3

    with ecs_fake.serve() as url:
        ecs = boto3.client("ecs", region_name="us-east-1", endpoint_url=url, aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        ecs.create_cluster(clusterName="c")
        (task,) = running_service(ecs, ecs_fake, desired=1)
        ecs.update_task_protection(cluster="c", tasks=[task], protectionEnabled=True, expiresInMinutes=1)
        assert ecs.get_task_protection(cluster="c", tasks=[task])["protectedTasks"][0]["protectionEnabled"]
        ecs_fake.advance(61)
        assert not ecs.get_task_protection(cluster="c", tasks=[task])["protectedTasks"][0]["protectionEnabled"]
