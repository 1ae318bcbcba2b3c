"""``python -m bench --check``: issue 22's goals against the figures of this run; exit 1 when one is missed.

Each goal reads one figure from the sections ``python -m bench`` measured. Most are ratios between columns
measured in the same process run (ecsfake/floor interleaved; ecsfake/moto side by side), not absolute times,
so a slower or busier machine moves them less. Each goal has a tolerance for the noise seen across repeated
runs on the project's 2-core machine (docs/bench.md, "The guard"): a figure past the goal but within its
tolerance passes as "pass (noise)"; past the tolerance it fails. A goal whose figure was not measured (moto not
installed, a section left out) fails: the guard vouches only for what it measured.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import first_use, scale, server
from bench.calls import PER_TEST_CPU
from bench.workloads import PER_CALL

Results = dict[str, dict[str, float]]
Sections = dict[str, Results]
PER_TEST_MODULES = 1_000


@dataclass(frozen=True)
class Goal:
    text: str  # what the issue asks
    figure: Callable[[Sections], float | None]  # the measured figure, None when not measured
    limit: float
    tolerance: float  # relative: a figure within limit × (1 ± tolerance) passes as noise
    at_most: bool = True  # False: the figure must be at least the limit
    unit: str = "×"
    context: Callable[[Sections], str] | None = None  # a figure shown beside the verdict, judged by no goal

    def verdict(self, value: float | None) -> str:
        if value is None:
            return "FAIL (not measured)"
        if value <= self.limit if self.at_most else value >= self.limit:
            return "pass"
        bound = self.limit * (1 + self.tolerance) if self.at_most else self.limit * (1 - self.tolerance)
        if value <= bound if self.at_most else value >= bound:
            return "pass (noise)"
        return "FAIL"


def _get(sections: Sections, section: str, row: str, column: str) -> float | None:
    return sections.get(section, {}).get(row, {}).get(column)


def _per_call(name: str) -> Callable[[Sections], float | None]:
    def figure(sections: Sections) -> float | None:
        fake, floor = (_get(sections, "per call", name, c) for c in ("ecsfake", "floor"))
        return fake / floor if fake and floor else None

    return figure


def _codec(name: str) -> Callable[[Sections], str]:
    """codec/floor of a per-call row: what decoding its request and encoding its answer alone cost (see
    bench.calls.codec_only), the least a fake computing that answer costs."""
    def figure(sections: Sections) -> str:
        codec, floor = (_get(sections, "per call", name, c) for c in ("codec", "floor"))
        return f"[codec alone {codec / floor:.2f}×]" if codec and floor else ""

    return figure


def _per_test(sections: Sections) -> float | None:
    modules = _get(sections, "per test (fixture overhead)", "modules loaded", "floor")
    value = _get(sections, "per test (fixture overhead)", PER_TEST_CPU, "ecsfake")
    return value * 1e3 if value is not None and modules and modules >= PER_TEST_MODULES else None


def _share(sections: Sections) -> float | None:
    # Timed inside the processes (bench.first_use._TIMED_FAKE): the difference of whole processes carries the
    # noise of boto3's own import (it moved between 47 and 172 ms over 12 runs).
    value = _get(sections, "first use", first_use.TIMED, "ecsfake")
    return None if value is None else value * 1e3


def _freezegun(sections: Sections) -> str:
    value = _get(sections, "first use", first_use.FREEZEGUN, "ecsfake")
    return "" if value is None else f"[freezegun's import alone {value * 1e3:.1f} ms]"


def _scale(name: str) -> Callable[[Sections], float | None]:
    def figure(sections: Sections) -> float | None:
        rows = sections.get("scale")
        if not rows:
            return None
        return scale.scale_ratios(rows)[name]["ecsfake"]

    return figure


def _advance(sections: Sections) -> float | None:
    rows = sections.get("scale", {})
    timed = {int(k.split(", ")[1].split()[0].replace(",", "")): v["ecsfake"] for k, v in rows.items()
             if k.startswith("advance()")}
    return timed[max(timed)] / timed[0] if len(timed) > 1 and 0 in timed else None


def _memory(sections: Sections) -> float | None:
    return _get(sections, "scale", scale.MEMORY, "ecsfake")


def _server(sections: Sections) -> float | None:
    fake, moto = (_get(sections, "server mode", server.ROW, c) for c in ("ecsfake", "moto"))
    return fake / moto if fake and moto else None


def goals(tolerance: dict[str, float]) -> list[Goal]:
    """The goals of issue 22; ``tolerance`` by kind: "per call", "first use", "per test", "scale", "advance",
    "server" (memory has none: tracemalloc's count is the same run to run)."""
    per_call = [Goal(f"{name}: ecsfake/floor ≤ 1.1", _per_call(name), 1.1, tolerance["per call"],
                     context=_codec(name))
                for name in PER_CALL]
    return per_call + [
        Goal("first use, the fake's own share (import + activation + first call, fresh processes, CPU) ≤ 20 ms",
             _share, 20.0,
             tolerance["first use"], unit=" ms", context=_freezegun),
        Goal(f"per test, activate + deactivate (CPU time) ≤ 0.5 ms with ≥ {PER_TEST_MODULES:,} modules loaded",
             _per_test, 0.5,
             tolerance["per test"], unit=" ms"),
        Goal("scale, DescribeTasks(100): with 100,000 tasks (--quick: 22,000) / with 100 ≤ 1.5",
             _scale("DescribeTasks (100 tasks)"), 1.5, tolerance["scale"]),
        Goal("scale, ListTasks page: with 100,000 tasks (--quick: 22,000) / with 100 ≤ 1.5",
             _scale("ListTasks page (100)"), 1.5, tolerance["scale"]),
        Goal("advance() of 10,000 tasks, per task: with 90,000 idle (--quick: 10,000) / with 0 idle ≤ 1.5",
             _advance, 1.5, tolerance["advance"]),
        Goal("memory per task ≤ 6 KiB", _memory, 6.0, 0.0, unit=" KiB"),
        Goal("server mode, DescribeTasks from 8 keep-alive clients: ecsfake/moto ≥ 3", _server, 3.0,
             tolerance["server"], at_most=False),
    ]


# From the spread of each figure over 12+ --check runs on the project's 2-core machine with other jobs running
# (docs/bench.md, "The guard"): about the median run-to-run excursion of each kind, not its worst.
TOLERANCE = {"per call": 0.10, "first use": 0.25, "per test": 0.20, "scale": 0.15, "advance": 0.25, "server": 0.25}


def check(sections: Sections, tolerance: dict[str, float] | None = None) -> tuple[str, bool]:
    """The report (one line per goal: goal, measured, tolerance, verdict) and whether every goal passed."""
    lines = ["", "## check (issue 22's goals)"]
    ok = True
    for goal in goals({**TOLERANCE, **(tolerance or {})}):
        value = goal.figure(sections)
        verdict = goal.verdict(value)
        ok = ok and not verdict.startswith("FAIL")
        shown = "-" if value is None else f"{value:.2f}{goal.unit}"
        beside = goal.context(sections) if goal.context is not None else ""
        lines.append(f"{goal.text:92} {shown:>10}  (±{goal.tolerance:.0%})  {verdict}{'  ' + beside if beside else ''}")
    lines.append(f"check: {'every goal met' if ok else 'goals missed'}")
    return "\n".join(lines), ok


def spread(files: list[str]) -> str:
    """For each goal, the min / median / max of its figure over the JSON files of several runs
    (``python -m bench --check --json PATH``), and how many runs passed it (noise included)."""
    import json
    import statistics

    runs = [json.loads(Path(file).read_text()) for file in files]
    lines = [f"{'goal':92} {'min':>9} {'median':>9} {'max':>9}  passed (of {len(runs)})"]
    for goal in goals(TOLERANCE):
        values = [v for v in (goal.figure(run) for run in runs) if v is not None]
        passed = sum(not goal.verdict(goal.figure(run)).startswith("FAIL") for run in runs)
        if values:
            low, mid, high = min(values), statistics.median(values), max(values)
            lines.append(f"{goal.text:92} {low:>9.2f} {mid:>9.2f} {high:>9.2f}  {passed}")
        else:
            lines.append(f"{goal.text:92} {'-':>9} {'-':>9} {'-':>9}  {passed}")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m bench.check RUN.json ...: the spread of each goal's figure over runs
    print(spread(sys.argv[1:]))
