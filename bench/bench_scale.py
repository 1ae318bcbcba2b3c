"""Only the scale part of the suite: does DescribeTasks(100) or a ListTasks page grow with the tasks in the fake?

Run: python -m bench.bench_scale [--no-moto] [--quick]   (the whole suite: python -m bench, see docs/bench.md)
"""

from __future__ import annotations

import importlib.util
import sys

from bench import workloads
from bench.report import ratio_lines, table
from bench.scale import scale_figures, scale_ratios


def main() -> None:
    with_moto = "--no-moto" not in sys.argv[1:] and importlib.util.find_spec("moto") is not None
    workloads.dummy_credentials()
    scale = scale_figures(3 if "--quick" in sys.argv[1:] else 7, with_moto, quick="--quick" in sys.argv[1:])
    print(table({"scale": scale}))
    print(ratio_lines(scale_ratios(scale)))


if __name__ == "__main__":
    main()
