"""Accept what AWS accepts: only rules AWS is known to enforce refuse; the others are reported.

Through real boto3 clients: the requests real clients send that AWS accepts are answered; a rule only the
documentation states answers normally, is recorded on the call and in the failure report, and fails the test
in strict mode; AWS's own sentence is the whole message; the schemas follow the installed botocore's model.
"""

from __future__ import annotations

import contextlib
from typing import Any

import boto3
import pytest
from batch_helpers import CE_CREATE, QUEUE_CREATE, definition, environment, queue, ready
from botocore.config import Config
from child import python
from ecs_helpers import fargate_definition, run_fargate

from pytest_ecsfake import EcsFake

pytest_plugins = ["pytester"]

RAW = Config(parameter_validation=False, retries={"max_attempts": 1})


@pytest.fixture
def ecs_c(ecs: Any) -> Any:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs)
    return ecs


@pytest.fixture
def batch(ecs_fake: EcsFake) -> Any:
    return boto3.client("batch", region_name="us-east-1")


def _last(fake: EcsFake, operation: str) -> Any:
    return fake.calls_to(operation)[-1]


# -- What real clients send, which AWS accepts: answered, nothing recorded against it, strict mode included


STRICT = pytest.mark.ecsfake(strict=True)  # strict mode: a rule broken would fail the test


@STRICT
def test_prefect_empty_strategy_with_a_launch_type_is_answered(ecs_c: Any, ecs_fake: EcsFake) -> None:
    task = run_fargate(ecs_c, capacityProviderStrategy=[])
    assert task["launchType"] == "FARGATE"
    assert _last(ecs_fake, "RunTask").violations == ()


@STRICT
def test_ecs_deploy_started_by_with_a_space_is_kept(ecs_c: Any, ecs_fake: EcsFake) -> None:
    task = run_fargate(ecs_c, startedBy="ECS Deploy")
    assert task["startedBy"] == "ECS Deploy"
    assert ecs_c.list_tasks(cluster="c", startedBy="ECS Deploy")["taskArns"] == [task["taskArn"]]
    assert _last(ecs_fake, "RunTask").violations == ()


@STRICT
def test_airflow_started_by_with_desired_status_filters_by_both(ecs_c: Any, ecs_fake: EcsFake) -> None:
    task = run_fargate(ecs_c, startedBy="airflow")
    run_fargate(ecs_c, startedBy="someone-else")
    listed = ecs_c.list_tasks(cluster="c", startedBy="airflow", desiredStatus="RUNNING")["taskArns"]
    assert listed == [task["taskArn"]]
    assert ecs_c.list_tasks(cluster="c", startedBy="airflow", desiredStatus="STOPPED")["taskArns"] == []
    assert _last(ecs_fake, "ListTasks").violations == ()


@STRICT
def test_airflow_empty_batch_tags_are_answered(batch: Any, ecs_fake: EcsFake) -> None:
    environment(batch, tags={})
    ecs_fake.advance(CE_CREATE)
    queue(batch)
    ecs_fake.advance(QUEUE_CREATE)
    definition(batch)
    assert batch.submit_job(jobName="nightly", jobQueue="q", jobDefinition="work", tags={})["jobId"]
    assert [(c.operation, c.status, c.violations) for c in ecs_fake.calls] == [
        (operation, 200, ()) for operation in
        ("CreateComputeEnvironment", "CreateJobQueue", "RegisterJobDefinition", "SubmitJob")]


# -- A rule only the documentation states: answered, recorded, reported; strict mode fails the test


def test_a_documented_rule_answers_and_records(ecs_c: Any, ecs_fake: EcsFake) -> None:
    raw = boto3.client("ecs", region_name="us-east-1", config=RAW)
    raw.list_tasks(cluster="c", startedBy="me", family="web")  # "it must be the only filter that you use"
    [violation] = _last(ecs_fake, "ListTasks").violations
    assert violation.startswith("cannot specify startedBy with other arguments (field 'startedBy': ")
    assert "[documented only: AWS is not known to refuse this; source: botocore ecs ListTasksRequest.startedBy" in (
        violation)
    assert ecs_fake._backend.problems == []  # not strict: nothing fails


def test_an_unknown_member_is_answered_and_recorded(ecs_c: Any, ecs_fake: EcsFake) -> None:
    import requests  # botocore cannot send a member its model lacks; raw HTTP (or a newer client) can

    answer = requests.post("https://ecs.us-east-1.amazonaws.com/", data='{"futureMember": "x"}', timeout=5, headers={
        "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters",
        "Content-Type": "application/x-amz-json-1.1"})
    assert answer.status_code == 200 and answer.json()["clusterArns"]
    [violation] = _last(ecs_fake, "ListClusters").violations
    assert "at 'futureMember' failed to satisfy constraint: Member is not defined in ListClustersRequest" in violation


def test_strict_mode_fails_a_documented_rule_at_teardown() -> None:
    fake = EcsFake(strict=True)
    with pytest.raises(AssertionError) as teardown, fake:  # noqa: PT012
        raw = boto3.client("ecs", region_name="us-east-1", config=RAW)
        raw.create_cluster(clusterName="my cluster")  # answered: nothing shows AWS refusing the name
    message = str(teardown.value)
    assert "strict mode: the ecs:CreateCluster request your code sent breaks the API reference's rules " \
           "(answered, since AWS is not known to refuse it):" in message
    assert "Value 'my cluster' at 'clusterName' failed to satisfy constraint: Member must satisfy regular " \
           "expression pattern: ^[a-zA-Z0-9_-]+$ [documented only" in message
    assert "source: botocore ecs CreateClusterRequest.clusterName" in message


def test_the_failure_report_shows_the_rules_each_call_broke(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import boto3
        from botocore.config import Config

        def test_it(ecs_fake):
            raw = boto3.client("ecs", region_name="us-east-1", config=Config(parameter_validation=False))
            raw.create_cluster(clusterName="c")
            raw.list_tasks(cluster="c", startedBy="me", family="web")
            assert False, "the code under test failed"
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:asyncio", "-p", "no:benchmark")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*ecs:ListTasks*200*cluster='c', startedBy='me', family='web'",
        "      rule broken: cannot specify startedBy with other arguments (field 'startedBy': startedBy must be the "
        "only filter besides cluster) [documented only: *",
    ])


# -- AWS's sentence, exactly; the field and the rule in the call record


def test_aws_sentence_is_the_whole_message(ecs_c: Any, ecs_fake: EcsFake) -> None:
    raw = boto3.client("ecs", region_name="us-east-1", config=RAW)
    with pytest.raises(raw.exceptions.InvalidParameterException) as caught:
        raw.describe_tasks(cluster="c", tasks=[])
    assert caught.value.response["Error"]["Message"] == "Tasks cannot be empty."
    assert _last(ecs_fake, "DescribeTasks").violations == ("Tasks cannot be empty. (field 'tasks': minItems 1)",)
    with pytest.raises(ecs_c.exceptions.InvalidParameterException) as caught:
        run_fargate(ecs_c, capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT"}])
    assert caught.value.response["Error"]["Message"] == (
        "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.")


def test_batch_names_the_request_in_its_message(batch: Any, ecs_fake: EcsFake) -> None:
    ready(batch, ecs_fake)
    with pytest.raises(batch.exceptions.ClientException) as caught:
        batch.submit_job(jobName="first.last", jobQueue="q", jobDefinition="work")
    request_id = caught.value.response["ResponseMetadata"]["RequestId"]
    assert caught.value.response["Error"]["Message"] == (
        f"Error executing request, Exception : Job name should match valid pattern, RequestId: {request_id}")


def test_a_refused_request_with_swallowed_error_still_fails_strict_mode() -> None:
    fake = EcsFake(strict=True)
    with pytest.raises(AssertionError) as teardown, fake:  # noqa: PT012
        ecs = boto3.client("ecs", region_name="us-east-1")
        with contextlib.suppress(ecs.exceptions.ClientException):
            ecs.register_task_definition(family="web@2", containerDefinitions=[{"name": "a", "image": "x"}])
    assert "(refused):\n  - Family contains invalid characters. (field 'family': pattern)" in str(teardown.value)


# -- The schema is that of the botocore that sent the request (each in a fresh interpreter: schemas are cached)


def test_a_member_the_clients_model_has_is_accepted() -> None:
    out = python("""
        import boto3
        from pytest_ecsfake import EcsFake

        with EcsFake() as fake:
            ecs = boto3.client("ecs", region_name="us-east-1")
            # A newer botocore's model: RunTask learns a member (patched into this client's own model only,
            # so the fake can know it only from the client that sent the request).
            ecs.meta.service_model._service_description["shapes"]["RunTaskRequest"]["members"][
                "futureSetting"] = {"shape": "String"}
            ecs.create_cluster(clusterName="c")
            ecs.register_task_definition(family="job", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                         cpu="256", memory="512", containerDefinitions=[{"name": "a", "image": "x"}])
            task = ecs.run_task(cluster="c", taskDefinition="job", launchType="FARGATE", futureSetting="on",
                                networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-1"]}})["tasks"][0]
            print(task["lastStatus"], fake.calls_to("RunTask")[0].request["futureSetting"],
                  fake.calls_to("RunTask")[0].violations)
    """)
    assert out.split() == ["PROVISIONING", "on", "()"]


def test_an_operation_of_the_installed_model_is_unsupported_not_unknown() -> None:
    out = python("""
        import copy
        import boto3
        import botocore.loaders
        from botocore.exceptions import ClientError
        from pytest_ecsfake import EcsFake

        real = botocore.loaders.Loader.load_service_model

        def newer(self, service_name, type_name, api_version=None):  # a botocore released after this fake
            model = real(self, service_name, type_name, api_version)
            if (service_name, type_name) == ("batch", "service-2"):
                model = copy.deepcopy(model)
                model["operations"]["FrobnicateJobs"] = {
                    "name": "FrobnicateJobs", "http": {"method": "POST", "requestUri": "/v1/frobnicatejobs"},
                    "input": {"shape": "FrobnicateJobsRequest"}, "output": {"shape": "FrobnicateJobsResponse"}}
                model["shapes"]["FrobnicateJobsRequest"] = {
                    "type": "structure", "required": ["jobs"], "members": {"jobs": {"shape": "StringList"}}}
                model["shapes"]["FrobnicateJobsResponse"] = {"type": "structure", "members": {}}
            return model

        botocore.loaders.Loader.load_service_model = newer
        fake = EcsFake()
        try:
            with fake:
                batch = boto3.client("batch", region_name="us-east-1")
                try:
                    batch.frobnicate_jobs(jobs=["j"])
                except ClientError as error:
                    print(error.response["ResponseMetadata"]["HTTPStatusCode"], error.response["Error"]["Code"])
        except AssertionError as teardown:
            print("teardown:", "does not implement batch:FrobnicateJobs" in str(teardown))
    """)
    assert out.split("\n")[:2] == ["501 UnsupportedOperation", "teardown: True"]


def test_an_operation_no_model_knows_is_unknown(ecs_fake: EcsFake) -> None:
    import requests

    answer = requests.post("https://ecs.us-east-1.amazonaws.com/", data="{}", timeout=5, headers={
        "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.FrobnicateTasks",
        "Content-Type": "application/x-amz-json-1.1"})
    assert (answer.status_code, answer.json()["__type"]) == (400, "UnknownOperationException")


def _without_required_members(service: str, *, implemented: bool) -> list[str]:
    from pytest_ecsfake.core import registry as _registry
    from pytest_ecsfake.schemas._source import installed_model

    model = installed_model(service)
    supported = set(_registry.supported(service))
    found = []
    for name, spec in sorted(model["operations"].items()):
        shape = model["shapes"][spec["input"]["shape"]] if "input" in spec else {"members": {}}
        if (name in supported) == implemented and not shape.get("required") \
                and "{" not in spec["http"]["requestUri"]:
            found.append(name)
    return found


@pytest.mark.parametrize("service", ["ecs", "batch", "logs"])
def test_every_operation_of_the_installed_model_the_fake_lacks_is_unsupported(
        service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Whatever the installed botocore (CI runs this with the pinned one and the newest): an operation its model
    # has answers UnsupportedOperation (501) naming it and fails the test at teardown; raw HTTP with an empty
    # body, for every such operation that needs no member. A service whose every operation is implemented has
    # three withdrawn for the test (the answer of an operation the fake lacks is the same whichever it is).
    import requests

    from pytest_ecsfake.core import registry as _registry
    from pytest_ecsfake.schemas._source import installed_model

    operations = _without_required_members(service, implemented=False)
    if len(operations) < 3:
        operations = _without_required_members(service, implemented=True)[:3]
        for operation in operations:
            monkeypatch.delitem(_registry.MODULES[service], operation)
            monkeypatch.delitem(_registry._HANDLERS, (service, operation))
    assert len(operations) >= 3
    for operation in operations:
        fake = EcsFake()
        with pytest.raises(AssertionError, match=f"does not implement {service}:{operation} yet"), fake:
            if service in ("ecs", "logs"):
                prefix = {"ecs": "AmazonEC2ContainerServiceV20141113", "logs": "Logs_20140328"}[service]
                answer = requests.post(f"https://{service}.us-east-1.amazonaws.com/", data="{}", timeout=5,
                                       headers={"X-Amz-Target": f"{prefix}.{operation}",
                                                "Content-Type": "application/x-amz-json-1.1"})
                code = answer.json()["__type"]
            else:
                http = installed_model("batch")["operations"][operation]["http"]
                answer = requests.request(http["method"], "https://batch.us-east-1.amazonaws.com"
                                          + http["requestUri"].split("?")[0], data="{}", timeout=5)
                code = answer.headers["x-amzn-ErrorType"]
            assert (answer.status_code, code) == (501, "UnsupportedOperation"), operation
