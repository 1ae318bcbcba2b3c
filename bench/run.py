"""The benchmark suite: the botocore floor, ecsfake and moto side by side in one process run.

Run: ``pip install '.[bench]' && python -m bench``  (``--quick`` for fewer rounds, ``--no-chart``, ``--no-moto``)

Every figure is the median of several rounds (``bench.timing.per_call``). Prints one table of absolute figures
and the ratios ecsfake/floor and moto/ecsfake, and writes docs/bench.png. See docs/bench.md.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from bench import workloads as w
from bench.timing import Case, interleaved, per_call, wall
from bench.waits import waits_figures

ROOT = Path(__file__).resolve().parent.parent
SIZES = (100, 1_000, 10_000)
Results = dict[str, dict[str, float]]  # row -> column ("floor", "floor signed", "ecsfake", "moto") -> seconds


def _capturing(fake: Any, into: dict[str, tuple[int, dict[str, str], bytes]], name: str) -> Callable[[], None]:
    """Make the next call through ``fake`` store its response as the floor's canned answer for ``name``."""
    handle = fake._handle

    def capture(service: str, request: Any) -> Any:
        response = handle(service, request)
        into[name] = (response.status, dict(response.headers), response.body)
        del fake._handle  # back to the class method
        return response

    def arm() -> None:
        fake._handle = capture

    return arm


def per_call_figures(rounds: int, calls: int, with_moto: bool) -> Results:
    from pytest_ecsfake import EcsFake
    from pytest_ecsfake.ways_in import intercept as _intercept

    results: Results = {}
    canned: dict[str, tuple[int, dict[str, str], bytes]] = {}
    stops = 5 + 2 * rounds * calls + 5
    with EcsFake() as fake:
        ecs, batch = w.clients()
        workload = w.setup(ecs, batch, fake.advance, "subnet-1", "arn:aws:iam::123456789012:role/r", stops)
        for name, func in workload.items():
            _capturing(fake, canned, name)()
            func()

        def floor(signed: bool, name: str) -> Callable[[], AbstractContextManager[object]]:
            def enter() -> AbstractContextManager[object]:
                context = w.Floor(signed=signed)
                context.canned = canned[name]
                return context

            return enter

        @contextmanager
        def signing() -> Iterator[None]:  # ecsfake with botocore's SigV4 signing put back
            from botocore.signers import RequestSigner

            RequestSigner.sign = _intercept._patched["sign"]
            try:
                yield
            finally:
                RequestSigner.sign = _intercept._sign

        for name, func in workload.items():
            # The floor's StopTask needs no real task: its answer is canned.
            floor_func = (lambda: ecs.stop_task(cluster="c", task="t")) if name == "StopTask" else func
            cases: dict[str, Case] = {"ecsfake": (nullcontext, func), "floor": (floor(False, name), floor_func),
                                      "floor signed": (floor(True, name), floor_func)}
            if name == "DescribeTasks (1 task)":
                cases["ecsfake signed"] = (signing, func)
            results[name] = interleaved(cases, calls, rounds)
        signed = results["DescribeTasks (1 task)"].pop("ecsfake signed")
        results["DescribeTasks (1 task), ecsfake signing"] = {**results["DescribeTasks (1 task)"], "ecsfake": signed}
    if with_moto:
        from moto import mock_aws

        with mock_aws(config={"batch": {"use_docker": False}}):
            subnet, group, role = w.moto_network()
            ecs, batch = w.clients()
            workload = w.setup(ecs, batch, lambda _: None, subnet, role, stops, group, moto=True)
            for name, func in workload.items():
                results[name]["moto"] = per_call(func, calls, rounds)
    return results


def per_test_figures(rounds: int, with_moto: bool) -> Results:
    """Fixture overhead: activate, one call, deactivate, with as many modules loaded as a moto user has."""
    if with_moto:
        import moto  # noqa: F401 - loaded for both: freezegun's activation cost grows with the loaded modules
    from pytest_ecsfake import EcsFake

    ecs = w.clients()[0]

    def floor(signed: bool) -> Callable[[], AbstractContextManager[object]]:
        def enter() -> AbstractContextManager[object]:
            context = w.Floor(signed=signed)
            context.canned = (200, {}, b'{"clusterArns":[]}')
            return context

        return enter

    def fake_bare() -> None:
        EcsFake().start().stop()

    def fake_one() -> None:
        with EcsFake():
            ecs.list_clusters()

    bare: dict[str, Case] = {"ecsfake": (nullcontext, fake_bare)}
    one: dict[str, Case] = {"floor": (floor(False), ecs.list_clusters),
                            "floor signed": (floor(True), ecs.list_clusters), "ecsfake": (nullcontext, fake_one)}
    if with_moto:
        from moto import mock_aws

        with mock_aws():  # a client created under moto carries its botocore handler, enabled by each mock_aws
            moto_ecs = w.clients()[0]

        def moto_bare() -> None:
            mock = mock_aws()
            mock.start()
            mock.stop()

        def moto_one() -> None:
            with mock_aws():
                moto_ecs.list_clusters()

        bare["moto"] = (nullcontext, moto_bare)
        one["moto"] = (nullcontext, moto_one)
    results: Results = {"activate + deactivate": interleaved(bare, 50, rounds),
                        "activate + 1 call + deactivate": interleaved(one, 50, rounds)}
    results["modules loaded"] = {"floor": float(len(sys.modules))}
    return results


_FIRST_USE = {
    "floor": """
from bench import workloads as w
import boto3
with w.Floor(signed=True) as floor:
    floor.canned = (200, {}, b'{"clusterArns":[]}')
    boto3.client("ecs", region_name="us-east-1").list_clusters()
""",
    "ecsfake": """
import boto3
from pytest_ecsfake import EcsFake
with EcsFake():
    boto3.client("ecs", region_name="us-east-1").list_clusters()
""",
    "moto": """
import boto3
from moto import mock_aws
with mock_aws():
    boto3.client("ecs", region_name="us-east-1").list_clusters()
""",
}
_TIMED = "import time\nstart = time.perf_counter()\n{body}\nprint(time.perf_counter() - start)\n"
# The fake's own share of a first use, free of the noise of boto3's imports: the CPU time spent inside its
# dispatcher (decoding, the schemas built from botocore's model on first use, handler modules imported, answers)
# over the first calls of five operations of both services. process_time, since freezegun freezes perf_counter.
_DISPATCH_SHARE = """
import time
import pytest_ecsfake.wire.dispatch as dispatcher
spent = [0.0]
inner = dispatcher.dispatch
def timed(*args, **kwargs):
    start = time.process_time()
    try:
        return inner(*args, **kwargs)
    finally:
        spent[0] += time.process_time() - start
dispatcher.dispatch = timed
import boto3
from pytest_ecsfake import EcsFake
with EcsFake():
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    ecs.register_task_definition(family="job", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                 cpu="256", memory="512", containerDefinitions=[{"name": "a", "image": "x"}])
    ecs.run_task(cluster="c", taskDefinition="job", launchType="FARGATE",
                 networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-1"]}})
    ecs.describe_tasks(cluster="c", tasks=["x"])
    boto3.client("batch", region_name="us-east-1").describe_job_queues()
print(spent[0])
"""


def first_use_figures(runs: int, with_moto: bool) -> Results:
    """A fresh interpreter per run: the imports (boto3 included) plus the first ListClusters.

    Bytecode is cached as for an installed package: in a temporary PYTHONPYCACHEPREFIX (nothing is written to
    the tree), warmed by one discarded run. PYTHONDONTWRITEBYTECODE=1 on a source checkout would compile
    pytest_ecsfake from source in every process instead (about +70 ms here)."""
    row: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", PYTHONPYCACHEPREFIX=cache)
        for column, body in _FIRST_USE.items():
            if column == "moto" and not with_moto:
                continue
            code = _TIMED.format(body=body)
            samples = []
            for run in range(1 + runs):
                out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                                     check=True, env=env)
                if run:
                    samples.append(float(out.stdout.strip().splitlines()[-1]))
            row[column] = statistics.median(samples)
        share = [float(subprocess.run([sys.executable, "-c", _DISPATCH_SHARE], cwd=ROOT, capture_output=True,
                                      text=True, check=True, env=env).stdout.strip().splitlines()[-1])
                 for _ in range(1 + runs)][1:]
    return {"import + first call (fresh process)": row,
            "fake's CPU in its dispatcher, first 5 operations": {"ecsfake": statistics.median(share)}}


Canned = dict[str, tuple[int, dict[str, str], bytes]]


def _scale_one(size: int, rounds: int, impl: str, canned: Canned) -> dict[str, float]:
    if impl == "ecsfake":
        from pytest_ecsfake import EcsFake

        context: Any = EcsFake()
    else:
        from moto import mock_aws

        context = mock_aws()
    with context as fake:
        subnet, group = w.moto_network()[:2] if impl == "moto" else ("subnet-1", "sg-1")
        ecs = w.clients()[0]
        ecs.create_cluster(clusterName="c")
        ecs.register_task_definition(**(w.MOTO_TASK_DEFINITION if impl == "moto" else w.TASK_DEFINITION))
        gc.collect()
        traced = impl == "ecsfake" and size == SIZES[-1]
        if traced:
            tracemalloc.start()
        arns = w.run_tasks(ecs, subnet, size, group)
        memory = tracemalloc.get_traced_memory()[0] if traced else 0.0
        if traced:
            tracemalloc.stop()
        if impl == "ecsfake":
            fake.advance(60)
        middle = arns[max(0, len(arns) // 2 - 50):][:100]
        figures = {
            "DescribeTasks (100 tasks)": per_call(lambda: ecs.describe_tasks(cluster="c", tasks=middle), 10, rounds),
            "ListTasks page (100)": per_call(lambda: ecs.list_tasks(cluster="c", maxResults=100), 20, rounds),
        }
        if impl == "ecsfake" and size == SIZES[0]:  # the floor's canned answer: these 100 tasks
            _capturing(fake, canned, "DescribeTasks (100 tasks)")()
            ecs.describe_tasks(cluster="c", tasks=middle)
            _capturing(fake, canned, "ListTasks page (100)")()
            ecs.list_tasks(cluster="c", maxResults=100)
        if traced:
            figures["memory per 10,000 tasks (MiB)"] = memory / 2**20
    return figures


def scale_figures(rounds: int, with_moto: bool) -> Results:
    results: Results = {}
    canned: Canned = {}
    impls = ("ecsfake", "moto") if with_moto else ("ecsfake",)
    for impl in impls:
        for size in SIZES:
            for name, value in _scale_one(size, rounds, impl, canned).items():
                key = name if "memory" in name else f"{name} with {size:,} in the fake"
                results.setdefault(key, {})[impl] = value
    ecs = w.clients()[0]
    calls = {"DescribeTasks (100 tasks)": lambda: ecs.describe_tasks(cluster="c", tasks=["t"]),
             "ListTasks page (100)": lambda: ecs.list_tasks(cluster="c", maxResults=100)}
    with w.Floor(signed=False) as floor:  # the same answer whatever the fake holds: one floor for every size
        for name, func in calls.items():
            floor.canned = canned[name]
            figure = per_call(func, 10 if name.startswith("Describe") else 20, rounds)
            for size in SIZES:
                results[f"{name} with {size:,} in the fake"]["floor"] = figure
    return results


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


def _cell(row: str, value: float | None) -> str:
    if value is None:
        return f"{'-':>14}"
    if "memory" in row:
        return f"{value:>10.1f} MiB"
    if "modules" in row:
        return f"{value:>14.0f}"
    if value >= 0.01:
        return f"{value * 1e3:>11.1f} ms"
    return f"{value * 1e6:>11.1f} µs"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:>10.2f}×" if a and b else f"{'-':>11}"


COLUMNS = ("floor", "floor signed", "ecsfake", "moto")


def table(sections: dict[str, Results]) -> str:
    lines = []
    head = f"{'':50}" + "".join(f"{c:>14}" for c in COLUMNS) + f"{'ecsfake/floor':>15}{'moto/ecsfake':>14}"
    for title, results in sections.items():
        lines += ["", f"## {title}", head]
        for row, cols in results.items():
            cells = "".join(_cell(row, cols.get(c)) for c in COLUMNS)
            floor = cols.get("floor")
            lines.append(f"{row:50}{cells}{_ratio(cols.get('ecsfake'), floor):>15}"
                         f"{_ratio(cols.get('moto'), cols.get('ecsfake')):>14}")
    return "\n".join(lines)


def scale_ratios(scale: Results) -> str:
    lines = ["", "## scale ratio (10,000 tasks in the fake / 100)"]
    for name in ("DescribeTasks (100 tasks)", "ListTasks page (100)"):
        small, big = scale[f"{name} with 100 in the fake"], scale[f"{name} with 10,000 in the fake"]
        parts = [f"{impl} {big[impl] / small[impl]:.2f}" for impl in ("ecsfake", "moto") if impl in small]
        lines.append(f"{name:50}" + ",  ".join(parts))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds (a smoke run)")
    parser.add_argument("--no-moto", action="store_true", help="leave moto out (it is an optional dependency)")
    parser.add_argument("--no-chart", action="store_true", help="do not write docs/bench.png")
    parser.add_argument("--chart", default=str(ROOT / "docs" / "bench.png"), help="where to write the chart")
    args = parser.parse_args(argv)
    with_moto = not args.no_moto and importlib.util.find_spec("moto") is not None
    rounds, calls = (3, 20) if args.quick else (11, 50)
    w.dummy_credentials()
    steps: dict[str, Callable[[], Results]] = {
        "per call": lambda: per_call_figures(rounds, calls, with_moto),
        "per test (fixture overhead)": lambda: per_test_figures(rounds, with_moto),
        "first use": lambda: first_use_figures(3 if args.quick else 11, with_moto),
        "scale": lambda: scale_figures(rounds, with_moto),
        "waiters (wall time)": lambda: waiter_figures(with_moto),
        "waits (wall time; a poller thread's CPU)": lambda: waits_figures(rounds),
    }
    sections: dict[str, Results] = {}
    for title, step in steps.items():
        print(f"measuring {title} ...", file=sys.stderr, flush=True)
        took = wall(lambda: sections.setdefault(title, step()))  # noqa: B023 - called at once
        print(f"  {took:.1f} s", file=sys.stderr, flush=True)
    print(f"python {sys.version.split()[0]}; medians of {rounds} rounds; moto {'on' if with_moto else 'off'}")
    print(table(sections))
    print(scale_ratios(sections["scale"]))
    if not args.no_chart:
        from bench.chart import draw

        draw(sections, Path(args.chart))
        print(f"\nchart: {args.chart}")


if __name__ == "__main__":
    main()
