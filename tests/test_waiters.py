"""botocore's tasks_running and tasks_stopped waiters against the fake: their sleeps advance fake time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import WaiterError
from ecs_helpers import fargate_definition, run_fargate

from pytest_ecsfake import EcsFake


@pytest.fixture
def ecs_c(ecs: Any) -> Any:
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs)
    return ecs


def test_tasks_running_waits_for_running(ecs_c: Any, ecs_fake: EcsFake) -> None:
    arns = [run_fargate(ecs_c)["taskArn"] for _ in range(3)]
    before = ecs_fake.now
    ecs_c.get_waiter("tasks_running").wait(cluster="c", tasks=arns)
    # Polls every 6 s; a default Fargate task is RUNNING 18 s after RunTask.
    assert ecs_fake.now - before == timedelta(seconds=18)
    statuses = {t["lastStatus"] for t in ecs_c.describe_tasks(cluster="c", tasks=arns)["tasks"]}
    assert statuses == {"RUNNING"}


def test_tasks_running_fails_when_a_task_stops_first(ecs_c: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("worker:1", pull_error="manifest unknown")
    arn = run_fargate(ecs_c)["taskArn"]
    with pytest.raises(WaiterError, match="failure state"):
        ecs_c.get_waiter("tasks_running").wait(cluster="c", tasks=[arn])


def test_tasks_running_fails_on_missing(ecs_c: Any) -> None:
    with pytest.raises(WaiterError, match="failure state"):
        ecs_c.get_waiter("tasks_running").wait(cluster="c", tasks=["0" * 32])


def test_tasks_stopped_waits_through_the_stop_timeout(ecs_c: Any, ecs_fake: EcsFake) -> None:
    ecs_fake.behavior("worker:1", ignores_sigterm=True)
    arn = run_fargate(ecs_c)["taskArn"]
    ecs_c.get_waiter("tasks_running").wait(cluster="c", tasks=[arn])
    ecs_c.stop_task(cluster="c", task=arn)
    before = ecs_fake.now
    ecs_c.get_waiter("tasks_stopped").wait(cluster="c", tasks=[arn])
    task = ecs_c.describe_tasks(cluster="c", tasks=[arn])["tasks"][0]
    assert task["lastStatus"] == "STOPPED" and task["containers"][0]["exitCode"] == 137
    # 2 (deactivating) + 30 (SIGKILL) + 1 (cleanup) + 5 (deprovisioning) = 38 s, seen at the next 6 s poll.
    assert ecs_fake.now - before == timedelta(seconds=42)


def test_users_own_polling_loop_finishes_in_fake_time(ecs_c: Any, ecs_fake: EcsFake) -> None:
    import time

    ecs_fake.behavior("worker:1", runs_for=600, exit_code=0)
    arn = run_fargate(ecs_c)["taskArn"]
    polls = 0
    while ecs_c.describe_tasks(cluster="c", tasks=[arn])["tasks"][0]["lastStatus"] != "STOPPED":
        time.sleep(30)
        polls += 1
    assert polls == 21  # 18 s start + 600 s run + 2 + 1 + 5 s stop = 626 s → the 21st poll at 630 s
