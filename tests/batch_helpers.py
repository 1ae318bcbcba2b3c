"""Shared set-up for the Batch tests: what a user's own test module would have."""

from __future__ import annotations

from typing import Any

SUBNETS = ["subnet-0a1b2c3d", "subnet-1b2c3d4e"]
SECURITY_GROUPS = ["sg-1"]
EXECUTION_ROLE = "arn:aws:iam::123456789012:role/batch-exec"
INSTANCE_ROLE = "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole"
# The defaults of pytest_ecsfake.batch.timings, spelled out where a test counts seconds.
CE_CREATE, QUEUE_CREATE, SUBMITTED, SCHEDULING = 20, 5, 2, 5
# A Fargate task: provisioning 5 + pull_start 1 + pull 10 + activating 2 = 18 s from STARTING to RUNNING.
FARGATE_START = 18
# After the container exits by itself, the job ends at once; the task is STOPPED 2 + 1 + 5 s later.


def environment(batch: Any, name: str = "ce", *, kind: str = "FARGATE", max_vcpus: int = 4,
                **extra: Any) -> str:
    """CreateComputeEnvironment (MANAGED) of ``kind``; its ARN. Not VALID until the clock moves."""
    resources: dict[str, Any] = {"type": kind, "maxvCpus": max_vcpus, "subnets": SUBNETS,
                                 "securityGroupIds": SECURITY_GROUPS}
    if kind in ("EC2", "SPOT"):
        resources.update(instanceRole=INSTANCE_ROLE, instanceTypes=["optimal"], minvCpus=0)
    if kind == "SPOT":
        resources["allocationStrategy"] = "SPOT_CAPACITY_OPTIMIZED"
    resources.update(extra.pop("resources", {}))
    arn: str = batch.create_compute_environment(computeEnvironmentName=name, type="MANAGED",
                                                computeResources=resources, **extra)["computeEnvironmentArn"]
    return arn


def queue(batch: Any, name: str = "q", environments: tuple[str, ...] = ("ce",), priority: int = 1,
          **extra: Any) -> str:
    order = [{"order": i + 1, "computeEnvironment": env} for i, env in enumerate(environments)]
    arn: str = batch.create_job_queue(jobQueueName=name, priority=priority, computeEnvironmentOrder=order,
                                      **extra)["jobQueueArn"]
    return arn


def definition(batch: Any, name: str = "work", image: str = "worker:1", *, fargate: bool = True,
               vcpus: str = "1", memory: str = "2048", **extra: Any) -> str:
    """RegisterJobDefinition of a container job; its ARN."""
    props: dict[str, Any] = {
        "image": image,
        "command": ["run"],
        "resourceRequirements": [{"type": "VCPU", "value": vcpus}, {"type": "MEMORY", "value": memory}],
    }
    if fargate:
        props["executionRoleArn"] = EXECUTION_ROLE
    props.update(extra.pop("container", {}))
    arn: str = batch.register_job_definition(
        jobDefinitionName=name, type="container", containerProperties=props,
        platformCapabilities=["FARGATE" if fargate else "EC2"], **extra,
    )["jobDefinitionArn"]
    return arn


def ready(batch: Any, fake: Any, *, kind: str = "FARGATE", max_vcpus: int = 4, fargate: bool | None = None) -> None:
    """A VALID environment "ce", a VALID queue "q" on it and a job definition "work" (image worker:1)."""
    environment(batch, kind=kind, max_vcpus=max_vcpus)
    fake.advance(CE_CREATE)
    queue(batch)
    fake.advance(QUEUE_CREATE)
    definition(batch, fargate=kind.startswith("FARGATE") if fargate is None else fargate)


def submit(batch: Any, name: str = "job", **extra: Any) -> str:
    extra.setdefault("jobQueue", "q")
    extra.setdefault("jobDefinition", "work")
    job_id: str = batch.submit_job(jobName=name, **extra)["jobId"]
    return job_id


def job(batch: Any, job_id: str) -> dict[str, Any]:
    found: dict[str, Any] = batch.describe_jobs(jobs=[job_id])["jobs"][0]
    return found


def status(batch: Any, job_id: str) -> str:
    return str(job(batch, job_id)["status"])


def ms(fake: Any) -> int:
    """The fake clock now, in the epoch milliseconds Batch timestamps use."""
    return int(round(fake.now.timestamp() * 1000))
