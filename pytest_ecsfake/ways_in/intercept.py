"""The botocore side of interception: two class-level patches, installed while any fake is active.

* ``Endpoint._send`` — the step right after botocore emits ``before-send``. Patching the class (rather than
  registering a ``before-send`` handler in ``BUILTIN_HANDLERS``) reaches every client of every session,
  created before or after activation, and costs nothing once the last fake stops. ECS, Batch and CloudWatch
  Logs requests go to the active fake's dispatcher (while moto is active its ``before-send`` handler answers
  Logs before this step is reached: see with_moto); anything else, and clients pointed at a loopback endpoint (a server
  started with ``fake.serve()``/``ecsfake serve``), go out as usual.
* ``RequestSigner.sign`` — ECS, Batch and Logs requests that will be intercepted are not signed: no credentials
  are needed, none are read, and no SigV4 work is done. The endpoint URL names the client's region
  (``ecs.<region>.amazonaws.com``); when it does not (a custom endpoint URL), the region travels in a
  private header so the fake knows which region's resources the call is about.

botocore is imported at install (first activation), never when the plugin loads.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from ..wire.protocol import Headers, HttpRequest, url_region
from . import active

SERVICES = frozenset({"ecs", "batch", "logs"})
REGION_HEADER = "x-ecsfake-region"
_LOOPBACK_HOSTS = frozenset({"localhost", "::1", "[::1]"})

# The classes and original methods patched by the current install. Looked up at each install (not at import)
# so a botocore imported afresh (pytester's in-process runs unload modules between runs) is patched too.
_patched: dict[str, Any] = {}


@lru_cache(maxsize=512)  # asked twice per request (sign, send); a client's URLs are few
def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in _LOOPBACK_HOSTS or host.startswith("127.")


class _Body:
    """The minimal raw-response object botocore reads a body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, *_: Any, **__: Any) -> bytes:
        body, self._body = self._body, b""
        return body


def _send(endpoint: Any, request: Any) -> Any:
    fake = active.current()
    service = endpoint._endpoint_prefix
    if fake is None or service not in SERVICES or is_loopback(request.url):
        return _patched["send"](endpoint, request)
    if service not in _offered:
        offer_caller_model(service, sys._getframe(1))  # once per service: the schemas then use this client's model
    body = request.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        body = body.read()
    response = fake._handle(service, HttpRequest(request.method, request.url, _headers(request.headers), body))
    return _patched["response"](request.url, response.status, response.headers, _Body(response.body))


_offered: set[str] = set()


def offer_caller_model(service: str, frame: Any) -> None:
    """Hand the schema layer the model of the client that sent this request, once per service.

    botocore passes the operation model to ``_send``'s caller (``Endpoint._do_get_response(request,
    operation_model, context)``), not to ``_send``; reading it there spares loading the same 1.5 MB model a
    second time (see schemas/_source.py). Any other caller (a botocore that changed, a wrapper) offers
    nothing, and the model is loaded from the installed botocore's data instead.
    """
    if service in _offered:
        return
    from ..schemas._source import offer

    _offered.add(service)
    operation_model = frame.f_locals.get("operation_model") if frame is not None else None
    offer(service, getattr(getattr(operation_model, "service_model", None), "_service_description", None))


def _headers(headers: Any) -> Headers:
    # botocore's HeadersDict keeps {_HeaderKey: value} in ``_dict``; its public items() rebuilds a _HeaderKey per
    # lookup (5.5 µs for a request's 7 headers here), and each _HeaderKey already holds its lower-case name
    # (0.7 µs this way). Any other mapping (another botocore) goes the public way.
    raw = getattr(headers, "_dict", None)
    if type(raw) is dict:
        try:
            return Headers.lowered({key._lower: value for key, value in raw.items()})
        except AttributeError:  # keys of another shape
            pass
    return Headers(headers)


def _sign(signer: Any, operation_name: str, request: Any, *args: Any, **kwargs: Any) -> Any:
    if (
        active.current() is not None
        and signer._signing_name in SERVICES
        and not is_loopback(request.url)
    ):
        region = signer._region_name or ""
        if url_region(request.url) != region:  # a custom endpoint URL: say the client's region
            request.headers[REGION_HEADER] = region
        return None
    return _patched["sign"](signer, operation_name, request, *args, **kwargs)


def install() -> None:
    from botocore.awsrequest import AWSResponse
    from botocore.endpoint import Endpoint
    from botocore.signers import RequestSigner

    _patched.update(endpoint=Endpoint, signer=RequestSigner, send=Endpoint._send, sign=RequestSigner.sign,
                    response=AWSResponse)
    Endpoint._send = _send
    RequestSigner.sign = _sign


def uninstall() -> None:
    if _patched:
        _patched["endpoint"]._send = _patched["send"]
        _patched["signer"].sign = _patched["sign"]
        _patched.clear()
