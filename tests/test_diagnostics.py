"""Diagnostics a user reads: call assertions with diffs, strict mode, the ecsfake report section."""

from __future__ import annotations

import contextlib
from typing import Any

import boto3
import pytest
from ecs_helpers import fargate_definition, run_fargate

from pytest_ecsfake import EcsFake

pytest_plugins = ["pytester"]


@pytest.fixture
def ecs_c(ecs: Any) -> Any:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs)
    return ecs


def test_assert_called_by_subset(ecs_c: Any, ecs_fake: EcsFake) -> None:
    run_fargate(ecs_c, startedBy="deployer")
    hits = ecs_fake.assert_called("RunTask", cluster="c", launchType="FARGATE",
                                  networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-0a1b2c3d"]}})
    assert len(hits) == 1 and hits[0].status == 200
    ecs_fake.assert_called("ecs:RunTask", times=1)
    assert [c.operation for c in ecs_fake.calls_to("RegisterTaskDefinition")] == ["RegisterTaskDefinition"]
    ecs_fake.assert_not_called("StopTask")


def test_assert_called_failure_lists_each_call_and_what_differs(ecs_c: Any, ecs_fake: EcsFake) -> None:
    run_fargate(ecs_c)
    with pytest.raises(AssertionError) as info:
        ecs_fake.assert_called("RunTask", launchType="EC2", count=2)
    message = str(info.value)
    assert message.startswith("expected a RunTask call with a request containing {'launchType': 'EC2', 'count': 2};")
    assert "called 1 time(s), none matching" in message
    assert "- launchType: expected 'EC2', got 'FARGATE'" in message
    assert "- count: expected 2, missing" in message


def test_assert_called_never_called_and_times(ecs_c: Any, ecs_fake: EcsFake) -> None:
    with pytest.raises(AssertionError, match=r"StopTask was never called \(operations called: CreateCluster, "):
        ecs_fake.assert_called("StopTask")
    run_fargate(ecs_c)
    run_fargate(ecs_c)
    with pytest.raises(AssertionError, match="expected 1 RunTask call, got 2"):
        ecs_fake.assert_called("RunTask", times=1)
    with pytest.raises(AssertionError, match="expected no RunTask call, got 2"):
        ecs_fake.assert_not_called("RunTask")


def test_strict_mode_fails_at_teardown_even_when_the_error_is_swallowed() -> None:
    fake = EcsFake(strict=True)
    with pytest.raises(AssertionError) as teardown, fake:  # noqa: PT012
        ecs = boto3.client("ecs", region_name="us-east-1")
        with contextlib.suppress(ecs.exceptions.InvalidParameterException):  # code that swallows the error
            ecs.list_clusters(maxResults=500)
    message = str(teardown.value)
    assert "strict mode: the ecs:ListClusters request your code sent breaks the API reference's rules" in message
    assert "Member must have value less than or equal to 100" in message
    assert "request: {'maxResults': 500}" in message and "#errors-you-may-see" in message


def test_without_strict_a_handled_rejection_is_fine() -> None:
    with EcsFake() as fake:
        ecs = boto3.client("ecs", region_name="us-east-1")
        with pytest.raises(ecs.exceptions.InvalidParameterException):
            ecs.list_clusters(maxResults=500)
        assert fake._backend.problems == []


def test_failure_report_section(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
import boto3

def test_migration(ecs_fake):
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="jobs")
    ecs.register_task_definition(family="migrate", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
        cpu="256", memory="512", containerDefinitions=[{"name": "app", "image": "migrate:1"}])
    ecs_fake.behavior("migrate:1", runs_for=30, exit_code=3)
    arn = ecs.run_task(cluster="jobs", taskDefinition="migrate", launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-1"]}})["tasks"][0]["taskArn"]
    ecs_fake.advance(120)
    try:
        ecs.stop_task(cluster="nope", task=arn)
    except Exception:
        pass
    assert ecs.describe_tasks(cluster="jobs", tasks=[arn])["tasks"][0]["containers"][0]["exitCode"] == 0
""")
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:asyncio", "-p", "no:benchmark")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*- ecsfake -*",
        "fake clock started at 2025-01-01T00:00:00+00:00; times below are offsets from it",
        "calls:",
        "  +     0.0s  us-east-1      ecs:CreateCluster * 200 * clusterName='jobs'",
        "  +     0.0s  us-east-1      ecs:RunTask * 200 * cluster='jobs', taskDefinition='migrate', "
        "launchType='FARGATE'*",
        "  +   120.0s  us-east-1      ecs:StopTask * 400 ClusterNotFoundException * cluster='nope'*",
        "  +   120.0s  us-east-1      ecs:DescribeTasks * 200 *",
        "tasks:",
        "  jobs/* (migrate:1): PROVISIONING +0.0s → PENDING +5.0s → ACTIVATING +6.0s → RUNNING +18.0s → "
        "DEACTIVATING +48.0s → STOPPING +50.0s → DEPROVISIONING +51.0s → STOPPED +56.0s",
        "      exit codes app=3; stopCode EssentialContainerExited (Essential container in task exited)",
    ])


def test_passing_tests_have_no_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
def test_ok(ecs_fake):
    pass
""")
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:asyncio", "-p", "no:benchmark", "-rA")
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*ecsfake -*")


def test_report_shows_batch_jobs(ecs_fake: EcsFake) -> None:
    from batch_helpers import ready, submit

    batch = boto3.client("batch", region_name="us-east-1")
    ready(batch, ecs_fake)
    ecs_fake.behavior("worker:1", runs_for=30, exit_code=2)
    submit(batch, name="etl", retryStrategy={"attempts": 2})
    ecs_fake.advance(300)
    report = ecs_fake.report()
    assert "batch jobs:" in report
    job_lines = report.split("batch jobs:\n", 1)[1].splitlines()
    assert job_lines[0].startswith("  etl (")
    # The first attempt fails at +80 s and goes back to RUNNABLE; the retry fails for good.
    assert job_lines[0].endswith(": SUBMITTED +25.0s → RUNNABLE +27.0s → STARTING +32.0s → RUNNING +50.0s → "
                                 "RUNNABLE +80.0s → STARTING +85.0s → RUNNING +103.0s → FAILED +133.0s")
    assert job_lines[1] == "      2 attempt(s), exit codes [2, 2]; statusReason 'Essential container in task exited'"


def test_the_report_says_where_a_cluster_not_found_does_exist(ecs_fake: EcsFake) -> None:
    boto3.client("ecs", region_name="eu-west-1").create_cluster(clusterName="jobs")
    us = boto3.client("ecs", region_name="us-east-1")
    with pytest.raises(us.exceptions.ClusterNotFoundException, match=r"^An error .*: Cluster not found\.$"):
        us.list_tasks(cluster="jobs")  # AWS's own message, unchanged
    assert us.describe_clusters(clusters=["jobs"])["failures"][0]["reason"] == "MISSING"
    report = ecs_fake.report()
    calls = report.split("calls:\n", 1)[1].splitlines()
    assert calls[0].split()[2:4] == ["eu-west-1", "ecs:CreateCluster"]  # every call line shows its region
    assert calls[1].split()[2:4] == ["us-east-1", "ecs:ListTasks"]
    hint = ("      hint: cluster 'jobs' exists in eu-west-1, not in us-east-1, where this call went: is the client "
            "made for the right region?")
    assert calls[2] == hint and calls[4] == hint  # after the ListTasks line and after the DescribeClusters line
    assert [c.region for c in ecs_fake.calls] == ["eu-west-1", "us-east-1", "us-east-1"]
