"""Issue 21, point 10: the fake answers the whole of the installed botocore's Batch API.

Every Batch operation of the model has a handler that is not a stub (no operation answers UnsupportedOperation),
and every kind of job a job definition can describe (single-container ECS on EC2 and Fargate, multi-node parallel,
multi-container ``ecsProperties``, ``eksProperties``) is registered and submitted without UnsupportedOperation.
Each test names what is missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import botocore.session
from batch_helpers import EXECUTION_ROLE, INSTANCE_ROLE, SECURITY_GROUPS, SUBNETS
from botocore.exceptions import ClientError

from pytest_ecsfake import EcsFake
from pytest_ecsfake.scaffold import tables

ROOT = Path(__file__).resolve().parents[1]
EKS_CLUSTER = "arn:aws:eks:us-east-1:123456789012:cluster/ClusterForBatch"


def test_every_batch_operation_of_the_model_has_a_handler() -> None:
    operations = botocore.session.get_session().get_service_model("batch").operation_names
    found = tables.scan(ROOT)["batch"]
    missing = [op for op in operations if op not in found]
    stubs = [op for op in operations if op in found and found[op].stub]
    assert (missing, stubs) == ([], []), (
        f"Batch operations of botocore {botocore.__version__} without a handler: {missing}; "
        f"handlers that are stubs (answer UnsupportedOperation): {stubs}")


def _environment(batch: Any, name: str, kind: str, **extra: Any) -> None:
    resources: dict[str, Any] = {"type": kind, "maxvCpus": 16, "subnets": SUBNETS,
                                 "securityGroupIds": SECURITY_GROUPS}
    if kind == "EC2":
        resources.update(instanceRole=INSTANCE_ROLE, instanceTypes=["optimal"])
    batch.create_compute_environment(computeEnvironmentName=name, type="MANAGED", computeResources=resources, **extra)


# (job definition request, queue, SubmitJob extras) of each kind of job
JOB_KINDS: dict[str, tuple[dict[str, Any], str, dict[str, Any]]] = {
    "single-container job on EC2 (containerProperties)": (
        {"type": "container", "containerProperties": {"image": "app:1", "vcpus": 1, "memory": 512}},
        "ec2", {"containerOverrides": {"command": ["run"]}}),
    "single-container job on Fargate (containerProperties)": (
        {"type": "container", "platformCapabilities": ["FARGATE"], "containerProperties": {
            "image": "app:1", "executionRoleArn": EXECUTION_ROLE,
            "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]}},
        "fargate", {}),
    "multi-node parallel job (nodeProperties)": (
        {"type": "multinode", "nodeProperties": {"numNodes": 2, "mainNode": 0, "nodeRangeProperties": [
            {"targetNodes": "0:", "container": {"image": "app:1", "vcpus": 1, "memory": 512}}]}},
        "ec2", {"nodeOverrides": {"numNodes": 2}}),
    "multi-container job (ecsProperties)": (
        {"type": "container", "ecsProperties": {"taskProperties": [{"containers": [
            {"name": "main", "image": "app:1", "essential": True,
             "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "512"}]},
            {"name": "side", "image": "side:1", "essential": False,
             "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "512"}]}]}]}},
        "ec2", {"ecsPropertiesOverride": {"taskProperties": [{"containers": [{"name": "main", "command": ["x"]}]}]}}),
    "job on Amazon EKS (eksProperties)": (
        {"type": "container", "eksProperties": {"podProperties": {"containers": [
            {"image": "app:1", "resources": {"requests": {"cpu": "1", "memory": "1024Mi"}}}]}}},
        "eks", {"eksPropertiesOverride": {"podProperties": {"containers": [{"command": ["x"]}]}}}),
}


def _unsupported(call: Any) -> str | None:
    try:
        call()
    except ClientError as error:
        if error.response["Error"]["Code"] == "UnsupportedOperation":
            return str(error.response["Error"]["Message"])
        raise
    return None


def test_no_kind_of_job_is_refused_as_unsupported() -> None:
    refused: list[str] = []
    with EcsFake() as fake:
        batch = boto3.client("batch", region_name="us-east-1")
        _environment(batch, "ec2", "EC2")
        _environment(batch, "fargate", "FARGATE")
        _environment(batch, "eks", "EC2", eksConfiguration={"eksClusterArn": EKS_CLUSTER,
                                                            "kubernetesNamespace": "batch"})
        fake.advance(60)
        for name in ("ec2", "fargate", "eks"):
            batch.create_job_queue(jobQueueName=name, priority=1,
                                   computeEnvironmentOrder=[{"order": 1, "computeEnvironment": name}])
        fake.advance(60)
        for n, (kind, (definition, queue, submit)) in enumerate(JOB_KINDS.items()):
            message = _unsupported(lambda d=definition, n=n: batch.register_job_definition(  # type: ignore[misc]
                jobDefinitionName=f"kind{n}", **d))
            if message is None:
                message = _unsupported(lambda q=queue, s=submit, n=n: batch.submit_job(  # type: ignore[misc]
                    jobName=f"job{n}", jobQueue=q, jobDefinition=f"kind{n}", **s))
            if message is not None:
                refused.append(f"{kind}: {message}")
        fake.advance(600)
        # Inside the block: a failing assertion stops the fake quietly, so the report is this list.
        assert refused == [], "kinds of jobs the fake refuses as unsupported:\n" + "\n".join(refused)
