"""The same ECS/Batch workloads set up against ecsfake or moto, and the botocore floor.

The floor is the same botocore client answered at the same interception point (``Endpoint._send``) by a canned
response: the exact bytes ecsfake answered for that call, so botocore parses the same payload and does no
backend work. ``Floor(signed=True)`` lets botocore sign each request as it would for AWS (SigV4 with dummy
credentials); ``Floor(signed=False)`` skips signing as ecsfake does for intercepted requests.
"""

from __future__ import annotations

import os
import time
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
# A task definition whose container logs through awslogs (GetLogEvents reads what it wrote).
LOG_GROUP = "/ecs/bench"
LOGGER_DEFINITION: dict[str, Any] = {
    **TASK_DEFINITION, "family": "logger",
    "containerDefinitions": [{"name": "app", "image": "logger:1", "memory": 512, "logConfiguration": {
        "logDriver": "awslogs", "options": {"awslogs-group": LOG_GROUP, "awslogs-stream-prefix": "ecs"}}}],
}
LOG_LINES = [f"line {i}: processed batch {i} of 150" for i in range(150)]  # one page of GetLogEvents: 100
# Calls per round, as a share of the others' (their calls cost 10-100 times more: rounds of similar length).
CALL_SHARE = {"DescribeTasks (100 tasks)": 0.1, "RunTask (count 10)": 0.2}
LISTED_JOBS = 50  # RUNNING jobs in queue q for ListJobs
PER_CALL = ("DescribeTasks (1 task)", "DescribeTasks (100 tasks)", "RunTask (count 1)", "StopTask",
            "ListTasks (page of 100)", "DescribeServices (1 service)", "RunTask (count 10)",
            "Batch ListJobs (50 running)", "Batch SubmitJob", "Batch DescribeJobs", "Logs GetLogEvents (100 events)")


def dummy_credentials() -> None:
    """Signing needs credentials; none are real and none leave the process."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")


def clients() -> tuple[Any, Any]:
    return boto3.client("ecs", region_name=REGION), boto3.client("batch", region_name=REGION)


def logs_client() -> Any:
    return boto3.client("logs", region_name=REGION)


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
    """Create the resources the per-call workloads need; return one zero-argument call per workload.

    The order is the order of measurement: the calls that add tasks or jobs (RunTask, SubmitJob) come after
    the listings whose cost could grow with them (moto's ListTasks and ListJobs do)."""
    ecs.create_cluster(clusterName="c")
    ecs.register_task_definition(**(MOTO_TASK_DEFINITION if moto else TASK_DEFINITION))
    arns = run_tasks(ecs, subnet, 120, group)
    to_stop: Iterator[str] = iter(run_tasks(ecs, subnet, stops, group))
    net = network(subnet, group)
    ecs.create_service(cluster="c", serviceName="web", taskDefinition="job", desiredCount=1, launchType="FARGATE",
                       networkConfiguration=net)
    advance(60)
    batch.create_compute_environment(
        computeEnvironmentName="cenv", type="MANAGED", serviceRole=role,
        computeResources={"type": "FARGATE", "maxvCpus": 256, "subnets": [subnet], "securityGroupIds": [group]},
    )
    advance(30)
    batch.create_job_queue(jobQueueName="q", state="ENABLED", priority=1,
                           computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "cenv"}])
    advance(30)
    batch.register_job_definition(**JOB_DEFINITION)
    for _ in range(LISTED_JOBS):
        batch.submit_job(jobName="listed", jobQueue="q", jobDefinition="work")
    advance(120)  # they are RUNNING (unmatched containers run until stopped)
    # moto (use_docker False) takes its jobs to SUCCEEDED at once, in threads: its listing of 50 is of those.
    listed = "SUCCEEDED" if moto else "RUNNING"
    deadline = time.monotonic() + 10
    while len(batch.list_jobs(jobQueue="q", jobStatus=listed)["jobSummaryList"]) < LISTED_JOBS:
        if time.monotonic() > deadline:
            raise RuntimeError(f"ListJobs: the {LISTED_JOBS} jobs are not {listed}")
        time.sleep(0.05)
    job = batch.submit_job(jobName="j", jobQueue="q", jobDefinition="work")["jobId"]
    return {
        "DescribeTasks (1 task)": lambda: ecs.describe_tasks(cluster="c", tasks=[arns[0]]),
        "DescribeTasks (100 tasks)": lambda: ecs.describe_tasks(cluster="c", tasks=arns[:100]),
        "RunTask (count 1)": lambda: ecs.run_task(cluster="c", taskDefinition="job", launchType="FARGATE",
                                                  networkConfiguration=net),
        "StopTask": lambda: ecs.stop_task(cluster="c", task=next(to_stop)),
        "ListTasks (page of 100)": lambda: ecs.list_tasks(cluster="c", maxResults=100),
        "DescribeServices (1 service)": lambda: ecs.describe_services(cluster="c", services=["web"]),
        "RunTask (count 10)": lambda: ecs.run_task(cluster="c", taskDefinition="job", launchType="FARGATE",
                                                   networkConfiguration=net, count=10),
        "Batch ListJobs (50 running)": lambda: batch.list_jobs(jobQueue="q", jobStatus=listed),
        "Batch SubmitJob": lambda: batch.submit_job(jobName="j", jobQueue="q", jobDefinition="work"),
        "Batch DescribeJobs": lambda: batch.describe_jobs(jobs=[job]),
    }


def setup_logs(ecs: Any, logs: Any, fake: Any, subnet: str, group: str = "sg-1") -> dict[str, Callable[[], object]]:
    """GetLogEvents of a page of 100 events. ecsfake: a task's container writes ``LOG_LINES`` through awslogs
    (``fake.behavior(..., logs=...)``). moto (``fake`` None) runs no container: the same lines are put into a
    stream of the same name with PutLogEvents."""
    logs.create_log_group(logGroupName=LOG_GROUP)
    if fake is not None:
        fake.behavior("logger:1", logs=LOG_LINES)
        ecs.register_task_definition(**LOGGER_DEFINITION)
        arn = ecs.run_task(cluster="c", taskDefinition="logger", launchType="FARGATE",
                           networkConfiguration=network(subnet, group))["tasks"][0]["taskArn"]
        fake.advance(60)  # RUNNING: the lines are written
        stream = "ecs/app/" + arn.rsplit("/", 1)[1]
    else:
        stream = "ecs/app/0123456789abcdef0123456789abcdef"
        logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
        now = int(time.time() * 1000)  # moto refuses events older than 14 days
        logs.put_log_events(logGroupName=LOG_GROUP, logStreamName=stream, logEvents=[
            {"timestamp": now, "message": line} for line in LOG_LINES])

    def read() -> Any:
        return logs.get_log_events(logGroupName=LOG_GROUP, logStreamName=stream, startFromHead=True, limit=100)

    if len(read()["events"]) != 100:
        raise RuntimeError("GetLogEvents: the page does not hold 100 events")
    return {"Logs GetLogEvents (100 events)": read}


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
