"""README promises that must stay true: the supported-operations table, the set-up commands, the timings."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import boto3  # noqa: F401 - loaded here, not first in a pytester run below (which would drop botocore.session and
import pytest  # leave the botocore package pointing at the dropped copy of botocore.handlers: moto then misses it)
import readme_blocks

# requests likewise: a script block that first imports it runs inside the pytester fixture, which then drops
# http.cookiejar while the http package keeps the dropped copy as its attribute, and the next requests block mixes
# the two copies ("You can only merge into CookieJar").
import requests  # noqa: F401

from pytest_ecsfake.core import registry as _registry
from pytest_ecsfake.schemas import operation_names
from pytest_ecsfake.ways_in.options import DEFAULT_TIMINGS

ROOT = Path(__file__).resolve().parents[1]
README = readme_blocks.README


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
    ci = (ROOT / ".ci" / "run").read_text()
    assert _readme_command("Run the project's own tests") in ci.splitlines()


def _readme_command(heading: str) -> str:
    return re.search(rf"{heading}.*?```bash\n(.+?)\n```", README, re.S).group(1).strip()  # type: ignore[union-attr]


def test_every_readme_block_is_run_by_a_test() -> None:
    """Each block is a script, a test module or part of a section's shell script: nothing is left unrun."""
    kinds = {block.kind for block in readme_blocks.blocks()}
    assert kinds == {"script", "tests", "shell"}
    for shell in readme_blocks.shells():  # what a shell section holds is installs, servers or commands
        assert shell.installs() or shell.servers() or shell.commands(), shell.heading
    assert not [block.language for block in readme_blocks.blocks() if block.language not in ("python", "bash")]


def run_readme_block(block: readme_blocks.Block, pytester: pytest.Pytester) -> None:
    if block.kind == "script":
        exec(compile(block.code, f"README.md ({block.id})", "exec"), {})  # noqa: S102
        return
    pytester.makepyfile(**{"test_readme_block": block.code})
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")
    tests = len(re.findall(r"^(?:async )?def test_", block.code, re.M))
    result.assert_outcomes(passed=tests)


@pytest.mark.parametrize("block", [block for block in readme_blocks.blocks()
                                   if block.kind != "shell" and not block.needs_clients], ids=lambda b: b.id)
def test_a_readme_block_runs_as_written(block: readme_blocks.Block, pytester: pytest.Pytester) -> None:
    run_readme_block(block, pytester)


def test_readme_installs_are_what_the_tests_run_in() -> None:
    """Every ``pip install`` of README names something installed here: the suite runs inside what they install."""
    ours = metadata.distribution("pytest-ecsfake")
    extras = set(ours.metadata.get_all("Provides-Extra") or ())
    for shell in readme_blocks.shells():
        for requirement in shell.installs():
            if requirement.startswith("."):  # this checkout, with extras
                named = re.findall(r"\w+", requirement.partition("[")[2])
                assert set(named) <= extras, requirement
                declared = re.search(r'^__version__ = "(.+)"$', (ROOT / "pytest_ecsfake/__init__.py").read_text(), re.M)
                assert declared is not None and ours.version == declared.group(1)  # this checkout is installed
            else:
                assert metadata.distribution(re.split(r"[\[<>=]", requirement)[0]), requirement


def test_the_main_job_runs_as_written() -> None:
    """Set-up's first command: the example suite passes (its ``pip install .`` is this environment)."""
    setup = next(shell for shell in readme_blocks.shells() if shell.heading == "Set-up")
    main_job, test_command = setup.commands()
    assert test_command == _readme_command("Run the project's own tests").partition("&& ")[2]  # CI runs it
    done = subprocess.run(main_job.replace("python", sys.executable, 1), shell=True, cwd=ROOT, text=True,  # noqa: S602
                          capture_output=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.search(r"\b\d+ passed\b", done.stdout)
