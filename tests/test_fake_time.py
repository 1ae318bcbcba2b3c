"""Fake time wherever code waits: every binding of time.sleep, asyncio and anyio sleeps, other threads, busy loops."""

from __future__ import annotations

import asyncio
import importlib
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio
import boto3
import pytest
from ecs_helpers import fargate_definition, run_fargate
from freezegun import api as freezegun_api

from pytest_ecsfake import EcsFake
from pytest_ecsfake.ways_in.fake_time.sleep import OTHER_THREAD_BOUND

REAL_SLEEP = time.sleep
REAL_ASYNCIO_SLEEP = asyncio.sleep


@pytest.fixture
def module_dir(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in [n for n in sys.modules if n.startswith("ecsfake_waits_")]:
        del sys.modules[name]


def real_perf_counter() -> float:
    # Through the module: a module-level name bound to a real clock function is frozen by freezegun.
    value: float = freezegun_api.real_perf_counter()
    return value


def write_module(directory: Path, name: str, source: str) -> None:
    (directory / f"{name}.py").write_text(source)
    importlib.invalidate_caches()


def launch_task() -> str:
    """A Fargate task in cluster c, just launched (PROVISIONING); its ARN."""
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    fargate_definition(ecs)
    arn: str = run_fargate(ecs)["taskArn"]
    return arn


def seconds_since(fake: EcsFake, before: Any) -> float:
    return float((fake.now - before).total_seconds())


# -- every binding of time.sleep -----------------------------------------------------------------------------

def test_a_module_that_bound_sleep_before_the_fake_started_sleeps_in_fake_time(module_dir: Path) -> None:
    # Airflow's operators/ecs.py does `from time import sleep` at import time.
    write_module(module_dir, "ecsfake_waits_early", "from time import sleep\n\ndef pause(n):\n    sleep(n)\n")
    early = importlib.import_module("ecsfake_waits_early")
    assert early.sleep is REAL_SLEEP
    with EcsFake() as fake:
        before, wall = fake.now, real_perf_counter()
        for _ in range(20):
            early.pause(30)
        assert seconds_since(fake, before) == 600
        assert real_perf_counter() - wall < 5  # ten minutes of fake time, no wall time to speak of
    assert early.sleep is REAL_SLEEP  # restored at stop


def test_a_module_imported_while_the_fake_is_active_sleeps_in_fake_time_and_is_restored(module_dir: Path) -> None:
    write_module(module_dir, "ecsfake_waits_late", "from time import sleep as nap\n")
    with EcsFake() as fake:
        late = importlib.import_module("ecsfake_waits_late")
        before = fake.now
        late.nap(45)
        assert seconds_since(fake, before) == 45
    assert late.nap is REAL_SLEEP


def test_bound_sleeps_are_rebound_at_every_activation(module_dir: Path) -> None:
    write_module(module_dir, "ecsfake_waits_twice", "from time import sleep\n")
    module = importlib.import_module("ecsfake_waits_twice")
    for _ in range(3):
        with EcsFake() as fake:
            before = fake.now
            module.sleep(10)
            assert seconds_since(fake, before) == 10
        assert module.sleep is REAL_SLEEP


def test_sleep_checks_its_argument_as_time_sleep_does() -> None:
    with EcsFake() as fake:
        before = fake.now
        with pytest.raises(ValueError, match="sleep length must be non-negative"):
            time.sleep(-1)
        with pytest.raises(TypeError, match="'str' object cannot be interpreted as an integer"):
            time.sleep("5")  # type: ignore[arg-type]
        time.sleep(True)  # an int, as far as time.sleep is concerned
        assert seconds_since(fake, before) == 1


# -- asyncio and anyio -----------------------------------------------------------------------------------------

def test_asyncio_sleep_moves_the_fake_clock_and_does_not_wait() -> None:
    with EcsFake() as fake:
        before, wall = fake.now, real_perf_counter()
        assert asyncio.run(asyncio.sleep(2, result="done")) == "done"
        assert seconds_since(fake, before) == 2
        asyncio.run(asyncio.sleep(3600))
        assert seconds_since(fake, before) == 3602
        assert real_perf_counter() - wall < 5
    assert asyncio.sleep is REAL_ASYNCIO_SLEEP


def test_concurrent_asyncio_sleepers_wake_in_deadline_order() -> None:
    with EcsFake() as fake:
        before = fake.now
        woke: list[tuple[str, float]] = []

        async def sleeper(name: str, seconds: float) -> None:
            await asyncio.sleep(seconds)
            woke.append((name, seconds_since(fake, before)))

        async def main() -> None:
            await asyncio.gather(sleeper("five", 5), sleeper("three", 3), sleeper("also three", 3))

        asyncio.run(main())
        assert woke == [("three", 3), ("also three", 3), ("five", 5)]
        assert seconds_since(fake, before) == 5  # not 11


def test_a_poller_and_a_deadline_task_share_one_timeline() -> None:
    with EcsFake() as fake:
        before = fake.now
        polls: list[float] = []

        async def poller() -> None:
            for _ in range(10):
                polls.append(seconds_since(fake, before))
                await asyncio.sleep(6)

        async def main() -> str:
            poll = asyncio.ensure_future(poller())
            await asyncio.sleep(20)
            poll.cancel()  # a cancelled sleeper leaves the queue
            await asyncio.gather(poll, return_exceptions=True)
            await asyncio.sleep(1)
            return "ok"

        assert asyncio.run(main()) == "ok"
        assert polls == [0, 6, 12, 18]
        assert seconds_since(fake, before) == 21


def test_asyncio_sleep_bound_before_the_fake_started(module_dir: Path) -> None:
    write_module(module_dir, "ecsfake_waits_async", "from asyncio import sleep\n\nasync def pause(n):\n"
                 "    await sleep(n)\n")
    module = importlib.import_module("ecsfake_waits_async")
    with EcsFake() as fake:
        before = fake.now
        asyncio.run(module.pause(30))
        assert seconds_since(fake, before) == 30
    assert module.sleep is REAL_ASYNCIO_SLEEP


def test_time_sleep_inside_a_coroutine_wakes_asyncio_sleepers_whose_deadline_passed() -> None:
    with EcsFake() as fake:
        before = fake.now
        woke: list[float] = []

        async def sleeper() -> None:
            await asyncio.sleep(10)
            woke.append(seconds_since(fake, before))

        async def main() -> None:
            task = asyncio.ensure_future(sleeper())
            await asyncio.sleep(0)  # the sleeper is now waiting
            time.sleep(30)  # blocking code in the loop: the fake clock moves past the sleeper's deadline
            await task

        asyncio.run(main())
        assert woke == [30]


def test_anyio_sleepers_follow_the_fake_clock_too() -> None:
    with EcsFake() as fake:
        before = fake.now
        woke: list[tuple[int, float]] = []

        async def sleeper(seconds: int) -> None:
            await anyio.sleep(seconds)
            woke.append((seconds, seconds_since(fake, before)))

        async def main() -> None:
            async with anyio.create_task_group() as group:
                group.start_soon(sleeper, 5)
                group.start_soon(sleeper, 3)

        anyio.run(main)
        assert woke == [(3, 3), (5, 5)]


def test_an_aiobotocore_waiter_and_another_sleeper_share_the_timeline() -> None:
    from aiobotocore.session import get_session

    with EcsFake() as fake:
        task_arn = launch_task()
        before = fake.now
        finished: dict[str, float] = {}

        async def wait_running() -> None:
            async with get_session().create_client("ecs", region_name="us-east-1") as client:
                await client.get_waiter("tasks_running").wait(cluster="c", tasks=[task_arn])
            finished["waiter"] = seconds_since(fake, before)

        async def housekeeping() -> None:
            await asyncio.sleep(100)
            finished["housekeeping"] = seconds_since(fake, before)

        async def main() -> None:
            await asyncio.gather(wait_running(), housekeeping())

        asyncio.run(main())
        assert 0 < finished["waiter"] < 100 and finished["waiter"] % 6 == 0  # polled every 6 s of fake time
        assert finished["housekeeping"] == 100
        assert seconds_since(fake, before) == 100


# -- other threads ----------------------------------------------------------------------------------------------

class LogFetcher(threading.Thread):
    """The shape of Airflow's AwsTaskLogFetcher: sleep, fetch, until stopped; the operator calls stop(); join()."""

    def __init__(self, interval: float) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.stopped = threading.Event()
        self.rounds = 0

    def run(self) -> None:
        while not self.stopped.is_set():
            time.sleep(self.interval)
            self.rounds += 1

    def stop(self) -> None:
        self.stopped.set()


def test_a_background_poller_never_moves_the_clock_and_stops_promptly() -> None:
    with EcsFake() as fake:
        before = fake.now
        fetcher = LogFetcher(interval=1)
        fetcher.start()
        for _ in range(60):
            fake.advance(1)  # the test drives the clock
        assert seconds_since(fake, before) == 60
        wall = real_perf_counter()
        fetcher.stop()
        fetcher.join(timeout=10)
        joined_in = real_perf_counter() - wall
        assert not fetcher.is_alive()
        assert joined_in < 1  # within one real-time bound (0.1 s), not one 30 s fetch interval
        assert seconds_since(fake, before) == 60  # exactly: the poller's sleeps moved nothing


def test_a_sleep_in_another_thread_returns_within_the_bound_without_moving_the_clock() -> None:
    with EcsFake() as fake:
        before = fake.now
        results: list[float] = []
        worker = threading.Thread(target=lambda: (REAL_SLEEP(0), time.sleep(3600), results.append(1.0)))
        wall = real_perf_counter()
        worker.start()
        worker.join(timeout=10)
        assert results == [1.0]
        assert real_perf_counter() - wall < 100 * OTHER_THREAD_BOUND  # about one bound (0.1 s), not an hour
        assert fake.now == before


def test_a_sleep_in_another_thread_returns_when_the_test_moves_the_clock_past_its_deadline() -> None:
    with EcsFake() as fake:
        started, woke = threading.Event(), threading.Event()

        def worker() -> None:
            started.set()
            time.sleep(30)
            woke.set()

        # A long bound, so the deadline, not the bound, ends the sleep.
        import pytest_ecsfake.ways_in.fake_time.sleep as sleep_module

        bound, sleep_module.OTHER_THREAD_BOUND = sleep_module.OTHER_THREAD_BOUND, 60.0
        try:
            thread = threading.Thread(target=worker)
            thread.start()
            started.wait(10)
            assert not woke.wait(0.05)  # still waiting for fake time
            for _ in range(10):
                fake.advance(30)  # each move wakes the sleeper to look at the clock
                if woke.wait(1):
                    break
            thread.join(10)
        finally:
            sleep_module.OTHER_THREAD_BOUND = bound
        assert woke.is_set()


def test_asyncio_sleep_on_another_threads_loop_never_moves_the_clock() -> None:
    with EcsFake() as fake:
        before = fake.now
        done: list[str] = []
        worker = threading.Thread(target=lambda: done.append(asyncio.run(asyncio.sleep(3600, result="slept"))))
        worker.start()
        worker.join(timeout=10)
        assert done == ["slept"]
        assert fake.now == before


# -- tick ------------------------------------------------------------------------------------------------------

def test_tick_seconds_lets_a_busy_wait_on_the_clock_finish() -> None:
    # metaflow's RunningJob.update() polls without sleeping: on a frozen clock such a loop never ends.
    with EcsFake(tick=1.0) as fake:
        task_arn = launch_task()
        ecs = boto3.client("ecs", region_name="us-east-1")
        before = fake.now
        started = time.time()
        status = ""
        while time.time() - started < 600:  # every read of the clock moves it one second
            status = ecs.describe_tasks(cluster="c", tasks=[task_arn])["tasks"][0]["lastStatus"]
            if status == "RUNNING":
                break
        assert status == "RUNNING"
        assert 0 < seconds_since(fake, before) < 600


def test_the_fakes_own_clock_reads_do_not_tick() -> None:
    with EcsFake(tick=0.5) as fake:
        first = fake.now
        boto3.client("ecs", region_name="us-east-1").list_clusters()
        assert fake.now == first  # the fake reads the time without moving it
        assert time.time() + 0.5 == time.time()  # code under test moves it at every read
        assert fake.now - first == timedelta(seconds=1)


def test_tick_true_lets_fake_time_flow_with_wall_time() -> None:
    with EcsFake(start="2030-01-01T00:00:00Z", tick=True) as fake:
        begin = fake.now
        wall = real_perf_counter()
        while real_perf_counter() - wall < 0.05:  # spin, not sleep: wall time passes
            pass
        flowed = seconds_since(fake, begin)
        assert 0.04 < flowed < 30
        fake.advance(60)  # advance() and sleeps still add fake time on top
        time.sleep(60)
        assert 120 < seconds_since(fake, begin) < 150


def test_tick_inside_a_tests_own_frozen_time_starts_from_that_instant() -> None:
    import freezegun

    with freezegun.freeze_time("2040-02-02T00:00:00"), EcsFake(tick=2.0) as fake:
        assert fake.now.year == 2040
        assert time.time() + 2 == time.time()


@pytest.mark.parametrize("tick", ["yes", -1, 0.0, None])
def test_tick_takes_a_bool_or_positive_seconds(tick: Any) -> None:
    with pytest.raises(TypeError, match=r"EcsFake\(tick=...\) takes True, False or seconds > 0"):
        EcsFake(tick=tick)


def test_tick_needs_the_frozen_clock() -> None:
    with pytest.raises(ValueError, match="needs the frozen clock"):
        EcsFake(freeze=False, tick=True)


def test_the_marker_takes_tick(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import time
        import pytest

        @pytest.mark.ecsfake(tick=5.0)
        def test_ticks(ecs_fake):
            assert time.time() + 5 == time.time()
        """
    )
    pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=1)


def test_sleepers_of_fractional_seconds_wake_on_a_clock_that_keeps_microseconds() -> None:
    # aiobotocore's retry back-off sleeps a random fraction of a second; freezegun's clock rounds to microseconds.
    with EcsFake() as fake:
        before = fake.now

        async def main() -> None:
            await asyncio.gather(*(asyncio.sleep(0.1234567 * n) for n in range(1, 6)))

        asyncio.run(main())
        assert abs(seconds_since(fake, before) - 0.6172835) < 1e-5
