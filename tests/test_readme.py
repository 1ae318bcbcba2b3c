"""README promises that must stay true: the supported-operations table, the set-up commands, the timings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_ecsfake import _registry
from pytest_ecsfake._timings import DEFAULT_TIMINGS
from pytest_ecsfake.schemas import operation_names

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def table_rows(start: str, end: str) -> list[list[str]]:
    block = README.split(start, 1)[1].split(end, 1)[0]
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in block.splitlines()
            if line.startswith("|")]
    return rows[2:]  # header and separator


def test_supported_operations_table_matches_the_registry() -> None:
    rows = table_rows("<!-- supported-operations:start -->", "<!-- supported-operations:end -->")
    documented = {(service, operation) for service, operation in rows}
    implemented = {(service, op) for service in _registry.SERVICES for op in _registry.supported(service)}
    assert documented == implemented


def test_every_handler_is_a_real_operation_with_a_schema() -> None:
    for service in _registry.SERVICES:
        assert set(_registry.supported(service)) <= set(operation_names(service))


def test_every_timing_key_is_documented_with_its_default() -> None:
    rows = {key.strip("`"): float(default) for key, default, *_ in table_rows("## Timings", "\n## ")}
    assert rows == DEFAULT_TIMINGS


def test_ci_runs_the_readme_test_command() -> None:
    command = re.search(r"Run the project's own tests.*?```bash\n(.+?)\n```", README, re.S)
    assert command is not None
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert command.group(1).strip() in ci.splitlines()


def _python_block(heading: str) -> str:
    section = README.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.+?)\n```", section, re.S)
    assert match is not None, heading
    return match.group(1)


@pytest.mark.parametrize("heading", ["Run a task and wait for it", "The clock", "Validation",
                                     "Using moto for other services", "Container output"])
def test_a_readme_example_runs_as_written(heading: str) -> None:
    exec(compile(_python_block(heading), f"README.md ({heading})", "exec"), {})  # noqa: S102
