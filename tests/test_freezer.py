"""Activation's cheaper walk over loaded modules (pytest_ecsfake/_freezer.py) freezes what freezegun would."""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import freezegun
import pytest

from pytest_ecsfake import EcsFake

START = "2025-01-01T00:00:00Z"
FROZEN = 1735689600.0


@pytest.fixture
def make_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Write and import a module; it is unloaded after the test."""
    monkeypatch.syspath_prepend(str(tmp_path))
    made: list[str] = []

    def make(name: str, source: str) -> ModuleType:
        (tmp_path / f"{name}.py").write_text(source)
        importlib.invalidate_caches()
        made.append(name)
        return importlib.import_module(name)

    yield make
    for name in made:
        sys.modules.pop(name, None)


def _assert_frozen_while_active(module: ModuleType) -> None:
    """``module.now`` (time.time, as its attribute) reads the frozen clock inside a fake and is the real one after;
    the module is in sys.modules for the while."""
    sys.modules[module.__name__] = module
    try:
        with EcsFake(start=START):
            assert module.now() == FROZEN
        assert module.now is time.time
    finally:
        del sys.modules[module.__name__]


def test_a_module_holding_time_is_frozen_at_every_activation(make_module) -> None:  # type: ignore[no-untyped-def]
    module = make_module("ecsfake_holds_time", "from time import time as now\n")
    for _ in range(4):  # the first walk is freezegun's own; the others reuse it while nothing changed
        with EcsFake(start=START):
            assert module.now() == FROZEN
        assert module.now() != FROZEN
        assert module.now is time.time


def test_a_module_loaded_between_activations_is_frozen(make_module) -> None:  # type: ignore[no-untyped-def]
    with EcsFake(start=START):
        pass
    with EcsFake(start=START):
        pass
    module = make_module("ecsfake_loaded_later", "from time import monotonic as tick, time as now\n")
    with EcsFake(start=START):
        assert module.now() == FROZEN
        first = module.tick()
        time.sleep(5)  # advances the frozen clock
        assert module.tick() == first + 5
    assert module.now is time.time


def test_a_module_of_a_module_subclass_is_frozen_as_freezegun_does() -> None:
    # A plain module is checked through its __dict__ (freezer._time_attributes); a module of a ModuleType subclass
    # (a lazy loader's, whose attributes may not be its __dict__'s) takes freezegun's own dir() walk.
    class Lazy(ModuleType):
        pass

    subclassed = Lazy("ecsfake_subclassed_module")
    subclassed.now = time.time  # type: ignore[attr-defined]
    _assert_frozen_while_active(subclassed)


def test_a_module_that_binds_a_time_function_later_is_frozen(make_module) -> None:  # type: ignore[no-untyped-def]
    module = make_module("ecsfake_binds_later", "value = 1\n")
    with EcsFake(start=START):
        pass
    with EcsFake(start=START):
        pass
    module.now = time.time  # one more attribute than at the last walk
    with EcsFake(start=START):
        assert module.now() == FROZEN
    assert module.now is time.time


def test_a_module_imported_while_frozen_is_restored_at_stop(make_module) -> None:  # type: ignore[no-untyped-def]
    with EcsFake(start=START):
        pass
    with EcsFake(start=START):
        module = make_module("ecsfake_imported_frozen", "from time import time as now\n")
        assert module.now() == FROZEN
    assert module.now is time.time  # freezegun's stop() restores modules loaded after start()
    with EcsFake(start=START):
        assert module.now() == FROZEN


def _loop_class() -> type:
    loop = asyncio.new_event_loop()
    loop.close()
    return type(loop)


def test_asyncio_sees_real_time_inside_the_fake_and_is_restored() -> None:
    original = _loop_class().time
    for _ in range(3):
        with EcsFake(start=START):
            asyncio.run(asyncio.sleep(0.001))  # would hang if the loop read the frozen clock
            loop = asyncio.new_event_loop()
            try:
                assert abs(loop.time() - freezegun.api.real_monotonic()) < 5
            finally:
                loop.close()
        assert _loop_class().time is original


def test_inside_a_tests_own_freeze_time_freezegun_starts_as_usual(make_module) -> None:  # type: ignore[no-untyped-def]
    module = make_module("ecsfake_own_freeze", "from time import time as now\n")
    with EcsFake(start=START):
        pass
    with freezegun.freeze_time("2030-01-01"):
        with EcsFake():
            assert module.now() == 1893456000.0  # the test's own clock: the fake adopts it
        with EcsFake(start=START):  # a clock of its own, nested in the test's
            assert module.now() == FROZEN
        assert module.now() == 1893456000.0
    assert module.now is time.time


def test_the_first_activation_imports_nothing_lazy_packages_offer() -> None:
    # freezegun's dir()/getattr walk would import what python-dateutil, concurrent.futures and unittest list in
    # their __dir__ (freezer._LAZY_SUBMODULES); a fresh process shows what the first activation imported.
    code = (
        "import sys\n"
        "from pytest_ecsfake import EcsFake\n"
        "with EcsFake():\n"
        "    pass\n"
        "print(sorted(m for m in ('dateutil.zoneinfo', 'dateutil.rrule', 'dateutil.easter', 'tarfile',"
        " 'concurrent.futures.process', 'multiprocessing.queues', 'unittest.async_case') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stderr


def test_a_module_with_its_own_dir_and_getattr_is_walked_as_freezegun_does() -> None:
    # Any module but the known lazy packages with a __dir__ of its own takes freezegun's dir()/getattr walk: a
    # time function only its __getattr__ gives is frozen too (freezegun patches it as a module attribute).
    lazy = ModuleType("ecsfake_lazy_attributes")
    lazy.__dir__ = lambda: ["now"]  # type: ignore[method-assign]
    lazy.__getattr__ = lambda name: time.time if name == "now" else None  # type: ignore[attr-defined]
    _assert_frozen_while_active(lazy)


def test_an_entry_of_sys_modules_whose_dict_is_made_anew_is_not_read_at_every_activation() -> None:
    # cryptography's cffi library (``_openssl.lib``, which moto brings in) builds its __dict__ at each access
    # (~50-80 µs): while sys.modules is unchanged, an activation does not read it (modules.sizes).
    class Rebuilt:
        reads = 0

        @property  # type: ignore[misc]
        def __dict__(self) -> dict[str, object]:  # type: ignore[override]
            Rebuilt.reads += 1
            return {"exported": 1}

    sys.modules["ecsfake_rebuilt_dict"] = Rebuilt()  # type: ignore[assignment]
    try:
        for _ in range(2):  # the first activations walk it (it is new); then sys.modules stands still
            with EcsFake(start=START):
                pass
        seen = Rebuilt.reads
        for _ in range(3):
            with EcsFake(start=START):
                assert time.time() == FROZEN
        assert Rebuilt.reads == seen
    finally:
        del sys.modules["ecsfake_rebuilt_dict"]
