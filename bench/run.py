"""The benchmark suite: the botocore floor, ecsfake and moto side by side in one process run.

Run: ``pip install '.[bench]' && python -m bench``  (``--quick`` for fewer rounds, ``--no-chart``, ``--no-moto``;
``--check``: only the sections issue 22's goals read, then each goal, its figure and pass/fail; exit 1 if one
is missed)

Every figure is the median of several rounds (``bench.timing``). Prints one table of absolute figures and the
ratios ecsfake/floor and moto/ecsfake, and writes docs/bench.png. See docs/bench.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

from bench import workloads as w
from bench.calls import Results, per_call_figures, per_test_figures
from bench.check import TOLERANCE, check
from bench.first_use import first_use_figures
from bench.report import ratio_lines, table
from bench.scale import scale_figures, scale_ratios
from bench.server import server_figures
from bench.timing import wall
from bench.waits import waits_figures

ROOT = Path(__file__).resolve().parent.parent


def waiter_figures(with_moto: bool) -> Results:
    """Wall time of RunTask + tasks_running waiter, and StopTask + tasks_stopped waiter (botocore's 6 s delay)."""
    results: Results = {"tasks_running waiter": {}, "tasks_stopped waiter": {}}

    def measure(impl: str, subnet: str, group: str) -> None:
        ecs = w.clients()[0]
        ecs.create_cluster(clusterName="c")
        ecs.register_task_definition(**(w.MOTO_TASK_DEFINITION if impl == "moto" else w.TASK_DEFINITION))
        running, stopped = ecs.get_waiter("tasks_running"), ecs.get_waiter("tasks_stopped")  # models loaded once
        samples: dict[str, list[float]] = {"tasks_running waiter": [], "tasks_stopped waiter": []}
        for _ in range(5):
            arn = w.run_tasks(ecs, subnet, 1, group)
            samples["tasks_running waiter"].append(wall(lambda: running.wait(cluster="c", tasks=arn)))  # noqa: B023
            ecs.stop_task(cluster="c", task=arn[0])
            samples["tasks_stopped waiter"].append(wall(lambda: stopped.wait(cluster="c", tasks=arn)))  # noqa: B023
        for name, values in samples.items():
            results[name][impl] = statistics.median(values)

    from pytest_ecsfake import EcsFake

    with EcsFake():
        measure("ecsfake", "subnet-1", "sg-1")
    if with_moto:
        from moto import mock_aws
        from moto.moto_api import state_manager

        # moto's default walks a task RUNNING → STOPPED as it is read, which fails tasks_running: hold it RUNNING.
        state_manager.set_transition(model_name="ecs::task", transition={"progression": "manual", "times": 10**9})
        try:
            with mock_aws():
                measure("moto", *w.moto_network()[:2])
        finally:
            state_manager.unset_transition("ecs::task")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls, rounds and tasks (a smoke run)")
    parser.add_argument("--no-moto", action="store_true", help="leave moto out (it is an optional dependency)")
    parser.add_argument("--no-chart", action="store_true", help="do not write docs/bench.png")
    parser.add_argument("--chart", default=str(ROOT / "docs" / "bench.png"), help="where to write the chart")
    parser.add_argument("--check", action="store_true",
                        help="measure what the goals of issue 22 read, print each goal and exit 1 if one is missed")
    parser.add_argument("--tolerance", action="append", default=[], metavar="KIND=FRACTION",
                        help=f"a goal kind's tolerance for noise, e.g. 'per call=0.05' (defaults: {TOLERANCE})")
    parser.add_argument("--json", metavar="PATH", help="also write every figure (seconds) as JSON")
    args = parser.parse_args(argv)
    tolerance = {kind.strip(): float(value) for kind, value in (t.split("=", 1) for t in args.tolerance)}
    if set(tolerance) - set(TOLERANCE):
        parser.error(f"--tolerance kinds: {', '.join(TOLERANCE)}")
    with_moto = not args.no_moto and importlib.util.find_spec("moto") is not None
    rounds, calls = (3, 20) if args.quick else (11, 50)
    w.dummy_credentials()
    steps: dict[str, Callable[[], Results]] = {
        "per call": lambda: per_call_figures(rounds, calls, with_moto),
        "per test (fixture overhead)": lambda: per_test_figures(rounds, with_moto),
        "first use": lambda: first_use_figures(3 if args.quick else 21, with_moto),
        "scale": lambda: scale_figures(rounds, with_moto, quick=args.quick),
        "server mode": lambda: server_figures(3, 50 if args.quick else 200, with_moto),
        "waiters (wall time)": lambda: waiter_figures(with_moto),
        "waits (wall time; a poller thread's CPU)": lambda: waits_figures(rounds),
    }
    if args.check:  # the sections the goals read
        steps = {k: v for k, v in steps.items() if not k.startswith("wait")}
    sections: dict[str, Results] = {}
    for title, step in steps.items():
        print(f"measuring {title} ...", file=sys.stderr, flush=True)
        took = wall(lambda: sections.setdefault(title, step()))  # noqa: B023 - called at once
        print(f"  {took:.1f} s", file=sys.stderr, flush=True)
    print(f"python {sys.version.split()[0]}; medians of {rounds} rounds; moto {'on' if with_moto else 'off'}"
          f"{'; --quick' if args.quick else ''}")
    print(table(sections))
    print(ratio_lines(scale_ratios(sections["scale"])))
    if args.json:
        Path(args.json).write_text(json.dumps(sections, indent=1))
    if args.check:
        report, ok = check(sections, tolerance)
        print(report)
        sys.exit(0 if ok else 1)
    if not args.no_chart:
        from bench.chart import draw

        draw(sections, Path(args.chart))
        print(f"\nchart: {args.chart}")


if __name__ == "__main__":
    main()
