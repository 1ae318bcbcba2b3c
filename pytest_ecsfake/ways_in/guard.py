"""``--ecsfake-guard`` (ini ``ecsfake_guard = true``): an ECS or Batch call with no active fake fails at once.

A test that forgot the fixture would otherwise get botocore's NoCredentialsError — or, with real keys in the
environment, reach real AWS. While the guard is on (the whole pytest session), botocore's ``RequestSigner.sign``
(and aiobotocore's ``AioRequestSigner.sign``, and ``requests``' ``HTTPAdapter.send``, each patched when its package
is imported) refuses ECS and Batch requests made while no fake is active, before any credential is read and before
anything is sent. ``urllib`` and other HTTP clients, which the fake does not serve either, are not guarded.
Clients pointed at a loopback address (``fake.serve()``, ``ecsfake serve``) pass, as do other services. When a
fake activates, its own interception goes in front of this one and serves the calls.
"""

from __future__ import annotations

import sys
from typing import Any
from urllib.parse import urlsplit

from . import active
from .intercept import is_loopback
from .requests_mock import endpoint
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


def _requests_send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
    match = endpoint().match(str(request.url)) if active.current() is None else None
    service = match and (match.group("service") or match.group("fips") or "").lower()
    if service in GUARDED:
        target = request.headers.get("X-Amz-Target") or ""
        operation = target.rpartition(".")[2] or urlsplit(str(request.url)).path.rstrip("/").rpartition("/")[2]
        raise NoActiveFakeError(message(str(service), operation or "(request)"))
    return _original["requests_send"](adapter, request, *args, **kwargs)


def _guard_requests() -> None:
    from requests.adapters import HTTPAdapter

    if "requests_send" not in _original:
        _original.update(adapter=HTTPAdapter, requests_send=HTTPAdapter.send)
        HTTPAdapter.send = _requests_send  # type: ignore[method-assign,assignment]


_requests_hook = WhenImported(("requests", "responses"), _guard_requests, only_while_active=False)


def install() -> None:
    from botocore.signers import RequestSigner

    if not _original:
        _original.update(signer=RequestSigner, sign=RequestSigner.sign)
        RequestSigner.sign = _sign
        for package, guard, hook in (("aiobotocore", _guard_aiobotocore, _aio_hook),
                                     ("requests", _guard_requests, _requests_hook)):
            if package in sys.modules:
                guard()
            else:
                hook.arm()


def uninstall() -> None:
    _aio_hook.disarm()
    _requests_hook.disarm()
    if _original:
        _original["signer"].sign = _original["sign"]
        if "aio_sign" in _original:
            _original["aio_signer"].sign = _original["aio_sign"]
        if "requests_send" in _original:
            _original["adapter"].send = _original["requests_send"]
        _original.clear()
