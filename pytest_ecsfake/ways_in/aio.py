"""aiobotocore interception: the async twin of ``intercept``, installed while any fake is active.

Imported only when aiobotocore is installed. aiobotocore overrides the methods ``intercept`` patches with
coroutines, so it gets patches of its own, on its classes:

* ``AioEndpoint._send`` — ECS and Batch requests go to the active fake's dispatcher and come back as an
  ``AioAWSResponse`` whose body is read with ``await raw.read()``, as aiobotocore reads a real one. Other
  services, and clients whose endpoint URL is a loopback address (a local ``ecsfake`` server), go out as usual.
* ``AioRequestSigner.sign`` — requests that will be intercepted are not signed (no credentials needed); the
  client's region travels in the private region header.
* ``AIOWaiter._sleep`` and ``AioEndpoint._sleep`` (and their anyio twins) — the waiter's delay between polls
  and the retry back-off: while the fake clock is frozen they are fake ``asyncio.sleep``s (``fake_time.asleep``: in
  fake time, in deadline order with every other sleeper of the loop), so waiters finish at once in fake time,
  as botocore's do through the ``time.sleep`` patch. Under anyio on trio they advance the clock and yield.

Importing aiobotocore costs about 0.1 s (aiohttp), so activation does not import it: when it is not imported
yet, a one-shot import hook (``when_imported``) applies the patches right after the test (or the code under
test) imports it.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from ..wire.protocol import Headers, HttpRequest
from . import active
from .fake_time import asleep
from .intercept import REGION_HEADER, SERVICES, is_loopback, offer_caller_model
from .when_imported import WhenImported

_originals: dict[tuple[Any, str], Any] = {}


class _Body:
    """The raw response aiobotocore reads a body from: ``await read()`` (aiohttp), ``await aread()`` (httpx)."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def read(self, *_: Any) -> bytes:
        body, self._body = self._body, b""
        return body

    aread = read


async def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    data = body.read()
    if isinstance(data, Awaitable):
        data = await data
    return data.encode() if isinstance(data, str) else bytes(data)


def _make_send(original: Callable[..., Awaitable[Any]], response_class: Any) -> Callable[..., Awaitable[Any]]:
    async def _send(endpoint: Any, request: Any) -> Any:
        fake = active.current()
        service = endpoint._endpoint_prefix
        if fake is None or service not in SERVICES or is_loopback(request.url):
            return await original(endpoint, request)
        offer_caller_model(service, sys._getframe(1))  # once per service: the schemas then use this client's model
        body = await _body_bytes(request.body)
        answer = fake._handle(service, HttpRequest(request.method, request.url, Headers(request.headers), body))
        return response_class(request.url, answer.status, answer.headers, _Body(answer.body))

    return _send


def _make_sign(original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def sign(signer: Any, operation_name: str, request: Any, *args: Any, **kwargs: Any) -> Any:
        if active.current() is not None and signer._signing_name in SERVICES and not is_loopback(request.url):
            request.headers[REGION_HEADER] = signer._region_name or ""
            return None
        return await original(signer, operation_name, request, *args, **kwargs)

    return sign


def _make_sleep(original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def _sleep(owner: Any, seconds: float) -> None:
        fake = active.current()
        if fake is None or not fake._backend.clock.frozen:
            await original(owner, seconds)
        elif _on_asyncio():
            await asleep.sleep(seconds)  # fake time, in deadline order with every other asyncio sleeper
        elif active.is_driver():  # anyio on trio: advance, then let other tasks run as a real sleep would
            fake.advance(float(seconds))
            await _anyio_yield()
        else:
            await original(owner, seconds)

    return _sleep


def _on_asyncio() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def _anyio_yield() -> None:
    anyio = importlib.import_module("anyio")  # aiobotocore's httpx backend runs on anyio (asyncio or trio)
    await anyio.sleep(0)


def _set(owner: Any, name: str, value: Any) -> None:
    _originals.setdefault((owner, name), vars(owner)[name])
    setattr(owner, name, value)


def _patch() -> None:
    if _originals:
        return
    endpoint = importlib.import_module("aiobotocore.endpoint")
    signers = importlib.import_module("aiobotocore.signers")
    waiter = importlib.import_module("aiobotocore.waiter")
    awsrequest = importlib.import_module("aiobotocore.awsrequest")
    _set(endpoint.AioEndpoint, "_send", _make_send(endpoint.AioEndpoint._send, awsrequest.AioAWSResponse))
    _set(signers.AioRequestSigner, "sign", _make_sign(signers.AioRequestSigner.sign))
    for module, asyncio_class, anyio_class in ((waiter, "AIOWaiter", "AnyioWaiter"),
                                               (endpoint, "AioEndpoint", "AnyioEndpoint")):
        for class_name in (asyncio_class, anyio_class):
            cls = getattr(module, class_name, None)
            if cls is not None and "_sleep" in vars(cls):
                _set(cls, "_sleep", _make_sleep(vars(cls)["_sleep"]))


def _unpatch() -> None:
    for (owner, name), original in _originals.items():
        setattr(owner, name, original)
    _originals.clear()


_hook = WhenImported(("aiobotocore",), lambda: _patch())


def install() -> None:
    if "aiobotocore" in sys.modules:
        _patch()
    else:
        _hook.arm()


def uninstall() -> None:
    _hook.disarm()
    _unpatch()
