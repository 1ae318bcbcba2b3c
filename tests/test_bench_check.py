"""``python -m bench --check`` (bench/check.py): each goal of issue 22 read from a run's figures, pass or fail."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the bench package beside pytest_ecsfake

from bench import check, first_use, scale, server  # noqa: E402
from bench.calls import PER_TEST_CPU  # noqa: E402
from bench.workloads import PER_CALL  # noqa: E402


def met() -> dict[str, Any]:
    """A fabricated run that meets every goal."""
    per_call = {name: {"floor": 100e-6, "ecsfake": 105e-6} for name in PER_CALL}
    rows = {}
    for size in (100, 100_000):
        rows[f"DescribeTasks (100 tasks) with {size:,} in the fake"] = {"floor": 10e-3, "ecsfake": 10.5e-3}
        rows[f"ListTasks page (100) with {size:,} in the fake"] = {"floor": 200e-6, "ecsfake": 210e-6}
    rows[scale.ADVANCE.format(0)] = {"ecsfake": 50e-6}
    rows[scale.ADVANCE.format(90_000)] = {"ecsfake": 55e-6}
    rows[scale.MEMORY] = {"ecsfake": 5.5}
    return {
        "per call": per_call,
        "per test (fixture overhead)": {PER_TEST_CPU: {"ecsfake": 0.4e-3},
                                        "modules loaded": {"floor": 1_000.0}},
        "first use": {first_use.TIMED: {"ecsfake": 15e-3}},
        "scale": rows,
        "server mode": {server.ROW: {"ecsfake": 2_000.0, "moto": 200.0}},
    }


def test_a_run_meeting_every_goal_passes() -> None:
    report, ok = check.check(met())
    assert ok, report
    assert report.count("pass") == len(check.goals(check.TOLERANCE))
    assert "FAIL" not in report


@pytest.mark.parametrize("miss", ["per call", "first use", "per test", "scale", "advance", "memory", "server"])
def test_one_goal_missed_fails_the_check(miss: str) -> None:
    run = copy.deepcopy(met())
    if miss == "per call":
        run["per call"]["RunTask (count 10)"]["ecsfake"] = 150e-6  # 1.5×
    elif miss == "first use":
        run["first use"][first_use.TIMED]["ecsfake"] = 40e-3
    elif miss == "per test":
        run["per test (fixture overhead)"]["modules loaded"]["floor"] = 700.0  # not with 1,000 modules
    elif miss == "scale":
        run["scale"]["ListTasks page (100) with 100,000 in the fake"]["ecsfake"] = 400e-6  # 1.9× the 100 ratio
    elif miss == "advance":
        run["scale"][scale.ADVANCE.format(90_000)]["ecsfake"] = 500e-6  # 10× per changed task: O(all tasks)
    elif miss == "memory":
        run["scale"][scale.MEMORY]["ecsfake"] = 6.1
    else:
        run["server mode"][server.ROW]["moto"] = 1_000.0  # 2×
    report, ok = check.check(run)
    assert not ok
    assert report.count("FAIL") == 1, report
    assert report.splitlines()[-1] == "check: goals missed"


def test_a_figure_past_the_goal_within_its_tolerance_passes_as_noise() -> None:
    run = met()
    run["per call"]["StopTask"]["ecsfake"] = 112e-6  # 1.12× the floor: over 1.1, within 5 %
    report, ok = check.check(run, {"per call": 0.05})
    assert ok
    assert "pass (noise)" in next(line for line in report.splitlines() if line.startswith("StopTask"))
    assert not check.check(run, {"per call": 0.01})[1]


def test_a_goal_not_measured_fails() -> None:
    run = met()
    del run["server mode"]  # e.g. moto not installed
    report, ok = check.check(run)
    assert not ok
    assert "FAIL (not measured)" in report


def test_a_per_call_goal_shows_what_decoding_and_encoding_alone_cost() -> None:
    run = met()
    run["per call"]["Batch SubmitJob"]["codec"] = 112e-6  # the codec alone: 1.12× the floor
    report, ok = check.check(run)
    assert ok  # a figure beside the verdict, judged by no goal
    line = next(line for line in report.splitlines() if line.startswith("Batch SubmitJob"))
    assert line.endswith("pass  [codec alone 1.12×]")
    assert "codec alone" not in next(line for line in report.splitlines() if line.startswith("StopTask"))


def test_the_first_use_goal_shows_freezeguns_own_import() -> None:
    run = met()
    run["first use"][first_use.FREEZEGUN] = {"ecsfake": 24.5e-3}
    line = next(line for line in check.check(run)[0].splitlines() if line.startswith("first use"))
    assert line.endswith("[freezegun's import alone 24.5 ms]")
