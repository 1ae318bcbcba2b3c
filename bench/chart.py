"""docs/bench.png: per-call cost against the floor and moto, and how two calls scale with the tasks in the fake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.workloads import PER_CALL

COLORS = {"floor": "#9e9e9e", "ecsfake": "#1f77b4", "moto": "#ff7f0e"}


def draw(sections: dict[str, dict[str, dict[str, float]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    per_call, scale = sections["per call"], sections["scale"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5.4), gridspec_kw={"width_ratios": [1.25, 1]})
    columns = [c for c in ("floor", "ecsfake", "moto") if any(c in per_call[n] for n in PER_CALL)]
    height = 0.8 / len(columns)
    for i, column in enumerate(columns):
        ys = [row + i * height for row in range(len(PER_CALL))]
        values = [per_call[n].get(column, 0.0) * 1e6 for n in PER_CALL]
        left.barh(ys, values, height=height, color=COLORS[column], label=column)
        for y, value in zip(ys, values, strict=True):
            if value:
                left.text(value * 1.05, y, f"{value:,.0f}", va="center", fontsize=7)
    left.set_yticks([row + 0.4 - height / 2 for row in range(len(PER_CALL))], PER_CALL)
    left.invert_yaxis()
    left.set_xscale("log")
    left.set_xlim(left=100)
    left.set_xlabel("µs per call (median, log scale)")
    left.set_title("Per call through boto3")
    left.legend(loc="lower right", fontsize=8)

    sizes = sorted({int(k.rsplit(" with ", 1)[1].split()[0].replace(",", "")) for k in scale if " with " in k})
    styles: dict[str, Any] = {"DescribeTasks (100 tasks)": "o-", "ListTasks page (100)": "s--"}
    for name, style in styles.items():
        for impl in ("ecsfake", "moto", "floor"):
            found = [(size, scale.get(f"{name} with {size:,} in the fake", {}).get(impl)) for size in sizes]
            points = [(size, v * 1e3) for size, v in found if v is not None]
            if len(points) > 1:  # moto: up to 10,000 tasks
                right.plot([x for x, _ in points], [y for _, y in points], style, color=COLORS[impl],
                           label=f"{impl}: {name}", alpha=0.6 if impl == "floor" else 1.0)
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xticks(sizes, [f"{s:,}" for s in sizes])
    right.set_xlabel("tasks in the fake")
    right.set_ylabel("ms per call (median, log scale)")
    right.set_title("Scaling with the tasks held")
    right.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
