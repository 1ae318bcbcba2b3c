"""What a release ships: the sdist is the tracked tree, the wheel is built from it and holds the package, the
schemas and py.typed, nothing else; both build with no warning; the metadata is complete and its version is
``pytest_ecsfake.__version__``; the installed wheel works where the repository is not importable.

The builds run setuptools' PEP 517 hooks in a fresh interpreter from a copy of the tree (what ``python -m build``
does, less the isolated environment it installs; .ci/release runs that, with ``twine check``).
"""

from __future__ import annotations

import email
import email.message
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import pytest_ecsfake

ROOT = Path(__file__).resolve().parents[1]
NAME = "pytest_ecsfake-" + pytest_ecsfake.__version__
# Files setuptools writes into every sdist, beside the tree.
SDIST_EXTRA = {"PKG-INFO", "setup.cfg"} | {f"pytest_ecsfake.egg-info/{name}" for name in (
    "PKG-INFO", "SOURCES.txt", "dependency_links.txt", "entry_points.txt", "requires.txt", "top_level.txt")}
LEFT_OUT = {".gitignore"}  # tracked, but of no use outside a git checkout


def tree() -> set[str]:
    """The tracked files (``git ls-files``); outside a git checkout (an unpacked sdist), the files there are."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True)
    if listed.returncode == 0 and listed.stdout:
        return {name for name in listed.stdout.split("\0") if name and (ROOT / name).is_file()} - LEFT_OUT
    skip = re.compile(r"(^|/)(__pycache__|\.[^/]*cache|\.venv[^/]*|build|dist|[^/]*\.egg-info)(/|$)|\.coverage")
    walked = {str(path.relative_to(ROOT)) for path in ROOT.rglob("*") if path.is_file()}
    return {name for name in walked if not skip.search(name)} - LEFT_OUT - SDIST_EXTRA


def hook(hook_name: str, source: Path, out: Path) -> tuple[Path, str]:
    """Run a setuptools build hook in ``source``; the artifact and everything the build printed."""
    code = f"import sys; from setuptools import build_meta; print(build_meta.{hook_name}(sys.argv[1]))"
    # Unset: with it, setuptools warns that byte-compiling is disabled, which says nothing of the package.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run([sys.executable, "-c", code, str(out)], cwd=source, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return out / done.stdout.strip().splitlines()[-1], done.stdout + done.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """The sdist from a copy of the tree, then the wheel from the unpacked sdist (as ``python -m build``)."""
    source = tmp_path_factory.mktemp("source")
    for name in tree():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    sdist = hook("build_sdist", source, tmp_path_factory.mktemp("sdist"))
    unpacked = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(sdist[0]) as archive:
        archive.extractall(unpacked, filter="data")
    wheel = hook("build_wheel", unpacked / NAME, tmp_path_factory.mktemp("wheel"))
    return {"sdist": sdist, "wheel": wheel}


@pytest.fixture(scope="module")
def wheel(built: dict[str, tuple[Path, str]]) -> Path:
    return built["wheel"][0]


@pytest.fixture(scope="module")
def metadata(wheel: Path) -> email.message.Message:
    archive = zipfile.ZipFile(wheel)
    return email.message_from_bytes(archive.read(f"{NAME}.dist-info/METADATA"))


@pytest.mark.parametrize("kind", ["sdist", "wheel"])
def test_builds_print_no_warning(built: dict[str, tuple[Path, str]], kind: str) -> None:
    warnings = [line for line in built[kind][1].splitlines() if "warn" in line.lower()]
    assert not warnings, warnings


def test_sdist_holds_the_tracked_tree(built: dict[str, tuple[Path, str]]) -> None:
    with tarfile.open(built["sdist"][0]) as archive:
        names = {member.name.removeprefix(f"{NAME}/") for member in archive.getmembers() if member.isfile()}
    expected = tree()
    assert {"README.md", "CHANGELOG.md", "LICENSE", "pyproject.toml", "schemas/ecs/RunTask.request.json",
            "tests/test_packaging.py", "docs/architecture.md", "examples/test_quickstart.py"} <= expected
    assert names - SDIST_EXTRA == expected, (sorted(expected - names), sorted(names - SDIST_EXTRA - expected))


def test_wheel_holds_the_package_the_schemas_and_py_typed_only(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "pytest_ecsfake"
    modules = {f"pytest_ecsfake/{p.relative_to(package)}" for p in package.rglob("*.py")}
    overlays = {f"pytest_ecsfake/{p.relative_to(package)}" for p in package.rglob("*.json")}
    schemas = {f"pytest_ecsfake/_schemas/{p.relative_to(ROOT / 'schemas')}"
               for p in (ROOT / "schemas").rglob("*") if p.suffix in (".py", ".json")}
    dist_info = {f"{NAME}.dist-info/{name}" for name in (
        "METADATA", "WHEEL", "RECORD", "entry_points.txt", "top_level.txt", "licenses/LICENSE")}
    assert len(schemas) > 200 and len(overlays) == 3
    assert names == modules | overlays | schemas | {"pytest_ecsfake/py.typed"} | dist_info, sorted(
        names ^ (modules | overlays | schemas | {"pytest_ecsfake/py.typed"} | dist_info))
    entry_points = zipfile.ZipFile(wheel).read(f"{NAME}.dist-info/entry_points.txt").decode()
    assert "ecsfake = pytest_ecsfake.plugin" in entry_points and "ecsfake = pytest_ecsfake.cli:main" in entry_points


def test_metadata_is_complete(metadata: email.message.Message) -> None:
    assert metadata["Version"] == pytest_ecsfake.__version__
    assert metadata["License-Expression"] == "MIT" and metadata["License-File"] == "LICENSE"
    assert "License" not in metadata  # the deprecated free-text field
    classifiers = metadata.get_all("Classifier") or []
    assert "Framework :: Pytest" in classifiers and "Typing :: Typed" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # superseded by the SPDX expression
    floor = re.fullmatch(r">=3\.(\d+)", metadata["Requires-Python"])
    assert floor is not None
    versions = sorted(int(c.rsplit(".", 1)[1]) for c in classifiers
                      if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c))
    assert versions == list(range(int(floor.group(1)), versions[-1] + 1))  # from the floor up, no gap
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL") or [])
    assert set(urls) == {"Homepage", "Changelog", "Issues"}
    assert urls["Changelog"].startswith(urls["Homepage"]) and urls["Changelog"].endswith("/CHANGELOG.md")
    assert urls["Issues"] == urls["Homepage"] + "/issues"
    assert {"pytest", "aws", "ecs", "boto3"} <= set(metadata["Keywords"].split(","))
    assert metadata["Description-Content-Type"] == "text/markdown" and "# pytest-ecsfake" in metadata.get_payload()


def test_version_is_written_once() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()  # no tomllib: the suite runs on 3.10 too
    assert not re.search(r'^version = "', pyproject, re.M) and re.search(r'^dynamic = \["version"\]', pyproject, re.M)
    assert re.search(r'^version = \{ attr = "pytest_ecsfake.__version__" \}$', pyproject, re.M)
    assert re.fullmatch(r"\d+\.\d+\.\d+", pytest_ecsfake.__version__)


def test_changelog_follows_keep_a_changelog() -> None:
    text = (ROOT / "CHANGELOG.md").read_text()
    sections = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, re.M)
    assert sections[0] == ("Unreleased", "") and ("0.1.0", sections[1][1]) == sections[1] and sections[1][1]
    assert pytest_ecsfake.__version__ in [name for name, _ in sections]
    assert re.findall(r"^### (.+)$", text, re.M) and set(re.findall(r"^### (.+)$", text, re.M)) <= {
        "Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
    for name, _ in sections:  # every version heading has its link at the bottom
        assert re.search(rf"^\[{re.escape(name)}\]: https://", text, re.M), name
    assert "keepachangelog.com/en/1.1.0" in text
    assert "(CHANGELOG.md)" in (ROOT / "README.md").read_text()


def test_installed_wheel_works_away_from_the_repository(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = (
        "import importlib.metadata as m, pytest_ecsfake, pytest_ecsfake.schemas as s;"
        "assert '/site/' in pytest_ecsfake.__file__, pytest_ecsfake.__file__;"
        "assert m.version('pytest-ecsfake') == pytest_ecsfake.__version__;"
        "print(s.request_violations('ecs', 'RunTask', {'taskDefinition': 'web', 'count': 11})[0].message)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Member must have value less than or equal to 10" in done.stdout
