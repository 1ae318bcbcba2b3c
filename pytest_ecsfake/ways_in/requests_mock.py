"""``requests`` interception, with ``responses``: installed while any fake is active, once ``requests`` is
imported (activation does not import it: see ``when_imported``).

* A ``responses.RequestsMock`` of our own, started at the first activation, answers requests to ECS, Batch
  and CloudWatch Logs endpoints of any region (``ecs.<region>.amazonaws.com``, ``ecs-fips.…``, ``batch.…``,
  ``fips.batch.…``, ``logs.…``, China, dual-stack ``api.aws``) from the active fake, through the one
  dispatcher. Anything else passes through to whatever ``HTTPAdapter.send`` was before it started: the real
  one, or the mock of a test that started its own ``RequestsMock`` first.
* ``responses`` consults only the innermost started mock, so a test's own mock started after the fake
  (``@responses.activate`` on a test that uses ``ecs_fake``) would refuse ECS calls it has no rule for. One
  class-level patch, ``RequestsMock._on_request``, hands such calls to our mock instead, unless the test
  registered a rule that matches them: the test's own rules win. moto's mock, whose rules match every AWS
  endpoint, always hands them over (see ``with_moto``).
"""

from __future__ import annotations

import re
import sys
from functools import cache
from typing import TYPE_CHECKING, Any

from ..wire.protocol import Headers, HttpRequest
from . import active
from .intercept import REGION_HEADER
from .when_imported import WhenImported

if TYPE_CHECKING:
    import responses

_DNS_SUFFIX = r"(?:amazonaws\.com(?:\.cn)?|amazonaws\.eu|api\.aws|api\.amazonwebservices\.com\.cn)"


@cache  # compiled when first needed (~0.7 ms): a process that never imports requests never needs it
def endpoint() -> re.Pattern[str]:
    """The URLs of the ECS, Batch and CloudWatch Logs endpoints the fake answers through ``requests``."""
    return re.compile(
        rf"^https?://(?:(?P<service>ecs|batch|logs)(?:-fips)?|fips\.(?P<fips>batch))\.(?P<region>[a-z0-9-]+)\."
        rf"{_DNS_SUFFIX}(?::\d+)?(?:[/?#]|$)",
        re.IGNORECASE,
    )

_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD")

# The mock and the original method of the current install. Looked up at each install (not at import) so a
# responses imported afresh (pytester's in-process runs unload modules between runs) is patched too.
_installed: dict[str, Any] = {}
# The last mock built, reused while it would be built the same (same responses class, same onward send):
# building one and registering its rules is about a third of the cost of an install.
_WITH_MOTO = f"{__package__}.with_moto"  # loaded when moto is in this process
_built: list[tuple[Any, Any, Any]] = []  # (RequestsMock class, onward send, mock)


def _answer(request: Any) -> tuple[int, dict[str, str], bytes]:
    fake = active.current()
    match = endpoint().match(str(request.url))
    if fake is None or match is None:  # only reachable through a stale reference to our mock
        raise ConnectionError(f"pytest-ecsfake: no active fake to answer {request.method} {request.url}")
    body = request.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode()
    elif hasattr(body, "read"):
        body = body.read()
        body = body.encode() if isinstance(body, str) else body
    elif not isinstance(body, bytes):  # a generator or another iterable of chunks (sent chunked)
        body = b"".join(part.encode() if isinstance(part, str) else part for part in body)
    headers = Headers(dict(request.headers))
    headers[REGION_HEADER] = match.group("region").lower()
    service = (match.group("service") or match.group("fips")).lower()
    response = fake._handle(service, HttpRequest(request.method, str(request.url), headers, body))
    return response.status, dict(response.headers), response.body


def _has_own_rule(mock: responses.RequestsMock, request: Any, kwargs: dict[str, Any]) -> bool:
    # What RequestsMock._on_request prepares before matching, so matchers see the same request.
    request.params = mock._parse_request_params(request.path_url)
    request.req_kwargs = kwargs
    return any(rule.matches(request)[0] for rule in mock.registered())


def _is_moto_mock(mock: Any) -> bool:
    if _WITH_MOTO not in sys.modules:  # moto not in this process (or not seen while a fake was active)
        return False
    from .with_moto import is_moto_mock

    return is_moto_mock(mock)


def _not_moto_s(request: Any) -> tuple[bool, str]:
    """The rule's matcher: CloudWatch Logs stays moto's while moto's mock is started (it is then the onward
    send our mock passes unmatched requests to, when moto started first), as on the botocore path; ECS and
    Batch are always the fake's."""
    match = endpoint().match(str(request.url))
    if match is None or match.group("service") != "logs" or _WITH_MOTO not in sys.modules:
        return True, ""
    from .with_moto import moto_active

    mine = not moto_active() or _logs_group_is_ours(request)
    return mine, "CloudWatch Logs is moto's while moto is active, but for the log groups the fake holds"


def _logs_group_is_ours(request: Any) -> bool:
    """A Logs request about a log group the active fake holds (a JSON body only: a stream is not read here)."""
    from .with_moto import fake_holds_log_group

    body = request.body
    return isinstance(body, (bytes, str)) and fake_holds_log_group(str(request.url), body)


def _on_request(self: responses.RequestsMock, adapter: Any, request: Any, **kwargs: Any) -> Any:
    ours = _installed.get("mock")
    real = _installed["on_request"]
    handed_over = (
        ours is not None
        and self is not ours
        and (match := endpoint().match(str(request.url))) is not None
        # moto's mock has rules for every AWS endpoint: while a fake is active ECS and Batch are the fake's, and
        # so are CloudWatch Logs calls about the log groups the fake holds, as on the botocore path
        and ((_is_moto_mock(self) and (match.group("service") != "logs" or _logs_group_is_ours(request)))
             or not _has_own_rule(self, request, kwargs))
    )
    return real(ours if handed_over else self, adapter, request, **kwargs)


def install() -> None:
    """Intercept now when ``requests`` is imported; else when the test (or code under test) imports it."""
    if "requests" in sys.modules:
        _install()
    else:
        _hook.arm()


def _install() -> None:
    if _installed:
        return
    import responses
    from requests.adapters import HTTPAdapter

    # HTTPAdapter.send right now is the real one, or the mock of a test that started its own before the fake.
    onward: Any = HTTPAdapter.send
    if _built and _built[0][0] is responses.RequestsMock and _built[0][1] is onward:
        mock = _built[0][2]
    else:
        mock = responses.RequestsMock(assert_all_requests_are_fired=False, real_adapter_send=onward)
        for method in _METHODS:
            mock.add_callback(method, endpoint(), callback=_answer, match=[_not_moto_s])
        mock.add_passthru(re.compile(".*"))
        _built[:] = [(responses.RequestsMock, onward, mock)]
    _start(mock, HTTPAdapter)
    _installed.update(mock=mock, cls=responses.RequestsMock, on_request=responses.RequestsMock._on_request)
    responses.RequestsMock._on_request = _on_request  # type: ignore[method-assign]


class _SendPatch:
    """What ``RequestsMock.start()`` puts in its ``_patcher`` (``unittest.mock.patch`` of ``HTTPAdapter.send``,
    ~20 µs to start and stop: a fifth of an activation's cost), as a plain swap of the class attribute:
    ``mock.stop()`` calls ``stop()`` as it would the patcher's."""

    def __init__(self, adapter: Any, send: Any) -> None:
        self.adapter, self.send = adapter, send
        self.saved: Any = None

    def start(self) -> None:
        self.saved = self.adapter.__dict__["send"]
        self.adapter.send = self.send

    def stop(self) -> None:
        self.adapter.send = self.saved


def _start(mock: Any, adapter: Any) -> None:
    """``mock.start()``; the swap above when responses is as the project knows it (its patcher's target is
    ``HTTPAdapter.send``, defined on the class itself), else responses' own."""
    if mock._patcher or getattr(mock, "target", None) != "requests.adapters.HTTPAdapter.send" \
            or "send" not in adapter.__dict__ or not hasattr(mock, "unbound_on_send"):
        mock.start()
        return
    mock._patcher = _SendPatch(adapter, mock.unbound_on_send())
    mock._patcher.start()


# responses imports requests: whichever of the two is imported first is the outermost import.
_hook = WhenImported(("requests", "responses"), lambda: _install())


def uninstall() -> None:
    _hook.disarm()
    if _installed:
        _installed["cls"]._on_request = _installed["on_request"]
        _installed["mock"].stop(allow_assert=False)
        _installed["mock"].calls.reset()  # reused by the next install: what it recorded goes
        _installed.clear()
