"""The pytest side: fixture ``ecs_fake``, marker ``ecsfake``, options ``--ecsfake-strict`` and ``--ecsfake-guard``.

Loaded through the ``pytest11`` entry point, so installing the package is all the set-up.
"""

from __future__ import annotations

import inspect
from collections.abc import Generator, Iterator
from typing import Any

import pytest

from .ways_in.fake import EcsFake
from .ways_in.options import README_OPTIONS

_FAILED = pytest.StashKey[bool]()
_FAKE = pytest.StashKey[EcsFake]()
_OPTIONS = tuple(inspect.signature(EcsFake).parameters)


_FLAGS = (
    # (option and ini name, what the option does, what the ini setting does)
    ("strict", "fail a test at teardown when the fake rejected one of its requests by schema",
     "default for EcsFake(strict=...) in the ecs_fake fixture"),
    ("guard", "fail at once any ECS or Batch call made with no active fake (nothing reaches AWS)",
     "fail at once any ECS or Batch call made with no active fake"),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ecsfake", "pytest-ecsfake")
    for name, option_help, ini_help in _FLAGS:
        group.addoption(f"--ecsfake-{name}", action="store_true", default=False, help=option_help)
        parser.addini(f"ecsfake_{name}", ini_help, type="bool", default=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "ecsfake(**options): activate pytest-ecsfake for this test; options are EcsFake's keyword arguments",
    )
    if config.getoption("ecsfake_guard") or config.getini("ecsfake_guard"):
        from .ways_in import guard

        guard.install()
        config.add_cleanup(guard.uninstall)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    fake = item.stash.get(_FAKE, None)
    if report.failed and fake is not None:
        # What the code under test asked and what the fake did, next to the failure.
        report.sections.append(("ecsfake", fake.report()))


def _marker_options(node: pytest.Item) -> dict[str, Any]:
    options: dict[str, Any] = {}
    # Closest marker wins: apply the farthest (module, class) first, the test's own last.
    for marker in reversed(list(node.iter_markers("ecsfake"))):
        if marker.args:
            raise TypeError(
                f"@pytest.mark.ecsfake takes keyword options only (got positional {marker.args!r}); "
                f"options: {', '.join(_OPTIONS)}. See {README_OPTIONS}"
            )
        options.update(marker.kwargs)
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise TypeError(
            f"@pytest.mark.ecsfake: unknown option(s) {', '.join(map(repr, unknown))}; "
            f"EcsFake takes: {', '.join(_OPTIONS)}. See {README_OPTIONS}"
        )
    return options


@pytest.fixture
def ecs_fake(request: pytest.FixtureRequest) -> Iterator[EcsFake]:
    """An active ``EcsFake`` for this test, configured by ``@pytest.mark.ecsfake(...)`` markers.

    Example::

        def test_cluster(ecs_fake):
            boto3.client("ecs", region_name="us-east-1").create_cluster(clusterName="c")
            assert [c.operation for c in ecs_fake.calls] == ["CreateCluster"]
    """
    options = _marker_options(request.node)
    if "strict" not in options:
        options["strict"] = bool(
            request.config.getoption("ecsfake_strict") or request.config.getini("ecsfake_strict")
        )
    fake = EcsFake(**options)
    request.node.stash[_FAKE] = fake
    fake.start()
    try:
        yield fake
    finally:
        # A failing test stops quietly: a teardown error must not mask the real failure.
        fake.stop(check=not request.node.stash.get(_FAILED, False))


@pytest.fixture(autouse=True)
def _ecsfake_marker(request: pytest.FixtureRequest) -> None:
    """``@pytest.mark.ecsfake`` alone activates the fake for a test that does not ask for ``ecs_fake``."""
    if "ecs_fake" not in request.fixturenames and request.node.get_closest_marker("ecsfake") is not None:
        request.getfixturevalue("ecs_fake")
