"""Activation: context managers, decorators, nesting, and which clients the fake serves."""

from __future__ import annotations

import asyncio
import unittest

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError, NoCredentialsError

from pytest_ecsfake import EcsFake, mock_ecs


def cluster_names(client: object) -> list[str]:
    arns = client.list_clusters()["clusterArns"]  # type: ignore[attr-defined]
    return [arn.rsplit("/", 1)[1] for arn in arns]


def test_context_manager_serves_ecs_and_stops_cleanly() -> None:
    with EcsFake() as fake:
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName="jobs")
        assert cluster_names(ecs) == ["jobs"]
        assert [c.operation for c in fake.calls] == ["CreateCluster", "ListClusters"]
    # Once stopped, the client would go to the network (blocked by the suite): the patch is gone.
    from botocore.endpoint import Endpoint

    from pytest_ecsfake.ways_in import intercept as _intercept

    assert Endpoint._send is not _intercept._send and _intercept._patched == {}


def test_client_created_before_activation_is_served() -> None:
    ecs = boto3.client("ecs", region_name="eu-west-1")
    with EcsFake():
        ecs.create_cluster(clusterName="early")
        assert cluster_names(ecs) == ["early"]


@pytest.mark.parametrize(
    "make_client",
    [
        lambda: boto3.client("ecs", region_name="ap-south-1"),
        lambda: boto3.Session().client("ecs", region_name="ap-south-1"),
        lambda: boto3.Session(region_name="ap-south-1").client("ecs"),
        lambda: botocore.session.get_session().create_client("ecs", region_name="ap-south-1"),
    ],
    ids=["boto3.client", "boto3.Session().client", "Session(region)", "botocore.create_client"],
)
def test_every_way_of_making_a_client(make_client: object) -> None:
    with EcsFake():
        client = make_client()  # type: ignore[operator]
        arn = client.create_cluster(clusterName="c")["cluster"]["clusterArn"]
        assert arn == "arn:aws:ecs:ap-south-1:123456789012:cluster/c"


def test_no_credentials_and_no_region_configured() -> None:
    # conftest removed every AWS_* variable and points the config files at nothing.
    with EcsFake(region="sa-east-1") as fake:
        ecs = boto3.client("ecs")  # region from the fake, credentials never needed
        assert ecs.meta.region_name == "sa-east-1"
        ecs.create_cluster(clusterName="bare")
        batch = boto3.client("batch")
        fake.fail("batch:ListJobs", "ClientException", message="answered by the fake")
        with pytest.raises(batch.exceptions.ClientException, match="answered by the fake"):
            batch.list_jobs(jobQueue="q")


def test_regions_are_separate() -> None:
    with EcsFake():
        east = boto3.client("ecs", region_name="us-east-1")
        west = boto3.client("ecs", region_name="us-west-2")
        east.create_cluster(clusterName="only-east")
        assert cluster_names(east) == ["only-east"]
        assert cluster_names(west) == []


@pytest.mark.parametrize("endpoint_url", [None, "https://vpce-0a1b.ecs.eu-west-1.vpce.amazonaws.com",
                                          "https://ecs-proxy.example.com/", "https://ecs.us-east-1.amazonaws.com"])
def test_the_clients_region_decides_whatever_the_endpoint_url(endpoint_url: str | None) -> None:
    seen: list[dict[str, str]] = []
    with EcsFake():
        ecs = boto3.client("ecs", region_name="eu-west-1", endpoint_url=endpoint_url)
        ecs.meta.events.register("before-send", lambda request, **_: seen.append(dict(request.headers)))
        arn = ecs.create_cluster(clusterName="c")["cluster"]["clusterArn"]
        assert arn == "arn:aws:ecs:eu-west-1:123456789012:cluster/c"
        assert cluster_names(boto3.client("ecs", region_name="us-east-1")) == []
    # Only an endpoint URL that does not name the client's region needs the fake's private header.
    assert ("x-ecsfake-region" in {k.lower() for k in seen[0]}) == (endpoint_url is not None)


def test_other_services_are_left_alone() -> None:
    with EcsFake() as fake:
        sts = boto3.client("sts", region_name="us-east-1", config=Config(retries={"max_attempts": 1}))
        with pytest.raises(NoCredentialsError):  # signed as usual: no credentials on this machine
            sts.get_caller_identity()
        keyed = boto3.client(
            "sts", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s",
            config=Config(retries={"max_attempts": 1}),
        )
        with pytest.raises(EndpointConnectionError):  # really sent: the suite's socket guard stops it
            keyed.get_caller_identity()
        assert fake.calls == []


def test_decorator_gives_each_call_a_fresh_fake() -> None:
    seen = []

    @EcsFake(region="eu-central-1")
    def body() -> None:
        ecs = boto3.client("ecs", region_name="eu-central-1")
        seen.append(cluster_names(ecs))
        ecs.create_cluster(clusterName="x")

    body()
    body()
    assert seen == [[], []]


def test_mock_ecs_spellings() -> None:
    @mock_ecs
    def bare() -> list[str]:
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName="bare")
        return cluster_names(ecs)

    @mock_ecs(account_id="111122223333")
    def configured() -> str:
        ecs = boto3.client("ecs", region_name="us-east-1")
        arn: str = ecs.create_cluster(clusterName="c")["cluster"]["clusterArn"]
        return arn

    assert bare() == ["bare"]
    assert configured() == "arn:aws:ecs:us-east-1:111122223333:cluster/c"
    with mock_ecs(region="eu-west-3") as fake:
        assert isinstance(fake, EcsFake) and fake.region == "eu-west-3"
    with pytest.raises(TypeError, match="keyword options only"):
        mock_ecs(lambda: None, region="x")


def test_async_context_manager_and_coroutine_decorator() -> None:
    async def with_block() -> list[str]:
        async with EcsFake():
            ecs = boto3.client("ecs", region_name="us-east-1")
            ecs.create_cluster(clusterName="async")
            return cluster_names(ecs)

    @EcsFake()
    async def decorated() -> list[str]:
        ecs = boto3.client("ecs", region_name="us-east-1")
        return cluster_names(ecs)

    assert asyncio.run(with_block()) == ["async"]
    assert asyncio.run(decorated()) == []


@EcsFake()
class TestDecoratedClass:
    def test_one(self) -> None:
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName="one")
        assert cluster_names(ecs) == ["one"]

    def test_two_does_not_see_one(self) -> None:
        assert cluster_names(boto3.client("ecs", region_name="us-east-1")) == []


@mock_ecs
class DecoratedTestCase(unittest.TestCase):
    def test_served(self) -> None:
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName="tc")
        self.assertEqual(cluster_names(ecs), ["tc"])


def test_nested_fakes_are_independent_and_innermost_serves() -> None:
    ecs = boto3.client("ecs", region_name="us-east-1")
    with EcsFake() as outer:
        ecs.create_cluster(clusterName="outer")
        with EcsFake() as inner:
            assert cluster_names(ecs) == []
            ecs.create_cluster(clusterName="inner")
        assert cluster_names(ecs) == ["outer"]
        assert [c.operation for c in inner.calls] == ["ListClusters", "CreateCluster"]
        assert [c.operation for c in outer.calls] == ["CreateCluster", "ListClusters"]


def test_starting_an_active_fake_twice_is_refused() -> None:
    fake = EcsFake()
    with fake, pytest.raises(RuntimeError, match="already active"):
        fake.start()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"region": ""}, "region"),
        ({"account_id": "12"}, "12 digits"),
        ({"stop_timeout": -1}, "stop_timeout"),
        ({"seed": "x"}, "seed"),
        ({"timings": {"provisoning": 1}}, "unknown phase 'provisoning'"),
        ({"start": "yesterday"}, "ISO-8601"),
    ],
)
def test_bad_options_say_what_is_expected(options: dict[str, object], message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message) as info:
        EcsFake(**options)  # type: ignore[arg-type]
    assert str(info.value).endswith("See https://github.com/pytest-ecsfake/pytest-ecsfake#quick-start")


def test_same_seed_same_request_ids() -> None:
    def run(seed: int) -> list[str]:
        with EcsFake(seed=seed):
            ecs = boto3.client("ecs", region_name="us-east-1")
            return [ecs.list_clusters()["ResponseMetadata"]["RequestId"] for _ in range(3)]

    assert run(1) == run(1)
    assert run(1) != run(2)
