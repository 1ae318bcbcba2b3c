"""Only the scale part of the suite: does DescribeTasks(100) or a ListTasks page grow with the tasks in the fake?

Run: python -m bench.bench_scale [--no-moto]   (the whole suite: python -m bench, see docs/bench.md)
"""

from __future__ import annotations

import importlib.util
import sys

from bench import workloads
from bench.run import scale_figures, scale_ratios, table


def main() -> None:
    with_moto = "--no-moto" not in sys.argv[1:] and importlib.util.find_spec("moto") is not None
    workloads.dummy_credentials()
    scale = scale_figures(7, with_moto)
    print(table({"scale": scale}))
    print(scale_ratios(scale))


if __name__ == "__main__":
    main()
