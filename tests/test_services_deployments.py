"""Deployments: rolling updates within minimumHealthyPercent/maximumPercent stepped with fake.advance(),
forceNewDeployment, the events ECS writes, crash loops and the deployment circuit breaker."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from botocore.exceptions import WaiterError
from ecs_helpers import fargate_definition
from service_helpers import (
    HEALTHY_AFTER,
    STARTED_AFTER,
    counts,
    deployments,
    messages,
    new_revision,
    service,
    service_tasks,
    web_service,
)

from pytest_ecsfake import EcsFake

BREAKER = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}


@pytest.fixture
def ecs_c(ecs: Any) -> Any:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs, family="web", image="web:1")
    return ecs


def stable_web(ecs: Any, fake: EcsFake, desired: int = 2, **extra: Any) -> dict[str, Any]:
    """A service whose tasks have been RUNNING (and healthy) for a while: the usual start of a deployment."""
    web_service(ecs, desired=desired, **extra)
    ecs.get_waiter("services_stable").wait(cluster="c", services=["web"])
    fake.advance(2 * HEALTHY_AFTER)
    return service(ecs)


def test_rolling_deployment_step_by_step(ecs_c: Any, ecs_fake: EcsFake) -> None:
    old_id = stable_web(ecs_c, ecs_fake)["deployments"][0]["id"]
    old_tasks = {t["taskArn"] for t in service_tasks(ecs_c)}
    new_revision(ecs_c, "web:2")
    updated = ecs_c.update_service(cluster="c", service="web", taskDefinition="web")["service"]
    new_id = updated["deployments"][0]["id"]
    assert updated["taskDefinition"].endswith("/web:2") and new_id != old_id
    assert [(d["id"], d["status"]) for d in updated["deployments"]] == [(new_id, "PRIMARY"), (old_id, "ACTIVE")]
    ecs_fake.advance(1)  # maximumPercent 200: all new tasks start before any old one stops
    assert deployments(ecs_c) == [("PRIMARY", "web:2", 2, 2, 0, "IN_PROGRESS"),
                                  ("ACTIVE", "web:1", 2, 0, 2, "COMPLETED")]
    ecs_fake.advance(18)
    assert deployments(ecs_c) == [("PRIMARY", "web:2", 2, 0, 2, "IN_PROGRESS"),
                                  ("ACTIVE", "web:1", 2, 0, 2, "COMPLETED")]
    assert counts(ecs_c) == (2, 0, 4)
    ecs_fake.advance(HEALTHY_AFTER - 1)  # minimumHealthyPercent 100: old tasks stay until the new are healthy
    assert counts(ecs_c) == (2, 0, 4)
    ecs_fake.advance(1)
    assert deployments(ecs_c) == [("PRIMARY", "web:2", 2, 0, 2, "IN_PROGRESS"),
                                  ("ACTIVE", "web:1", 0, 0, 0, "COMPLETED")]
    stopped = ecs_c.describe_tasks(cluster="c", tasks=sorted(old_tasks))["tasks"]
    assert {(t["desiredStatus"], t["stopCode"], t["stoppedReason"]) for t in stopped} == {
        ("STOPPED", "ServiceSchedulerInitiated", f"Scaling activity initiated by (deployment {new_id})")}
    ecs_fake.advance(1)
    assert deployments(ecs_c) == [("PRIMARY", "web:2", 2, 0, 2, "COMPLETED")]
    (primary,) = service(ecs_c)["deployments"]
    assert primary["rolloutStateReason"] == f"ECS deployment {new_id} completed."
    assert {t["startedBy"] for t in service_tasks(ecs_c)} == {new_id}
    said = messages(ecs_c)[-4:]
    assert re.fullmatch(r"\(service web\) has started 2 tasks: \(task \w{32}\) \(task \w{32}\)\.", said[0])
    assert re.fullmatch(r"\(service web\) has stopped 2 running tasks: \(task \w{32}\) \(task \w{32}\)\.", said[1])
    assert said[2:] == [f"(service web) (deployment {new_id}) deployment completed.",
                        "(service web) has reached a steady state."]


@pytest.mark.parametrize(
    ("minimum", "maximum", "batches"),
    [
        (100, 200, [4]),  # start all, then stop all
        (50, 100, [2, 2]),  # stop two, start two, twice
        (0, 100, [4]),  # stop all, start all
        (100, 150, [2, 2]),  # two extra at a time
    ],
)
def test_rollout_stays_within_the_deployment_configuration(ecs_c: Any, ecs_fake: EcsFake, minimum: int, maximum: int,
                                                           batches: list[int]) -> None:
    stable_web(ecs_c, ecs_fake, desired=4,
               deploymentConfiguration={"minimumHealthyPercent": minimum, "maximumPercent": maximum})
    before = len(messages(ecs_c))
    new_revision(ecs_c, "web:2")
    ecs_c.update_service(cluster="c", service="web", taskDefinition="web")
    floor, ceiling = math.ceil(4 * minimum / 100), 4 * maximum // 100
    for _ in range(200):
        ecs_fake.advance(1)
        _, pending, running = counts(ecs_c)
        assert running >= floor and running + pending <= ceiling
    assert deployments(ecs_c) == [("PRIMARY", "web:2", 4, 0, 4, "COMPLETED")]
    started = [m for m in messages(ecs_c)[before:] if " has started " in m]
    assert [int(m.split(" has started ")[1].split()[0]) for m in started] == batches


def test_force_new_deployment_replaces_every_task(ecs_c: Any, ecs_fake: EcsFake) -> None:
    old_id = stable_web(ecs_c, ecs_fake)["deployments"][0]["id"]
    forced = ecs_c.update_service(cluster="c", service="web", forceNewDeployment=True)["service"]
    new_id = forced["deployments"][0]["id"]
    assert new_id != old_id and forced["taskDefinition"].endswith("/web:1")
    ecs_c.get_waiter("services_stable").wait(cluster="c", services=["web"])
    ecs_fake.advance(HEALTHY_AFTER)
    assert {t["startedBy"] for t in service_tasks(ecs_c)} == {new_id}
    assert deployments(ecs_c) == [("PRIMARY", "web:1", 2, 0, 2, "COMPLETED")]


def test_updates_that_do_not_redeploy(ecs_c: Any, ecs_fake: EcsFake) -> None:
    # ECS Exec needs a task role (docs/fidelity-exec.md): the service runs web:2, which has one.
    fargate_definition(ecs_c, family="web", image="web:1", taskRoleArn="arn:aws:iam::123456789012:role/web")
    deployment_id = stable_web(ecs_c, ecs_fake)["deployments"][0]["id"]
    answer = ecs_c.update_service(cluster="c", service="web", taskDefinition="web:2", desiredCount=3,
                                  deploymentConfiguration={"maximumPercent": 150}, enableExecuteCommand=True)["service"]
    assert [d["id"] for d in answer["deployments"]] == [deployment_id]
    assert answer["deploymentConfiguration"]["maximumPercent"] == 150
    assert answer["deploymentConfiguration"]["minimumHealthyPercent"] == 100 and answer["enableExecuteCommand"]
    ecs_fake.advance(STARTED_AFTER)
    assert counts(ecs_c) == (3, 0, 3)


def test_capacity_provider_change_needs_a_new_deployment(ecs: Any, ecs_fake: EcsFake) -> None:
    ecs.create_cluster(clusterName="c", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    fargate_definition(ecs, family="web", image="web:1")
    stable_web(ecs, ecs_fake)
    spot = [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="you must force a new deployment"):
        ecs.update_service(cluster="c", service="web", capacityProviderStrategy=spot)
    answer = ecs.update_service(cluster="c", service="web", capacityProviderStrategy=spot,
                                forceNewDeployment=True)["service"]
    assert answer["capacityProviderStrategy"] == spot and "launchType" not in answer
    ecs.get_waiter("services_stable").wait(cluster="c", services=["web"])
    assert {t["capacityProviderName"] for t in service_tasks(ecs)} == {"FARGATE_SPOT"}


def test_crash_loop_trips_the_circuit_breaker_and_rolls_back(ecs_c: Any, ecs_fake: EcsFake) -> None:
    good_id = stable_web(ecs_c, ecs_fake, deploymentConfiguration=BREAKER)["deployments"][0]["id"]
    ecs_fake.behavior("web:2", runs_for=5, exit_code=1)  # RUNNING, then the essential container exits
    new_revision(ecs_c, "web:2")
    bad_id = ecs_c.update_service(cluster="c", service="web", taskDefinition="web")["service"]["deployments"][0]["id"]
    old_running = []
    while deployments(ecs_c)[0][1] == "web:2":
        ecs_fake.advance(1)
        old_running.append(sum(1 for t in service_tasks(ecs_c)
                               if t["taskDefinitionArn"].endswith("web:1") and t["lastStatus"] == "RUNNING"))
    # Two tasks at a time, each RUNNING 5 s: the threshold (3 for 2 desired tasks) is passed on the 2nd round.
    after_failure = service(ecs_c)["deployments"]
    rollback, failed = after_failure[0], after_failure[1]
    assert (failed["id"], failed["status"], failed["rolloutState"]) == (bad_id, "ACTIVE", "FAILED")
    assert failed["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert failed["failedTasks"] >= 3
    assert (rollback["status"], rollback["rolloutState"]) == ("PRIMARY", "IN_PROGRESS")
    assert rollback["taskDefinition"].endswith("/web:1") and rollback["id"] not in (good_id, bad_id)
    assert rollback["rolloutStateReason"] == f"ECS deployment circuit breaker: rolling back to deploymentId {good_id}."
    assert messages(ecs_c)[-3:-1] == [f"(service web) (deployment {bad_id}) deployment failed: tasks failed to start.",
                                      f"(service web) rolling back to deployment {good_id}."]
    assert set(old_running) == {2}  # the old tasks kept serving throughout (minimumHealthyPercent 100)
    ecs_c.get_waiter("services_stable").wait(cluster="c", services=["web"])
    assert service(ecs_c)["taskDefinition"].endswith("/web:1")
    assert deployments(ecs_c) == [("PRIMARY", "web:1", 2, 0, 2, "COMPLETED")]
    stopped = service_tasks(ecs_c, status="STOPPED")
    assert {t["stopCode"] for t in stopped if t["taskDefinitionArn"].endswith("web:2")} == {"EssentialContainerExited"}


def test_circuit_breaker_without_rollback_stops_launching(ecs_c: Any, ecs_fake: EcsFake) -> None:
    stable_web(ecs_c, ecs_fake, deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True,
                                                                                       "rollback": False}})
    ecs_fake.behavior("web:2", pull_error="manifest for web:2 not found")
    new_revision(ecs_c, "web:2")
    ecs_c.update_service(cluster="c", service="web", taskDefinition="web")
    ecs_fake.advance(120)
    assert [d[0::5] for d in deployments(ecs_c)] == [("PRIMARY", "FAILED"), ("ACTIVE", "COMPLETED")]
    launched = len(service_tasks(ecs_c, status="STOPPED"))
    ecs_fake.advance(600)  # "A deployment in FAILED state doesn't launch any new tasks." [M:Deployment]
    assert len(service_tasks(ecs_c, status="STOPPED")) == launched
    assert counts(ecs_c) == (2, 0, 2)  # the old tasks still run
    failed = service_tasks(ecs_c, status="STOPPED")[0]
    assert (failed["stopCode"], failed["stoppedReason"]) == (
        "TaskFailedToStart", "CannotPullContainerError: manifest for web:2 not found")


def test_first_deployment_failing_has_nothing_to_roll_back_to(ecs_c: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("web:1", runs_for=1, exit_code=2)
    web_service(ecs_c, desired=1, deploymentConfiguration=BREAKER)
    ecs_fake.advance(300)
    (deployment,) = service(ecs_c)["deployments"]
    assert (deployment["rolloutState"], deployment["failedTasks"]) == ("FAILED", 3)
    assert "rolling back" not in " ".join(messages(ecs_c))


def test_crash_loop_without_breaker_never_settles(ecs_c: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("web:1", pull_error="pull access denied")
    web_service(ecs_c, desired=1)
    with pytest.raises(WaiterError, match="Max attempts exceeded"):
        ecs_c.get_waiter("services_stable").wait(cluster="c", services=["web"])  # 40 polls, 15 s apart
    (deployment,) = service(ecs_c)["deployments"]
    assert deployment["rolloutState"] == "IN_PROGRESS" and deployment["failedTasks"] >= 30
    launched = service_tasks(ecs_c, status="STOPPED") + service_tasks(ecs_c)
    events = service(ecs_c)["events"]
    # One "has started 1 tasks" per launch, each naming its task, newest first.
    assert sorted(e["message"].rsplit(" ", 1)[1][:-2] for e in events) == sorted(
        t["taskArn"].rsplit("/", 1)[1] for t in launched)
    assert len({e["id"] for e in events}) == len(events)
    assert [e["createdAt"] for e in events] == sorted((e["createdAt"] for e in events), reverse=True)


def test_events_keep_the_latest_hundred(ecs_c: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("web:1", runs_for=5, exit_code=1)
    web_service(ecs_c, desired=1)
    ecs_fake.advance(4 * 3600)
    events = service(ecs_c)["events"]
    assert len(events) == 100 and events[0]["createdAt"] > events[-1]["createdAt"]


def test_a_task_that_was_healthy_does_not_count_as_failed(ecs_c: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("web:1", runs_for=HEALTHY_AFTER + 20, exit_code=1)
    web_service(ecs_c, desired=1, deploymentConfiguration=BREAKER)
    ecs_fake.advance(600)
    (deployment,) = service(ecs_c)["deployments"]
    assert (deployment["rolloutState"], deployment["failedTasks"]) == ("COMPLETED", 0)
    # Replaced each time it exited: launch 1 s after the change, RUNNING 18 s later, exits 60 s after that.
    assert len(service_tasks(ecs_c, status="STOPPED")) == 600 // (1 + 18 + HEALTHY_AFTER + 20)


def test_deployment_configuration_that_cannot_progress(ecs_c: Any, ecs_fake: EcsFake) -> None:
    stable_web(ecs_c, ecs_fake, deploymentConfiguration={"minimumHealthyPercent": 100, "maximumPercent": 100})
    new_revision(ecs_c, "web:2")
    ecs_c.update_service(cluster="c", service="web", taskDefinition="web")
    ecs_fake.advance(300)
    assert messages(ecs_c)[-1] == (
        "(service web) was unable to stop or start tasks during a deployment because of the service deployment "
        "configuration. Update the minimumHealthyPercent or maximumPercent value and try again.")
    ecs_c.update_service(cluster="c", service="web", deploymentConfiguration={"minimumHealthyPercent": 50})
    ecs_c.get_waiter("services_stable").wait(cluster="c", services=["web"])
    ecs_fake.advance(HEALTHY_AFTER)
    assert deployments(ecs_c) == [("PRIMARY", "web:2", 2, 0, 2, "COMPLETED")]


@pytest.mark.ecsfake(timings={"service_scheduler_delay": 0, "service_healthy_after": 0})
def test_scheduler_timings_are_overridable(ecs_c: Any, ecs_fake: EcsFake) -> None:
    web_service(ecs_c, desired=2)
    assert counts(ecs_c) == (2, 2, 0)  # launched at once
    ecs_fake.advance(18)
    new_revision(ecs_c, "web:2")
    ecs_c.update_service(cluster="c", service="web", taskDefinition="web")
    assert deployments(ecs_c)[0][3] == 2  # the new tasks are already PROVISIONING
    ecs_fake.advance(18)  # RUNNING counts as healthy at once: the old tasks go, the rollout completes
    assert deployments(ecs_c) == [("PRIMARY", "web:2", 2, 0, 2, "COMPLETED")]


def test_no_rollback_past_a_deployment_that_never_completed(ecs_c: Any, ecs_fake: EcsFake) -> None:
    web_service(ecs_c, desired=2, deploymentConfiguration=BREAKER)
    ecs_c.get_waiter("services_stable").wait(cluster="c", services=["web"])  # counts only: not yet COMPLETED
    ecs_fake.behavior("web:2", runs_for=5, exit_code=1)
    new_revision(ecs_c, "web:2")
    ecs_c.update_service(cluster="c", service="web", taskDefinition="web")
    ecs_fake.advance(300)
    assert [d[0::5] for d in deployments(ecs_c)] == [("PRIMARY", "FAILED"), ("ACTIVE", "IN_PROGRESS")]
    assert "rolling back" not in " ".join(messages(ecs_c))
    assert {t["taskDefinitionArn"].rsplit("/", 1)[1] for t in service_tasks(ecs_c)} == {"web:1"}
    assert counts(ecs_c) == (2, 0, 2)  # the first tasks were never replaced
