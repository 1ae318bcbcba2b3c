"""The same ECS/Batch workloads set up against ecsfake or moto, and the botocore floor.

The floor is the same botocore client answered at the same interception point (``Endpoint._send``) by a canned
response: the exact bytes ecsfake answered for that call, so botocore parses the same payload and does no
backend work. ``Floor(signed=True)`` lets botocore sign each request as it would for AWS (SigV4 with dummy
credentials); ``Floor(signed=False)`` skips signing as ecsfake does for intercepted requests.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import boto3

from pytest_ecsfake.ways_in.intercept import _Body as ResponseBody  # the raw body botocore reads

REGION = "us-east-1"
TASK_DEFINITION: dict[str, Any] = {
    "family": "job", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
    "containerDefinitions": [{"name": "a", "image": "x", "memory": 512}],
}
JOB_DEFINITION: dict[str, Any] = {
    "jobDefinitionName": "work", "type": "container", "platformCapabilities": ["FARGATE"],
    "containerProperties": {
        "image": "worker:1", "command": ["run"], "executionRoleArn": "arn:aws:iam::123456789012:role/r",
        "resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}],
    },
}
# moto 5.2.1 fails RunTask of an awsvpc task definition (AttributeError: 'NetworkInterface' object has no
# attribute 'private_dns_name'), so moto's workloads register the same definition in bridge mode (moto
# forces awsvpc on any FARGATE-compatible definition), still launched as FARGATE.
MOTO_TASK_DEFINITION = {**TASK_DEFINITION, "networkMode": "bridge", "requiresCompatibilities": ["EC2"]}
PER_CALL = ("DescribeTasks (1 task)", "RunTask (count 1)", "StopTask", "ListTasks (page of 100)",
            "Batch SubmitJob", "Batch DescribeJobs")


def dummy_credentials() -> None:
    """Signing needs credentials; none are real and none leave the process."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")


def clients() -> tuple[Any, Any]:
    return boto3.client("ecs", region_name=REGION), boto3.client("batch", region_name=REGION)


def network(subnet: str, group: str = "sg-1") -> dict[str, Any]:
    return {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}}


def run_tasks(ecs: Any, subnet: str, count: int, group: str = "sg-1") -> list[str]:
    arns: list[str] = []
    net = network(subnet, group)
    while len(arns) < count:
        answer = ecs.run_task(cluster="c", taskDefinition="job", launchType="FARGATE", networkConfiguration=net,
                              count=min(10, count - len(arns)))
        arns += [t["taskArn"] for t in answer["tasks"]]
    return arns


def setup(ecs: Any, batch: Any, advance: Callable[[float], object], subnet: str, role: str,
          stops: int, group: str = "sg-1", moto: bool = False) -> dict[str, Callable[[], object]]:
    """Create the resources the per-call workloads need; return one zero-argument call per workload."""
    ecs.create_cluster(clusterName="c")
    ecs.register_task_definition(**(MOTO_TASK_DEFINITION if moto else TASK_DEFINITION))
    arns = run_tasks(ecs, subnet, 120, group)
    to_stop: Iterator[str] = iter(run_tasks(ecs, subnet, stops, group))
    advance(60)
    batch.create_compute_environment(
        computeEnvironmentName="cenv", type="MANAGED", serviceRole=role,
        computeResources={"type": "FARGATE", "maxvCpus": 4, "subnets": [subnet], "securityGroupIds": [group]},
    )
    advance(30)
    batch.create_job_queue(jobQueueName="q", state="ENABLED", priority=1,
                           computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "cenv"}])
    advance(30)
    batch.register_job_definition(**JOB_DEFINITION)
    job = batch.submit_job(jobName="j", jobQueue="q", jobDefinition="work")["jobId"]
    net = network(subnet, group)
    return {
        "DescribeTasks (1 task)": lambda: ecs.describe_tasks(cluster="c", tasks=[arns[0]]),
        "RunTask (count 1)": lambda: ecs.run_task(cluster="c", taskDefinition="job", launchType="FARGATE",
                                                  networkConfiguration=net),
        "StopTask": lambda: ecs.stop_task(cluster="c", task=next(to_stop)),
        "ListTasks (page of 100)": lambda: ecs.list_tasks(cluster="c", maxResults=100),
        "Batch SubmitJob": lambda: batch.submit_job(jobName="j", jobQueue="q", jobDefinition="work"),
        "Batch DescribeJobs": lambda: batch.describe_jobs(jobs=[job]),
    }


def moto_network() -> tuple[str, str, str]:
    """A VPC subnet, security group and IAM role in moto (it checks they exist); ecsfake takes any."""
    ec2, iam = boto3.client("ec2", region_name=REGION), boto3.client("iam", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="g", Description="d", VpcId=vpc)["GroupId"]
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    return subnet, group, role


class Floor:
    """botocore answered by ``canned`` (status, headers, body) at ``Endpoint._send``: no backend at all."""

    def __init__(self, signed: bool) -> None:
        self.signed = signed
        self.canned: tuple[int, dict[str, str], bytes] = (200, {}, b"{}")

    def __enter__(self) -> Floor:
        from botocore.awsrequest import AWSResponse
        from botocore.endpoint import Endpoint
        from botocore.signers import RequestSigner

        from pytest_ecsfake.ways_in import intercept as _intercept

        self._saved = (Endpoint._send, RequestSigner.sign)

        def send(endpoint: Any, request: Any) -> Any:
            status, headers, body = self.canned
            return AWSResponse(request.url, status, headers, ResponseBody(body))

        Endpoint._send = send
        # Signed: botocore's own sign(), even inside an active fake (which skips it); else no signing at all.
        RequestSigner.sign = (_intercept._patched.get("sign", RequestSigner.sign) if self.signed
                              else lambda *args, **kwargs: None)
        return self

    def __exit__(self, *_: object) -> None:
        from botocore.endpoint import Endpoint
        from botocore.signers import RequestSigner

        Endpoint._send, RequestSigner.sign = self._saved
