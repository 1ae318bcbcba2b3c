"""The wheel ships the schemas: built from a copy of the sources and used where the repo is not importable."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("pytest_ecsfake", "schemas"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    build = "import sys; from setuptools import build_meta; print(build_meta.build_wheel(sys.argv[1]))"
    done = subprocess.run([sys.executable, "-c", build, str(out)], cwd=source, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return out / done.stdout.strip().splitlines()[-1]


def test_wheel_contains_every_schema_and_the_entry_point(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n for n in names if n.startswith("pytest_ecsfake/_schemas/") and n.endswith(".json")}
    committed = {
        f"pytest_ecsfake/_schemas/{p.relative_to(ROOT / 'schemas')}" for p in (ROOT / "schemas").rglob("*.json")
    }
    assert shipped == committed and len(shipped) > 200
    assert "pytest_ecsfake/py.typed" in names
    package = ROOT / "pytest_ecsfake"
    modules = {f"pytest_ecsfake/{p.relative_to(package)}" for p in package.rglob("*.py")}
    assert modules <= names, sorted(modules - names)  # every module of every subpackage ships
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "ecsfake = pytest_ecsfake.plugin" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_validates_requests(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = (
        "import pytest_ecsfake, pytest_ecsfake.schemas as s;"
        "assert '/site/' in pytest_ecsfake.__file__, pytest_ecsfake.__file__;"
        "print(s.request_violations('ecs', 'RunTask', {'taskDefinition': 'web', 'count': 11})[0].message)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Member must have value less than or equal to 10" in done.stdout
