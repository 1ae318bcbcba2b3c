"""Scale: do DescribeTasks(100), a ListTasks page and ``advance()`` grow with the tasks held in the fake?

* DescribeTasks of 100 tasks (from the middle of those held) and the first ListTasks page of 100, with 100,
  1,000, 10,000 and 100,000 tasks in the fake (every one RUNNING), each size's rounds interleaved with the
  floor (the same call answered by the canned bytes of the 100-task answer), so the scale ratio
  (ecsfake/floor at N) / (ecsfake/floor at 100) is free of the machine's drift between sizes. moto: up to
  10,000 (creating 100,000 tasks in moto would take many minutes).
* ``advance()`` that moves 10,000 tasks PENDING → RUNNING at once, with 0, 10,000 and 90,000 other (idle,
  RUNNING) tasks in the fake: wall time of that one call (GC collected just before), per changed task.
  ``--quick``: 0 and 10,000 idle, and the scale rows up to 22,000 tasks.
* Memory: tracemalloc while 5,000 tasks are created and reach RUNNING (20,000 already held), per task.
* Setup: tasks are created with RunTask count=10; the time taken is a row.

Run alone: ``python -m bench.bench_scale [--no-moto] [--quick]``.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from bench import workloads as w
from bench.calls import Canned, _capturing
from bench.timing import interleaved, per_call, wall

Results = dict[str, dict[str, float]]
SIZES = (100, 1_000, 10_000, 100_000)
QUICK_SIZES = (100, 20_000)  # --quick: 22,000 tasks, not 100,000 (whose set-up takes about a minute)
MOTO_LARGEST = 10_000
QUICK_MOTO = (100, 1_000)
BATCH = 10_000  # the tasks one advance() moves
TRACED = 5_000  # the tasks created under tracemalloc (and taken to RUNNING): memory per task
CALLS = {"DescribeTasks (100 tasks)": 10, "ListTasks page (100)": 20}
MEMORY = "memory per task (KiB)"
CREATE = "set-up: RunTask count=10 up to {:,} tasks (s)"
ADVANCE = "advance() moving 10,000 tasks, {:,} idle: per task"


def _key(name: str, size: int) -> str:
    return f"{name} with {size:,} in the fake"


def _calls(ecs: Any, arns: list[str]) -> dict[str, Callable[[], object]]:
    middle = arns[max(0, len(arns) // 2 - 50):][:100]
    return {"DescribeTasks (100 tasks)": lambda: ecs.describe_tasks(cluster="c", tasks=middle),
            "ListTasks page (100)": lambda: ecs.list_tasks(cluster="c", maxResults=100)}


def _floor(canned: Canned, name: str) -> Callable[[], Any]:
    def enter() -> Any:
        floor = w.Floor(signed=False)
        floor.canned = canned[name]
        return floor

    return enter


def _measure_fake(ecs: Any, arns: list[str], size: int, rounds: int, canned: Canned, results: Results) -> None:
    gc.collect()
    for name, func in _calls(ecs, arns).items():
        figures = interleaved({"floor": (_floor(canned, name), func), "ecsfake": (nullcontext, func)},
                              CALLS[name], rounds)
        results[_key(name, size)] = figures


def _grow(ecs: Any, arns: list[str], to: int, spent: list[float]) -> None:
    """RunTask (count 10) until the fake holds ``to`` tasks; the wall time is added to ``spent``."""
    spent[0] += wall(lambda: arns.extend(w.run_tasks(ecs, "subnet-1", to - len(arns))))


def _timed_advance(fake: Any, ecs: Any, arns: list[str]) -> float:
    """One advance() that takes the last BATCH tasks (all PENDING) to RUNNING; seconds per changed task."""
    batch = arns[-BATCH:]
    if ecs.describe_tasks(cluster="c", tasks=batch[:1])["tasks"][0]["lastStatus"] == "RUNNING":
        raise RuntimeError("advance(): the batch is RUNNING already")
    gc.collect()
    took = wall(lambda: fake.advance(60))
    if ecs.describe_tasks(cluster="c", tasks=batch[-1:])["tasks"][0]["lastStatus"] != "RUNNING":
        raise RuntimeError("advance(): the batch did not reach RUNNING")
    return took / BATCH


def _ecsfake(sizes: tuple[int, ...], rounds: int) -> Results:
    from pytest_ecsfake import EcsFake

    results: Results = {}
    canned: Canned = {}
    small = [s for s in sizes if s < BATCH]
    with EcsFake() as fake:  # the sizes under 10,000, grown in one fake; the floor's answers captured at 100
        ecs = w.clients()[0]
        ecs.create_cluster(clusterName="c")
        ecs.register_task_definition(**w.TASK_DEFINITION)
        arns: list[str] = []
        for size in small:
            arns += w.run_tasks(ecs, "subnet-1", size - len(arns))
            fake.advance(60)
            if not canned:
                for name, func in _calls(ecs, arns).items():
                    _capturing(fake, canned, name)()
                    func()
            _measure_fake(ecs, arns, size, rounds, canned, results)
    if not canned:
        raise ValueError("scale: the smallest size must be under 10,000")
    largest = max(sizes)
    spent = [0.0]
    with EcsFake() as fake:  # 10,000 at a time, each batch moved to RUNNING by one timed advance()
        ecs = w.clients()[0]
        ecs.create_cluster(clusterName="c")
        ecs.register_task_definition(**w.TASK_DEFINITION)
        arns = []
        _grow(ecs, arns, BATCH, spent)
        results[ADVANCE.format(0)] = {"ecsfake": _timed_advance(fake, ecs, arns)}
        _measure_fake(ecs, arns, BATCH, rounds, canned, results)
        _grow(ecs, arns, 2 * BATCH, spent)
        results[ADVANCE.format(BATCH)] = {"ecsfake": _timed_advance(fake, ecs, arns)}
        gc.collect()
        tracemalloc.start()
        _grow(ecs, arns, 2 * BATCH + TRACED, spent)  # traced: slower than untraced, still counted as set-up
        fake.advance(60)
        gc.collect()
        memory = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        results[MEMORY] = {"ecsfake": memory / TRACED / 1024}
        if largest > len(arns) + BATCH:
            _grow(ecs, arns, largest - BATCH, spent)
            fake.advance(60)
            _grow(ecs, arns, largest, spent)
            results[ADVANCE.format(largest - BATCH)] = {"ecsfake": _timed_advance(fake, ecs, arns)}
        _measure_fake(ecs, arns, len(arns), rounds, canned, results)
        results[CREATE.format(len(arns))] = {"ecsfake": spent[0]}
    return results


def _moto(sizes: tuple[int, ...], rounds: int) -> Results:
    from moto import mock_aws

    results: Results = {}
    with mock_aws():
        subnet, group = w.moto_network()[:2]
        ecs = w.clients()[0]
        ecs.create_cluster(clusterName="c")
        ecs.register_task_definition(**w.MOTO_TASK_DEFINITION)
        arns: list[str] = []
        for size in sizes:
            arns += w.run_tasks(ecs, subnet, size - len(arns), group)
            for name, func in _calls(ecs, arns).items():
                results[_key(name, size)] = {"moto": per_call(func, CALLS[name], rounds)}
    return results


def scale_figures(rounds: int, with_moto: bool, quick: bool = False) -> Results:
    sizes = QUICK_SIZES if quick else SIZES
    results = _ecsfake(sizes, rounds)
    if with_moto:
        for key, cols in _moto(QUICK_MOTO if quick else tuple(s for s in SIZES if s <= MOTO_LARGEST), rounds).items():
            results.setdefault(key, {}).update(cols)
    keyed = sorted({int(k.rsplit(" with ", 1)[1].split()[0].replace(",", "")) for k in results if " with " in k})
    order = [_key(name, size) for size in keyed for name in CALLS]
    return {key: results[key] for key in order} | {k: v for k, v in results.items() if k not in order}


def scale_ratios(scale: Results) -> dict[str, dict[str, float]]:
    """Per call: ecsfake's (ecsfake/floor at the largest size) / (ecsfake/floor at 100), and moto's
    moto(largest it has)/moto(100)."""
    every = sorted({int(k.rsplit(" with ", 1)[1].split()[0].replace(",", "")) for k in scale if " with " in k})
    sizes = [s for s in every if "ecsfake" in scale[_key(next(iter(CALLS)), s)]]
    out: dict[str, dict[str, float]] = {}
    for name in CALLS:
        small = scale[_key(name, sizes[0])]
        big = scale[_key(name, sizes[-1])]
        row = {"ecsfake": (big["ecsfake"] / big["floor"]) / (small["ecsfake"] / small["floor"]),
               "size": float(sizes[-1])}
        moto_sizes = [s for s in every if "moto" in scale[_key(name, s)]]
        if len(moto_sizes) > 1:
            row["moto"] = scale[_key(name, moto_sizes[-1])]["moto"] / small["moto"]
            row["moto size"] = float(moto_sizes[-1])
        out[name] = row
    return out
