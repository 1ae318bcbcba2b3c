"""The clock: frozen by default, stepped by advance() and by time.sleep, or real when asked."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import freezegun
import pytest

from pytest_ecsfake import EcsFake


def test_frozen_at_start_and_advanced_explicitly() -> None:
    with EcsFake(start="2030-05-01T12:00:00Z") as fake:
        assert fake.now == datetime(2030, 5, 1, 12, tzinfo=timezone.utc)
        assert datetime.now(timezone.utc) == fake.now  # freezegun froze the process clock too
        assert fake.advance(90) == datetime(2030, 5, 1, 12, 1, 30, tzinfo=timezone.utc)
        fake.advance(timedelta(hours=1))
        assert fake.now == datetime(2030, 5, 1, 13, 1, 30, tzinfo=timezone.utc)
    assert datetime.now(timezone.utc).year != 2030  # unfrozen after stop


def test_start_accepts_aware_and_naive_datetimes() -> None:
    with EcsFake(start=datetime(2031, 1, 1, 6, tzinfo=timezone(timedelta(hours=2)))) as fake:
        assert fake.now == datetime(2031, 1, 1, 4, tzinfo=timezone.utc)
    with EcsFake(start=datetime(2031, 1, 1)) as fake:
        assert fake.now == datetime(2031, 1, 1, tzinfo=timezone.utc)


def test_advance_refuses_going_back_and_bad_types() -> None:
    with EcsFake() as fake:
        with pytest.raises(ValueError, match="back in time"):
            fake.advance(-1)
        with pytest.raises(TypeError, match="seconds"):
            fake.advance("10")  # type: ignore[arg-type]


@pytest.mark.parametrize("seconds", [float("inf"), float("nan"), 1e20, timedelta(days=365 * 101)])
def test_advance_refuses_more_than_a_hundred_years_and_stays_usable(seconds: Any) -> None:
    with EcsFake() as fake:
        before = fake.now
        with pytest.raises(ValueError, match=r"at most 3155760000 s \(100 years\) at a time"):
            fake.advance(seconds)
        assert fake.now == before
        assert fake.advance(60) == before + timedelta(seconds=60)


def test_advance_stops_at_the_year_9999() -> None:
    with EcsFake(start="9990-01-01T00:00:00Z") as fake, pytest.raises(ValueError, match="past the year 9999"):
        fake.advance(timedelta(days=366 * 20))


def test_sleep_advances_the_frozen_clock_instead_of_blocking() -> None:
    real_perf_counter = time.perf_counter
    with EcsFake() as fake:
        before = fake.now
        wall = real_perf_counter()
        for _ in range(100):
            time.sleep(60)  # a user's polling loop
        assert fake.now - before == timedelta(minutes=100)
        assert real_perf_counter() - wall < 5  # 100 minutes of fake time, no wall time to speak of


def test_freeze_false_uses_the_real_clock_plus_advance() -> None:
    with EcsFake(freeze=False) as fake:
        real = datetime.now(timezone.utc)
        assert abs((fake.now - real).total_seconds()) < 5
        fake.advance(3600)
        assert (fake.now - real).total_seconds() >= 3600
        assert datetime.now(timezone.utc) - real < timedelta(minutes=5)  # the process clock is untouched


def test_a_tests_own_freezegun_drives_the_fake() -> None:
    with freezegun.freeze_time("2040-02-02T00:00:00") as frozen, EcsFake() as fake:
        assert fake.now == datetime(2040, 2, 2, tzinfo=timezone.utc)  # adopts the frozen time
        frozen.tick(timedelta(seconds=30))
        assert fake.now == datetime(2040, 2, 2, 0, 0, 30, tzinfo=timezone.utc)
        fake.advance(30)
        assert datetime.now() == datetime(2040, 2, 2, 0, 1)


def test_code_that_really_waits_still_works() -> None:
    with EcsFake():
        # subprocess timeouts are wall-clock waits
        done = subprocess.run([sys.executable, "-c", "print('ok')"], capture_output=True, timeout=30,
                              text=True)
        assert done.stdout.strip() == "ok"
        # a worker thread handing back a result through a queue with a timeout
        results: queue.Queue[int] = queue.Queue()
        worker = threading.Thread(target=lambda: results.put(42))
        worker.start()
        assert results.get(timeout=10) == 42
        worker.join(timeout=10)
        with pytest.raises(queue.Empty):
            results.get(timeout=0.05)


def test_threads_share_one_clock() -> None:
    with EcsFake() as fake:
        seen = []
        worker = threading.Thread(target=lambda: seen.append(fake.now))
        fake.advance(10)
        worker.start()
        worker.join()
        assert seen == [fake.now]


def _poll_until(deadline_seconds: float) -> int:
    """A user's polling loop with a monotonic deadline, one call away from the test body."""
    deadline = time.monotonic() + deadline_seconds
    polls = 0
    while time.monotonic() < deadline:
        time.sleep(30)
        polls += 1
    return polls


def test_monotonic_deadlines_in_code_under_test_follow_the_fake_clock() -> None:
    with EcsFake() as fake:
        before = fake.now
        assert _poll_until(600) == 20  # ten minutes of fake time, polled every 30 s
        assert fake.now - before == timedelta(minutes=10)


def test_now_before_activation_is_the_start_and_advance_needs_an_active_fake() -> None:
    fake = EcsFake(start="2031-03-04T05:06:07Z")
    assert fake.now == datetime(2031, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
    with pytest.raises(RuntimeError, match=r"advance\(\) on <EcsFake inactive .*>: start it first \(`with EcsFake"):
        fake.advance(10)
    with fake:
        assert fake.advance(10) == datetime(2031, 3, 4, 5, 6, 17, tzinfo=timezone.utc)
    with pytest.raises(RuntimeError, match="start it first"):
        fake.advance(10)
