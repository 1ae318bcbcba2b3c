"""Building blocks of tests/test_fuzz.py: request bodies from the schemas (valid and mutated), a known world
for them to land in, the two ways to send them (botocore, raw HTTP) and the one check of every answer.

Profiles: ``ECSFAKE_FUZZ=ci`` (the default: derandomized, a few dozen examples per operation) and
``ECSFAKE_FUZZ=long`` (random, hundreds per operation). See docs/hardening.md.
"""

from __future__ import annotations

import copy
import http.client
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from pytest_ecsfake.schemas import response_violations, service_model

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113."
TARGET_PREFIXES = {"ecs": ECS_TARGET_PREFIX, "logs": "Logs_20140328."}
CONTENT_TYPES = {"ecs": "application/x-amz-json-1.1", "batch": "application/json", "logs": "application/x-amz-json-1.1"}

# -- profiles ----------------------------------------------------------------------------------------------------
_COMMON = {
    "database": None,  # nothing written to .hypothesis/ by the suite
    "deadline": None,  # a handler's first call compiles its validator: wall time is not the question here
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    "print_blob": True,
}
settings.register_profile("ecsfake-ci", max_examples=6, derandomize=True, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("ecsfake-long", max_examples=400, **_COMMON)  # type: ignore[arg-type]
# Triage: the CI examples without shrinking, so that a run full of failures ends quickly.
settings.register_profile("ecsfake-quick", max_examples=20, derandomize=True, report_multiple_bugs=True,
                          phases=[Phase.explicit, Phase.generate], **_COMMON)  # type: ignore[arg-type]
PROFILE = "ecsfake-" + os.environ.get("ECSFAKE_FUZZ", "ci")
FUZZ_SETTINGS = settings.get_profile(PROFILE)

# -- error codes AWS answers with --------------------------------------------------------------------------------
# The error shapes of each service's botocore model, plus the errors every AWS JSON/REST endpoint may answer
# before an operation runs (a body that is not JSON, an unknown target or route).
_COMMON_CODES = frozenset({
    "SerializationException", "UnknownOperationException", "ValidationException", "InvalidParameterException",
    "ClientException", "AccessDeniedException", "ThrottlingException",
})


@cache
def aws_codes(service: str) -> frozenset[str]:
    import botocore.session

    model = botocore.session.get_session().get_service_model(service)
    return frozenset(shape.name for shape in model.error_shapes) | _COMMON_CODES


# -- schemas and generation -------------------------------------------------------------------------------------
def _strip_extensions(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_extensions(v) for k, v in node.items() if not k.startswith("x-")}
    if isinstance(node, list):
        return [_strip_extensions(v) for v in node]
    return node


def _simplified(node: Any) -> Any:
    """The schema without what hypothesis-jsonschema may not handle (patterns, formats, x-* keywords)."""
    if isinstance(node, dict):
        return {k: _simplified(v) for k, v in node.items()
                if not k.startswith("x-") and k not in ("pattern", "format", "$comment")}
    if isinstance(node, list):
        return [_simplified(v) for v in node]
    return node


# Operations whose request schema from_schema cannot take as is: generated from _simplified() instead.
# None today; kept so a schema regeneration that breaks generation degrades instead of failing the suite.
SIMPLIFIED: set[tuple[str, str]] = set()


@cache
def request_schema(service: str, operation: str) -> dict[str, Any]:
    raw = json.loads((SCHEMAS / service / f"{operation}.request.json").read_text(encoding="utf-8"))
    schema: dict[str, Any] = _strip_extensions(raw)
    return schema


@cache
def valid_bodies(service: str, operation: str) -> st.SearchStrategy[dict[str, Any]]:
    schema = request_schema(service, operation)
    try:
        strategy = from_schema(schema)
        strategy.validate()
    except Exception:  # a keyword or combination hypothesis-jsonschema refuses
        SIMPLIFIED.add((service, operation))
        strategy = from_schema(_simplified(schema))
    return strategy


MUTATIONS = ("drop-required", "wrong-type", "extra-member", "huge-string", "deep-nesting", "non-finite")
NON_FINITE = (float("nan"), float("inf"), float("-inf"), 1e308, -1e308)  # JSON's NaN/Infinity tokens, and huge
RAW_MUTATIONS = ("not-json", "truncated-json", "json-not-object", "bad-utf8", "empty")
DEEP = 200  # nesting levels of the deep-nesting mutation (json.dumps and botocore manage this depth)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a member or item inside ``value`` (not the root)."""
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((*prefix, key))
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((*prefix, index))
            found += _paths(item, (*prefix, index))
    return found


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _set(value: Any, path: tuple[Any, ...], new: Any) -> None:
    _get(value, path[:-1])[path[-1]] = new


_OTHER_TYPES: dict[type, list[Any]] = {
    str: [17, True, None, [], {"a": 1}, 1.5],
    int: ["seven", 1.25, None, [1], {}, True],
    float: ["seven", None, [1.0], {}],
    bool: ["true", 1, None, [], {}],
    list: ["item", 3, None, {"0": "x"}],
    dict: ["object", 4, None, [{}], True],
    type(None): ["", 0, [], {}],
}


class Request(tuple):  # type: ignore[type-arg]
    """``(kind, body)`` whose repr stays short: Hypothesis prints it, and huge strings are in it."""

    def __repr__(self) -> str:
        text = tuple.__repr__(self)
        return text if len(text) <= 3000 else f"{text[:1500]} ...[{len(text) - 3000} chars]... {text[-1500:]}"


@st.composite
def requests(draw: st.DrawFn, service: str, operation: str) -> Request:
    """``(kind, body)``: a schema-valid body (kind "valid"), a mutated one, or (raw HTTP only) bytes."""
    kind, body = draw(_requests(service, operation))
    return Request((kind, body))


@st.composite
def _requests(draw: st.DrawFn, service: str, operation: str) -> tuple[str, Any]:
    kind = draw(st.sampled_from(("valid", "valid", *MUTATIONS, *RAW_MUTATIONS)))
    body = draw(valid_bodies(service, operation))
    anchor = anchors(service).get(operation)
    if anchor is not None and draw(st.booleans()):
        # Reach past "not found" into the handler, with the rest of the body still generated.
        body = {**body, **copy.deepcopy(anchor)}
    if kind == "valid":
        return kind, body
    if kind in RAW_MUTATIONS:
        text = json.dumps(body).encode()
        raw = {
            "not-json": b"this is not JSON {",
            "truncated-json": text[: max(len(text) // 2, 1)],
            "json-not-object": draw(st.sampled_from([b"[]", b"17", b'"RunTask"', b"null", b"true"])),
            "bad-utf8": b'{"cluster": "\xff\xfe"}',
            "empty": b"",
        }[kind]
        return kind, raw
    paths = _paths(body)
    if kind == "drop-required":
        required = list(request_schema(service, operation).get("required", []))
        present = [name for name in required if name in body]
        if present:
            del body[draw(st.sampled_from(present))]
        elif paths:
            path = draw(st.sampled_from(paths))
            del _get(body, path[:-1])[path[-1]]
        return kind, body
    if kind == "extra-member":
        objects = [()] + [p for p in paths if isinstance(_get(body, p), dict)]
        target = _get(body, draw(st.sampled_from(objects)))
        target[draw(st.sampled_from(["unexpected", "__proto__", "", "cluster ", "x" * 300]))] = draw(
            st.sampled_from(["x", 1, None, {"nested": []}]))
        return kind, body
    if not paths:
        paths = [("cluster",)]  # an empty body: mutate a member it could have had
        body = {"cluster": "c"}
    path = draw(st.sampled_from(paths))
    if kind == "wrong-type":
        current = _get(body, path)
        _set(body, path, draw(st.sampled_from(_OTHER_TYPES.get(type(current), ["x", 1, None]))))
    elif kind == "non-finite":  # wherever JSON allows a number (Python's json writes and reads NaN, Infinity)
        numbers = [p for p in paths if type(_get(body, p)) in (int, float)] or paths
        _set(body, draw(st.sampled_from(numbers)), draw(st.sampled_from(NON_FINITE)))
    elif kind == "huge-string":
        _set(body, path, draw(st.sampled_from(["x", "é", "\x00", "🦆"])) * draw(st.sampled_from([70_000, 300_000])))
    else:  # deep-nesting
        deep: Any = draw(st.sampled_from(["leaf", 1, None]))
        container = draw(st.sampled_from(["list", "dict"]))
        for _ in range(DEEP):
            deep = [deep] if container == "list" else {"a": deep}
        _set(body, path, deep)
    return kind, body


# -- a known world: names and ARNs the anchors point at -----------------------------------------------------------
SUBNETS = {"awsvpcConfiguration": {"subnets": ["subnet-0a1b2c3d"], "securityGroups": ["sg-1"]}}
TASK_ROLE = "arn:aws:iam::123456789012:role/batch-exec"


@dataclass
class World:
    ecs: dict[str, str] = field(default_factory=dict)
    batch: dict[str, str] = field(default_factory=dict)
    logs: dict[str, str] = field(default_factory=dict)


def build_world(call: Callable[[str, str, dict[str, Any]], dict[str, Any]], advance: Callable[[float], Any]) -> World:
    """Create, through ``call(service, operation, body)``, a cluster "c" with a container instance, a task
    definition "job", a running task and a service "svc"; and a Batch environment "ce", queue "q",
    definition "work" and a job. Returns the ARNs/ids the anchors use."""
    world = World()
    call("ecs", "CreateCluster", {"clusterName": "c"})
    call("ecs", "RegisterTaskDefinition", {
        "family": "job", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256",
        "memory": "512", "containerDefinitions": [{"name": "app", "image": "worker:1"}]})
    task = call("ecs", "RunTask", {"cluster": "c", "taskDefinition": "job", "launchType": "FARGATE",
                                   "networkConfiguration": SUBNETS})["tasks"][0]
    world.ecs["task"] = task["taskArn"]
    world.ecs["cluster"] = task["clusterArn"]
    call("ecs", "CreateService", {"cluster": "c", "serviceName": "svc", "taskDefinition": "job",
                                  "desiredCount": 1, "launchType": "FARGATE", "networkConfiguration": SUBNETS})
    call("batch", "CreateComputeEnvironment", {
        "computeEnvironmentName": "ce", "type": "MANAGED",
        "computeResources": {"type": "FARGATE", "maxvCpus": 4, "subnets": ["subnet-0a1b2c3d"],
                             "securityGroupIds": ["sg-1"]}})
    advance(60)
    call("batch", "CreateJobQueue", {"jobQueueName": "q", "priority": 1,
                                     "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "ce"}]})
    advance(60)
    world.batch["definition"] = call("batch", "RegisterJobDefinition", {
        "jobDefinitionName": "work", "type": "container", "platformCapabilities": ["FARGATE"],
        "containerProperties": {"image": "worker:1", "executionRoleArn": TASK_ROLE,
                                "resourceRequirements": [{"type": "VCPU", "value": "0.25"},
                                                         {"type": "MEMORY", "value": "512"}]}})[
        "jobDefinitionArn"]
    world.batch["job"] = call("batch", "SubmitJob", {"jobName": "j", "jobQueue": "q",
                                                     "jobDefinition": "work"})["jobId"]
    advance(30)
    call("logs", "CreateLogGroup", {"logGroupName": "g"})
    call("logs", "CreateLogStream", {"logGroupName": "g", "logStreamName": "s"})
    world.logs["token"] = call("logs", "PutLogEvents", {"logGroupName": "g", "logStreamName": "s", "logEvents": [
        {"timestamp": 1735689600000 + i, "message": f"line {i}"} for i in range(3)]})["nextSequenceToken"]
    return world


_WORLD: World | None = None


def set_world(world: World) -> None:
    """The ARNs of the world the current example runs in (ids repeat after each reset: the fake is seeded)."""
    global _WORLD
    _WORLD = world


def anchors(service: str) -> dict[str, dict[str, Any]]:
    """Per operation, members that point at the world, merged over generated bodies half of the time."""
    world = _WORLD or World()
    task = world.ecs.get("task", "t")
    if service == "ecs":
        return {
            "RunTask": {"cluster": "c", "taskDefinition": "job", "launchType": "FARGATE",
                        "networkConfiguration": SUBNETS},
            "StartTask": {"cluster": "c", "taskDefinition": "job"},
            "DescribeTasks": {"cluster": "c", "tasks": [task]},
            "StopTask": {"cluster": "c", "task": task},
            "ListTasks": {"cluster": "c"},
            "DescribeClusters": {"clusters": ["c"]},
            "DeleteCluster": {"cluster": "c"},
            "CreateService": {"cluster": "c", "taskDefinition": "job", "launchType": "FARGATE",
                              "networkConfiguration": SUBNETS},
            "UpdateService": {"cluster": "c", "service": "svc"},
            "DeleteService": {"cluster": "c", "service": "svc"},
            "DescribeServices": {"cluster": "c", "services": ["svc"]},
            "ListServices": {"cluster": "c"},
            "DescribeTaskDefinition": {"taskDefinition": "job"},
            "DeregisterTaskDefinition": {"taskDefinition": "job:1"},
            "ListTaskDefinitions": {"familyPrefix": "job"},
            "TagResource": {"resourceArn": task},
            "UntagResource": {"resourceArn": task},
            "ListTagsForResource": {"resourceArn": task},
            "RegisterContainerInstance": {"cluster": "c"},
            "ListContainerInstances": {"cluster": "c"},
        }
    if service == "logs":
        named = {"logGroupName": "g", "logStreamName": "s"}
        return {
            "CreateLogStream": {"logGroupName": "g"},
            "DeleteLogGroup": {"logGroupName": "g"},
            "DeleteLogStream": named,
            "DescribeLogStreams": {"logGroupName": "g"},
            "PutLogEvents": named,
            "GetLogEvents": named,
            "FilterLogEvents": {"logGroupName": "g"},
        }
    job = world.batch.get("job", "j")
    return {
        "SubmitJob": {"jobQueue": "q", "jobDefinition": "work"},
        "DescribeJobs": {"jobs": [job]},
        "CancelJob": {"jobId": job},
        "TerminateJob": {"jobId": job},
        "ListJobs": {"jobQueue": "q"},
        "DescribeJobQueues": {"jobQueues": ["q"]},
        "UpdateJobQueue": {"jobQueue": "q"},
        "DeleteJobQueue": {"jobQueue": "q"},
        "DescribeComputeEnvironments": {"computeEnvironments": ["ce"]},
        "UpdateComputeEnvironment": {"computeEnvironment": "ce"},
        "DeleteComputeEnvironment": {"computeEnvironment": "ce"},
        "DescribeJobDefinitions": {"jobDefinitionName": "work"},
        "DeregisterJobDefinition": {"jobDefinition": world.batch.get("definition", "work:1")},
        "TagResource": {"resourceArn": world.batch.get("definition", "arn")},
        "UntagResource": {"resourceArn": world.batch.get("definition", "arn")},
        "ListTagsForResource": {"resourceArn": world.batch.get("definition", "arn")},
    }


# -- sending -------------------------------------------------------------------------------------------------------
@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def _label(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def http_request(service: str, operation: str, body: Any) -> tuple[str, str, dict[str, str], bytes]:
    """``(method, path, headers, payload)`` of ``body`` as AWS's wire protocol for ``operation``."""
    headers = {"Content-Type": CONTENT_TYPES[service]}
    if service in TARGET_PREFIXES:
        headers["X-Amz-Target"] = TARGET_PREFIXES[service] + operation
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        return "POST", "/", headers, payload
    spec = service_model("batch")["operations"][operation]
    path, query = spec["uri"], []
    if isinstance(body, dict):
        body = dict(body)
        for member, where in spec.get("locations", {}).items():
            if member not in body:
                continue
            value = body.pop(member)
            if where["location"] == "uri":
                path = path.replace("{" + where["name"] + "}", quote(_label(value), safe=""))
            elif where["location"] == "querystring":
                values = value if isinstance(value, list) else [value]
                query += [(where["name"], _label(v)) for v in values]
    path = path.replace("{resourceArn}", "")
    if query:
        path += "?" + urlencode(query)
    if spec["method"] not in ("POST", "PUT"):
        return spec["method"], path, headers, b""
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    return spec["method"], path, headers, payload


class HttpSender:
    """One keep-alive connection to a server, reopened when the server closes it."""

    def __init__(self, url: str) -> None:
        self.host, port = url.removeprefix("http://").rsplit(":", 1)
        self.port = int(port)
        self.connection: http.client.HTTPConnection | None = None

    def send(self, method: str, path: str, headers: dict[str, str], payload: bytes) -> Answer:
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.connection.request(method, path, body=payload, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
            except (ConnectionError, http.client.RemoteDisconnected, http.client.CannotSendRequest):
                self.close()
                if attempt:
                    raise
                continue
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


# -- the check ----------------------------------------------------------------------------------------------------
def is_unsupported_feature(problem: str) -> bool:
    """A problem recorded by a deliberate "pytest-ecsfake does not support X yet" refusal, not a bug."""
    return problem.startswith("pytest-ecsfake does not support ")


def check_answer(service: str, operation: str, status: int, code: str | None, body: Any) -> None:
    """200 with a schema-valid body, or an AWS 4xx error: never a 5xx, never an invented error code."""
    if status == 200:
        assert isinstance(body, dict), body
        violations = response_violations(service, operation, body)
        assert violations == [], f"{service}:{operation} 200 answer breaks its schema: {violations}"
        return
    if status == 501 and code == "UnsupportedOperation" and "does not support" in str(body):
        return  # a real AWS feature the fake refuses by design, saying so (see docs/fidelity-*.md)
    assert 400 <= status < 500, f"{service}:{operation} answered {status} {code}: {str(body)[:2000]}"
    assert code in aws_codes(service), f"{service}:{operation} answered {status} with non-AWS code {code!r}"


def check_http_answer(service: str, operation: str, answer: Answer) -> None:
    assert b"Traceback (most recent call last)" not in answer.body, answer.body[:2000]
    try:
        body = json.loads(answer.body) if answer.body else {}
    except ValueError:
        raise AssertionError(f"{service}:{operation} answered {answer.status} with a body that is not JSON: "
                             f"{answer.body[:500]!r}") from None
    if answer.status == 200:
        check_answer(service, operation, 200, None, body)
        return
    # The header where AWS puts it (botocore reads it first), else the JSON body's __type: a path that is no
    # Batch route (an empty ARN label) is answered as ECS, whose errors carry only __type.
    code = answer.headers.get("x-amzn-errortype") or body.get("__type")
    check_answer(service, operation, answer.status, code, body)
