"""Which fakes are active, and the process-wide patches that exist only while at least one is.

Fakes nest as a stack; the innermost one serves every intercepted call. The first activation installs
the botocore patches (``_intercept``), the ``requests`` interception (``_requests_mock``), the aiobotocore
patches when aiobotocore is (or gets) imported (``_aio``), moto's declining of ECS and Batch when moto is (or
gets) imported (``_moto``), the ``time.sleep`` patch and a safe environment;
the last deactivation removes them all.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
import time
from typing import TYPE_CHECKING, SupportsIndex

if TYPE_CHECKING:
    from ._fake import EcsFake

_stack: list[EcsFake] = []
_lock = threading.Lock()
_real_sleep = time.sleep
_saved_env: dict[str, str | None] = {}

# time.sleep called directly from these modules really sleeps: their waits are about wall time (subprocess
# timeouts, thread pools, servers), not about the fake's clock.
REAL_SLEEP_CALLERS = (
    "subprocess",
    "threading",
    "asyncio",
    "socketserver",
    "selectors",
    "concurrent.",
    "queue",
    "http.server",
    "multiprocessing",
    "urllib3",
    "_pytest",
    "pytest_ecsfake._server",
)


def current() -> EcsFake | None:
    return _stack[-1] if _stack else None


def push(fake: EcsFake) -> None:
    with _lock:
        if not _stack:
            _install(fake)
        _stack.append(fake)


def pop(fake: EcsFake) -> None:
    with _lock:
        for index in range(len(_stack) - 1, -1, -1):
            if _stack[index] is fake:
                del _stack[index]
                break
        if not _stack:
            _uninstall()


def _sleep(seconds: float | SupportsIndex) -> None:
    """``time.sleep`` while a fake is active: advance a frozen fake clock instead of blocking."""
    fake = current()
    if fake is not None and fake._backend.clock.frozen:
        caller = sys._getframe(1).f_globals.get("__name__") or ""
        if not caller.startswith(REAL_SLEEP_CALLERS):
            fake.advance(float(seconds))
            return
    _real_sleep(seconds)


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


def _install(fake: EcsFake) -> None:
    from . import _intercept, _requests_mock

    _intercept.install()
    _requests_mock.install()
    if _findable("aiobotocore"):
        from . import _aio

        _aio.install()
    if _findable("moto"):
        from . import _moto

        _moto.install(fake)
    time.sleep = _sleep
    # No credential lookup may reach the instance metadata service (a network call) while faking.
    _set_env("AWS_EC2_METADATA_DISABLED", "true")
    # A machine with no AWS configuration at all still gets clients: the fake's region is the default.
    has_config = os.path.exists(os.environ.get("AWS_CONFIG_FILE", os.path.expanduser("~/.aws/config")))
    if not (os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or has_config):
        _set_env("AWS_DEFAULT_REGION", fake.region)


def _uninstall() -> None:
    from . import _intercept, _requests_mock

    _intercept.uninstall()
    _requests_mock.uninstall()
    for module in ("pytest_ecsfake._aio", "pytest_ecsfake._moto"):
        if module in sys.modules:
            sys.modules[module].uninstall()
    time.sleep = _real_sleep
    for name, value in _saved_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _saved_env.clear()
