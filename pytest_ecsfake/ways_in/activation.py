"""The process-wide patches that exist only while at least one fake is active.

The first activation installs the botocore patches (``intercept``), the ``requests`` interception
(``requests_mock``), the aiobotocore patches when aiobotocore is (or gets) imported (``aio``), moto's declining of
ECS and Batch when moto is (or gets) imported (``with_moto``), fake time for ``time.sleep`` and ``asyncio.sleep``
(``fake_time``: the module attributes and every module-level name bound to the real functions) and a safe
environment; the last deactivation removes them all.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from types import ModuleType
from typing import TYPE_CHECKING, Any

from . import active, intercept, requests_mock
from .fake_time import asleep, bindings
from .fake_time import sleep as _sleep

if TYPE_CHECKING:
    from .fake import EcsFake
    from .fake_time.modules import Snapshot

_saved_env: dict[str, str | None] = {}
_rebinding: list[Any] = []  # the bindings.Rebinding in force


def activate(fake: EcsFake, snapshot: Snapshot | None = None) -> None:
    """Make ``fake`` the innermost active fake; ``snapshot``: ``sys.modules`` as seen at its activation."""
    active.push(fake, lambda: _install(fake, snapshot))


def deactivate(fake: EcsFake) -> None:
    active.pop(fake, _uninstall)


def _set_env(name: str, value: str) -> None:
    _saved_env.setdefault(name, os.environ.get(name))
    os.environ[name] = value


_found: dict[tuple[str, ...], bool] = {}


def _findable(name: str) -> bool:
    # find_spec of a package not imported yet searches sys.path on disk (~10 stat calls per activation, as
    # profiled here): asked once per sys.path, not at every activation.
    if name in sys.modules:
        return True
    key = (name, *sys.path)
    found = _found.get(key)
    if found is None:
        found = _found[key] = importlib.util.find_spec(name) is not None
    return found


def _install(fake: EcsFake, snapshot: Snapshot | None) -> None:
    _install_sleeps(snapshot)  # first: modules the patches below import bind the fake's sleep

    intercept.install()
    requests_mock.install()
    if _findable("aiobotocore"):
        from . import aio

        aio.install()
    if _findable("moto"):
        from . import with_moto

        with_moto.install(fake)
    # No credential lookup may reach the instance metadata service (a network call) while faking.
    _set_env("AWS_EC2_METADATA_DISABLED", "true")
    # A machine with no AWS configuration at all still gets clients: the fake's region is the default.
    has_config = os.path.exists(os.environ.get("AWS_CONFIG_FILE", os.path.expanduser("~/.aws/config")))
    if not (os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or has_config):
        _set_env("AWS_DEFAULT_REGION", fake.region)


def _patchers() -> list[ModuleType]:
    """The loaded ``aio`` and ``with_moto`` modules, each once: the one in sys.modules and the package's attribute,
    which ``from . import with_moto`` uses and which differ after an in-process pytester run dropped the module from
    sys.modules (the package keeps it): the patch of either must be undone."""
    package = sys.modules[__package__]
    found: list[ModuleType] = []
    for name in ("aio", "with_moto"):
        for module in (sys.modules.get(f"{__package__}.{name}"), getattr(package, name, None)):
            if isinstance(module, ModuleType) and all(module is not seen for seen in found):
                found.append(module)
    return found


def _uninstall() -> None:
    intercept.uninstall()
    requests_mock.uninstall()
    for module in _patchers():
        module.uninstall()
    _uninstall_sleeps()
    for name, value in _saved_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _saved_env.clear()


def _install_sleeps(snapshot: Snapshot | None) -> None:
    time.sleep = _sleep.sleep
    asyncio: Any = importlib.import_module("asyncio")
    asyncio.sleep = asyncio.tasks.sleep = asleep.sleep
    twins = {_sleep.real_sleep: _sleep.sleep, asleep.real_sleep: asleep.sleep}
    rebinding = bindings.Rebinding(twins, _sleep.REAL_SLEEP_CALLERS + ("pytest_ecsfake",))
    rebinding.apply(snapshot)
    _rebinding[:] = [rebinding]


def _uninstall_sleeps() -> None:
    time.sleep = _sleep.real_sleep
    asyncio: Any = importlib.import_module("asyncio")
    asyncio.sleep = asyncio.tasks.sleep = asleep.real_sleep
    for rebinding in _rebinding:
        rebinding.undo()
    _rebinding.clear()
