"""A described task is encoded once per state of the fake and reused while nothing changed
(ecs/tasks.py ``_describe``, ``Backend.epoch``): every kind of change must show in the next answer."""

from __future__ import annotations

from typing import Any

import pytest
from batch_helpers import ready, submit
from ecs_helpers import describe, fargate_definition, run_fargate

from pytest_ecsfake import EcsFake


@pytest.fixture
def task(ecs: Any) -> dict[str, Any]:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs)
    return run_fargate(ecs)


def test_unchanged_state_answers_the_same(ecs: Any, task: dict[str, Any]) -> None:
    first = describe(ecs, task["taskArn"])
    assert describe(ecs, task["taskArn"]) == first
    assert first == {k: v for k, v in task.items() if k != "tags"}  # RunTask's answer: nothing happened since


def test_tags_written_show_in_the_next_describe(ecs: Any, task: dict[str, Any]) -> None:
    arn = task["taskArn"]
    assert ecs.describe_tasks(cluster="c", tasks=[arn], include=["TAGS"])["tasks"][0]["tags"] == []
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "data"}])
    tagged = ecs.describe_tasks(cluster="c", tasks=[arn], include=["TAGS"])["tasks"][0]
    assert tagged["tags"] == [{"key": "team", "value": "data"}]
    assert "tags" not in describe(ecs, arn)  # without include=TAGS: another answer, not the tagged one
    ecs.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert ecs.describe_tasks(cluster="c", tasks=[arn], include=["TAGS"])["tasks"][0]["tags"] == []


def test_transitions_on_the_clock_show(ecs: Any, ecs_fake: EcsFake, task: dict[str, Any]) -> None:
    arn = task["taskArn"]
    assert describe(ecs, arn)["lastStatus"] == "PROVISIONING"
    ecs_fake.advance(60)
    running = describe(ecs, arn)
    assert running["lastStatus"] == "RUNNING" and running["version"] > task["version"]
    assert "pullStartedAt" in running


def test_the_fakes_own_methods_show(ecs: Any, ecs_fake: EcsFake, task: dict[str, Any]) -> None:
    arn = task["taskArn"]
    ecs_fake.advance(60)
    assert describe(ecs, arn)["desiredStatus"] == "RUNNING"
    ecs_fake.interrupt(arn, stop_code="SpotInterruption")
    stopping = describe(ecs, arn)
    assert (stopping["desiredStatus"], stopping["stopCode"]) == ("STOPPED", "SpotInterruption")


def test_recorded_response_is_what_went_on_the_wire(ecs: Any, ecs_fake: EcsFake, task: dict[str, Any]) -> None:
    answer = ecs.describe_tasks(cluster="c", tasks=[task["taskArn"], "nope"])
    call = ecs_fake.calls_to("DescribeTasks")[-1]
    assert call.response["tasks"][0]["taskArn"] == task["taskArn"]
    assert call.response["tasks"][0]["createdAt"] == answer["tasks"][0]["createdAt"].timestamp()
    assert call.response["failures"] == [{"arn": "arn:aws:ecs:us-east-1:123456789012:task/c/nope",
                                          "reason": "MISSING"}]
    assert call == ecs_fake.calls_to("DescribeTasks")[-1] and "DescribeTasks" in repr(call)


def test_a_change_the_epoch_missed_is_reported_as_a_bug_of_the_fake() -> None:
    # The suite runs with ECSFAKE_VALIDATE_RESPONSES=1: each reused answer is compared with a fresh one.
    import boto3

    with EcsFake() as fake:
        client = boto3.client("ecs", region_name="us-east-1")
        client.create_cluster(clusterName="c")
        fargate_definition(client)
        arn = run_fargate(client)["taskArn"]
        describe(client, arn)
        record = next(iter(fake._backend.regions["us-east-1"].ecs.tasks.values()))  # type: ignore[union-attr]
        record.group = "changed:behind-the-epoch"  # a mutation no operation or event made
        describe(client, arn)
        assert any("changed without Backend.epoch moving" in p for p in fake._backend.problems)
        fake._backend.problems.clear()


def test_a_job_change_the_epoch_missed_is_reported_as_a_bug_of_the_fake() -> None:
    import boto3

    with EcsFake() as fake:
        batch = boto3.client("batch", region_name="us-east-1")
        ready(batch, fake)
        job = submit(batch)
        first = batch.describe_jobs(jobs=[job])["jobs"][0]
        assert batch.describe_jobs(jobs=[job])["jobs"][0] == first  # reused: nothing changed
        fake.advance(60)
        assert batch.describe_jobs(jobs=[job])["jobs"][0]["status"] == "RUNNING"
        record = fake._backend.regions["us-east-1"].batch.jobs[job]
        record.status_reason = "changed behind the epoch"  # a mutation no operation or event made
        batch.describe_jobs(jobs=[job])
        assert any("changed without Backend.epoch moving" in p for p in fake._backend.problems)
        fake._backend.problems.clear()


def test_a_page_of_arns_is_the_json_encoders_text() -> None:
    import json

    from pytest_ecsfake.core.encoded import string_list

    arns = [f"arn:aws:ecs:us-east-1:123456789012:task/c/{i:032x}" for i in range(100)]
    for values in (arns, [], [""], ["a b", "~!"], ['quote"'], ["back\\slash"], ["del\x7f"], ["tab\t"], ["é"]):
        assert string_list(values).text == json.dumps(values, separators=(",", ":"))


# Whole answers of read-only calls (wire/reads.py): the same request at the same epoch and instant.

def test_a_repeated_poll_is_recorded_as_its_own_call(ecs: Any, ecs_fake: EcsFake, task: dict[str, Any]) -> None:
    answers = [ecs.list_tasks(cluster="c") for _ in range(3)]
    assert [a["taskArns"] for a in answers] == [[task["taskArn"]]] * 3
    ids = {a["ResponseMetadata"]["RequestId"] for a in answers}
    assert len(ids) == 3  # each call its own request id
    calls = ecs_fake.calls_to("ListTasks")
    assert len(calls) == 3 and all(c.response == {"taskArns": [task["taskArn"]]} for c in calls)


def test_a_write_between_two_polls_shows(ecs: Any, task: dict[str, Any]) -> None:
    assert ecs.list_tasks(cluster="c")["taskArns"] == [task["taskArn"]]
    second = run_fargate(ecs)
    assert sorted(ecs.list_tasks(cluster="c")["taskArns"]) == sorted([task["taskArn"], second["taskArn"]])


def _changed_behind_the_epoch(fake: EcsFake, client: Any) -> None:
    """A cluster with one task, described once; then a change no operation or event made (its counter)."""
    client.create_cluster(clusterName="c")
    fargate_definition(client)
    run_fargate(client)
    assert _pending(client) == 1
    fake._backend.regions["us-east-1"].ecs.clusters["c"].pending_tasks = 7  # type: ignore[union-attr]


def _pending(client: Any) -> int:
    count: int = client.describe_clusters(clusters=["c"])["clusters"][0]["pendingTasksCount"]
    return count


def test_the_clock_moving_between_two_polls_gives_a_fresh_answer() -> None:
    # An answer may depend on the instant alone: a reuse is only within one instant. Shown with a change made
    # behind the epoch's back: after the clock moved the poll sees it, and no reuse was compared with it.
    import boto3

    with EcsFake() as fake:
        client = boto3.client("ecs", region_name="us-east-1")
        _changed_behind_the_epoch(fake, client)
        epoch = fake._backend.epoch
        fake.advance(0.5)
        assert fake._backend.epoch == epoch  # no event was due: only the clock moved
        assert _pending(client) == 7
        assert fake._backend.problems == []


def test_a_fault_is_injected_into_a_repeated_poll(ecs: Any, ecs_fake: EcsFake, task: dict[str, Any]) -> None:
    from botocore.exceptions import ClientError

    ecs.list_tasks(cluster="c")
    ecs_fake.fail("ListTasks", "ClientException")
    with pytest.raises(ClientError, match="ClientException"):
        ecs.list_tasks(cluster="c")
    assert ecs.list_tasks(cluster="c")["taskArns"] == [task["taskArn"]]


def test_a_refused_poll_is_refused_and_recorded_again(ecs: Any, ecs_fake: EcsFake, task: dict[str, Any]) -> None:
    # Only answers are reused: each refusal of the same request takes the whole path and is recorded.
    from botocore.exceptions import ClientError

    for _ in range(2):
        with pytest.raises(ClientError, match="ClusterNotFoundException"):
            ecs.list_tasks(cluster="nope")
    calls = ecs_fake.calls_to("ListTasks")
    assert [(c.status, c.error) for c in calls] == [(400, "ClusterNotFoundException")] * 2
    assert calls[0].response == calls[1].response and "message" in calls[1].response


def test_a_reused_answer_the_epoch_missed_is_reported_as_a_bug_of_the_fake() -> None:
    import boto3

    with EcsFake() as fake:
        client = boto3.client("ecs", region_name="us-east-1")
        _changed_behind_the_epoch(fake, client)
        _pending(client)
        assert any("DescribeClusters answer changed without Backend.epoch moving" in p for p in fake._backend.problems)
        fake._backend.problems.clear()


def test_a_large_recorded_answer_reads_back_as_it_went_on_the_wire(ecs: Any, ecs_fake: EcsFake) -> None:
    # The records of operations that create things keep a large answer (here 10 tasks, ~12.7 KB) compressed
    # (core/backend.Call): reading fake.calls gives it back whole.
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs)
    answer = ecs.run_task(cluster="c", taskDefinition="job", launchType="FARGATE", count=10,
                          networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-1"]}})
    call = ecs_fake.calls_to("RunTask")[-1]
    assert [t["taskArn"] for t in call.response["tasks"]] == [t["taskArn"] for t in answer["tasks"]]
    assert call.response["tasks"][3]["createdAt"] == answer["tasks"][3]["createdAt"].timestamp()
    assert call.response["failures"] == []
