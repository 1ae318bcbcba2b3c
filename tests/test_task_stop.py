"""Stopping: StopTask's answer, SIGTERM then SIGKILL, exit codes, behaviours, every stop code."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from ecs_helpers import describe, fargate_definition, run_fargate

from pytest_ecsfake import EcsFake

RUNNING_AFTER = 20  # seconds: a default Fargate task is RUNNING by then


@pytest.fixture
def ecs_c(ecs: Any) -> Any:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs)
    return ecs


def running_task(ecs: Any, fake: EcsFake, **run: Any) -> str:
    arn: str = run_fargate(ecs, **run)["taskArn"]
    fake.advance(RUNNING_AFTER)
    assert describe(ecs, arn)["lastStatus"] == "RUNNING"
    return arn


def stop_and_settle(ecs: Any, fake: EcsFake, arn: str, seconds: float = 120) -> dict[str, Any]:
    ecs.stop_task(cluster="c", task=arn)
    fake.advance(seconds)
    return describe(ecs, arn)


def test_stop_task_answers_at_once_as_aws_does(ecs_c: Any, ecs_fake: EcsFake) -> None:
    arn = running_task(ecs_c, ecs_fake)
    answer = ecs_c.stop_task(cluster="c", task=arn)["task"]
    assert answer["desiredStatus"] == "STOPPED"
    assert answer["lastStatus"] == "RUNNING"
    assert answer["stopCode"] == "UserInitiated"
    assert answer["stoppedReason"] == "Task stopped by user"
    assert answer["stoppingAt"] == ecs_fake.now
    assert "stoppedAt" not in answer and "exitCode" not in answer["containers"][0]


def test_stop_reason_and_idempotence(ecs_c: Any, ecs_fake: EcsFake) -> None:
    arn = running_task(ecs_c, ecs_fake)
    ecs_c.stop_task(cluster="c", task=arn, reason="deploy rollback")
    ecs_fake.advance(60)
    again = ecs_c.stop_task(cluster="c", task=arn, reason="second try")["task"]
    assert again["lastStatus"] == "STOPPED"
    assert (again["stopCode"], again["stoppedReason"]) == ("UserInitiated", "deploy rollback")


def test_stop_task_deletes_the_tasks_tags(ecs_c: Any, ecs_fake: EcsFake) -> None:
    arn = running_task(ecs_c, ecs_fake, tags=[{"key": "team", "value": "data"}])
    assert ecs_c.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "data"}]
    ecs_c.stop_task(cluster="c", task=arn)
    described = ecs_c.describe_tasks(cluster="c", tasks=[arn], include=["TAGS"])["tasks"][0]
    assert described["tags"] == []


@pytest.mark.parametrize("ref", ["0123456789abcdef0123456789abcdef", "arn:aws:ecs:us-east-1:123456789012:task/c/abc"])
def test_stop_unknown_task(ecs_c: Any, ref: str) -> None:
    with pytest.raises(ecs_c.exceptions.InvalidParameterException, match=r"^.*The referenced task was not found\.$"):
        ecs_c.stop_task(cluster="c", task=ref)


def test_stop_task_of_another_cluster_is_not_found(ecs_c: Any, ecs_fake: EcsFake) -> None:
    ecs_c.create_cluster(clusterName="other")
    arn = running_task(ecs_c, ecs_fake)
    with pytest.raises(ecs_c.exceptions.InvalidParameterException, match="not found"):
        ecs_c.stop_task(cluster="other", task=arn)


@pytest.mark.parametrize(
    ("behavior", "stop_timeout", "exit_code", "exits_after"),
    [
        ({}, None, 143, 0),                                  # default: dies of SIGTERM at once (128 + 15)
        ({"stop_takes": 12}, None, 143, 12),                 # takes 12 s to die of it
        ({"stop_takes": 12, "sigterm_exit_code": 0}, None, 0, 12),  # handles SIGTERM: a clean exit in 12 s
        ({"ignores_sigterm": True}, None, 137, 30),          # SIGKILL at the fake's stop_timeout (30)
        ({"stop_takes": 45}, None, 137, 30),                 # too slow: killed at the timeout
        ({"ignores_sigterm": True}, 10, 137, 10),            # the container's own stopTimeout wins
        ({"stop_takes": 9, "sigterm_exit_code": 0}, 10, 0, 9),
    ],
)
def test_sigterm_then_sigkill(ecs: Any, ecs_fake: EcsFake, behavior: dict[str, Any], stop_timeout: int | None,
                              exit_code: int, exits_after: int) -> None:
    ecs.create_cluster(clusterName="c")
    container: dict[str, Any] = {"name": "app", "image": "svc:1"}
    if stop_timeout is not None:
        container["stopTimeout"] = stop_timeout
    fargate_definition(ecs, containerDefinitions=[container])
    ecs_fake.behavior("svc:1", **behavior)
    arn = running_task(ecs, ecs_fake)
    task = stop_and_settle(ecs, ecs_fake, arn)
    assert task["containers"][0]["exitCode"] == exit_code
    # SIGTERM goes out when the task reaches STOPPING, 2 s (deactivating) after the stop request.
    assert (task["executionStoppedAt"] - task["stoppingAt"]).total_seconds() == 2 + exits_after


def test_fake_stop_timeout_option(ecs: Any) -> None:
    import boto3

    with EcsFake(stop_timeout=5) as fake:
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName="c")
        fargate_definition(ecs)
        fake.behavior("worker:1", ignores_sigterm=True)
        arn = running_task(ecs, fake)
        task = stop_and_settle(ecs, fake, arn)
        assert task["containers"][0]["exitCode"] == 137
        assert (task["executionStoppedAt"] - task["stoppingAt"]).total_seconds() == 2 + 5


def test_essential_container_exit_stops_the_task(ecs_c: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("worker:1", runs_for=40, exit_code=3)
    arn = running_task(ecs_c, ecs_fake)
    ecs_fake.advance(100)
    task = describe(ecs_c, arn)
    assert task["lastStatus"] == "STOPPED"
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["stoppedReason"] == "Essential container in task exited"
    assert task["containers"][0]["exitCode"] == 3
    assert (task["stoppingAt"] - task["startedAt"]).total_seconds() == 40


def test_non_essential_exit_leaves_the_task_running_and_gets_sigterm_later(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs, containerDefinitions=[
        {"name": "app", "image": "app:1", "essential": True},
        {"name": "init", "image": "init:1", "essential": False},
        {"name": "sidecar", "image": "envoy:1", "essential": False},
    ])
    ecs_fake.behavior("init:1", runs_for=5, exit_code=0)
    ecs_fake.behavior("app:1", runs_for=60, exit_code=0)
    ecs_fake.behavior("sidecar", stop_takes=4, sigterm_exit_code=0)  # matched by container name (image envoy:1)
    arn = running_task(ecs, ecs_fake)
    ecs_fake.advance(10)
    task = describe(ecs, arn)
    assert task["lastStatus"] == "RUNNING"
    assert {c["name"]: (c["lastStatus"], c.get("exitCode")) for c in task["containers"]} == {
        "app": ("RUNNING", None), "init": ("STOPPED", 0), "sidecar": ("RUNNING", None)
    }
    ecs_fake.advance(120)
    task = describe(ecs, arn)
    assert task["stopCode"] == "EssentialContainerExited"
    sidecar = next(c for c in task["containers"] if c["name"] == "sidecar")
    assert sidecar["exitCode"] == 0
    # Execution stopped with the last essential container (app, whose exit started the stop); the sidecar's
    # SIGTERM came 2 s later (deactivating) and took 4 s, then cleanup (1 s) and ENI deprovisioning (5 s).
    assert task["executionStoppedAt"] == task["stoppingAt"]
    assert (task["stoppedAt"] - task["stoppingAt"]).total_seconds() == 2 + 4 + 1 + 5


def test_pull_error_fails_the_start(ecs_c: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("worker:1", pull_error="pull access denied for worker, repository does not exist")
    arn = run_fargate(ecs_c)["taskArn"]
    ecs_fake.advance(60)
    task = describe(ecs_c, arn)
    assert task["lastStatus"] == "STOPPED"
    assert task["stopCode"] == "TaskFailedToStart"
    reason = "CannotPullContainerError: pull access denied for worker, repository does not exist"
    assert task["stoppedReason"] == reason
    assert task["containers"][0]["reason"] == reason
    assert "exitCode" not in task["containers"][0] and "startedAt" not in task


@pytest.mark.parametrize(
    ("stop_code", "reason", "expected_reason"),
    [
        ("SpotInterruption", None, "Your Spot Task was interrupted."),
        ("TerminationNotice", None, "Your Spot Task was interrupted."),
        ("ServiceSchedulerInitiated", "Scaling activity initiated by (deployment ecs-svc/1)",
         "Scaling activity initiated by (deployment ecs-svc/1)"),
    ],
)
def test_interrupt(ecs_c: Any, ecs_fake: EcsFake, stop_code: str, reason: str | None, expected_reason: str) -> None:
    ecs_fake.behavior("worker:1", ignores_sigterm=True)
    arn = running_task(ecs_c, ecs_fake)
    ecs_fake.interrupt(arn.rsplit("/", 1)[1], stop_code=stop_code, reason=reason)
    ecs_fake.advance(120)
    task = describe(ecs_c, arn)
    assert (task["stopCode"], task["stoppedReason"]) == (stop_code, expected_reason)
    assert task["containers"][0]["exitCode"] == 137


def test_interrupt_rejects_bad_arguments(ecs_c: Any, ecs_fake: EcsFake) -> None:
    arn = running_task(ecs_c, ecs_fake)
    with pytest.raises(ValueError, match="expected one of SpotInterruption"):
        ecs_fake.interrupt(arn, stop_code="UserInitiated")
    with pytest.raises(LookupError, match="no such task"):
        ecs_fake.interrupt("arn:aws:ecs:us-east-1:123456789012:task/c/feed")


def test_all_six_stop_codes_can_be_produced(ecs_c: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("exits:1", runs_for=1, exit_code=1)
    ecs_fake.behavior("bad:1", pull_error="not found")
    for family, image in (("exits", "exits:1"), ("bad", "bad:1")):
        fargate_definition(ecs_c, family=family, image=image)
    arns = {
        "EssentialContainerExited": run_fargate(ecs_c, family="exits")["taskArn"],
        "TaskFailedToStart": run_fargate(ecs_c, family="bad")["taskArn"],
    }
    botocore_codes = set(ecs_c.meta.service_model.shape_for("TaskStopCode").enum)
    # Every other code the installed botocore knows is an infrastructure stop (botocore 1.44 added
    # InfrastructureHealth; CI runs this against the pinned and the newest botocore).
    interruptions = sorted(botocore_codes - {"TaskFailedToStart", "EssentialContainerExited", "UserInitiated"})
    for code in ("UserInitiated", *interruptions):
        arns[code] = run_fargate(ecs_c)["taskArn"]
    ecs_fake.advance(RUNNING_AFTER)
    ecs_c.stop_task(cluster="c", task=arns["UserInitiated"])
    for code in interruptions:
        ecs_fake.interrupt(arns[code], stop_code=code)
    ecs_fake.advance(120)
    tasks = ecs_c.describe_tasks(cluster="c", tasks=list(arns.values()))["tasks"]
    assert {t["taskArn"]: t["stopCode"] for t in tasks} == {arn: code for code, arn in arns.items()}
    assert all(t["lastStatus"] == "STOPPED" for t in tasks)
    assert set(arns) == botocore_codes


def test_a_stop_code_the_installed_botocore_does_not_know_is_refused(ecs_c: Any, ecs_fake: Any) -> None:
    arn = run_fargate(ecs_c)["taskArn"]
    with pytest.raises(ValueError, match=r"stop_code='Meteorite'\): expected one of SpotInterruption, "):
        ecs_fake.interrupt(arn, stop_code="Meteorite")
    known = "InfrastructureHealth" in ecs_c.meta.service_model.shape_for("TaskStopCode").enum
    if known:  # botocore >= 1.44
        ecs_fake.interrupt(arn, stop_code="InfrastructureHealth")
        assert ecs_c.describe_tasks(cluster="c", tasks=[arn])["tasks"][0]["stoppedReason"] == (
            "Task stopped due to an infrastructure health issue.")
    else:  # an answer botocore could not parse into its enum is never produced
        with pytest.raises(ValueError, match=r"that botocore \d+\.\d+\.\d+ knows"):
            ecs_fake.interrupt(arn, stop_code="InfrastructureHealth")


@pytest.mark.parametrize("value", [-1, 256, True, "0"])
def test_sigterm_exit_code_is_an_exit_status(ecs_fake: EcsFake, value: Any) -> None:
    with pytest.raises(TypeError, match=r"behavior\(sigterm_exit_code=...\) takes an int from 0 to 255"):
        ecs_fake.behavior("svc:1", sigterm_exit_code=value)


def test_execution_stopped_at_shows_the_instant_the_last_essential_container_stops(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs, containerDefinitions=[{"name": "app", "image": "app:1"}])
    ecs_fake.behavior("app:1", runs_for=60, exit_code=4)
    arn = running_task(ecs, ecs_fake)
    started = describe(ecs, arn)["startedAt"]
    ecs_fake.advance((started + timedelta(seconds=60) - ecs_fake.now).total_seconds())
    task = describe(ecs, arn)
    assert (task["lastStatus"], task["containers"][0]["lastStatus"]) == ("DEACTIVATING", "STOPPED")  # not STOPPING
    assert task["executionStoppedAt"] == started + timedelta(seconds=60)  # shown at once, not when STOPPING


@pytest.mark.parametrize(("keyword", "value"), [
    ("stop_takes", float("nan")), ("stop_takes", float("inf")), ("stop_takes", -1),
    ("runs_for", float("nan")), ("runs_for", float("inf")), ("runs_for", -0.5),
])
def test_durations_must_be_finite_and_not_negative(ecs_fake: EcsFake, keyword: str, value: float) -> None:
    with pytest.raises(ValueError, match=rf"behavior\({keyword}=...\) takes seconds >= 0.* \(a finite number\)"):
        ecs_fake.behavior("svc:1", **{keyword: value})
    with pytest.raises(TypeError, match=rf"behavior\({keyword}=...\) takes seconds"):
        ecs_fake.behavior("svc:1", **{keyword: "10"})
