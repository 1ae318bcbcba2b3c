"""``--ecsfake-guard`` (ini ``ecsfake_guard = true``): an ECS or Batch call with no active fake fails at once.

A test that forgot the fixture would otherwise get botocore's NoCredentialsError — or, with real keys in the
environment, reach real AWS. While the guard is on (the whole pytest session), botocore's ``RequestSigner.sign``
(and aiobotocore's ``AioRequestSigner.sign``, patched when aiobotocore is imported) refuses ECS and Batch requests
made while no fake is active, before any credential is read and before anything is sent. Raw HTTP (``requests``,
``urllib``) to an ECS endpoint is not guarded. Clients pointed at a loopback address (``fake.serve()``,
``ecsfake serve``) pass, as do other services. When a fake activates, its own interception goes in front of this
one and serves the calls.
"""

from __future__ import annotations

import sys
from typing import Any

from . import active
from .intercept import is_loopback
from .when_imported import WhenImported

GUARDED = frozenset({"ecs", "batch"})
_original: dict[str, Any] = {}


class NoActiveFakeError(RuntimeError):
    """An ECS or Batch call made with no active fake while ``--ecsfake-guard`` is on."""


def message(service: str, operation: str) -> str:
    return (f"pytest-ecsfake guard (--ecsfake-guard): {service}:{operation} was called with no active fake, so it "
            "would have gone to AWS; nothing was sent. Activate the fake for this test: the ecs_fake fixture "
            "(def test_x(ecs_fake): ...), the @pytest.mark.ecsfake marker, or the @mock_ecs / @EcsFake() "
            "decorator (or `with EcsFake():`).")


def _refuse_unfaked(signer: Any, operation_name: str, request: Any) -> None:
    if active.current() is None and signer._signing_name in GUARDED and not is_loopback(request.url):
        raise NoActiveFakeError(message(signer._signing_name, operation_name))


def _sign(signer: Any, operation_name: str, request: Any, *args: Any, **kwargs: Any) -> Any:
    _refuse_unfaked(signer, operation_name, request)
    return _original["sign"](signer, operation_name, request, *args, **kwargs)


async def _aio_sign(signer: Any, operation_name: str, request: Any, *args: Any, **kwargs: Any) -> Any:
    _refuse_unfaked(signer, operation_name, request)
    return await _original["aio_sign"](signer, operation_name, request, *args, **kwargs)


def _guard_aiobotocore() -> None:
    from aiobotocore.signers import AioRequestSigner  # type: ignore[import-untyped]

    if "aio_sign" not in _original:
        _original.update(aio_signer=AioRequestSigner, aio_sign=AioRequestSigner.sign)
        AioRequestSigner.sign = _aio_sign


_aio_hook = WhenImported(("aiobotocore",), _guard_aiobotocore, only_while_active=False)


def install() -> None:
    from botocore.signers import RequestSigner

    if not _original:
        _original.update(signer=RequestSigner, sign=RequestSigner.sign)
        RequestSigner.sign = _sign
        if "aiobotocore" in sys.modules:
            _guard_aiobotocore()
        else:
            _aio_hook.arm()


def uninstall() -> None:
    _aio_hook.disarm()
    if _original:
        _original["signer"].sign = _original["sign"]
        if "aio_sign" in _original:
            _original["aio_signer"].sign = _original["aio_sign"]
        _original.clear()
