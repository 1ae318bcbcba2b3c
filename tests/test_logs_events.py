"""GetLogEvents and FilterLogEvents through real boto3: AWS's token semantics, time ranges, filter terms."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from pytest_ecsfake import EcsFake

START_MS = 1735689600000


@pytest.fixture
def stream(logs: Any) -> Any:
    """Group ``g``, stream ``s`` with events m0..m9 at START_MS + 0..9 ms."""
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    logs.put_log_events(logGroupName="g", logStreamName="s",
                        logEvents=[{"timestamp": START_MS + i, "message": f"m{i}"} for i in range(10)])
    return logs


def messages(answer: dict[str, Any]) -> list[str]:
    return [event["message"] for event in answer["events"]]


def test_reading_from_the_head_pages_forward_until_the_token_repeats(stream: Any) -> None:
    # How Airflow's and watchtower-style readers page: stop when nextForwardToken comes back unchanged.
    seen: list[str] = []
    token = None
    calls = 0
    while True:
        extra = {"nextToken": token} if token else {}
        answer = stream.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True, limit=4, **extra)
        calls += 1
        seen += messages(answer)
        if answer["nextForwardToken"] == token:
            break
        token = answer["nextForwardToken"]
    assert seen == [f"m{i}" for i in range(10)]
    assert calls == 4  # 4 + 4 + 2 events, then an empty page with the same token


def test_the_same_forward_token_reads_events_written_later(stream: Any) -> None:
    end = stream.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True)
    again = stream.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True,
                                  nextToken=end["nextForwardToken"])
    assert again["events"] == [] and again["nextForwardToken"] == end["nextForwardToken"]
    stream.put_log_events(logGroupName="g", logStreamName="s", logEvents=[{"timestamp": START_MS + 20,
                                                                           "message": "new"}])
    later = stream.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True,
                                  nextToken=end["nextForwardToken"])
    assert messages(later) == ["new"] and later["nextForwardToken"] != end["nextForwardToken"]


def test_without_start_from_head_the_newest_events_come_first_and_the_backward_token_pages_back(
        stream: Any) -> None:
    tail = stream.get_log_events(logGroupName="g", logStreamName="s", limit=3)
    assert messages(tail) == ["m7", "m8", "m9"]  # the latest page, in time order
    back = stream.get_log_events(logGroupName="g", logStreamName="s", limit=3, nextToken=tail["nextBackwardToken"])
    assert messages(back) == ["m4", "m5", "m6"]
    first = stream.get_log_events(logGroupName="g", logStreamName="s", limit=5, nextToken=back["nextBackwardToken"])
    assert messages(first) == ["m0", "m1", "m2", "m3"]
    done = stream.get_log_events(logGroupName="g", logStreamName="s", nextToken=first["nextBackwardToken"])
    assert done["events"] == [] and done["nextBackwardToken"] == first["nextBackwardToken"]


def test_an_empty_stream_answers_tokens_and_no_events(logs: Any) -> None:
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    answer = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True)
    assert answer["events"] == [] and answer["nextForwardToken"] and answer["nextBackwardToken"]
    again = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True,
                                nextToken=answer["nextForwardToken"])
    assert again["nextForwardToken"] == answer["nextForwardToken"]


def test_event_fields_and_the_time_range(stream: Any, ecs_fake: EcsFake) -> None:
    answer = stream.get_log_events(logGroupName="g", logStreamName="s", startTime=START_MS + 2,
                                   endTime=START_MS + 5, startFromHead=True)
    assert messages(answer) == ["m2", "m3", "m4"]  # endTime excluded [M:GetLogEventsRequest.endTime]
    assert answer["events"][0] == {"timestamp": START_MS + 2, "message": "m2", "ingestionTime": START_MS}


def test_get_log_events_errors(stream: Any) -> None:
    with pytest.raises(stream.exceptions.ResourceNotFoundException, match="The specified log stream does not exist."):
        stream.get_log_events(logGroupName="g", logStreamName="nope")
    with pytest.raises(stream.exceptions.ResourceNotFoundException, match="The specified log group does not exist."):
        stream.get_log_events(logGroupName="nope", logStreamName="s")
    with pytest.raises(stream.exceptions.InvalidParameterException, match="nextToken"):
        stream.get_log_events(logGroupName="g", logStreamName="s", nextToken="f/garbage/s")


@pytest.fixture
def two_streams(logs: Any) -> Any:
    logs.create_log_group(logGroupName="g")
    for name in ("web/a", "web/b", "db/c"):
        logs.create_log_stream(logGroupName="g", logStreamName=name)
    lines = {"web/a": ["GET /health 200", "ERROR timeout talking to db"],
             "web/b": ["GET /login 500", "ERROR bad password for alice"],
             "db/c": ["checkpoint complete", "WARN slow query"]}
    for offset, (name, texts) in enumerate(lines.items()):
        logs.put_log_events(logGroupName="g", logStreamName=name, logEvents=[
            {"timestamp": START_MS + 10 * i + offset, "message": text} for i, text in enumerate(texts)])
    return logs


def test_filter_log_events_interleaves_every_stream_by_time(two_streams: Any) -> None:
    answer = two_streams.filter_log_events(logGroupName="g")
    assert messages(answer) == ["GET /health 200", "GET /login 500", "checkpoint complete",
                                "ERROR timeout talking to db", "ERROR bad password for alice", "WARN slow query"]
    assert answer["searchedLogStreams"] == [] and "nextToken" not in answer
    first = answer["events"][0]
    assert set(first) == {"logStreamName", "timestamp", "message", "ingestionTime", "eventId"}
    assert first["logStreamName"] == "web/a"


@pytest.mark.parametrize(("pattern", "expected"), [
    ("ERROR", ["ERROR timeout talking to db", "ERROR bad password for alice"]),
    ("ERROR db", ["ERROR timeout talking to db"]),  # every term
    ('"bad password"', ["ERROR bad password for alice"]),  # a quoted phrase
    ('"password bad"', []),
    ("?WARN ?500", ["GET /login 500", "WARN slow query"]),  # any of the ?terms
    ("ERROR -alice", ["ERROR timeout talking to db"]),  # without the -term
    ("error", []),  # case-sensitive
    ("", None),  # every event
])
def test_filter_patterns_of_terms(two_streams: Any, pattern: str, expected: list[str] | None) -> None:
    got = messages(two_streams.filter_log_events(logGroupName="g", filterPattern=pattern))
    assert got == expected if expected is not None else len(got) == 6


def test_filter_by_stream_names_prefix_and_time(two_streams: Any) -> None:
    assert messages(two_streams.filter_log_events(logGroupName="g", logStreamNames=["db/c"])) == [
        "checkpoint complete", "WARN slow query"]
    assert len(two_streams.filter_log_events(logGroupName="g", logStreamNamePrefix="web/")["events"]) == 4
    # endTime included here, unlike GetLogEvents' [M:FilterLogEventsRequest.endTime]
    timed = two_streams.filter_log_events(logGroupName="g", startTime=START_MS + 1, endTime=START_MS + 10)
    assert messages(timed) == ["GET /login 500", "checkpoint complete", "ERROR timeout talking to db"]
    with pytest.raises(two_streams.exceptions.InvalidParameterException):
        two_streams.filter_log_events(logGroupName="g", logStreamNames=["db/c"], logStreamNamePrefix="web/")


def test_filter_log_events_pages_with_next_token_until_it_is_absent(two_streams: Any) -> None:
    seen: list[str] = []
    pages = 0
    kwargs: dict[str, Any] = {}
    while True:
        answer = two_streams.filter_log_events(logGroupName="g", limit=4, **kwargs)
        pages += 1
        seen += messages(answer)
        if "nextToken" not in answer:
            break
        kwargs = {"nextToken": answer["nextToken"]}
    assert pages == 2 and len(seen) == 6 and len(set(seen)) == 6
    paged = two_streams.get_paginator("filter_log_events").paginate(logGroupName="g",
                                                                     PaginationConfig={"PageSize": 1})
    assert len([e for page in paged for e in page["events"]]) == 6


def test_a_json_filter_pattern_is_not_faked_and_fails_the_test() -> None:
    fake = EcsFake()
    with pytest.raises(AssertionError, match="filter patterns other than terms"), fake:
        logs = boto3.client("logs", region_name="us-east-1")
        logs.create_log_group(logGroupName="g")
        with pytest.raises(logs.exceptions.ClientError, match="UnsupportedOperation"):
            logs.filter_log_events(logGroupName="g", filterPattern='{ $.level = "error" }')


def test_a_page_holds_at_most_one_megabyte(logs: Any) -> None:
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    big = "x" * 400_000
    for i in range(3):
        logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[{"timestamp": START_MS + i,
                                                                             "message": big + str(i)}])
    first = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True)
    assert [e["message"][-1] for e in first["events"]] == ["0", "1"]
    rest = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True,
                               nextToken=first["nextForwardToken"])
    assert [e["message"][-1] for e in rest["events"]] == ["2"]
