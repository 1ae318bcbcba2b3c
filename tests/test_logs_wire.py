"""CloudWatch Logs on the wire: AWS JSON 1.1 with the Logs_20140328 target, every way in."""

from __future__ import annotations

import boto3
import pytest
import requests

from pytest_ecsfake import EcsFake

TARGET = "Logs_20140328."


def _post(url: str, operation: str, body: str) -> requests.Response:
    return requests.post(url, data=body, timeout=5, headers={
        "X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.1"})


def test_raw_http_to_a_regional_logs_endpoint_reaches_that_region(ecs_fake: EcsFake) -> None:
    answer = _post("https://logs.eu-west-1.amazonaws.com/", "CreateLogGroup", '{"logGroupName": "g"}')
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/x-amz-json-1.1"
    west = boto3.client("logs", region_name="eu-west-1")
    assert [g["logGroupName"] for g in west.describe_log_groups()["logGroups"]] == ["g"]
    assert boto3.client("logs", region_name="us-east-1").describe_log_groups()["logGroups"] == []


def test_errors_carry_the_type_and_message_in_the_body(ecs_fake: EcsFake) -> None:
    answer = _post("https://logs.us-east-1.amazonaws.com/", "DeleteLogGroup", '{"logGroupName": "missing"}')
    assert (answer.status_code, answer.json()) == (400, {"__type": "ResourceNotFoundException",
                                                         "message": "The specified log group does not exist."})
    unknown = _post("https://logs.us-east-1.amazonaws.com/", "NoSuchThing", "{}")
    assert (unknown.status_code, unknown.json()["__type"]) == (400, "UnknownOperationException")


def test_the_http_server_serves_logs_next_to_ecs(ecs_fake: EcsFake) -> None:
    with ecs_fake.serve() as url:
        answer = _post(url + "/", "CreateLogGroup", '{"logGroupName": "served"}')  # no signature: the target says
        assert answer.status_code == 200
        logs = boto3.client("logs", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                            aws_secret_access_key="testing")
        assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["served"]
        assert boto3.client("ecs", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                            aws_secret_access_key="testing").list_clusters()["clusterArns"] == []


@pytest.mark.parametrize("order", ["moto first", "fake first"])
def test_while_moto_is_active_a_log_group_the_fake_does_not_hold_is_moto_s(order: str) -> None:
    import moto  # the test extra has it
    mock, fake = moto.mock_aws(), EcsFake()
    first, second = (mock, fake) if order == "moto first" else (fake, mock)
    with first, second:
        logs = boto3.client("logs", region_name="us-east-1")
        logs.create_log_group(logGroupName="via-botocore")
        raw = _post("https://logs.us-east-1.amazonaws.com/", "DescribeLogGroups", "{}")
        assert [g["logGroupName"] for g in raw.json()["logGroups"]] == ["via-botocore"]
        assert [c for c in fake.calls if c.service == "logs"] == []


@pytest.mark.asyncio
async def test_an_async_logs_client_is_served(ecs_fake: EcsFake) -> None:
    import aiobotocore.session as session  # the test extra has it
    async with session.get_session().create_client("logs", region_name="us-east-1") as logs:
        await logs.create_log_group(logGroupName="g")
        await logs.create_log_stream(logGroupName="g", logStreamName="s")
        with pytest.raises(logs.exceptions.ResourceAlreadyExistsException):
            await logs.create_log_stream(logGroupName="g", logStreamName="s")
        answer = await logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True)
        assert answer["events"] == [] and answer["nextForwardToken"].startswith("f/")
    assert [c.operation for c in ecs_fake.calls] == ["CreateLogGroup", "CreateLogStream", "CreateLogStream",
                                                     "GetLogEvents"]
