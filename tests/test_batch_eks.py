"""AWS Batch on Amazon EKS: EKS compute environments, eksProperties job definitions, jobs run as pods."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from batch_helpers import CE_CREATE, INSTANCE_ROLE, QUEUE_CREATE, SCHEDULING, SUBMITTED, SUBNETS, job, status, submit
from botocore.exceptions import ClientError

from pytest_ecsfake import EcsFake

CLUSTER = "arn:aws:eks:us-east-1:123456789012:cluster/ClusterForBatch"
POD_START = 8  # batch_eks_pod_start
RUNNING_AFTER = SUBMITTED + SCHEDULING + POD_START


def eks_environment(batch: Any, name: str = "eks-ce", max_vcpus: int = 4, **extra: Any) -> str:
    arn: str = batch.create_compute_environment(
        computeEnvironmentName=name, type="MANAGED",
        eksConfiguration={"eksClusterArn": CLUSTER, "kubernetesNamespace": "my-aws-batch-namespace"},
        computeResources={"type": "EC2", "maxvCpus": max_vcpus, "subnets": SUBNETS, "instanceRole": INSTANCE_ROLE,
                          "instanceTypes": ["m5"], "securityGroupIds": ["sg-1"]},
        **extra,
    )["computeEnvironmentArn"]
    return arn


def pod(image: str = "app:1", cpu: str = "1", memory: str = "1024Mi", **extra: Any) -> dict[str, Any]:
    return {"image": image, "command": ["run"], "resources": {"requests": {"cpu": cpu, "memory": memory}}, **extra}


def eks_definition(batch: Any, name: str = "eks-work", containers: list[dict[str, Any]] | None = None,
                   **extra: Any) -> str:
    arn: str = batch.register_job_definition(
        jobDefinitionName=name, type="container",
        eksProperties={"podProperties": {"containers": containers or [pod()], **extra.pop("pod", {})}}, **extra,
    )["jobDefinitionArn"]
    return arn


def _eks_queue(client: Any, fake: Any) -> Any:
    """An EKS compute environment, queue "q" on it and the "eks-work" job definition, all ready."""
    eks_environment(client)
    fake.advance(CE_CREATE)
    client.create_job_queue(jobQueueName="q", priority=1,
                            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "eks-ce"}])
    fake.advance(QUEUE_CREATE)
    eks_definition(client)
    return client


@pytest.fixture
def batch(ecs_fake: Any) -> Any:
    return _eks_queue(boto3.client("batch", region_name="us-east-1"), ecs_fake)


def test_eks_environment_and_queue_describe_as_eks(batch: Any, ecs: Any) -> None:
    env = batch.describe_compute_environments(computeEnvironments=["eks-ce"])["computeEnvironments"][0]
    assert (env["status"], env["containerOrchestrationType"]) == ("VALID", "EKS")
    assert env["eksConfiguration"] == {"eksClusterArn": CLUSTER, "kubernetesNamespace": "my-aws-batch-namespace"}
    assert env["computeResources"]["ec2Configuration"] == [{"imageType": "EKS_AL2023"}]
    assert "ecsClusterArn" not in env
    assert ecs.list_clusters()["clusterArns"] == []  # no ECS cluster behind an EKS environment
    queue = batch.describe_job_queues(jobQueues=["q"])["jobQueues"][0]
    assert queue["jobQueueType"] == "EKS"


def test_eks_job_definition_is_echoed_without_container_properties(batch: Any) -> None:
    found = batch.describe_job_definitions(jobDefinitionName="eks-work")["jobDefinitions"][0]
    assert found["containerOrchestrationType"] == "EKS"
    assert found["eksProperties"] == {"podProperties": {"containers": [pod()]}}
    assert "containerProperties" not in found and "platformCapabilities" not in found


def test_an_eks_job_walks_the_states_as_a_pod_and_succeeds(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("app:1", runs_for=30, exit_code=0)
    job_id = submit(batch, jobDefinition="eks-work")
    ecs_fake.advance(SUBMITTED)
    assert status(batch, job_id) == "RUNNABLE"
    ecs_fake.advance(SCHEDULING)
    starting = job(batch, job_id)
    assert starting["status"] == "STARTING"
    props = starting["eksProperties"]["podProperties"]
    assert props["podName"].startswith("aws-batch.") and props["nodeName"].endswith(".ec2.internal")
    assert "container" not in starting and starting["eksAttempts"] == []
    ecs_fake.advance(POD_START)
    running = job(batch, job_id)
    assert running["status"] == "RUNNING" and "startedAt" in running
    ecs_fake.advance(30)
    done = job(batch, job_id)
    assert done["status"] == "SUCCEEDED"
    (attempt,) = done["eksAttempts"]
    assert attempt["podName"] == props["podName"] and attempt["nodeName"] == props["nodeName"]
    assert attempt["eksClusterArn"] == CLUSTER and attempt["podNamespace"] == "my-aws-batch-namespace"
    assert attempt["containers"][0]["exitCode"] == 0 and attempt["containers"][0]["name"] == "Default"
    assert attempt["stoppedAt"] - attempt["startedAt"] == 30_000
    assert done["eksProperties"]["podProperties"]["containers"][0]["exitCode"] == 0
    assert done["attempts"] == []


def test_a_failing_container_is_retried_on_a_new_pod_then_fails(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("app:1", runs_for=5, exit_code=3)
    job_id = submit(batch, jobDefinition="eks-work", retryStrategy={"attempts": 2})
    ecs_fake.advance(RUNNING_AFTER + 5)
    assert status(batch, job_id) == "RUNNABLE"
    ecs_fake.advance(SCHEDULING + POD_START + 5)
    done = job(batch, job_id)
    assert done["status"] == "FAILED"
    assert [a["containers"][0]["exitCode"] for a in done["eksAttempts"]] == [3, 3]
    assert len({a["podName"] for a in done["eksAttempts"]}) == 2
    assert done["eksAttempts"][0]["containers"][0]["reason"] == "Error"


def test_evaluate_on_exit_matches_the_pod_exit_code(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("app:1", runs_for=5, exit_code=7)
    job_id = submit(batch, jobDefinition="eks-work", retryStrategy={
        "attempts": 3, "evaluateOnExit": [{"onExitCode": "7", "action": "EXIT"}]})
    ecs_fake.advance(RUNNING_AFTER + 5)
    done = job(batch, job_id)
    assert (done["status"], len(done["eksAttempts"])) == ("FAILED", 1)


def test_every_container_must_exit_zero_and_init_containers_run_first(batch: Any, ecs_fake: Any) -> None:
    eks_definition(batch, "two", containers=[pod("app:1", name="main"), pod("side:1", name="side")],
                   pod={"initContainers": [{"image": "init:1", "name": "setup"}]})
    ecs_fake.behavior("init:1", runs_for=4)
    ecs_fake.behavior("app:1", runs_for=10)
    ecs_fake.behavior("side:1", runs_for=20, exit_code=1)
    job_id = submit(batch, jobDefinition="two")
    ecs_fake.advance(RUNNING_AFTER)
    assert status(batch, job_id) == "STARTING"  # the init container runs first
    ecs_fake.advance(4)
    assert status(batch, job_id) == "RUNNING"
    ecs_fake.advance(10)
    assert status(batch, job_id) == "RUNNING"  # the pod runs while one container does
    ecs_fake.advance(10)
    done = job(batch, job_id)
    assert done["status"] == "FAILED"
    (attempt,) = done["eksAttempts"]
    assert [(c["name"], c["exitCode"]) for c in attempt["containers"]] == [("main", 0), ("side", 1)]
    assert attempt["initContainers"][0]["exitCode"] == 0
    assert done["statusReason"] == attempt["statusReason"]


def test_terminate_sends_sigterm_to_the_pod(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("app:1", stop_takes=2)
    job_id = submit(batch, jobDefinition="eks-work")
    ecs_fake.advance(RUNNING_AFTER)
    batch.terminate_job(jobId=job_id, reason="enough")
    ecs_fake.advance(1)
    assert status(batch, job_id) == "RUNNING"
    ecs_fake.advance(1)
    done = job(batch, job_id)
    assert (done["status"], done["statusReason"], done["isTerminated"]) == ("FAILED", "enough", True)
    assert done["eksAttempts"][0]["containers"][0]["exitCode"] == 143


def test_timeout_kills_a_container_that_ignores_sigterm_after_30_s(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("app:1", ignores_sigterm=True)
    job_id = submit(batch, jobDefinition="eks-work", timeout={"attemptDurationSeconds": 60})
    ecs_fake.advance(RUNNING_AFTER + 60 + 29)
    assert status(batch, job_id) == "RUNNING"
    ecs_fake.advance(1)
    done = job(batch, job_id)
    assert (done["status"], done["statusReason"]) == ("FAILED", "Job attempt duration exceeded timeout")
    assert done["eksAttempts"][0]["containers"][0]["exitCode"] == 137


def test_pods_wait_for_vcpus_under_max_vcpus(batch: Any, ecs_fake: Any) -> None:
    eks_definition(batch, "big", containers=[pod(cpu="3")])
    ecs_fake.behavior("app:1", runs_for=100)
    first, second = submit(batch, "a", jobDefinition="big"), submit(batch, "b", jobDefinition="big")
    ecs_fake.advance(RUNNING_AFTER)
    assert (status(batch, first), status(batch, second)) == ("RUNNING", "RUNNABLE")
    ecs_fake.advance(100)
    assert (status(batch, first), status(batch, second)) == ("SUCCEEDED", "STARTING")


def test_eks_properties_override_merges_env_and_replaces_resources(batch: Any) -> None:
    eks_definition(batch, "env", containers=[pod(env=[{"name": "A", "value": "1"}, {"name": "B", "value": "1"}])])
    job_id = submit(batch, jobDefinition="env", eksPropertiesOverride={"podProperties": {"containers": [{
        "command": ["other"], "env": [{"name": "A", "value": "2"}, {"name": "C", "value": "3"}],
        "resources": {"limits": {"cpu": "2", "memory": "2048Mi"}}}]}})
    (container,) = job(batch, job_id)["eksProperties"]["podProperties"]["containers"]
    assert container["command"] == ["other"] and container["image"] == "app:1"
    assert {e["name"]: e["value"] for e in container["env"]} == {"A": "2", "B": "1", "C": "3"}
    assert container["resources"] == {"limits": {"cpu": "2", "memory": "2048Mi"}}


def test_pull_error_fails_the_attempt(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("app:1", pull_error="manifest unknown")
    job_id = submit(batch, jobDefinition="eks-work")
    ecs_fake.advance(RUNNING_AFTER)
    done = job(batch, job_id)
    assert done["status"] == "FAILED"
    assert done["eksAttempts"][0]["containers"][0]["reason"] == "ErrImagePull: manifest unknown"


def test_mixing_eks_and_ecs_is_refused(batch: Any, ecs_fake: Any) -> None:
    with pytest.raises(ClientError) as overrides:
        submit(batch, jobDefinition="eks-work", containerOverrides={"command": ["x"]})
    assert overrides.value.response["Error"]["Message"] == (
        "Container overrides or node overrides should not be set for Batch on EKS jobs.")
    batch.create_compute_environment(computeEnvironmentName="ecs", type="MANAGED", computeResources={
        "type": "FARGATE", "maxvCpus": 4, "subnets": SUBNETS, "securityGroupIds": ["sg-1"]})
    ecs_fake.advance(CE_CREATE)
    with pytest.raises(ClientError) as mixed:
        batch.create_job_queue(jobQueueName="mixed", priority=1, computeEnvironmentOrder=[
            {"order": 1, "computeEnvironment": "eks-ce"}, {"order": 2, "computeEnvironment": "ecs"}])
    assert mixed.value.response["Error"]["Code"] == "ClientException"
    batch.create_job_queue(jobQueueName="fargate", priority=1,
                           computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ecs"}])
    with pytest.raises(ClientError) as wrong_queue:
        submit(batch, jobQueue="fargate", jobDefinition="eks-work")
    assert "EKS" in wrong_queue.value.response["Error"]["Message"]


def test_a_pod_without_containers_is_refused(batch: Any) -> None:
    with pytest.raises(ClientError) as refused:
        batch.register_job_definition(jobDefinitionName="none", type="container",
                                      eksProperties={"podProperties": {"containers": []}})
    assert "at least one container" in refused.value.response["Error"]["Message"]


def test_array_job_children_run_as_pods(batch: Any, ecs_fake: Any) -> None:
    ecs_fake.behavior("app:1", runs_for=5)
    job_id = submit(batch, jobDefinition="eks-work", arrayProperties={"size": 2})
    ecs_fake.advance(RUNNING_AFTER + 5 + SCHEDULING + POD_START + 5)
    parent = job(batch, job_id)
    assert parent["status"] == "SUCCEEDED"
    child = job(batch, f"{job_id}:1")
    assert child["eksAttempts"][0]["containers"][0]["exitCode"] == 0


def test_an_eks_job_over_the_http_server(ecs_fake: Any) -> None:
    with ecs_fake.serve() as url:
        batch = _eks_queue(boto3.client("batch", region_name="us-east-1", endpoint_url=url,
                                        aws_access_key_id="testing", aws_secret_access_key="testing"), ecs_fake)
        ecs_fake.behavior("app:1", runs_for=1)
        job_id = submit(batch, jobDefinition="eks-work")
        ecs_fake.advance(RUNNING_AFTER + 1)
        assert job(batch, job_id)["eksAttempts"][0]["containers"][0]["exitCode"] == 0



def test_access_entry_is_the_one_eks_setting_an_update_changes(ecs_fake: Any) -> None:
    batch = boto3.client("batch", region_name="us-east-1")
    arn = batch.create_compute_environment(
        computeEnvironmentName="entry", type="MANAGED",
        eksConfiguration={"eksClusterArn": CLUSTER, "kubernetesNamespace": "ns",
                          "accessEntry": {"desiredState": "ENABLED"}},
        computeResources={"type": "SPOT", "maxvCpus": 2, "subnets": SUBNETS, "instanceRole": INSTANCE_ROLE,
                          "allocationStrategy": "SPOT_CAPACITY_OPTIMIZED"})["computeEnvironmentArn"]
    ecs_fake.advance(CE_CREATE)
    created = batch.describe_compute_environments(computeEnvironments=[arn])["computeEnvironments"][0]
    assert created["eksConfiguration"]["accessEntry"] == {"desiredState": "ENABLED", "status": "ACTIVE"}
    batch.update_compute_environment(computeEnvironment=arn,
                                     eksConfiguration={"accessEntry": {"desiredState": "DISABLED"}})
    env = batch.describe_compute_environments(computeEnvironments=[arn])["computeEnvironments"][0]
    assert env["eksConfiguration"]["accessEntry"] == {"desiredState": "DISABLED", "status": "INACTIVE"}
    assert env["eksConfiguration"]["kubernetesNamespace"] == "ns"


def test_unmanaged_eks_environments_are_not_faked_and_fail_the_test() -> None:
    fake = EcsFake()
    with pytest.raises(AssertionError, match="UNMANAGED compute environments on Amazon EKS"), fake:
        batch = boto3.client("batch", region_name="us-east-1")
        with pytest.raises(ClientError, match="UnsupportedOperation"):
            batch.create_compute_environment(computeEnvironmentName="mine", type="UNMANAGED", eksConfiguration={
                "eksClusterArn": CLUSTER, "kubernetesNamespace": "ns"})
