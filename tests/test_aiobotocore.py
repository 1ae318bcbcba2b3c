"""aiobotocore (the ``aio`` extra): async ECS and Batch clients are served by the fake, waiters included."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from aiobotocore.endpoint import AioEndpoint  # a test dependency: the [test] extra installs it
from aiobotocore.session import get_session  # noqa: E402
from aiobotocore.signers import AioRequestSigner  # noqa: E402
from aiobotocore.waiter import AIOWaiter  # noqa: E402
from botocore.exceptions import WaiterError  # noqa: E402
from child import python  # noqa: E402

from pytest_ecsfake import EcsFake  # noqa: E402

SUBNETS = {"awsvpcConfiguration": {"subnets": ["subnet-0a1b2c3d"], "securityGroups": ["sg-1"]}}


@pytest_asyncio.fixture
async def ecs_async(ecs_fake: EcsFake) -> AsyncIterator[Any]:
    async with get_session().create_client("ecs", region_name="us-east-1") as client:
        await client.create_cluster(clusterName="c")
        await client.register_task_definition(
            family="job", requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256", memory="512",
            containerDefinitions=[{"name": "app", "image": "worker:1"}])
        yield client


async def run_task(ecs: Any) -> str:
    answer = await ecs.run_task(cluster="c", taskDefinition="job", launchType="FARGATE",
                                networkConfiguration=SUBNETS)
    arn: str = answer["tasks"][0]["taskArn"]
    return arn


@pytest.mark.asyncio
async def test_async_ecs_client_is_served_without_credentials(ecs_fake: EcsFake) -> None:
    async with get_session().create_client("ecs", region_name="eu-west-1") as ecs:
        answer = await ecs.create_cluster(clusterName="async")
        with pytest.raises(ecs.exceptions.ClusterNotFoundException, match="Cluster not found"):
            await ecs.delete_cluster(cluster="nope")
    assert answer["cluster"]["clusterArn"] == "arn:aws:ecs:eu-west-1:123456789012:cluster/async"
    assert [(c.operation, c.status) for c in ecs_fake.calls] == [("CreateCluster", 200), ("DeleteCluster", 400)]


@pytest.mark.asyncio
async def test_tasks_running_and_tasks_stopped_waiters_finish_in_fake_time(ecs_async: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("worker:1", ignores_sigterm=True)
    arn = await run_task(ecs_async)
    before = ecs_fake.now
    await ecs_async.get_waiter("tasks_running").wait(cluster="c", tasks=[arn])
    assert ecs_fake.now - before == timedelta(seconds=18)  # polls every 6 s; RUNNING 18 s after RunTask
    await ecs_async.stop_task(cluster="c", task=arn)
    before = ecs_fake.now
    await ecs_async.get_waiter("tasks_stopped").wait(cluster="c", tasks=[arn])
    assert ecs_fake.now - before == timedelta(seconds=42)  # SIGKILL at 30 s, stopped at 38 s, seen at 42 s
    task = (await ecs_async.describe_tasks(cluster="c", tasks=[arn]))["tasks"][0]
    assert (task["lastStatus"], task["containers"][0]["exitCode"]) == ("STOPPED", 137)


@pytest.mark.asyncio
async def test_a_waiter_fails_as_its_acceptors_say(ecs_async: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("worker:1", pull_error="manifest unknown")
    arn = await run_task(ecs_async)
    with pytest.raises(WaiterError, match="failure state"):
        await ecs_async.get_waiter("tasks_running").wait(cluster="c", tasks=[arn])


@pytest.mark.asyncio
async def test_retry_back_off_is_fake_time(ecs_async: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.fail("ListClusters", "ServerException", times=2)
    before = ecs_fake.now
    assert len((await ecs_async.list_clusters())["clusterArns"]) == 1
    assert ecs_fake.now > before
    assert [c.status for c in ecs_fake.calls[-3:]] == [500, 500, 200]


@pytest.mark.asyncio
async def test_async_batch_client_is_served(ecs_fake: EcsFake) -> None:
    ecs_fake.fail("batch:TerminateJob", "ClientException", message="Job j-1 not found")
    async with get_session().create_client("batch", region_name="us-west-2") as batch:
        with pytest.raises(batch.exceptions.ClientException, match="Job j-1 not found"):
            await batch.terminate_job(jobId="j-1", reason="stuck")
    assert [(c.service, c.operation, c.request) for c in ecs_fake.calls] == [
        ("batch", "TerminateJob", {"jobId": "j-1", "reason": "stuck"})]


@pytest.mark.asyncio
async def test_async_client_pointed_at_the_server_goes_over_http(ecs_fake: EcsFake) -> None:
    with ecs_fake.serve() as url:
        async with get_session().create_client("ecs", region_name="us-east-1", endpoint_url=url,
                                               aws_access_key_id="testing",
                                               aws_secret_access_key="testing") as ecs:
            answer = await ecs.list_clusters()
    assert answer["ResponseMetadata"]["HTTPHeaders"]["server"] == "pytest-ecsfake"
    assert [c.operation for c in ecs_fake.calls] == ["ListClusters"]


def test_nothing_is_left_patched_after_the_last_fake() -> None:
    methods = (AioEndpoint._send, AioEndpoint._sleep, AioRequestSigner.sign, AIOWaiter._sleep)
    with EcsFake():
        assert AioEndpoint._send is not methods[0] and AIOWaiter._sleep is not methods[3]
    assert (AioEndpoint._send, AioEndpoint._sleep, AioRequestSigner.sign, AIOWaiter._sleep) == methods


def test_activation_does_not_import_aiobotocore() -> None:
    assert python("""
        import sys
        from pytest_ecsfake import EcsFake
        with EcsFake():
            pass
        print("aiobotocore" in sys.modules)
    """) == "False\n"


def test_aiobotocore_imported_while_a_fake_is_active_is_served() -> None:
    # A fresh interpreter, so that aiobotocore is imported for the first time inside the fake.
    assert python("""
        import asyncio, os
        for name in [n for n in os.environ if n.startswith("AWS_")]:
            del os.environ[name]
        os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull + ".none"
        from pytest_ecsfake import EcsFake

        async def main():
            from aiobotocore.session import get_session
            async with get_session().create_client("ecs", region_name="ca-central-1") as ecs:
                return (await ecs.create_cluster(clusterName="late"))["cluster"]["clusterArn"]

        with EcsFake():
            print(asyncio.run(main()))
    """) == "arn:aws:ecs:ca-central-1:123456789012:cluster/late\n"


GUARDED_ASYNC = """
import asyncio
import pytest
from aiobotocore.session import get_session
from pytest_ecsfake import EcsFake
from pytest_ecsfake.ways_in.guard import NoActiveFakeError

async def list_clusters():
    async with get_session().create_client("ecs", region_name="us-east-1") as ecs:
        return await ecs.list_clusters()

def test_forgot_the_fake():
    with pytest.raises(NoActiveFakeError, match="ecs:ListClusters was called with no active fake"):
        asyncio.run(list_clusters())

def test_with_a_fake():
    with EcsFake():
        assert asyncio.run(list_clusters())["clusterArns"] == []
    with pytest.raises(NoActiveFakeError):  # guarded again once the fake stopped
        asyncio.run(list_clusters())
"""


@pytest.mark.parametrize("imported", ["before the session", "during a test"])
def test_the_guard_covers_aiobotocore_clients(pytester: pytest.Pytester, imported: str) -> None:
    # Dummy keys: past the guard, the call would be signed and sent to AWS (this sandbox has no route there).
    header = "import aiobotocore.signers\n" if imported == "before the session" else ""
    pytester.makeconftest(header)
    pytester.makepyfile(test_guarded_async=GUARDED_ASYNC)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        result = pytester.runpytest_subprocess("-p", "no:randomly", "--ecsfake-guard")
    result.assert_outcomes(passed=2)
