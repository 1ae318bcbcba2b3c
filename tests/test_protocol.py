"""Wire formats and the errors of the protocol layer, through real botocore clients."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from ecs_helpers import unimplemented_operation

from pytest_ecsfake import EcsFake


def raw_responses(client: Any) -> list[dict[str, Any]]:
    """Collect what botocore received on the wire, before parsing."""
    seen: list[dict[str, Any]] = []
    client.meta.events.register("before-parse", lambda response_dict, **_: seen.append(response_dict))
    return seen


def test_ecs_error_on_the_wire_is_json_with_type_and_message() -> None:
    with EcsFake():
        ecs = boto3.client("ecs", region_name="us-east-1")
        wire = raw_responses(ecs)
        with pytest.raises(ecs.exceptions.ClusterNotFoundException, match=r"^.*Cluster not found\.$"):
            ecs.delete_cluster(cluster="nope")
        assert wire[-1]["status_code"] == 400
        assert wire[-1]["headers"]["Content-Type"] == "application/x-amz-json-1.1"
        assert json.loads(wire[-1]["body"]) == {"__type": "ClusterNotFoundException", "message": "Cluster not found."}


def test_batch_error_on_the_wire_uses_the_error_type_header() -> None:
    with EcsFake() as fake:
        batch = boto3.client("batch", region_name="us-east-1")
        wire = raw_responses(batch)
        fake.fail("CancelJob", "ClientException", message="Job not found")
        with pytest.raises(batch.exceptions.ClientException, match="Job not found"):
            batch.cancel_job(jobId="j", reason="r")
        assert wire[-1]["headers"]["x-amzn-ErrorType"] == "ClientException"
        assert json.loads(wire[-1]["body"]) == {"message": "Job not found"}


def test_batch_rest_paths_route_uri_and_query_members() -> None:
    with EcsFake() as fake:
        batch = boto3.client("batch", region_name="us-east-1")
        arn = "arn:aws:batch:us-east-1:123456789012:job-queue/q"
        for op in ("TagResource", "UntagResource", "ListTagsForResource"):
            fake.fail(f"batch:{op}", "ClientException", message=op)
        with pytest.raises(batch.exceptions.ClientException, match="TagResource"):
            batch.tag_resource(resourceArn=arn, tags={"a": "1"})
        with pytest.raises(batch.exceptions.ClientException, match="UntagResource"):
            batch.untag_resource(resourceArn=arn, tagKeys=["a"])
        with pytest.raises(batch.exceptions.ClientException, match="ListTagsForResource"):
            batch.list_tags_for_resource(resourceArn=arn)
        assert [(c.operation, c.request) for c in fake.calls] == [
            ("TagResource", {"resourceArn": arn, "tags": {"a": "1"}}),
            ("UntagResource", {"resourceArn": arn, "tagKeys": ["a"]}),
            ("ListTagsForResource", {"resourceArn": arn}),
        ]


def corrupt(client: Any, **changes: Any) -> None:
    def before_send(request: Any, **_: Any) -> None:
        if "body" in changes:
            request.body = changes["body"]
        if "target" in changes:
            request.headers["X-Amz-Target"] = changes["target"]

    client.meta.events.register("before-send", before_send)


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"body": b"{not json"}, "SerializationException", "not valid JSON"),
        ({"body": b"[1, 2]"}, "SerializationException", "must be a JSON object"),
        ({"target": "AmazonEC2ContainerServiceV20141113.MakeCoffee"}, "UnknownOperationException", "MakeCoffee"),
        ({"target": "SomethingElse.ListClusters"}, "UnknownOperationException", "X-Amz-Target"),
    ],
)
def test_malformed_requests(changes: dict[str, Any], code: str, message: str) -> None:
    with EcsFake() as fake:
        ecs = boto3.client("ecs", region_name="us-east-1")
        corrupt(ecs, **changes)
        with pytest.raises(ClientError) as info:
            ecs.list_clusters()
        assert info.value.response["Error"]["Code"] == code
        assert message in info.value.response["Error"]["Message"]
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert fake.calls[-1].error == code


def unvalidated_ecs() -> Any:
    """A client that sends what it is given, as raw HTTP would: botocore's own checks are off."""
    return boto3.client("ecs", region_name="us-east-1", config=Config(parameter_validation=False))


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda ecs: ecs.delete_cluster(), "at 'cluster' failed to satisfy constraint: Member must not be null"),
        (lambda ecs: ecs.create_cluster(clusterName=5), "at 'clusterName'"),
        (lambda ecs: ecs.describe_clusters(include=["EVERYTHING"]), "include"),
        (lambda ecs: ecs.list_clusters(maxResults=101), "maxResults"),
    ],
    ids=["missing-required", "wrong-type", "bad-enum", "over-max"],
)
def test_raw_requests_breaking_the_schema_get_invalid_parameter(call: Any, fragment: str) -> None:
    with EcsFake():
        ecs = unvalidated_ecs()
        with pytest.raises(ecs.exceptions.InvalidParameterException) as info:
            call(ecs)
        assert fragment in str(info.value)


def test_batch_schema_violations_are_client_exceptions() -> None:
    with EcsFake():
        batch = boto3.client("batch", region_name="us-east-1")
        with pytest.raises(batch.exceptions.ClientException, match="tags"):
            batch.tag_resource(resourceArn="arn:aws:batch:us-east-1:123456789012:job-queue/q",
                               tags={f"k{i}": "v" for i in range(51)})


def test_unsupported_operation_names_itself_and_fails_the_test_at_teardown() -> None:
    fake = EcsFake()
    operation, method = unimplemented_operation()
    with pytest.raises(AssertionError, match=f"does not implement logs:{operation}") as teardown, fake:
        logs = boto3.client("logs", region_name="us-east-1")
        try:
            getattr(logs, method)()
        except ClientError as error:  # code under test that swallows errors cannot hide it
            assert error.response["Error"]["Code"] == "UnsupportedOperation"
            message = error.response["Error"]["Message"]
            assert "Supported logs operations: " in message and "CreateLogGroup, " in message
            assert "#supported-operations" in error.response["Error"]["Message"]
    assert "pytest-ecsfake saw 1 problem" in str(teardown.value)
