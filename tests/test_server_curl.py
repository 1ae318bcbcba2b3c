"""The reference's curl examples (seed 001), byte for byte, over real HTTP against the server.

The four commands below are copied verbatim from the reference; only ``http://localhost:8080`` is replaced by
the URL of the server under test. They run three ways: sent with ``http.client`` exactly as curl sends them,
run by the real curl when the machine has it, and run verbatim against ``ecsfake serve`` on port 8080.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import shlex
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore import xform_name
from test_cli import serve_process

from pytest_ecsfake import EcsFake

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "001_5c97c46699b4e0a9.txt"
REFERENCE_URL = "http://localhost:8080"
TARGET = "AmazonEC2ContainerServiceV20141113."

RUN_TASK = r"""curl -X POST http://localhost:8080/v1/RunTask \
  -H "Content-Type: application/x-amz-json-1.1" \
  -H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.RunTask" \
  -d '{
    "cluster": "production",
    "taskDefinition": "webapp:1",
    "count": 2,
    "launchType": "FARGATE",
    "networkConfiguration": {
      "awsvpcConfiguration": {
        "subnets": ["subnet-12345", "subnet-67890"],
        "securityGroups": ["sg-12345"],
        "assignPublicIp": "ENABLED"
      }
    },
    "overrides": {
      "containerOverrides": [
        {
          "name": "webapp",
          "environment": [
            {
              "name": "ENV",
              "value": "production"
            }
          ]
        }
      ]
    },
    "tags": [
      {
        "key": "Purpose",
        "value": "batch-job"
      }
    ]
  }'"""

STOP_TASK = r"""curl -X POST http://localhost:8080/v1/StopTask \
  -H "Content-Type: application/x-amz-json-1.1" \
  -H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.StopTask" \
  -d '{
    "cluster": "production",
    "task": "arn:aws:ecs:us-east-1:123456789012:task/production/1234567890abcdef",
    "reason": "Manual stop for maintenance"
  }'"""

DESCRIBE_TASKS = r"""curl -X POST http://localhost:8080/v1/DescribeTasks \
  -H "Content-Type: application/x-amz-json-1.1" \
  -H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.DescribeTasks" \
  -d '{
    "cluster": "production",
    "tasks": [
      "arn:aws:ecs:us-east-1:123456789012:task/production/1234567890abcdef",
      "arn:aws:ecs:us-east-1:123456789012:task/production/fedcba0987654321"
    ],
    "include": ["TAGS"]
  }'"""

LIST_TASKS = r"""curl -X POST http://localhost:8080/v1/ListTasks \
  -H "Content-Type: application/x-amz-json-1.1" \
  -H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.ListTasks" \
  -d '{
    "cluster": "production",
    "serviceName": "web-api",
    "desiredStatus": "RUNNING",
    "maxResults": 10
  }'"""

COMMANDS = {"RunTask": RUN_TASK, "StopTask": STOP_TASK, "DescribeTasks": DESCRIBE_TASKS, "ListTasks": LIST_TASKS}


def parse(command: str) -> tuple[str, dict[str, str], bytes]:
    """URL, headers and body of a ``curl -X POST URL -H ... -d '...'`` command, as curl would send them."""
    words = shlex.split(command.replace("\\\n", " "))
    assert words[:3] == ["curl", "-X", "POST"]
    url, headers, body = words[3], {}, b""
    rest = iter(words[4:])
    for flag in rest:
        value = next(rest)
        if flag == "-H":
            name, _, text = value.partition(":")
            headers[name.strip()] = text.strip()
        else:
            assert flag == "-d"
            body = value.encode()
    return url, headers, body


def send(command: str, url: str) -> tuple[int, Any]:
    target, headers, body = parse(command)
    assert target.startswith(REFERENCE_URL)
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("POST", target[len(REFERENCE_URL):], body=body,
                           headers={**headers, "User-Agent": "curl/8.5.0", "Accept": "*/*"})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


PRODUCTION = [  # what the examples assume exists: cluster "production", task definition webapp:1, service web-api
    ("CreateCluster", {"clusterName": "production"}),
    ("RegisterTaskDefinition", {
        "family": "webapp", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256",
        "memory": "512", "containerDefinitions": [{"name": "webapp", "image": "webapp:1"}]}),
    ("CreateService", {
        "cluster": "production", "serviceName": "web-api", "taskDefinition": "webapp", "desiredCount": 1,
        "launchType": "FARGATE",
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-12345"], "securityGroups": ["sg-1"]}}}),
]


def set_up_production(ecs_fake: EcsFake) -> None:
    ecs = boto3.client("ecs", region_name="us-east-1")
    for operation, body in PRODUCTION:
        getattr(ecs, xform_name(operation))(**body)
    ecs_fake.advance(60)  # the service's task is running


def check_answers(answers: dict[str, tuple[int, Any]]) -> None:
    status, run = answers["RunTask"]
    assert status == 200 and run["failures"] == [] and len(run["tasks"]) == 2
    for task in run["tasks"]:
        assert task["clusterArn"] == "arn:aws:ecs:us-east-1:123456789012:cluster/production"
        assert task["taskDefinitionArn"].endswith(":task-definition/webapp:1")
        assert (task["launchType"], task["lastStatus"], task["desiredStatus"]) == ("FARGATE", "PROVISIONING", "RUNNING")
        assert task["overrides"]["containerOverrides"] == [
            {"name": "webapp", "environment": [{"name": "ENV", "value": "production"}]}]
    # The example's task ARNs are placeholders: ECS answers as it would for any task it does not know.
    assert answers["StopTask"] == (400, {"__type": "InvalidParameterException",
                                         "message": "The referenced task was not found."})
    status, described = answers["DescribeTasks"]
    assert status == 200 and described["tasks"] == []
    assert [(f["arn"].rsplit("/", 1)[1], f["reason"]) for f in described["failures"]] == [
        ("1234567890abcdef", "MISSING"), ("fedcba0987654321", "MISSING")]
    status, listed = answers["ListTasks"]
    assert status == 200 and len(listed["taskArns"]) == 1  # the task of service web-api
    assert listed["taskArns"][0].startswith("arn:aws:ecs:us-east-1:123456789012:task/production/")


# SHA-256 of the four commands joined by blank lines, recorded when they were checked against the reference.
COMMANDS_SHA256 = "3df04f98d65719e1411e3d6f78b9c90c36a3061a77c10120e3e9b64db559181b"


def test_the_commands_here_are_the_reference_s_byte_for_byte() -> None:
    joined = "\n\n".join(COMMANDS.values())
    assert hashlib.sha256(joined.encode()).hexdigest() == COMMANDS_SHA256
    if SEED.exists():  # beside a developer's checkout and in CI: compare with the reference itself
        in_reference = re.findall(r"```bash\n(curl .*?)\n```", SEED.read_text(), re.S)
        assert in_reference == list(COMMANDS.values())


def test_curl_examples_over_http(ecs_fake: EcsFake) -> None:
    set_up_production(ecs_fake)
    with ecs_fake.serve() as url:
        answers = {name: send(command, url) for name, command in COMMANDS.items()}
    check_answers(answers)
    # Each example went through the dispatcher with its body exactly as written.
    examples = [call for call in ecs_fake.calls if call.operation in COMMANDS]
    for call, command in zip(examples, COMMANDS.values(), strict=True):
        assert call.request == json.loads(parse(command)[2])


def run_curl(command: str, url: str) -> tuple[int, Any]:
    assert shutil.which("curl") and shutil.which("bash"), "these tests run the reference's curl commands"
    script = command.replace(REFERENCE_URL, url) + ' -s -w "\\n%{http_code}"'
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60, check=True)
    body, _, status = done.stdout.rpartition("\n")
    return int(status), json.loads(body)


def test_curl_examples_run_by_curl(ecs_fake: EcsFake) -> None:
    set_up_production(ecs_fake)
    with ecs_fake.serve() as url:
        answers = {name: run_curl(command, url) for name, command in COMMANDS.items()}
    check_answers(answers)


@pytest.fixture
def server_on_8080() -> Iterator[int]:
    """``ecsfake serve`` on the reference's own port; on a free port when something else has 8080 (the
    commands then get that port instead of 8080, and nothing else changes)."""
    with socket.socket() as probe:
        port = 0 if probe.connect_ex(("127.0.0.1", 8080)) == 0 else 8080
    with serve_process("--clock", "manual", "--quiet", port=port) as served:
        yield int(served.url.rsplit(":", 1)[1])


def test_curl_examples_verbatim_against_ecsfake_serve(server_on_8080: int) -> None:
    port = server_on_8080

    def post(path: str, body: dict[str, Any], headers: dict[str, str]) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("POST", path, body=json.dumps(body).encode(), headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    for operation, body in PRODUCTION:
        assert post("/", body, {"X-Amz-Target": TARGET + operation}) == 200
    assert post("/_ecsfake/advance", {"seconds": 60}, {}) == 200
    url = f"http://localhost:{port}"
    check_answers({name: run_curl(command, url) for name, command in COMMANDS.items()})
