"""``python -m pytest_ecsfake.scaffold``: one command adds an operation (a stub that refuses, a test that fails
until written), and the tables derived from the handlers (the registry's index, README's table,
docs/coverage.md) stay what a fresh generation gives. The scaffold runs for real, in a copy of the tree."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_ecsfake.scaffold import default_module, main, skeleton_text, stub_text, tables, with_imports

ROOT = Path(__file__).resolve().parents[1]


def copy_tree(target: Path) -> Path:
    """What the scaffold reads and writes, and what a pytest run of a generated test needs."""
    skip = shutil.ignore_patterns("__pycache__")
    for folder in ("pytest_ecsfake", "schemas", "docs"):
        shutil.copytree(ROOT / folder, target / folder, ignore=skip)
    for name in ("README.md", "pyproject.toml", "tests/conftest.py"):
        (target / name).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / name, target / name)
    return target


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python <args>`` in ``root``, importing the package from there."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=300)


def snapshot(root: Path) -> dict[str, str]:
    return {str(path.relative_to(root)): path.read_text() for folder in ("pytest_ecsfake", "tests", "docs")
            for path in (root / folder).rglob("*") if path.suffix in (".py", ".md")}


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the tree after two scaffolds of CloudWatch Logs operations (every ECS operation has a handler once
    the branches of issue 20 are merged): a new module (anomalies), and a stub appended to log_groups.py."""
    # Operations with no handler yet; when one gets a handler, pick another for these tests.
    assert not {"ListAnomalies", "GetLogAnomalyDetector", "DeleteTransformer"} & set(tables.scan(ROOT)["logs"])
    root = copy_tree(tmp_path_factory.mktemp("repo"))
    assert main(["logs", "ListAnomalies", "--root", str(root)]) == 0
    assert main(["logs", "GetLogAnomalyDetector", "--module", "log_groups", "--root", str(root)]) == 0
    return root


def test_the_stub_and_its_test_are_written(scaffolded: Path) -> None:
    stub = (scaffolded / "pytest_ecsfake/logs/anomalies.py").read_text()
    assert '@handler("logs", "ListAnomalies")\ndef list_anomalies(ctx: Context' in stub
    assert stub.rstrip().endswith('ctx.unsupported("ListAnomalies")')  # it refuses: nothing pretends
    # The docstring lists the request and response members of botocore's model.
    assert "\n        anomalyDetectorArn: AnomalyDetectorArn (string)\n" in stub
    assert "anomalies: Anomalies (list of Anomaly)" in stub
    test = (scaffolded / "tests/test_logs_anomalies.py").read_text()
    assert "def test_list_anomalies(ecs_fake: EcsFake) -> None:" in test
    assert 'boto3.client("logs", region_name="us-east-1")' in test and "client.list_anomalies(" in test
    assert 'pytest.fail(f"write the assertions for ListAnomalies' in test
    # Appended to an existing module: what it held before is still there, the stub after it.
    groups = (scaffolded / "pytest_ecsfake/logs/log_groups.py").read_text()
    before = (ROOT / "pytest_ecsfake/logs/log_groups.py").read_text()
    assert groups.startswith(before.rstrip("\n")) and '@handler("logs", "GetLogAnomalyDetector")' in groups
    assert re.search(r"\n        anomalyDetectorArn: AnomalyDetectorArn \(string\), required\n", groups)
    assert (scaffolded / "tests/test_logs_log_groups.py").is_file()


def test_the_tables_name_the_new_operations(scaffolded: Path) -> None:
    index: dict[str, object] = {}
    exec((scaffolded / tables.INDEX).read_text(), index)  # noqa: S102 - the generated data module
    modules = index["MODULES"]
    assert isinstance(modules, dict)
    assert modules["logs"]["ListAnomalies"] == "pytest_ecsfake.logs.anomalies"
    assert modules["logs"]["GetLogAnomalyDetector"] == "pytest_ecsfake.logs.log_groups"
    readme = (scaffolded / "README.md").read_text()
    assert "| logs | ListAnomalies |" in readme.split(tables.START)[1].split(tables.END)[0]
    coverage = (scaffolded / "docs/coverage.md").read_text()
    assert "| ListAnomalies | stub | `pytest_ecsfake.logs.anomalies` |" in coverage
    handlers = sum(not found.stub for found in tables.scan(ROOT)["logs"].values())
    assert re.search(rf"\n\| logs \| {handlers} \| 2 \| \d+ \| \d+ \|\n", coverage), "the counts: 2 stubs more"
    assert main(["docs", "--check", "--root", str(scaffolded)]) == 0


def test_the_generated_files_are_ruff_clean(scaffolded: Path) -> None:
    names = ["pytest_ecsfake/logs/anomalies.py", "pytest_ecsfake/logs/log_groups.py",
             "tests/test_logs_anomalies.py", "tests/test_logs_log_groups.py", str(tables.INDEX)]
    done = run(scaffolded, "-m", "ruff", "check", *names)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_stub_refuses_and_its_test_fails_until_written(scaffolded: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(scaffolded, root)
    assert run(root, "-c", "import pytest_ecsfake; print(pytest_ecsfake.__file__)").stdout.startswith(str(root))
    pytest_args = ("-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_logs_anomalies.py")
    done = run(root, *pytest_args)
    assert done.returncode == 1, done.stdout
    # The stub answered (Context.unsupported), not "does not implement": the registry found it.
    assert "(UnsupportedOperation) when calling the ListAnomalies operation: pytest-ecsfake does not " \
           "support ListAnomalies in logs:ListAnomalies yet." in done.stdout
    # Implemented, the operation answers; the test still fails until its assertions are written.
    stub = root / "pytest_ecsfake/logs/anomalies.py"
    stub.write_text(stub.read_text().replace('ctx.unsupported("ListAnomalies")', 'return {"anomalies": []}'))
    done = run(root, *pytest_args)
    assert done.returncode == 1 and "Failed: write the assertions for ListAnomalies: it answered" in done.stdout
    assert main(["docs", "--root", str(root)]) == 0
    assert "| ListAnomalies | implemented |" in (root / "docs/coverage.md").read_text()


def test_the_scaffold_refuses_what_it_cannot_write(scaffolded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(scaffolded)
    again = run(scaffolded, "-m", "pytest_ecsfake.scaffold", "logs", "ListAnomalies")
    assert again.returncode == 2
    assert "logs:ListAnomalies is already implemented: pytest_ecsfake.logs.anomalies has a stub" in again.stderr
    assert main(["ecs", "RunTask", "--root", str(scaffolded)]) == 2
    assert "ecs:RunTask is already implemented: pytest_ecsfake.ecs.tasks has a handler" in capsys.readouterr().err
    assert main(["logs", "ListAnomalys", "--root", str(scaffolded)]) == 2
    err = capsys.readouterr().err
    assert "logs has no operation 'ListAnomalys' in botocore" in err
    assert "Did you mean ListAnomalies" in err
    assert main(["logs", "RunTask", "--root", str(scaffolded)]) == 2  # an ECS operation, not a Logs one
    assert main(["ecs", "DeleteAttributes", "--module", "Not-A-Module", "--root", str(scaffolded)]) == 2
    with pytest.raises(SystemExit) as unknown_service:
        main(["ec2", "RunInstances", "--root", str(scaffolded)])
    assert unknown_service.value.code == 2
    assert snapshot(scaffolded) == before  # nothing written


def test_docs_check_names_the_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_tree(tmp_path)
    readme = root / "README.md"
    fresh = {name: (root / name).read_text() for name in ("README.md", str(tables.COVERAGE))}
    readme.write_text(readme.read_text().replace("| ecs | RunTask |\n", ""))
    (root / tables.COVERAGE).unlink()
    assert main(["docs", "--check", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "stale: README.md, docs/coverage.md (run `python -m pytest_ecsfake.scaffold docs`)" in err
    assert main(["docs", "--root", str(root)]) == 0
    assert readme.read_text() == fresh["README.md"]
    assert (root / tables.COVERAGE).read_text() == fresh[str(tables.COVERAGE)]
    # A handler written without the scaffold: the index is stale until `docs` runs.
    with (root / "pytest_ecsfake/logs/log_groups.py").open("a") as module:
        module.write('\n\n@handler("logs", "DeleteTransformer")\n'
                     "def put(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:\n    return {}\n")
    assert main(["docs", "--check", "--root", str(root)]) == 1
    assert "stale: pytest_ecsfake/core/handler_index.py, README.md, docs/coverage.md" in capsys.readouterr().err


def test_docs_check_passes_on_the_tree() -> None:
    done = run(ROOT, "-m", "pytest_ecsfake.scaffold", "docs", "--check")
    assert done.returncode == 0, done.stderr  # run `python -m pytest_ecsfake.scaffold docs` and commit the result


def test_the_default_module_is_the_resource_snake_case_and_plural() -> None:
    assert default_module("PutAccountSetting") == "account_settings"
    assert default_module("ListAccountSettings") == "account_settings"
    assert default_module("ListTagsForResource") == "tags"
    assert default_module("DescribeCapacityProviders") == "capacity_providers"
    assert default_module("PutRetentionPolicy") == "retention_policies"
    assert default_module("StartQuery") == "queries"


@pytest.mark.parametrize("service", ["ecs", "batch", "logs"])
def test_every_operation_of_the_model_gets_a_stub_and_a_test_that_parse(service: str) -> None:
    from pytest_ecsfake.schemas._generate import load_model

    model = load_model(service)
    for operation in model["operations"]:
        text = stub_text(service, operation, "1.0", model) + "\n\n" + skeleton_text(service, operation, model)
        ast.parse(text, operation)
        assert max(len(line) for line in text.splitlines()) <= 120, operation


def test_a_missing_import_joins_its_from_line_or_follows_the_imports() -> None:
    text = '"""Doc."""\n\nfrom typing import TYPE_CHECKING\n\nfrom ..core.errors import X\n\nVALUE = 1\n'
    done = with_imports(text, [("typing", "Any"), ("..core.registry", "handler"), ("..core.errors", "X")])
    assert done == ('"""Doc."""\n\nfrom typing import TYPE_CHECKING, Any\n\nfrom ..core.errors import X\n'
                    "from ..core.registry import handler\n\nVALUE = 1\n")


def test_coverage_says_when_every_operation_of_a_service_is_implemented() -> None:
    found = tables.scan(ROOT)
    version, operations = tables.pinned_operations(ROOT, "batch")
    complete = {**found, "batch": {name: tables.Found("pytest_ecsfake.batch.jobs", False) for name in operations}}
    text = tables.coverage_text(ROOT, complete)
    batch = text.split("\n## batch\n")[1].split("\n## ")[0]
    assert batch.startswith(f"\nEvery operation of botocore {version}'s batch model is implemented.\n\n| operation |")
    assert "Every operation" not in text.split("\n## logs\n")[1]  # logs has operations not yet implemented
    complete["batch"][operations[0]] = tables.Found("pytest_ecsfake.batch.jobs", True)
    text = tables.coverage_text(ROOT, complete)
    assert f"Every operation of botocore {version}'s batch model has a handler; 1 of them is a stub." in text
