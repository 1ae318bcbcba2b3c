"""The JSON Schemas: generated from botocore, not stale, valid, and enforcing the overlay's prose rules
with AWS-style messages. None of this needs a fake to be active."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore
import pytest
from botocore.loaders import Loader
from jsonschema import Draft202012Validator

import pytest_ecsfake.schemas as schemas
from pytest_ecsfake.core.errors import RequestShapeError
from pytest_ecsfake.schemas import (
    Violation,
    _generate,
    _overlay,
    committed_service_model,
    format_violations,
    operation_names,
    request_violations,
    response_violations,
    service_model,
    validate_request,
)
from pytest_ecsfake.schemas.__main__ import main as schemas_cli
from pytest_ecsfake.schemas._fastcheck import Unsupported, compile_schema
from pytest_ecsfake.schemas._messages import violations_from
from pytest_ecsfake.schemas._regex import compile_anchored, pattern_keywords

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = _generate.default_out_dir()
SERVICES = ("ecs", "batch", "logs")


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return _generate.generate()


# ---------------------------------------------------------------------------------------------------------
# The generated files


def test_schemas_were_generated_from_the_installed_botocore() -> None:
    for service in SERVICES:
        recorded = committed_service_model(service)["botocoreVersion"]
        assert recorded == botocore.__version__, (
            f"schemas/ was generated from botocore {recorded} but {botocore.__version__} is installed: "
            "run `python -m pytest_ecsfake.schemas generate` (or install the recorded botocore)"
        )


def test_run_time_schemas_are_the_committed_ones_for_the_pinned_botocore() -> None:
    # What the fake validates with is built at run time from the installed botocore; with the pinned one it is
    # exactly the reviewed copy in schemas/ (the test above makes the installed botocore the pinned one).
    from pytest_ecsfake.schemas import _schema

    for service in SERVICES:
        assert service_model(service) == committed_service_model(service)
        for path in sorted((SCHEMAS / service).glob("*.*.json")):
            operation, direction = path.name.split(".")[:2]
            assert _schema(service, operation, direction) == json.loads(path.read_text(encoding="utf-8")), path.name


def test_committed_schemas_are_not_stale(generated: dict[str, str]) -> None:
    on_disk = {f"{p.parent.name}/{p.name}": p for s in SERVICES for p in (SCHEMAS / s).glob("*.json")}
    assert sorted(on_disk) == sorted(generated)
    stale = [name for name, text in generated.items() if on_disk[name].read_text(encoding="utf-8") != text]
    assert stale == []


def test_check_command_exits_0_on_the_committed_schemas() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest_ecsfake.schemas", "generate", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_check_lists_stale_missing_and_extra_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], generated: dict[str, str]
) -> None:
    total = len(generated)
    assert schemas_cli(["generate", "--out", str(tmp_path)]) == 0
    assert f"{total} written, 0 unchanged, 0 removed" in capsys.readouterr().out
    assert schemas_cli(["generate", "--check", "--out", str(tmp_path)]) == 0
    capsys.readouterr()

    (tmp_path / "ecs" / "RunTask.request.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "batch" / "SubmitJob.response.json").unlink()
    (tmp_path / "ecs" / "NoSuchOperation.request.json").write_text("{}\n", encoding="utf-8")
    assert schemas_cli(["generate", "--check", "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "3 file(s) differ" in out
    assert "stale    ecs/RunTask.request.json" in out
    assert "missing  batch/SubmitJob.response.json" in out
    assert "extra    ecs/NoSuchOperation.request.json" in out

    assert schemas_cli(["generate", "--out", str(tmp_path)]) == 0
    assert f"2 written, {total - 2} unchanged, 1 removed" in capsys.readouterr().out
    assert not (tmp_path / "ecs" / "NoSuchOperation.request.json").exists()


@pytest.mark.parametrize("service", SERVICES)
def test_every_botocore_operation_has_a_request_and_a_response_schema(service: str) -> None:
    model = Loader().load_service_model(service, "service-2")
    assert operation_names(service) == sorted(model["operations"])
    for operation in model["operations"]:
        for direction in ("request", "response"):
            assert (SCHEMAS / service / f"{operation}.{direction}.json").is_file(), (operation, direction)


@pytest.mark.parametrize("service", SERVICES)
def test_every_schema_is_valid_draft_2020_12_and_self_contained(service: str) -> None:
    for path in sorted((SCHEMAS / service).glob("*.*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)
        refs = {ref.split("/")[-1] for ref in _refs(schema)}
        assert refs <= set(schema.get("$defs", {})), path.name
        # Only reachable shapes: every def is referenced somewhere.
        assert set(schema.get("$defs", {})) <= refs, path.name
        # The fast yes/no check handles every keyword the generator writes.
        compile_schema(schema)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_service_files_describe_the_wire() -> None:
    ecs = service_model("ecs")
    assert ecs["protocol"] == "json"
    assert ecs["targetPrefix"] == "AmazonEC2ContainerServiceV20141113"
    assert ecs["operations"]["RunTask"] == {"method": "POST", "uri": "/"}
    batch = service_model("batch")
    assert batch["protocol"] == "rest-json"
    assert "targetPrefix" not in batch
    assert batch["operations"]["TerminateJob"] == {"method": "POST", "uri": "/v1/terminatejob"}
    assert batch["operations"]["UntagResource"] == {
        "method": "DELETE",
        "uri": "/v1/tags/{resourceArn}",
        "locations": {
            "resourceArn": {"location": "uri", "name": "resourceArn"},
            "tagKeys": {"location": "querystring", "name": "tagKeys", "list": True},
        },
    }


def test_located_batch_members_are_part_of_the_request_schema() -> None:
    # The dispatcher merges URI and query-string members into the params before validation.
    assert request_violations("batch", "UntagResource", {"resourceArn": "arn:x", "tagKeys": ["team"]}) == []
    assert [v.path for v in request_violations("batch", "UntagResource", {"tagKeys": ["team"]})] == [
        "resourceArn"
    ]


def test_overlay_metadata_is_kept_in_the_shipped_schema() -> None:
    text = (SCHEMAS / "ecs" / "RunTask.request.json").read_text(encoding="utf-8")
    assert "Specifying both a launch type and capacity provider strategy is not supported." in text
    assert '"x-source": "botocore ecs RunTaskRequest.count: \\"You can specify up to 10 tasks' in text


@pytest.mark.parametrize("service", SERVICES)
def test_every_overlay_rule_cites_its_source(service: str) -> None:
    rules = _overlay.load_rules(service, _generate.load_model(service))
    assert len(rules) >= {"ecs": 30, "batch": 30, "logs": 0}[service]  # Logs: the model's own rules only, so far
    for rule in rules:
        assert rule.meta["x-source"].startswith(("botocore ", "FIDELITY.md", "observed: ")), rule.label
        if rule.schema is not None:
            assert rule.meta["x-provenance"] in ("enforced", "documented"), rule.label
        if "x-aws-message" in rule.meta and rule.meta.get("x-provenance") == "enforced":
            # AWS's wording is a fact seen somewhere: the source says where
            assert "FIDELITY.md" in rule.meta["x-source"] or "observed" in rule.meta["x-source"], rule.label


# ---------------------------------------------------------------------------------------------------------
# The overlay's rules: each rejects a bad body on the right member, in the right words


RUN: dict[str, Any] = {"taskDefinition": "web"}
START: dict[str, Any] = {"taskDefinition": "web", "containerInstances": ["ci-1"]}
SUBMIT: dict[str, Any] = {"jobName": "nightly", "jobQueue": "q", "jobDefinition": "jd"}
LONG_OVERRIDE_EMPTY = len(json.dumps({"containerOverrides": [{"name": ""}]}, separators=(",", ":")))


def _overrides(length: int) -> dict[str, Any]:
    return {"containerOverrides": [{"name": "x" * (length - LONG_OVERRIDE_EMPTY)}]}


def _vpc(subnets: int = 1, groups: int = 1) -> dict[str, Any]:
    return {"awsvpcConfiguration": {"subnets": ["subnet-1"] * subnets, "securityGroups": ["sg-1"] * groups}}


def _tags(n: int) -> list[dict[str, str]]:
    return [{"key": f"k{i}", "value": "v"} for i in range(n)]


MORE_THAN = "Member must have value less than or equal to"
LESS_THAN = "Member must have value greater than or equal to"
TOO_LONG = "Member must have length less than or equal to"
TOO_SHORT = "Member must have length greater than or equal to"
PATTERN = "Member must satisfy regular expression pattern"
BOTH = "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again."
EXACTLY_ONE = "exactly one of jobQueue, arrayJobId, multiNodeJobId"
JOB_NAME = "Error executing request, Exception : Job name should match valid pattern, RequestId: {request_id}"

BAD = [
    # ECS RunTask / StartTask
    ("ecs", "RunTask", {**RUN, "count": 11}, "count",
     f"Value '11' at 'count' failed to satisfy constraint: {MORE_THAN} 10"),
    ("ecs", "RunTask", {**RUN, "count": 0}, "count", f"{LESS_THAN} 1"),
    ("ecs", "RunTask", {**RUN, "overrides": _overrides(8193)}, "overrides", "JSON length less than or equal to 8192"),
    ("ecs", "StartTask", {**START, "overrides": _overrides(8193)}, "overrides",
     "JSON length less than or equal to 8192"),
    ("ecs", "RunTask", {**RUN, "placementConstraints": [{"type": "distinctInstance"}] * 11},
     "placementConstraints", f"{TOO_LONG} 10"),
    ("ecs", "RunTask", {**RUN, "placementStrategy": [{"type": "random"}] * 6}, "placementStrategy", f"{TOO_LONG} 5"),
    ("ecs", "RunTask", {**RUN, "capacityProviderStrategy": [{"capacityProvider": "FARGATE"}] * 21},
     "capacityProviderStrategy", f"{TOO_LONG} 20"),
    ("ecs", "RunTask", {**RUN, "startedBy": "a" * 129}, "startedBy", f"{TOO_LONG} 128"),
    ("ecs", "RunTask", {**RUN, "launchType": "FARGATE", "capacityProviderStrategy": [{"capacityProvider": "FARGATE"}]},
     "launchType", f"{BOTH} (field 'launchType': mutually exclusive with capacityProviderStrategy)"),
    ("ecs", "RunTask", {**RUN, "propagateTags": "SERVICE"}, "propagateTags", "SERVICE is not allowed on RunTask"),
    ("ecs", "RunTask", {**RUN, "clientToken": "t" * 65}, "clientToken", f"{TOO_LONG} 64"),
    ("ecs", "RunTask", {**RUN, "networkConfiguration": _vpc(subnets=17)},
     "networkConfiguration.awsvpcConfiguration.subnets", f"{TOO_LONG} 16"),
    ("ecs", "RunTask", {**RUN, "networkConfiguration": _vpc(groups=6)},
     "networkConfiguration.awsvpcConfiguration.securityGroups", f"{TOO_LONG} 5"),
    ("ecs", "StartTask", {**START, "containerInstances": ["ci"] * 11}, "containerInstances", f"{TOO_LONG} 10"),
    # ECS DescribeTasks / ListTasks / other List* operations
    ("ecs", "DescribeTasks", {"tasks": []}, "tasks", "Tasks cannot be empty. (field 'tasks': minItems 1)"),
    ("ecs", "DescribeTasks", {"tasks": ["t"] * 101}, "tasks", "taskIds can have at most 100 items."),
    ("ecs", "ListTasks", {"maxResults": 0}, "maxResults", f"{LESS_THAN} 1"),
    ("ecs", "ListTasks", {"maxResults": 101}, "maxResults", f"{MORE_THAN} 100"),
    ("ecs", "ListTasks", {"serviceName": "api", "family": "web"}, "serviceName",
     "cannot specify serviceName with other arguments"),
    ("ecs", "ListTasks", {"serviceName": "api", "containerInstance": "ci"}, "serviceName",
     "cannot specify serviceName with other arguments"),
    ("ecs", "ListClusters", {"maxResults": 101}, "maxResults", f"{MORE_THAN} 100"),
    ("ecs", "ListServices", {"maxResults": 0}, "maxResults", f"{LESS_THAN} 1"),
    ("ecs", "ListAccountSettings", {"maxResults": 11}, "maxResults", f"{MORE_THAN} 10"),
    ("ecs", "ListTaskDefinitions", {"maxResults": 101}, "maxResults", f"{MORE_THAN} 100"),
    # ECS tags
    ("ecs", "RunTask", {**RUN, "tags": _tags(51)}, "tags", f"{TOO_LONG} 50"),
    ("ecs", "RunTask", {**RUN, "tags": [{"key": "k" * 129, "value": "v"}]}, "tags[0].key", f"{TOO_LONG} 128"),
    ("ecs", "RunTask", {**RUN, "tags": [{"key": "", "value": "v"}]}, "tags[0].key", f"{TOO_SHORT} 1"),
    ("ecs", "RunTask", {**RUN, "tags": [{"key": "k", "value": "v" * 257}]}, "tags[0].value", f"{TOO_LONG} 256"),
    ("ecs", "RunTask", {**RUN, "tags": [{"key": "cost!", "value": "v"}]}, "tags[0].key",
     f"{PATTERN}: ([\\p{{L}}\\p{{Z}}\\p{{N}}_.:/=+\\-@]*)"),
    ("ecs", "RunTask", {**RUN, "tags": [{"key": "line\n", "value": "v"}]}, "tags[0].key", PATTERN),
    # ECS names and other documented limits
    ("ecs", "CreateCluster", {"clusterName": "c" * 256}, "clusterName", f"{TOO_LONG} 255"),
    ("ecs", "RegisterTaskDefinition", {"family": "web", "containerDefinitions": [{"name": "web app"}]},
     "containerDefinitions[0].name",
     "Container.name contains invalid characters. (field 'containerDefinitions[0].name'"),
    ("ecs", "RegisterTaskDefinition", {"family": "web@2", "containerDefinitions": [{"name": "web"}]},
     "family", "Family contains invalid characters."),
    ("ecs", "ListTasks", {"family": "web:2"}, "family", "family must match ^[a-zA-Z0-9\\-_]+$"),
    ("ecs", "RegisterTaskDefinition",
     {"family": "web", "containerDefinitions": [{"name": "web", "healthCheck": {"command": ["CMD"], "interval": 4}}]},
     "containerDefinitions[0].healthCheck.interval", f"{LESS_THAN} 5"),
    ("ecs", "DescribeServices", {"services": ["s"] * 11}, "services", "service names can have at most 10 items."),
    ("ecs", "CreateService", {"serviceName": "api", "clientToken": "t" * 37}, "clientToken", f"{TOO_LONG} 36"),
    # Batch
    ("batch", "SubmitJob", {**SUBMIT, "jobName": "_nightly"}, "jobName", f"{JOB_NAME} (field 'jobName': pattern)"),
    ("batch", "SubmitJob", {**SUBMIT, "jobName": "nightly job"}, "jobName", JOB_NAME),
    ("batch", "SubmitJob", {**SUBMIT, "jobName": "j" * 129}, "jobName", f"{TOO_LONG} 128"),
    ("batch", "RegisterJobDefinition", {"jobDefinitionName": "a.b", "type": "container"}, "jobDefinitionName",
     PATTERN),
    ("batch", "CreateJobQueue", {"jobQueueName": "q" * 129, "priority": 1}, "jobQueueName", f"{TOO_LONG} 128"),
    ("batch", "CreateComputeEnvironment", {"computeEnvironmentName": "ce!", "type": "MANAGED"},
     "computeEnvironmentName", PATTERN),
    ("batch", "SubmitJob", {**SUBMIT, "tags": {f"k{i}": "v" for i in range(51)}}, "tags", f"{TOO_LONG} 50"),
    ("batch", "SubmitJob", {**SUBMIT, "tags": {"k" * 129: "v"}}, "tags",
     "Map key must have length less than or equal to 128"),
    ("batch", "SubmitJob", {**SUBMIT, "tags": {"k": "v" * 257}}, "tags.k", f"{TOO_LONG} 256"),
    ("batch", "SubmitJob", {**SUBMIT, "dependsOn": [{"jobId": "j"}] * 21}, "dependsOn", f"{TOO_LONG} 20"),
    ("batch", "SubmitJob", {**SUBMIT, "arrayProperties": {"size": 1}}, "arrayProperties.size", f"{LESS_THAN} 2"),
    ("batch", "SubmitJob", {**SUBMIT, "arrayProperties": {"size": 10001}}, "arrayProperties.size",
     f"{MORE_THAN} 10000"),
    ("batch", "SubmitJob", {**SUBMIT, "retryStrategy": {"attempts": 11}}, "retryStrategy.attempts", f"{MORE_THAN} 10"),
    ("batch", "SubmitJob", {**SUBMIT, "retryStrategy": {"attempts": 0}}, "retryStrategy.attempts", f"{LESS_THAN} 1"),
    ("batch", "SubmitJob", {**SUBMIT, "retryStrategy": {"attempts": 2, "evaluateOnExit": [{"action": "RETRY"}] * 6}},
     "retryStrategy.evaluateOnExit", f"{TOO_LONG} 5"),
    ("batch", "SubmitJob", {**SUBMIT, "timeout": {"attemptDurationSeconds": 59}}, "timeout.attemptDurationSeconds",
     f"{LESS_THAN} 60"),
    ("batch", "DescribeJobs", {"jobs": ["j"] * 101}, "jobs", "Maximum number of jobs supported is  100, RequestId: "),
    ("batch", "ListJobs", {}, "", f"Request failed to satisfy constraint: {EXACTLY_ONE}"),
    ("batch", "ListJobs", {"jobQueue": "q", "arrayJobId": "a"}, "", EXACTLY_ONE),
    ("batch", "ListJobs", {"jobQueue": "q", "maxResults": 0}, "maxResults", f"{LESS_THAN} 1"),
    ("batch", "DescribeJobQueues", {"maxResults": 101}, "maxResults", f"{MORE_THAN} 100"),
    ("batch", "TerminateJob", {"jobId": "j", "reason": "r" * 1025}, "reason", f"{TOO_LONG} 1024"),
    ("batch", "CancelJob", {"jobId": "j", "reason": "r" * 1025}, "reason", f"{TOO_LONG} 1024"),
]


# Rules only the documentation states (nothing shows AWS refusing them): reported, never refused.
DOCUMENTED = [
    ("ecs", "StartTask", {**START, "startedBy": "a" * 37}, "startedBy", f"{TOO_LONG} 36"),
    ("ecs", "StartTask", {**START, "startedBy": "job:1"}, "startedBy", PATTERN),
    ("ecs", "RunTask", {**RUN, "clientToken": "two words"}, "clientToken", PATTERN),
    ("ecs", "ListTasks", {"startedBy": "me", "family": "web"}, "startedBy",
     "cannot specify startedBy with other arguments (field 'startedBy'"),
    ("ecs", "ListTasks", {"cluster": "c", "startedBy": "me", "serviceName": "api"}, "startedBy",
     "cannot specify startedBy with other arguments"),
    ("ecs", "RunTask", {**RUN, "tags": [{"key": "aws:owner", "value": "v"}]}, "tags[0].key",
     "the aws: prefix is reserved"),
    ("ecs", "StartTask", {**START, "tags": [{"key": "k", "value": "AwS:x"}]}, "tags[0].value",
     "the aws: prefix is reserved"),
    ("ecs", "TagResource", {"resourceArn": "arn:x", "tags": [{"key": "AWS:x", "value": "v"}]}, "tags[0].key",
     "the aws: prefix is reserved"),
    ("ecs", "UntagResource", {"resourceArn": "arn:x", "tagKeys": ["aws:x"]}, "tagKeys[0]",
     "the aws: prefix is reserved"),
    ("ecs", "CreateCluster", {"clusterName": "my cluster"}, "clusterName", PATTERN),
    ("batch", "SubmitJob", {**SUBMIT, "tags": {"aws:team": "v"}}, "tags", "the aws: prefix is reserved"),
    ("batch", "SubmitJob", {**SUBMIT, "tags": {"team": "AWS:x"}}, "tags.team", "the aws: prefix is reserved"),
    ("batch", "SubmitJob", {**SUBMIT, "tags": {"cost!": "v"}}, "tags", "Map key must satisfy regular expression"),
    ("batch", "TagResource", {"resourceArn": "arn:x", "tags": {"Aws:x": "v"}}, "tags", "aws: prefix"),
    ("batch", "UntagResource", {"resourceArn": "arn:x", "tagKeys": ["aws:x"]}, "tagKeys[0]", "aws: prefix"),
    ("batch", "SubmitJob",
     {**SUBMIT, "retryStrategy": {"attempts": 2, "evaluateOnExit": [{"action": "EXIT", "onExitCode": "1x"}]}},
     "retryStrategy.evaluateOnExit[0].onExitCode", PATTERN),
    # botocore's model: a list's min, an unknown member
    ("batch", "UntagResource", {"resourceArn": "arn:x", "tagKeys": []}, "tagKeys", f"{TOO_SHORT} 1"),
    ("ecs", "ListClusters", {"maxResults": 5, "futureMember": True}, "futureMember", "Member is not defined"),
]


def _one_violation(service: str, operation: str, body: dict[str, Any], path: str, expected: str) -> Violation:
    violations = request_violations(service, operation, body)
    assert [v.path for v in violations] == [path], violations
    assert expected in violations[0].detail
    return violations[0]


@pytest.mark.parametrize(("service", "operation", "body", "path", "expected"), BAD)
def test_an_enforced_rule_refuses_a_bad_body(
    service: str, operation: str, body: dict[str, Any], path: str, expected: str
) -> None:
    violation = _one_violation(service, operation, body, path, expected)
    assert violation.enforced
    generic = f"1 validation error detected: {violation.message}"
    assert format_violations([violation]) == (violation.message if violation.aws_worded else generic)
    with pytest.raises(RequestShapeError):
        validate_request(service, operation, body)


@pytest.mark.parametrize(("service", "operation", "body", "path", "expected"), DOCUMENTED)
def test_a_documented_rule_reports_and_never_refuses(
    service: str, operation: str, body: dict[str, Any], path: str, expected: str
) -> None:
    violation = _one_violation(service, operation, body, path, expected)
    assert not violation.enforced
    assert "[documented only: AWS is not known to refuse this; source: " in violation.detail
    assert format_violations([violation]) == ""
    validate_request(service, operation, body)  # no error: AWS would answer
    with pytest.raises(RequestShapeError) as caught:
        validate_request(service, operation, body, strict=True)
    assert caught.value.violations == [violation.detail]


GOOD = [
    ("ecs", "RunTask", {
        **RUN,
        "count": 10,
        "launchType": "FARGATE",
        "overrides": _overrides(8192),
        "placementConstraints": [{"type": "distinctInstance"}] * 10,
        "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}] * 5,
        "startedBy": "ecs-svc/1234567890123456789_" + "a" * 100,
        "clientToken": "!~" * 32,
        "networkConfiguration": _vpc(subnets=16, groups=5),
        "propagateTags": "TASK_DEFINITION",
        "tags": [{"key": "Équipe données 1", "value": ""}, {"key": "k" * 128, "value": "v" * 256}, *_tags(48)],
    }),
    ("ecs", "RunTask", {**RUN, "count": 1, "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT"}] * 20}),
    ("ecs", "StartTask", {**START, "containerInstances": ["ci"] * 10, "startedBy": "a" * 36}),
    ("ecs", "DescribeTasks", {"cluster": "default", "tasks": ["t"] * 100, "include": ["TAGS"]}),
    ("ecs", "ListTasks", {"cluster": "c", "startedBy": "me", "maxResults": 100, "nextToken": "tok"}),
    ("ecs", "ListTasks", {"serviceName": "api", "desiredStatus": "STOPPED", "launchType": "FARGATE", "maxResults": 1}),
    ("ecs", "ListTasks", {"family": "web", "containerInstance": "ci"}),
    ("ecs", "TagResource", {"resourceArn": "arn:x", "tags": [{"key": "team:aws", "value": "x-aws:y"}]}),
    ("ecs", "CreateCluster", {"clusterName": "c" * 255}),
    ("batch", "SubmitJob", {
        **SUBMIT,
        "jobName": "9" + "j" * 127,
        "tags": {f"k{i}": "v" for i in range(50)},
        "dependsOn": [{"jobId": "j", "type": "N_TO_N"}] * 20,
        "arrayProperties": {"size": 10000},
        "retryStrategy": {"attempts": 10, "evaluateOnExit": [{"action": "RETRY", "onExitCode": "13*"}] * 5},
        "timeout": {"attemptDurationSeconds": 60},
    }),
    ("batch", "SubmitJob", {**SUBMIT, "jobName": "a", "arrayProperties": {"size": 2},
                            "retryStrategy": {"attempts": 1}, "tags": {"Équipe": ""}}),
    ("batch", "ListJobs", {"jobQueue": "q", "jobStatus": "SUCCEEDED", "maxResults": 1000}),
    ("batch", "ListJobs", {"arrayJobId": "a"}),
    ("batch", "ListJobs", {"multiNodeJobId": "m"}),
    ("batch", "DescribeJobs", {"jobs": ["j"] * 100}),
    ("batch", "TerminateJob", {"jobId": "j", "reason": "r" * 1024}),
    ("batch", "CancelJob", {"jobId": "j", "reason": "no longer needed"}),
]


@pytest.mark.parametrize(("service", "operation", "body"), GOOD)
def test_a_body_at_the_limits_is_accepted(service: str, operation: str, body: dict[str, Any]) -> None:
    assert request_violations(service, operation, body) == []
    validate_request(service, operation, body)


# Raw requests (curl, the HTTP server) that botocore's client-side checks would have stopped.
RAW = [
    ("ecs", "RunTask", {}, "taskDefinition", "required",
     "Value null at 'taskDefinition' failed to satisfy constraint: Member must not be null"),
    ("ecs", "RunTask", {"taskDefinition": 5}, "taskDefinition", "type string", "Member must be of type string"),
    ("ecs", "RunTask", {**RUN, "count": "2"}, "count", "type integer", "Value '2' at 'count'"),
    ("ecs", "RunTask", {**RUN, "count": 1.5}, "count", "type integer", "Member must be of type integer"),
    ("ecs", "RunTask", {**RUN, "count": True}, "count", "type integer", "Value 'true' at 'count'"),
    ("ecs", "RunTask", {**RUN, "tags": {"team": "data"}}, "tags", "type array", "Member must be of type array"),
    ("ecs", "RunTask", {**RUN, "networkConfiguration": {"awsvpcConfiguration": {}}},
     "networkConfiguration.awsvpcConfiguration.subnets", "required", "Member must not be null"),
    ("ecs", "RunTask", {**RUN, "launchType": "SPOT"}, "launchType", "enum",
     "Member must satisfy enum value set: [EC2, FARGATE, EXTERNAL"),
    ("ecs", "RunTask", {**RUN, "taskDefinitionArn": "arn:x"}, "taskDefinitionArn", "unknown member",
     "Member is not defined in RunTaskRequest"),
    ("ecs", "RunTask", {**RUN, "overrides": {"containerOverrides": [{"name": "a", "cpu": "256"}]}},
     "overrides.containerOverrides[0].cpu", "type integer", "Member must be of type integer"),
    ("ecs", "ListClusters", [], "", "type object",
     "Request failed to satisfy constraint: Member must be of type object"),
    ("batch", "TerminateJob", {"jobId": "j"}, "reason", "required", "Member must not be null"),
    ("batch", "CancelJob", {"reason": "r"}, "jobId", "required", "Member must not be null"),
    ("batch", "SubmitJob", {**SUBMIT, "containerOverrides": {"vcpus": "2"}}, "containerOverrides.vcpus",
     "type integer", "Member must be of type integer"),
]


@pytest.mark.parametrize(("service", "operation", "body", "path", "rule", "expected"), RAW)
def test_missing_members_and_wrong_types_are_caught(
    service: str, operation: str, body: Any, path: str, rule: str, expected: str
) -> None:
    violations = request_violations(service, operation, body)
    assert [(v.path, v.rule) for v in violations] == [(path, rule)], violations
    assert expected in violations[0].message


def test_every_missing_required_member_is_listed() -> None:
    assert request_violations("batch", "SubmitJob", {}) == [
        Violation(name, "required", f"Value null at '{name}' failed to satisfy constraint: Member must not be null",
                  source="botocore model, shape SubmitJobRequest")
        for name in ("jobDefinition", "jobName", "jobQueue")
    ]


# ---------------------------------------------------------------------------------------------------------
# Messages


def test_validate_request_raises_listing_every_violation() -> None:
    body = {"taskDefinition": "web", "count": 11, "startedBy": "x" * 200, "launchType": "SPOT"}
    with pytest.raises(RequestShapeError) as caught:
        validate_request("ecs", "RunTask", body)
    error = caught.value
    assert (error.service, error.operation) == ("ecs", "RunTask")
    assert error.violations == [
        "Value '11' at 'count' failed to satisfy constraint: Member must have value less than or equal to 10",
        "Value 'SPOT' at 'launchType' failed to satisfy constraint: Member must satisfy enum value set: "
        "[" + ", ".join(_launch_types()) + "]",
        "Value '" + "x" * 77 + "...' at 'startedBy' failed to satisfy constraint: "
        "Member must have length less than or equal to 128",
    ]
    assert "ecs RunTask: 3 rule(s) broken" in str(error)


def _launch_types() -> list[str]:
    return list(Loader().load_service_model("ecs", "service-2")["shapes"]["LaunchType"]["enum"])


def test_validate_request_returns_none_for_a_valid_body() -> None:
    assert validate_request("ecs", "RunTask", {"taskDefinition": "web", "count": 2}) is None


def test_the_model_constraints_speak_first_then_aws_own_sentence_alone() -> None:
    # AWS checks its model's constraints first and reports them together; a rule with its own sentence is
    # answered with that sentence and nothing else (the field and rule go to Violation.detail).
    body = {"taskDefinition": "web", "count": 11, "launchType": "EC2",
            "capacityProviderStrategy": [{"capacityProvider": "FARGATE"}]}
    violations = request_violations("ecs", "RunTask", body)
    assert format_violations(violations) == (
        "1 validation error detected: Value '11' at 'count' failed to satisfy constraint: "
        "Member must have value less than or equal to 10"
    )
    assert format_violations(request_violations("ecs", "RunTask", {**body, "count": 1})) == BOTH
    assert [v.detail for v in violations if v.aws_worded] == [
        f"{BOTH} (field 'launchType': mutually exclusive with capacityProviderStrategy)"
    ]


def test_format_counts_generic_errors() -> None:
    violations = request_violations("ecs", "RunTask", {"count": 0, "group": 1})
    assert format_violations(violations) == (
        "3 validation errors detected: "
        "Value '0' at 'count' failed to satisfy constraint: Member must have value greater than or equal to 1; "
        "Value '1' at 'group' failed to satisfy constraint: Member must be of type string; "
        "Value null at 'taskDefinition' failed to satisfy constraint: Member must not be null"
    )
    assert format_violations([]) == ""


def test_values_in_messages_are_truncated_and_on_one_line() -> None:
    [violation] = request_violations("ecs", "RunTask", {**RUN, "tags": [{"key": "a\nb" + "c" * 100}]})
    assert violation.rule == "pattern"
    assert "\n" not in violation.message
    shown = ("a\\nb" + "c" * 100)[:77] + "..."
    assert f"Value '{shown}' at 'tags[0].key'" in violation.message


@pytest.mark.parametrize(
    ("schema", "instance", "rule", "constraint"),
    [
        ({"const": "a"}, "b", "const", "Member must be 'a'"),
        ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, [], "anyOf", "at least one of 2 alternatives"),
        ({"oneOf": [{"minimum": 1}, {"minimum": 2}]}, 5, "oneOf", "exactly one of 2 alternatives, not more than one"),
        ({"oneOf": [{"minimum": 1}, {"minimum": 2}]}, 0, "oneOf", "exactly one of 2 alternatives, not none"),
        ({"not": {"const": "x"}}, "x", "not", 'Member must not match {"const": "x"}'),
    ],
)
def test_generic_wording_of_keywords_without_an_overlay_rule_name(
    schema: dict[str, Any], instance: Any, rule: str, constraint: str
) -> None:
    # The generator writes none of these bare; an overlay rule may, and still gets a readable line.
    errors = Draft202012Validator({"properties": {"f": schema}}).iter_errors({"f": instance})
    [violation] = violations_from(errors)
    assert (violation.path, violation.rule) == ("f", rule)
    assert constraint in violation.message


@pytest.mark.parametrize(
    "call",
    [
        lambda: request_violations("s3", "PutObject", {}),
        lambda: response_violations("lambda", "Invoke", {}),
        lambda: validate_request("ecs", "SubmitJob", {}),
        lambda: request_violations("batch", "RunTask", {}),
        lambda: service_model("ec2"),
        lambda: operation_names("EC2"),
    ],
)
def test_unknown_service_or_operation_is_a_key_error(call: Any) -> None:
    with pytest.raises(KeyError, match="unknown"):
        call()


# ---------------------------------------------------------------------------------------------------------
# Responses

TASK = {
    "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef",
    "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/default",
    "lastStatus": "RUNNING",
    "desiredStatus": "RUNNING",
    "createdAt": 1735689600.0,
    "startedAt": 1735689612.5,
    "version": 3,
    "containers": [{"name": "web", "lastStatus": "RUNNING", "exitCode": 0}],
    "tags": [{"key": "aws:ecs:managed", "value": "x"}],
}


def test_a_wire_response_validates_and_a_broken_one_does_not() -> None:
    # Response schemas take no request rules: AWS itself returns aws:-prefixed tags.
    assert response_violations("ecs", "DescribeTasks", {"tasks": [TASK], "failures": []}) == []
    broken = {"tasks": [{**TASK, "createdAt": "2025-01-01T00:00:00Z", "version": "3"}]}
    assert [v.path for v in response_violations("ecs", "DescribeTasks", broken)] == [
        "tasks[0].createdAt",
        "tasks[0].version",
    ]


def test_a_batch_job_that_has_not_started_needs_no_started_at() -> None:
    job = {"jobName": "n", "jobId": "j", "jobQueue": "q", "status": "RUNNABLE", "jobDefinition": "jd", "createdAt": 1}
    assert response_violations("batch", "DescribeJobs", {"jobs": [job]}) == []
    del job["jobId"]
    assert [(v.path, v.rule) for v in response_violations("batch", "DescribeJobs", {"jobs": [job]})] == [
        ("jobs[0].jobId", "required")
    ]


# ---------------------------------------------------------------------------------------------------------
# The fast check agrees with jsonschema


def _botocore_examples() -> list[tuple[str, str, str, Any]]:
    bodies = []
    for service in SERVICES:
        examples = Loader().load_service_model(service, "examples-1")["examples"]
        for operation, items in examples.items():
            for item in items:
                bodies.append((service, operation, "request", item.get("input", {})))
                bodies.append((service, operation, "response", item.get("output", {})))
    return bodies


def test_fast_check_agrees_with_jsonschema() -> None:
    bodies = [(s, op, "request", body) for s, op, body, *_ in BAD + GOOD + RAW] + _botocore_examples()
    assert len(bodies) > 200
    for service, operation, direction, body in bodies:
        fast = schemas._fast_check(service, operation, direction)
        assert fast is not None
        full = not any(True for _ in schemas._validator(service, operation, direction).iter_errors(body))
        assert fast(body) is full, (service, operation, direction, body)


@pytest.mark.parametrize("service", SERVICES)
def test_every_unit_of_every_fast_check_compiles(service: str) -> None:
    # Units are written and compiled on first call; eager=True compiles every one now.
    for path in sorted((SCHEMAS / service).glob("*.*.json")):
        check = compile_schema(json.loads(path.read_text(encoding="utf-8")), eager=True)
        assert check({}) in (True, False)


_ODD_VALUES = [None, True, 0, 1.0, 1.5, -1, "", "x" * 300, "a\n", [], [1], {}, {"zzz": 1}]


def _mutations(body: Any) -> list[Any]:
    """``body`` with each member or item in turn replaced by each odd value, dropped, or given an unknown
    member: bodies that reach the fast check's units the test bodies do not."""
    mutated = []
    if isinstance(body, dict):
        for key, value in body.items():
            rest = {k: v for k, v in body.items() if k != key}
            mutated += [rest, {**body, "zzz": value}]
            mutated += [{**body, key: odd} for odd in _ODD_VALUES]
            mutated += [{**body, key: inner} for inner in _mutations(value)]
    elif isinstance(body, list):
        for index, value in enumerate(body):
            mutated += [[*body[:index], odd, *body[index + 1 :]] for odd in _ODD_VALUES[:4]]
            mutated += [[*body[:index], inner, *body[index + 1 :]] for inner in _mutations(value)]
        mutated.append(body * 30)
    return mutated


def test_fast_check_agrees_with_jsonschema_on_mutated_bodies() -> None:
    bodies = [(s, op, "request", body) for s, op, body, *_ in BAD + GOOD + RAW] + _botocore_examples()
    checked = valid = 0
    for service, operation, direction, body in bodies:
        fast = schemas._fast_check(service, operation, direction)
        validator = schemas._validator(service, operation, direction)
        assert fast is not None
        mutations = _mutations(body)
        for mutated in mutations[:: len(mutations) // 40 + 1]:  # at most 40 a body, spread over its members
            full = not any(True for _ in validator.iter_errors(mutated))
            assert fast(mutated) is full, (service, operation, direction, mutated)
            checked += 1
            valid += full
    assert checked > 2_500 and valid > 250


def _nested(depth: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "minLength": 1}
    for _ in range(depth):
        members = {"a": schema, "b": {"type": "integer"}}
        schema = {"type": "object", "properties": members, "additionalProperties": False}
    return schema


def _nested_value(depth: int, leaf: Any, extra: bool = False) -> Any:
    value = leaf
    for level in range(depth):
        value = {"a": value, "c": 1} if extra and level == depth // 2 else {"a": value}
    return value


_ODD_NAME = "it's \"odd\"\n\\ {0} + __import__('os')"


@pytest.mark.parametrize(
    ("schema", "instances"),
    [
        # Member names and enum values are data, never code.
        (
            {"type": "object", "properties": {_ODD_NAME: {"enum": [_ODD_NAME, "b"]}}, "additionalProperties": False},
            [{_ODD_NAME: _ODD_NAME}, {_ODD_NAME: "c"}, {"x": 1}, {}, {_ODD_NAME: 1}, []],
        ),
        # A recursive shape, and $ref to it with siblings.
        (
            {
                "$defs": {
                    "Node": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string"},
                            "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                        },
                        "required": ["name"],
                        "additionalProperties": False,
                    }
                },
                "$ref": "#/$defs/Node",
                "maxProperties": 2,
            },
            [{"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]}, {"name": "a", "children": [{}]},
             {"name": "a", "children": [{"name": 1}]}, {"children": []}, "x"],
        ),
        # Deeper than a function is written in place.
        (
            _nested(20),
            [_nested_value(20, "x"), _nested_value(20, 1), _nested_value(19, "x"), _nested_value(20, "x", extra=True)],
        ),
        # Keywords without a type: they apply only to their own type.
        (
            {"minLength": 2, "maxItems": 1, "minimum": 3, "required": ["a"], "pattern": "^a+$", "enum": ["aa", "b"]},
            ["aa", "a", "b", [1], [1, 2], 5, 2, 2.5, True, None, {"a": 1}, {}],
        ),
        (
            {"type": ["integer", "null"], "exclusiveMaximum": 3, "exclusiveMinimum": 1.0, "not": {"const": "x"}},
            [1, 2, 2.0, 2.5, 3, 0, None, True, "x", float("inf")],
        ),
        (
            {"anyOf": [{"type": "string", "maxLength": 1}, {"type": "array", "items": {"type": "boolean"}}],
             "oneOf": [{"type": "string"}, {"maxItems": 1}]},
            ["a", "ab", [True], [True, False], [1], 1, None],
        ),
        # A map, and an object with enough members to dispatch on the ones present.
        (
            {"type": "object", "additionalProperties": {"type": "integer"}, "propertyNames": {"maxLength": 2},
             "properties": {"s": {"type": "string"}}, "minProperties": 1},
            [{"s": "x", "ab": 1}, {"s": 1}, {"abc": 1}, {"ab": "x"}, {}, {"ab": 1.0}, {"ab": True}],
        ),
        (
            {"type": "object", "properties": {f"m{i}": {"type": "integer", "maximum": i} for i in range(40)},
             "required": ["m1", "m2", "m3", "m4"], "additionalProperties": False},
            [{f"m{i}": i for i in range(1, 5)}, {f"m{i}": i for i in range(40)}, {"m1": 1, "m2": 2, "m3": 3},
             {"m1": 1, "m2": 2, "m3": 3, "m4": 5}, {"m1": 1, "m2": 2, "m3": 3, "m4": 4, "m40": 0}],
        ),
        (
            {"type": "object", "properties": {f"m{i}": {"type": "integer", "maximum": i} for i in range(40)},
             "additionalProperties": {"type": "string"}},
            [{"m1": 1, "zz": "s"}, {"m1": 1, "zz": 1}, {"m1": 50}, {}],
        ),
        # Keywords of another type than the one proven, or with nothing to check.
        (
            {"type": "string", "maxItems": 1, "minimum": 5, "allOf": [{"type": "string", "minLength": 1}],
             "anyOf": [{}, {"type": "integer"}]},
            ["a", "", 1, []],
        ),
        ({"type": "integer", "enum": ["a"]}, [1, "a"]),
        ({"type": "object", "propertyNames": {}, "additionalProperties": {}, "items": {}}, [{"a": 1}, [], {}]),
        (True, [1, None]),
        ({"properties": {"a": False}, "x-maxJsonLength": 12}, [{"b": 1}, {"a": 1}, {"b": "x" * 10}, "x" * 12]),
    ],
)
def test_fast_check_agrees_with_jsonschema_on_unusual_schemas(schema: Any, instances: list[Any]) -> None:
    validator = schemas._validator_class()(schema)
    fast = compile_schema(schema if isinstance(schema, dict) else {"allOf": [schema]}, eager=True)
    for instance in instances:
        assert fast(instance) is validator.is_valid(instance), instance


@pytest.mark.parametrize(
    "schema",
    [
        {"patternProperties": {"^a": {"type": "string"}}},
        {"type": "object", "properties": {"a": {"format": "date-time"}}},
        {"$ref": "#/$defs/Missing"},
        {"$defs": {"A": {"type": "string"}}, "items": {"$ref": "#/definitions/A"}},
        {"enum": ["a", 1]},
        {"const": None},
        {"required": [1]},
        {"type": "decimal"},
        {"type": []},
        {"anyOf": []},
        {"properties": {"a": 5}},
        {"maximum": "10"},
        {"pattern": 5},
        {"$defs": []},
    ],
)
def test_a_schema_outside_the_compiled_subset_is_refused_at_once(schema: dict[str, Any]) -> None:
    # Left to jsonschema alone (schemas._fast_check returns None), never failing on a request later.
    with pytest.raises(Unsupported):
        compile_schema(schema)


def test_botocore_documentation_examples_are_valid_requests() -> None:
    requests = [(s, op, body) for s, op, direction, body in _botocore_examples() if direction == "request"]
    assert len(requests) > 50
    for service, operation, body in requests:
        assert request_violations(service, operation, body) == [], (service, operation, body)


# ---------------------------------------------------------------------------------------------------------
# Regex translation, the overlay's own checks, import cost


@pytest.mark.parametrize(
    ("value", "matches"),
    [("Équipe données", True), ("日本語 ３", True), ("a_b.c:d/e=f+g-h@i", True), ("\u00a0nbsp", True),
     ("", True), ("cost!", False), ("tab\there", False), ("trailing\n", False)],
)
def test_tag_pattern_translation(value: str, matches: bool) -> None:
    keywords = pattern_keywords(r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)")
    assert keywords["x-aws-pattern"] == r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"
    assert keywords["pattern"].startswith("^(?:") and keywords["pattern"].endswith(")$")
    assert (compile_anchored(keywords["pattern"]).search(value) is not None) is matches


@pytest.mark.parametrize(
    ("java", "value", "matches"),
    [(r"[\w-_]*", "a-b_c", True), (r"[\w-_]*", "a.b", False),  # the Logs model's: "-" after \w is literal
     (r"[\w_-]*", "x-y", True), (r"[\p{L}-x]+", "é-x", True), (r"[\p{L}-x]+", "é.x", False)],
)
def test_a_dash_after_a_class_escape_is_literal_as_in_java(java: str, value: str, matches: bool) -> None:
    pattern = pattern_keywords(java)["pattern"]
    assert (compile_anchored(pattern).search(value) is not None) is matches


def test_an_untranslatable_java_category_fails_loudly() -> None:
    with pytest.raises(ValueError, match=r"\\p\{Lu\}"):
        pattern_keywords(r"[\p{Lu}]+")


@pytest.mark.parametrize(
    ("raw", "at", "message"),
    [
        ({"operation": "RunTask", "schema": {}}, "", "x-source"),
        ({"operation": "RunTask", "shape": "Tag", "schema": {}, "x-source": "s"}, "", "exactly one of 'operation'"),
        ({"operation": "RunTask", "schema": {}, "x-source": "s", "typo": 1}, "", "unknown keys"),
        ({"operation": "RunTask", "schema": {}, "x-source": "s", "x-provenance": "enforced", "direction": "both"}, "",
         "direction"),
        ({"operation": "RunTask", "schema": {"maxLength": 1}, "x-source": "s", "x-provenance": "enforced"},
         "/properties/startedBy2", "nothing at"),
        ({"operation": "RunTask", "schema": {"maxItems": 1}, "x-source": "s", "x-provenance": "documented"},
         "/properties/networkConfiguration/x", "crosses a \\$ref"),
        ({"operation": "RunTask", "schema": {"maxItems": 1}, "x-source": "s"}, "", "x-provenance"),
        ({"operation": "RunTask", "schema": {"maxItems": 1}, "x-source": "s", "x-provenance": "maybe"}, "",
         "x-provenance"),
        ({"operation": "RunTask", "dropRequired": ["cluster"], "x-source": "s", "x-provenance": "enforced"}, "",
         "'schema' rules only"),
        ({"operation": "RunTask", "dropRequired": ["cluster"], "x-source": "s"}, "", "not required there"),
        ({"operation": "RunTask", "schema": {}, "replace": {}, "x-source": "s"}, "", "exactly one of 'schema'"),
        ({"operation": "RunTask", "replace": {"enum": None}, "x-source": "s"}, "/properties/startedBy",
         "no \\['enum'\\] there to delete"),
    ],
)
def test_malformed_overlay_rules_are_refused(raw: dict[str, Any], at: str, message: str) -> None:
    root = json.loads((SCHEMAS / "ecs" / "RunTask.request.json").read_text(encoding="utf-8"))
    with pytest.raises(_overlay.OverlayError, match=message):
        rule = _overlay._parse("ecs", 0, {**raw, "at": at} if at else raw)
        _overlay.apply_rule(rule, root)


def test_a_replace_rule_sets_and_deletes_keywords_in_place() -> None:
    root = json.loads((SCHEMAS / "ecs" / "RunTask.request.json").read_text(encoding="utf-8"))
    assert root["additionalProperties"] is False
    rule = _overlay._parse("ecs", 0, {"operation": "RunTask", "x-source": "s",
                                      "replace": {"additionalProperties": None, "minProperties": 1}})
    _overlay.apply_rule(rule, root)
    assert "additionalProperties" not in root and root["minProperties"] == 1 and root["x-source"] == "s"


def test_importing_the_module_loads_neither_jsonschema_nor_schema_files() -> None:
    code = (
        "import sys, pytest_ecsfake.schemas as s; "
        "print('jsonschema' in sys.modules, s._schema.cache_info().currsize); "
        "s.request_violations('ecs', 'RunTask', {'taskDefinition': 'web'}); "
        "print('jsonschema' in sys.modules, s._schema.cache_info().currsize)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    # A valid body never needs jsonschema: the fast check answers it.
    assert result.stdout.split() == ["False", "0", "False", "1"]


def test_the_list_of_refusing_rules_in_the_docs_is_current() -> None:
    from pytest_ecsfake.schemas import _rules_doc
    from pytest_ecsfake.schemas.__main__ import main

    assert main(["rules", "--check"]) == 0, "run: python -m pytest_ecsfake.schemas rules"
    listed = _rules_doc.render()
    assert "| ecs | `RunTask/properties/startedBy` | `{\"maxLength\": 128}` | enforced |" in listed
    assert "| ecs | `ListTasks` | `{\"not\":" in listed and "| documented | cannot specify startedBy" in listed
    assert "| batch | TagrisTagsMap | `minProperties` 1 | documented |" in listed
