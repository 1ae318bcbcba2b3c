"""The printed table: absolute figures per column and the ratios ecsfake/floor, codec/floor and moto/ecsfake."""

from __future__ import annotations

Results = dict[str, dict[str, float]]
COLUMNS = ("floor", "floor signed", "codec", "ecsfake", "moto")


def _cell(row: str, value: float | None) -> str:
    if value is None:
        return f"{'-':>14}"
    if row.endswith("(MiB)"):
        return f"{value:>10.1f} MiB"
    if row.endswith("(KiB)"):
        return f"{value:>10.2f} KiB"
    if row.endswith("(calls/s)"):
        return f"{value:>12,.0f}/s"
    if row.endswith("(share)"):
        return f"{value * 100:>13.0f}%"
    if row.endswith("(s)"):
        return f"{value:>12.1f} s"
    if "modules" in row:
        return f"{value:>14.0f}"
    if value >= 0.01:
        return f"{value * 1e3:>11.1f} ms"
    return f"{value * 1e6:>11.1f} µs"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:>10.2f}×" if a and b else f"{'-':>11}"


def table(sections: dict[str, Results]) -> str:
    lines = []
    head = (f"{'':56}" + "".join(f"{c:>14}" for c in COLUMNS)
            + f"{'ecsfake/floor':>15}{'codec/floor':>13}{'moto/ecsfake':>14}")
    for title, results in sections.items():
        lines += ["", f"## {title}", head]
        for row, cols in results.items():
            cells = "".join(_cell(row, cols.get(c)) for c in COLUMNS)
            ecsfake, moto = cols.get("ecsfake"), cols.get("moto")
            if row.endswith("(calls/s)"):  # higher is better: the column says how many times moto's rate
                moto, ecsfake = ecsfake, moto
            lines.append(f"{row:56}{cells}{_ratio(cols.get('ecsfake'), cols.get('floor')):>15}"
                         f"{_ratio(cols.get('codec'), cols.get('floor')):>13}{_ratio(moto, ecsfake):>14}")
    return "\n".join(lines)


def ratio_lines(ratios: dict[str, dict[str, float]]) -> str:
    """The scale ratios (bench.scale.scale_ratios) as lines."""
    lines = ["", "## scale ratio: (ecsfake/floor with the most tasks) / (ecsfake/floor with 100); moto: its own"]
    for name, row in ratios.items():
        text = f"ecsfake {row['ecsfake']:.2f} ({row['size']:,.0f} / 100)"
        if "moto" in row:
            text += f",  moto {row['moto']:.2f} ({row['moto size']:,.0f} / 100)"
        lines.append(f"{name:56}{text}")
    return "\n".join(lines)
