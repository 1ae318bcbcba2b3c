"""CloudWatch Logs through real boto3 clients: groups, streams, PutLogEvents and their errors."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config

from pytest_ecsfake import EcsFake

START_MS = 1735689600000  # the fake's default start, 2025-01-01T00:00:00Z, in epoch milliseconds


def put(logs: Any, group: str, stream: str, *messages: str, at: int = START_MS) -> dict[str, Any]:
    events = [{"timestamp": at + i, "message": m} for i, m in enumerate(messages)]
    answer: dict[str, Any] = logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
    return answer


def test_a_log_group_is_created_described_and_deleted(logs: Any, ecs_fake: EcsFake) -> None:
    logs.create_log_group(logGroupName="/app/web")
    [group] = logs.describe_log_groups()["logGroups"]
    assert group == {
        "logGroupName": "/app/web", "creationTime": START_MS, "metricFilterCount": 0,
        "arn": "arn:aws:logs:us-east-1:123456789012:log-group:/app/web:*", "storedBytes": 0,
        "logGroupClass": "STANDARD", "logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:/app/web",
    }
    logs.delete_log_group(logGroupName="/app/web")
    assert logs.describe_log_groups()["logGroups"] == []


def test_log_group_errors_are_aws_own(logs: Any) -> None:
    logs.create_log_group(logGroupName="g")
    with pytest.raises(logs.exceptions.ResourceAlreadyExistsException, match="The specified log group already exists."):
        logs.create_log_group(logGroupName="g")
    with pytest.raises(logs.exceptions.ResourceNotFoundException, match="The specified log group does not exist."):
        logs.delete_log_group(logGroupName="nope")
    with pytest.raises(logs.exceptions.InvalidParameterException, match="logGroupName"):
        logs.create_log_group(logGroupName="bad name")  # the model's pattern: no spaces


def test_describe_log_groups_filters_by_prefix_and_pattern_and_pages(logs: Any) -> None:
    for name in ("b/one", "a/two", "a/three", "c/DataLogs"):
        logs.create_log_group(logGroupName=name)
    page = logs.describe_log_groups(logGroupNamePrefix="a/")
    assert [g["logGroupName"] for g in page["logGroups"]] == ["a/three", "a/two"] and "nextToken" not in page
    by_pattern = logs.describe_log_groups(logGroupNamePattern="Data")["logGroups"]
    assert by_pattern == [{"arn": "arn:aws:logs:us-east-1:123456789012:log-group:c/DataLogs:*",
                           "creationTime": START_MS, "logGroupName": "c/DataLogs"}]
    first = logs.describe_log_groups(limit=3)
    second = logs.describe_log_groups(limit=3, nextToken=first["nextToken"])
    assert [g["logGroupName"] for g in first["logGroups"] + second["logGroups"]] == [
        "a/three", "a/two", "b/one", "c/DataLogs"]
    assert "nextToken" not in second
    paged = logs.get_paginator("describe_log_groups").paginate(PaginationConfig={"PageSize": 1})
    assert len([g for p in paged for g in p["logGroups"]]) == 4
    with pytest.raises(logs.exceptions.InvalidParameterException, match="mutually exclusive"):
        logs.describe_log_groups(logGroupNamePrefix="a", logGroupNamePattern="b")


def test_log_streams_are_created_and_their_errors_are_aws_own(logs: Any) -> None:
    with pytest.raises(logs.exceptions.ResourceNotFoundException, match="The specified log group does not exist."):
        logs.create_log_stream(logGroupName="g", logStreamName="s")
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    with pytest.raises(logs.exceptions.ResourceAlreadyExistsException,
                       match="The specified log stream already exists."):
        logs.create_log_stream(logGroupName="g", logStreamName="s")
    with pytest.raises(logs.exceptions.ResourceNotFoundException, match="The specified log stream does not exist."):
        logs.delete_log_stream(logGroupName="g", logStreamName="other")
    logs.delete_log_stream(logGroupName="g", logStreamName="s")
    assert logs.describe_log_streams(logGroupName="g")["logStreams"] == []


def test_describe_log_streams_shows_event_times_orders_and_pages(logs: Any, ecs_fake: EcsFake) -> None:
    logs.create_log_group(logGroupName="g")
    for name in ("web/1", "web/2", "worker/1"):
        logs.create_log_stream(logGroupName="g", logStreamName=name)
    [empty] = logs.describe_log_streams(logGroupName="g", logStreamNamePrefix="worker/")["logStreams"]
    assert empty == {"logStreamName": "worker/1", "creationTime": START_MS, "storedBytes": 0,
                     "arn": "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:worker/1"}
    ecs_fake.advance(5)
    put(logs, "g", "web/2", "a", "b", at=START_MS + 1000)
    put(logs, "g", "web/1", "c", at=START_MS + 3000)
    described = {s["logStreamName"]: s for s in logs.describe_log_streams(logGroupName="g")["logStreams"]}
    assert (described["web/2"]["firstEventTimestamp"], described["web/2"]["lastEventTimestamp"],
            described["web/2"]["lastIngestionTime"]) == (START_MS + 1000, START_MS + 1001, START_MS + 5000)
    by_time = logs.describe_log_streams(logGroupName="g", orderBy="LastEventTime", descending=True)
    assert [s["logStreamName"] for s in by_time["logStreams"]] == ["web/1", "web/2", "worker/1"]
    first = logs.describe_log_streams(logGroupName="g", limit=2)
    rest = logs.describe_log_streams(logGroupName="g", limit=2, nextToken=first["nextToken"])
    assert [s["logStreamName"] for s in first["logStreams"] + rest["logStreams"]] == ["web/1", "web/2", "worker/1"]
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.describe_log_streams(logGroupName="g", orderBy="LastEventTime", logStreamNamePrefix="web")
    with pytest.raises(logs.exceptions.ResourceNotFoundException, match="The specified log group does not exist."):
        logs.describe_log_streams(logGroupName="nope")


def test_put_log_events_answers_a_sequence_token_and_checks_the_batch(logs: Any) -> None:
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    answer = put(logs, "g", "s", "one", "two")
    assert set(answer) - {"ResponseMetadata"} == {"nextSequenceToken"}
    with pytest.raises(logs.exceptions.InvalidParameterException,
                       match="Log events in a single PutLogEvents request must be in chronological order."):
        logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[
            {"timestamp": START_MS + 5, "message": "late"}, {"timestamp": START_MS, "message": "early"}])
    with pytest.raises(logs.exceptions.InvalidParameterException,
                       match="cannot span more than 24 hours"):
        logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[
            {"timestamp": START_MS - 25 * 3600 * 1000, "message": "a"}, {"timestamp": START_MS, "message": "b"}])
    with pytest.raises(logs.exceptions.ResourceNotFoundException, match="The specified log stream does not exist."):
        put(logs, "g", "other", "x")
    # Older than 14 days, and more than 2 hours ahead: rejected, the rest kept.
    answer = logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[
        {"timestamp": START_MS - 15 * 86400 * 1000, "message": "ancient"},
        {"timestamp": START_MS + 10, "message": "kept"},
        {"timestamp": START_MS + 3 * 3600 * 1000, "message": "future"}])
    assert answer["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1, "tooNewLogEventStartIndex": 2}
    got = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True)["events"]
    assert [e["message"] for e in got] == ["one", "two", "kept"]


def test_log_groups_are_per_region(ecs_fake: EcsFake) -> None:
    east = boto3.client("logs", region_name="us-east-1")
    west = boto3.client("logs", region_name="eu-west-1")
    east.create_log_group(logGroupName="g")
    assert west.describe_log_groups()["logGroups"] == []
    west.create_log_group(logGroupName="g")
    assert west.describe_log_groups()["logGroups"][0]["arn"].startswith("arn:aws:logs:eu-west-1:")


def test_the_log_group_may_be_named_by_identifier(logs: Any) -> None:
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    put(logs, "g", "s", "hello")
    arn = logs.describe_log_groups()["logGroups"][0]["logGroupArn"]
    for identifier in ("g", arn):  # the model's pattern refuses the ":*" form
        events = logs.get_log_events(logGroupIdentifier=identifier, logStreamName="s")["events"]
        assert [e["message"] for e in events] == ["hello"], identifier
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.get_log_events(logStreamName="s")


def test_a_fault_can_be_injected_into_a_logs_operation(ecs_fake: EcsFake) -> None:
    ecs_fake.fail("logs:DescribeLogGroups", "ServiceUnavailableException")
    logs = boto3.client("logs", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}))
    with pytest.raises(logs.exceptions.ServiceUnavailableException, match="injected"):
        logs.describe_log_groups()
    assert logs.describe_log_groups()["logGroups"] == []
