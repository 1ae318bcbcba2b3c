"""moto for the other services, the fake for ECS and Batch, in one test: either started first, every way in.

CI runs this file with the newest moto 5 (the test extra) and the oldest (`.ci/run`).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from batch_helpers import CE_CREATE, QUEUE_CREATE, definition, queue
from child import python
from ecs_helpers import fargate_definition
from moto import mock_aws

from pytest_ecsfake import EcsFake

ECS_TARGET = "AmazonEC2ContainerServiceV20141113."


@contextlib.contextmanager
def both(order: str) -> Iterator[EcsFake]:
    """moto's mock_aws and a fake, started in the given order, stopped in reverse."""
    moto, fake = mock_aws(), EcsFake()
    first, second = (moto, fake) if order == "moto first" else (fake, moto)
    with first, second:
        yield fake


ORDERS = pytest.mark.parametrize("order", ["moto first", "fake first"])


def _raw_list_clusters() -> Any:
    return requests.post("https://ecs.us-east-1.amazonaws.com/", data="{}", timeout=5, headers={
        "X-Amz-Target": ECS_TARGET + "ListClusters", "Content-Type": "application/x-amz-json-1.1"})


@ORDERS
def test_ecs_and_batch_go_to_the_fake_the_rest_to_moto(order: str) -> None:
    ecs_before = boto3.client("ecs", region_name="us-east-1")  # a client made before either started
    with both(order) as fake:
        ecs = boto3.client("ecs", region_name="us-east-1")
        batch = boto3.client("batch", region_name="eu-west-1")
        ec2 = boto3.client("ec2", region_name="us-east-1")
        s3 = boto3.client("s3", region_name="us-east-1")
        ecs.create_cluster(clusterName="jobs")
        assert ecs_before.list_clusters()["clusterArns"] == [
            "arn:aws:ecs:us-east-1:123456789012:cluster/jobs"]
        assert batch.describe_job_queues()["jobQueues"] == []
        assert _raw_list_clusters().json()["clusterArns"] == ["arn:aws:ecs:us-east-1:123456789012:cluster/jobs"]
        s3.create_bucket(Bucket="artifacts")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["artifacts"]  # moto's
        assert ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]  # moto's default VPC
        answered = [(c.service, c.operation) for c in fake.calls]
        assert answered == [("ecs", "CreateCluster"), ("ecs", "ListClusters"), ("batch", "DescribeJobQueues"),
                            ("ecs", "ListClusters")]


@ORDERS
def test_fips_dual_stack_and_custom_endpoints_go_to_the_fake(order: str) -> None:
    from botocore.config import Config

    with both(order) as fake:
        clients = [
            boto3.client("ecs", region_name="us-east-1", config=Config(use_fips_endpoint=True)),
            boto3.client("ecs", region_name="us-east-1", config=Config(use_dualstack_endpoint=True)),
            boto3.client("ecs", region_name="us-east-1", endpoint_url="https://vpce-1.ecs.us-east-1.vpce.amazonaws.com"),
            boto3.client("batch", region_name="us-east-1", config=Config(use_fips_endpoint=True)),
        ]
        clients[0].create_cluster(clusterName="c")
        assert [len(client.list_clusters()["clusterArns"]) for client in clients[:3]] == [1, 1, 1]
        assert clients[3].describe_compute_environments()["computeEnvironments"] == []
        assert len(fake.calls) == 5


def test_with_no_fake_active_moto_answers_ecs_as_before() -> None:
    with EcsFake():
        boto3.client("ecs", region_name="us-east-1").create_cluster(clusterName="fake-only")
    with mock_aws():
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName="moto-only")
        assert ecs.list_clusters()["clusterArns"] == ["arn:aws:ecs:us-east-1:123456789012:cluster/moto-only"]
        assert _raw_list_clusters().json()["clusterArns"] == ["arn:aws:ecs:us-east-1:123456789012:cluster/moto-only"]


@mock_aws
def test_mock_aws_as_a_decorator_with_the_fixture(ecs_fake: EcsFake) -> None:
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    assert [c.operation for c in ecs_fake.calls] == ["CreateCluster"]
    iam = boto3.client("iam", region_name="us-east-1")
    assert iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"].endswith(":role/r")


def test_motos_state_for_other_services_is_kept_across_the_fake() -> None:
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="kept")
        with EcsFake():
            boto3.client("ecs", region_name="us-east-1").list_clusters()
        assert [b["Name"] for b in boto3.client("s3", region_name="us-east-1").list_buckets()["Buckets"]] == ["kept"]


def _subnets(ec2: Any, vpc: str) -> list[str]:
    return [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]


@ORDERS
def test_aiobotocore_ecs_calls_go_to_the_fake(order: str) -> None:
    import asyncio

    from aiobotocore.session import get_session

    async def calls() -> list[str]:
        async with get_session().create_client("ecs", region_name="us-east-1") as ecs:
            await ecs.create_cluster(clusterName="c")
            return list((await ecs.list_clusters())["clusterArns"])

    with both(order) as fake:
        assert asyncio.run(calls()) == ["arn:aws:ecs:us-east-1:123456789012:cluster/c"]
        assert [c.operation for c in fake.calls] == ["CreateCluster", "ListClusters"]


# -- the flows of real clients: the default VPC from moto's EC2, then RunTask; a Batch environment from moto's IAM


@ORDERS
def test_prefect_style_default_vpc_lookup_then_fargate_run_task(order: str) -> None:
    with both(order) as fake:
        ec2 = boto3.client("ec2", region_name="us-east-1")
        ecs = boto3.client("ecs", region_name="us-east-1")
        # prefect-aws's ECS worker, with no network configuration given: the default VPC and its subnets
        vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        subnets = _subnets(ec2, vpc)
        ecs.create_cluster(clusterName="prefect")
        fargate_definition(ecs, family="flow")
        task = ecs.run_task(cluster="prefect", taskDefinition="flow", launchType="FARGATE",
                            capacityProviderStrategy=[],
                            networkConfiguration={"awsvpcConfiguration": {"subnets": subnets,
                                                                          "assignPublicIp": "ENABLED"}})["tasks"][0]
        fake.advance(60)
        described = ecs.describe_tasks(cluster="prefect", tasks=[task["taskArn"]])["tasks"][0]
        details = {d["name"]: d["value"] for d in described["attachments"][0]["details"]}
        assert described["lastStatus"] == "RUNNING" and details["subnetId"] in subnets


@ORDERS
def test_batch_environment_from_motos_iam_and_ec2(order: str) -> None:
    with both(order) as fake:
        iam = boto3.client("iam", region_name="us-east-1")
        ec2 = boto3.client("ec2", region_name="us-east-1")
        batch = boto3.client("batch", region_name="us-east-1")
        role = iam.create_role(RoleName="batch-service", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        subnets = _subnets(ec2, vpc)
        group = ec2.create_security_group(GroupName="batch", Description="jobs", VpcId=vpc)["GroupId"]
        batch.create_compute_environment(
            computeEnvironmentName="ce", type="MANAGED", serviceRole=role,
            computeResources={"type": "FARGATE", "maxvCpus": 4, "subnets": subnets, "securityGroupIds": [group]})
        fake.advance(CE_CREATE)
        queue(batch)
        fake.advance(QUEUE_CREATE)
        definition(batch)
        job_id = batch.submit_job(jobName="nightly", jobQueue="q", jobDefinition="work")["jobId"]
        fake.advance(60)
        [job] = batch.describe_jobs(jobs=[job_id])["jobs"]
        environment = batch.describe_compute_environments(computeEnvironments=["ce"])["computeEnvironments"][0]
        assert job["status"] == "RUNNING" and environment["serviceRole"] == role
        assert environment["computeResources"]["subnets"] == subnets


# -- what the fake needs of moto, and what it does when that is not there


def test_moto_is_not_imported_by_the_fake() -> None:
    out = python("""
        import sys
        import boto3
        from pytest_ecsfake import EcsFake
        with EcsFake():
            boto3.client("ecs", region_name="us-east-1").list_clusters()
        print(any(name == "moto" or name.startswith("moto.") for name in sys.modules))
    """)
    assert out.strip() == "False"


def test_moto_imported_while_a_fake_is_active_is_patched_at_once() -> None:
    out = python("""
        import boto3
        from pytest_ecsfake import EcsFake
        with EcsFake() as fake:
            from moto import mock_aws  # the one-shot import hook patches moto now
            with mock_aws():
                boto3.client("ecs", region_name="us-east-1").create_cluster(clusterName="c")
            print(len(fake.calls))
    """)
    assert out.strip() == "1"


def test_a_moto_whose_shape_changed_is_said_in_one_line() -> None:
    out = python("""
        import moto.core.botocore_stubber as stubber
        del stubber.BotocoreStubber  # a moto release that moved it
        from pytest_ecsfake import EcsFake
        try:
            with EcsFake():
                pass
        except AssertionError as teardown:
            print([line for line in str(teardown).splitlines() if "moto" in line][0])
    """)
    assert out.startswith("- pytest-ecsfake cannot keep moto 5."), out
    assert "from answering ECS and Batch: moto's shape changed (ImportError: " in out


def test_server_mode_moto_server_for_the_rest_ecsfake_server_for_ecs_and_batch(
    monkeypatch: pytest.MonkeyPatch, ecs_fake: EcsFake
) -> None:
    # No mock_aws in this process: each service's endpoint is a server, as README's "Server mode with moto" sets
    # them (the service-specific AWS_ENDPOINT_URL_<SERVICE> variables win over AWS_ENDPOINT_URL).
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:  # a free loopback port (moto 5.0's server cannot tell which one it took)
        probe.bind(("127.0.0.1", 0))
        host, port = probe.getsockname()
    moto = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    moto.start()
    try:
        with ecs_fake.serve() as url:
            monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
            monkeypatch.setenv("AWS_ENDPOINT_URL_ECS", url)
            monkeypatch.setenv("AWS_ENDPOINT_URL_BATCH", url)
            ec2 = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
            ecs = boto3.client("ecs", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
            batch = boto3.client("batch", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
            vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
            ecs.create_cluster(clusterName="c")
            fargate_definition(ecs, family="flow")
            task = ecs.run_task(cluster="c", taskDefinition="flow", launchType="FARGATE", networkConfiguration={
                "awsvpcConfiguration": {"subnets": _subnets(ec2, vpc)}})["tasks"][0]
            assert batch.describe_job_queues()["jobQueues"] == []
            ecs_fake.advance(60)
            assert ecs.describe_tasks(cluster="c", tasks=[task["taskArn"]])["tasks"][0]["lastStatus"] == "RUNNING"
            assert [c.operation for c in ecs_fake.calls] == [
                "CreateCluster", "RegisterTaskDefinition", "RunTask", "DescribeJobQueues", "DescribeTasks"]
    finally:
        moto.stop()


@ORDERS
def test_logs_are_shared_by_log_group_a_tasks_lines_read_back_with_moto_active(order: str) -> None:
    with both(order) as fake:
        logs = boto3.client("logs", region_name="us-east-1")
        ecs = boto3.client("ecs", region_name="us-east-1")
        logs.create_log_group(logGroupName="/ecs/etl")  # moto's: the fake holds no such group yet
        fake.behavior("etl:1", runs_for=30, logs=["starting", (30, "done")])
        ecs.create_cluster(clusterName="c")
        fargate_definition(ecs, family="etl", image="etl:1", containerDefinitions=[{
            "name": "app", "image": "etl:1", "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": "/ecs/etl", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"}}}])
        arn = ecs.run_task(cluster="c", taskDefinition="etl", launchType="FARGATE", networkConfiguration={
            "awsvpcConfiguration": {"subnets": ["subnet-1"]}})["tasks"][0]["taskArn"]
        ecs.get_waiter("tasks_stopped").wait(cluster="c", tasks=[arn])
        stream = "ecs/app/" + arn.rsplit("/", 1)[1]
        # the group the task wrote to is the fake's now: its lines read back, by boto3 and by raw requests
        events = logs.get_log_events(logGroupName="/ecs/etl", logStreamName=stream, startFromHead=True)["events"]
        assert [e["message"] for e in events] == ["starting", "done"]
        raw = requests.post("https://logs.us-east-1.amazonaws.com/", timeout=5, headers={
            "X-Amz-Target": "Logs_20140328.GetLogEvents", "Content-Type": "application/x-amz-json-1.1"},
            json={"logGroupName": "/ecs/etl", "logStreamName": stream, "startFromHead": True})
        assert [e["message"] for e in raw.json()["events"]] == ["starting", "done"]
        # any other group stays moto's: written and read through moto
        logs.create_log_group(logGroupName="/app/other")
        logs.create_log_stream(logGroupName="/app/other", logStreamName="s")
        logs.put_log_events(logGroupName="/app/other", logStreamName="s",
                            logEvents=[{"timestamp": 1_735_689_600_000, "message": "moto's line"}])
        assert [e["message"] for e in logs.get_log_events(
            logGroupName="/app/other", logStreamName="s", startFromHead=True)["events"]] == ["moto's line"]
        assert "/app/other" not in fake._backend.regions["us-east-1"].logs.groups


@ORDERS
@pytest.mark.parametrize("delete_by", ["boto3", "requests"])
def test_one_cloudwatch_logs_groups_the_fake_creates_are_listed_and_deleted_in_both(order: str,
                                                                                     delete_by: str) -> None:
    with both(order) as fake:
        logs = boto3.client("logs", region_name="us-east-1")
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName="c")
        fargate_definition(ecs, family="etl", image="etl:1", containerDefinitions=[{
            "name": "app", "image": "etl:1", "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": "/ecs/made-by-task", "awslogs-create-group": "true",
                "awslogs-stream-prefix": "ecs"}}}])
        ecs.run_task(cluster="c", taskDefinition="etl", launchType="FARGATE", networkConfiguration={
            "awsvpcConfiguration": {"subnets": ["subnet-1"]}})
        fake.advance(60)
        listed = [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]  # moto answers this one
        assert listed == ["/ecs/made-by-task"]
        assert [s["logStreamName"].split("/")[1] for s in logs.describe_log_streams(
            logGroupName="/ecs/made-by-task")["logStreams"]] == ["app"]  # the fake's streams
        if delete_by == "boto3":
            logs.delete_log_group(logGroupName="/ecs/made-by-task")
        else:
            requests.post("https://logs.us-east-1.amazonaws.com/", timeout=5,
                          json={"logGroupName": "/ecs/made-by-task"},
                          headers={"X-Amz-Target": "Logs_20140328.DeleteLogGroup",
                                   "Content-Type": "application/x-amz-json-1.1"}).raise_for_status()
        assert logs.describe_log_groups()["logGroups"] == []
        assert "/ecs/made-by-task" not in fake._backend.regions["us-east-1"].logs.groups
