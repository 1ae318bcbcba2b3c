"""fake.fail(): injected AWS errors, seen by botocore exactly as errors from AWS."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from pytest_ecsfake import EcsFake


def client() -> object:
    # Standard retry mode with its default of 3 attempts in all.
    return boto3.client("ecs", region_name="us-east-1", config=Config(retries={"mode": "standard"}))


def test_standard_mode_retries_an_injected_server_exception_and_succeeds_on_the_third_attempt() -> None:
    with EcsFake() as fake:
        ecs = client()
        fake.fail("ListClusters", times=2)
        before = fake.now
        assert ecs.list_clusters()["clusterArns"] == []  # type: ignore[attr-defined]
        assert [(c.operation, c.status, c.error) for c in fake.calls] == [
            ("ListClusters", 500, "ServerException"),
            ("ListClusters", 500, "ServerException"),
            ("ListClusters", 200, None),
        ]
        assert fake.now > before  # botocore's back-off sleeps advanced the fake clock, not the wall clock


def test_more_failures_than_attempts_reach_the_caller_with_code_and_message() -> None:
    with EcsFake() as fake:
        ecs = client()
        fake.fail("ListClusters", times=3, message="try later")
        with pytest.raises(ClientError) as info:
            ecs.list_clusters()  # type: ignore[attr-defined]
        assert info.value.response["Error"] == {"Code": "ServerException", "Message": "try later"}
        assert ecs.list_clusters()["clusterArns"] == []  # type: ignore[attr-defined]


def test_client_errors_are_modeled_exceptions_and_not_retried() -> None:
    with EcsFake() as fake:
        ecs = boto3.client("ecs", region_name="us-east-1")
        fake.fail("CreateCluster", "ClientException", message="nope")
        with pytest.raises(ecs.exceptions.ClientException, match="nope"):
            ecs.create_cluster(clusterName="x")
        assert len(fake.calls) == 1
        ecs.create_cluster(clusterName="x")


def test_service_prefix_scopes_a_fault() -> None:
    with EcsFake() as fake:
        ecs = boto3.client("ecs", region_name="us-east-1")
        batch = boto3.client("batch", region_name="us-east-1")
        fake.fail("batch:ListTagsForResource", "ClientException", message="batch only")
        arn = ecs.create_cluster(clusterName="c")["cluster"]["clusterArn"]
        assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == []
        with pytest.raises(batch.exceptions.ClientException, match="batch only"):
            batch.list_tags_for_resource(resourceArn="arn:aws:batch:us-east-1:123456789012:job-queue/q")


@pytest.mark.parametrize(("args", "kwargs"), [(("ecs2:X",), {}), (("X",), {"times": 0}), (("",), {})])
def test_bad_fail_arguments(args: tuple[str, ...], kwargs: dict[str, int]) -> None:
    with EcsFake() as fake, pytest.raises(ValueError):
        fake.fail(*args, **kwargs)


def test_reset_forgets_resources_calls_and_faults_but_keeps_the_clock() -> None:
    with EcsFake() as fake:
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName="c")
        fake.fail("ListClusters")
        fake.advance(100)
        now = fake.now
        fake.reset()
        assert fake.calls == []
        assert fake.now == now
        assert ecs.list_clusters()["clusterArns"] == []
