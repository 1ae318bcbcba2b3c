"""The real AWS CLI (v1, from PyPI), run as a subprocess against the server.

Against ``fake.serve()`` the server runs in the test's process, so ``fake.advance()`` and freezegun move the
clock the CLI's calls see. Against ``ecsfake serve`` the admin endpoint moves it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from test_cli import post, serve_process

from pytest_ecsfake import EcsFake
from pytest_ecsfake.core import registry as _registry

START = 1735689600  # 2025-01-01T00:00:00Z, the fake's default start
SUBNETS = json.dumps({"awsvpcConfiguration": {"subnets": ["subnet-0a1b2c3d"], "securityGroups": ["sg-1"]}})


def aws(url: str, *args: str, region: str = "us-east-1") -> Any:
    """``aws ARGS --endpoint-url URL`` with dummy credentials; its JSON output (``{}`` when it prints none)."""
    code, out, err = aws_status(url, *args, region=region)
    assert code == 0, err
    return json.loads(out) if out.strip() else {}


def aws_status(url: str, *args: str, region: str = "us-east-1") -> tuple[int, str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE=os.devnull + ".none", AWS_SHARED_CREDENTIALS_FILE=os.devnull + ".none", AWS_PAGER="")
    command = [sys.executable, "-m", "awscli", *args, "--endpoint-url", url, "--region", region, "--output", "json"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def test_aws_cli_runs_and_stops_a_task_on_the_fake_clock(ecs_fake: EcsFake) -> None:
    with ecs_fake.serve() as url:
        assert aws(url, "ecs", "create-cluster", "--cluster-name", "c")["cluster"]["status"] == "ACTIVE"
        definition = aws(url, "ecs", "register-task-definition", "--family", "job",
                         "--requires-compatibilities", "FARGATE", "--network-mode", "awsvpc", "--cpu", "256",
                         "--memory", "512", "--container-definitions", '[{"name": "app", "image": "worker:1"}]')
        assert definition["taskDefinition"]["taskDefinitionArn"].endswith(":task-definition/job:1")
        run = aws(url, "ecs", "run-task", "--cluster", "c", "--task-definition", "job", "--launch-type", "FARGATE",
                  "--network-configuration", SUBNETS)
        arn = run["tasks"][0]["taskArn"]
        assert run["tasks"][0]["lastStatus"] == "PROVISIONING"

        ecs_fake.advance(60)  # in the test's process; the CLI in its own process sees the new time
        task = aws(url, "ecs", "describe-tasks", "--cluster", "c", "--tasks", arn)["tasks"][0]
        assert (task["lastStatus"], task["startedAt"]) == ("RUNNING", START + 18)

        stopped = aws(url, "ecs", "stop-task", "--cluster", "c", "--task", arn, "--reason", "done for today")
        assert (stopped["task"]["desiredStatus"], stopped["task"]["stoppedReason"]) == ("STOPPED", "done for today")
        ecs_fake.advance(60)
        task = aws(url, "ecs", "describe-tasks", "--cluster", "c", "--tasks", arn)["tasks"][0]
        assert (task["lastStatus"], task["stopCode"], task["containers"][0]["exitCode"]) == (
            "STOPPED", "UserInitiated", 143)
    assert [c.operation for c in ecs_fake.calls] == [
        "CreateCluster", "RegisterTaskDefinition", "RunTask", "DescribeTasks", "StopTask", "DescribeTasks"]


def test_aws_cli_sees_aws_errors(ecs_fake: EcsFake) -> None:
    with ecs_fake.serve() as url:
        code, _, err = aws_status(url, "ecs", "describe-tasks", "--cluster", "nope", "--tasks", "0" * 32)
        assert code == 255  # what AWS CLI v1 answers for an error from the service
        assert ("An error occurred (ClusterNotFoundException) when calling the DescribeTasks operation: "
                "Cluster not found.") in err
        code, _, err = aws_status(url, "ecs", "run-task", "--task-definition", "job", "--count", "11")
        assert code == 255 and "InvalidParameterException" in err and "count" in err


def test_aws_cli_batch_submit_job_and_terminate_job_reach_the_fake(ecs_fake: EcsFake) -> None:
    ecs_fake.fail("batch:SubmitJob", "ClientException", message="Job queue q is not VALID")
    ecs_fake.fail("batch:TerminateJob", "ClientException", message="Job j-1 not found")
    with ecs_fake.serve() as url:
        code, _, err = aws_status(url, "batch", "submit-job", "--job-name", "nightly", "--job-queue", "q",
                                  "--job-definition", "etl:3", "--container-overrides",
                                  '{"command": ["run", "--all"]}', region="eu-west-1")
        assert code == 255 and "(ClientException) when calling the SubmitJob operation: Job queue q is not VALID" in err
        code, _, err = aws_status(url, "batch", "terminate-job", "--job-id", "j-1", "--reason", "stuck")
        assert code == 255 and "(ClientException) when calling the TerminateJob operation: Job j-1 not found" in err
    assert [(c.service, c.operation, c.request) for c in ecs_fake.calls] == [
        ("batch", "SubmitJob", {"jobName": "nightly", "jobQueue": "q", "jobDefinition": "etl:3",
                                "containerOverrides": {"command": ["run", "--all"]}}),
        ("batch", "TerminateJob", {"jobId": "j-1", "reason": "stuck"}),
    ]


_BATCH_FLOW = {"CreateComputeEnvironment", "CreateJobQueue", "RegisterJobDefinition", "SubmitJob", "DescribeJobs",
               "TerminateJob"}


def test_aws_cli_batch_job_submitted_then_terminated(ecs_fake: EcsFake) -> None:
    assert set(_registry.supported("batch")) >= _BATCH_FLOW
    with ecs_fake.serve() as url:
        aws(url, "batch", "create-compute-environment", "--compute-environment-name", "ce", "--type", "MANAGED",
            "--compute-resources", "type=FARGATE,maxvCpus=4,subnets=subnet-0a1b2c3d,securityGroupIds=sg-1")
        ecs_fake.advance(60)
        aws(url, "batch", "create-job-queue", "--job-queue-name", "q", "--priority", "1",
            "--compute-environment-order", "order=1,computeEnvironment=ce")
        ecs_fake.advance(60)
        aws(url, "batch", "register-job-definition", "--job-definition-name", "etl", "--type", "container",
            "--platform-capabilities", "FARGATE", "--container-properties", json.dumps({
                "image": "etl:1", "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
                "resourceRequirements": [{"type": "VCPU", "value": "0.25"}, {"type": "MEMORY", "value": "512"}]}))
        job_id = aws(url, "batch", "submit-job", "--job-name", "nightly", "--job-queue", "q",
                     "--job-definition", "etl")["jobId"]
        assert aws(url, "batch", "terminate-job", "--job-id", job_id, "--reason", "not tonight") == {}
        ecs_fake.advance(60)
        job = aws(url, "batch", "describe-jobs", "--jobs", job_id)["jobs"][0]
    assert (job["status"], job["statusReason"]) == ("FAILED", "not tonight")


def test_aws_cli_against_ecsfake_serve() -> None:
    with serve_process("--clock", "manual", "--quiet") as served:
        aws(served.url, "ecs", "create-cluster", "--cluster-name", "shell")
        assert aws(served.url, "ecs", "list-clusters", region="us-east-1")["clusterArns"] == [
            "arn:aws:ecs:us-east-1:123456789012:cluster/shell"]
        assert aws(served.url, "ecs", "list-clusters", region="eu-west-1")["clusterArns"] == []
        status, calls = post(served.url, "/_ecsfake/calls", method="GET")
        assert [c["operation"] for c in calls] == ["CreateCluster", "ListClusters", "ListClusters"]
