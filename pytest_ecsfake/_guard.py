"""``--ecsfake-guard`` (ini ``ecsfake_guard = true``): an ECS or Batch call with no active fake fails at once.

A test that forgot the fixture would otherwise get botocore's NoCredentialsError — or, with real keys in the
environment, reach real AWS. While the guard is on (the whole pytest session), botocore's ``RequestSigner.sign``
refuses ECS and Batch requests made while no fake is active, before any credential is read and before anything
is sent. Clients pointed at a loopback address (``fake.serve()``, ``ecsfake serve``) pass, as do other services.
When a fake activates, its own interception goes in front of this one and serves the calls.
"""

from __future__ import annotations

from typing import Any

from . import _active
from ._intercept import is_loopback

GUARDED = frozenset({"ecs", "batch"})
_original: dict[str, Any] = {}


class NoActiveFakeError(RuntimeError):
    """An ECS or Batch call made with no active fake while ``--ecsfake-guard`` is on."""


def message(service: str, operation: str) -> str:
    return (f"pytest-ecsfake guard (--ecsfake-guard): {service}:{operation} was called with no active fake, so it "
            "would have gone to AWS; nothing was sent. Activate the fake for this test: the ecs_fake fixture "
            "(def test_x(ecs_fake): ...), the @pytest.mark.ecsfake marker, or the @mock_ecs / @EcsFake() "
            "decorator (or `with EcsFake():`).")


def _sign(signer: Any, operation_name: str, request: Any, *args: Any, **kwargs: Any) -> Any:
    if _active.current() is None and signer._signing_name in GUARDED and not is_loopback(request.url):
        raise NoActiveFakeError(message(signer._signing_name, operation_name))
    return _original["sign"](signer, operation_name, request, *args, **kwargs)


def install() -> None:
    from botocore.signers import RequestSigner

    if not _original:
        _original.update(signer=RequestSigner, sign=RequestSigner.sign)
        RequestSigner.sign = _sign


def uninstall() -> None:
    if _original:
        _original["signer"].sign = _original["sign"]
        _original.clear()
