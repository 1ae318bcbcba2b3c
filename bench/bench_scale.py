"""Does the cost of DescribeTasks(100), a ListTasks page and RunTask grow with the tasks in the fake?

Run: python -m bench.bench_scale   (prints absolute figures and the ratios against the 100-task fake)
"""

from __future__ import annotations

import gc
import tracemalloc

import boto3

from bench.timing import fmt, per_call
from pytest_ecsfake import EcsFake

SIZES = (100, 1_000, 10_000)
SUBNETS = {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}


def fill(ecs: object, tasks: int) -> list[str]:
    arns: list[str] = []
    while len(arns) < tasks:
        answer = ecs.run_task(cluster="c", taskDefinition="job", launchType="FARGATE",  # type: ignore[attr-defined]
                              count=min(10, tasks - len(arns)), networkConfiguration=SUBNETS)
        arns += [t["taskArn"] for t in answer["tasks"]]
    return arns


def measure(tasks: int) -> dict[str, float]:
    with EcsFake() as fake:
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName="c")
        ecs.register_task_definition(family="job", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                     cpu="256", memory="512", containerDefinitions=[{"name": "a", "image": "x"}])
        gc.collect()
        tracemalloc.start()
        arns = fill(ecs, tasks)
        current, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        fake.advance(60)
        middle = arns[max(0, len(arns) // 2 - 50) :][:100]
        token = ecs.list_tasks(cluster="c", maxResults=100)["nextToken"] if tasks > 100 else None
        figures = {
            "DescribeTasks(100)": per_call(lambda: ecs.describe_tasks(cluster="c", tasks=middle), 20),
            "ListTasks page (100)": per_call(lambda: ecs.list_tasks(cluster="c", maxResults=100), 50),
            "ListTasks 2nd page": per_call(
                lambda: ecs.list_tasks(cluster="c", maxResults=100, **({"nextToken": token} if token else {})), 50
            ),
            "RunTask (count 1)": per_call(
                lambda: ecs.run_task(cluster="c", taskDefinition="job", launchType="FARGATE",
                                     networkConfiguration=SUBNETS), 50
            ),
            "memory per task (KiB)": current / tasks / 1024,
        }
    return figures


def main() -> None:
    results = {size: measure(size) for size in SIZES}
    names = list(results[SIZES[0]])
    print(f"{'':24}" + "".join(f"{size:>14,} tasks" for size in SIZES) + f"{'ratio 10k/100':>16}")
    for name in names:
        row = [results[size][name] for size in SIZES]
        cells = "".join(f"{v:17.1f}" if "memory" in name else f"{fmt(v):>20}" for v in row)
        print(f"{name:24}{cells}{row[-1] / row[0]:16.2f}")


if __name__ == "__main__":
    main()
