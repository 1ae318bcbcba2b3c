"""The one path every request takes, whichever way it came in (botocore, ``requests``, the HTTP server).

decode → injected fault → supported? → schema check → handler (at the fake's now) → encode, recording
the call. A bug inside the fake answers ServerException naming the bug and is kept as a problem that fails
the test at teardown: it never poses as an AWS error that code under test could swallow.
"""

from __future__ import annotations

import json
import traceback
from typing import Any

from ..core import registry
from ..core.backend import Backend, Call
from ..core.context import Context
from ..core.errors import AwsError, ClientException, InvalidParameterException, ServerException, UnsupportedOperation
from ..schemas import refusal, request_violations
from ..schemas._prune import without_members
from . import reads
from .protocol import (
    HttpRequest,
    HttpResponse,
    body_is_request,
    decode,
    detect_region,
    encode_error,
    encode_payload,
    encode_result,
)

SUPPORTED_OPERATIONS_URL = "https://github.com/pytest-ecsfake/pytest-ecsfake#supported-operations"
ERRORS_URL = "https://github.com/pytest-ecsfake/pytest-ecsfake#errors-you-may-see"
_FIVE_HUNDREDS = {"ServerException": 500, "InternalFailure": 500, "ServiceUnavailableException": 503}
_VALIDATION_ERROR = {"ecs": InvalidParameterException, "batch": ClientException, "logs": InvalidParameterException}
# Operations that change nothing (an answer is all they make); any other bumps Backend.epoch.
_READ_ONLY = ("Describe", "List", "Get")


def injected_status(code: str) -> int:
    return _FIVE_HUNDREDS.get(code, 400)


def dispatch(backend: Backend, service: str, request: HttpRequest) -> HttpResponse:
    request_id = backend.ids.uuid()
    region = detect_region(request, backend.region)
    request_key = reads.key(service, request, region)
    with backend.lock:
        now = backend.settle()
        kept = reads.reusable(backend, request_key, now)
        if kept is not None:
            return _reuse(backend, service, kept, request_id, region, now)
        operation = "?"
        params: dict[str, Any] = {}
        try:
            operation, params = decode(service, request)
        except AwsError as error:
            return _refuse(backend, service, operation, params, error, request_id, region)
        read_only = operation.startswith(_READ_ONLY)
        if not read_only:
            backend.epoch += 1  # what was described before this call may change: see Backend.epoch
        violations: tuple[str, ...] = ()
        draws, problems = backend.ids.draws, len(backend.problems)
        # A write's record keeps the request's JSON body when that is all of the request (see Call).
        raw = request.body if not read_only and body_is_request(service) else None
        try:
            ctx = Context(backend, service, operation, region, now)
            violations, known = _check_request(backend, service, operation, params, request_id)
            if known is params:  # the handler's request is the body as sent (no member the model lacks dropped)
                ctx.raw = raw
            body = _answer(backend, ctx, known)
            if ctx.documented_rules:
                violations += _documented(backend, service, operation, params, ctx.documented_rules)
            response = encode_result(service, body, request_id)
        except AwsError as error:
            return _refuse(backend, service, operation, params, error, request_id, region, violations)
        except Exception as exc:  # a bug in the fake: say so, never as an AWS error the code could expect
            last = traceback.format_exception_only(type(exc), exc)[-1].strip()
            backend.problems.append(
                f"pytest-ecsfake bug in {service}:{operation}: {last}\n{traceback.format_exc()}"
            )
            bug = ServerException(
                f"pytest-ecsfake internal error (a bug in the fake, not AWS): {last}. The test fails at teardown "
                f"with the traceback; please report it. See {ERRORS_URL}"
            )
            return _refuse(backend, service, operation, params, bug, request_id, region, violations)
        if backend.validate_responses:
            _check_response(backend, service, operation, json.loads(response.body))
        backend.calls.append(
            Call(service, operation, params if raw is None else None, 200, None, None, now, payload=response.body,
                 violations=violations, region=region, pack=not read_only, raw=raw or b"")
        )
        if read_only and not violations and backend.ids.draws == draws and len(backend.problems) == problems:
            reads.keep(backend, request_key, (operation, params, response.body))
        return response


def _reuse(backend: Backend, service: str, kept: reads.Answer, request_id: str, region: str,
           now: float) -> HttpResponse:
    """The answer of the same read-only request made at this epoch and instant (see wire/reads.py)."""
    operation, params, payload = kept
    if backend.validate_responses:
        fresh = encode_result(service, _answer(backend, Context(backend, service, operation, region, now), params),
                              request_id).body
        if fresh != payload:
            backend.problems.append(
                f"pytest-ecsfake bug: the {service}:{operation} answer changed without Backend.epoch moving: "
                f"answered {payload!r} before, now {fresh!r}"
            )
    backend.calls.append(Call(service, operation, params, 200, None, None, now, payload=payload, region=region))
    return encode_payload(service, payload, request_id)


def _refuse(
    backend: Backend,
    service: str,
    operation: str,
    params: dict[str, Any],
    error: AwsError,
    request_id: str,
    region: str,
    violations: tuple[str, ...] = (),
) -> HttpResponse:
    if "{request_id}" in error.message:  # Batch's server-side wording names the request (job_definitions.server_side)
        error.message = error.message.replace("{request_id}", request_id)
    _record(backend, service, operation, params, error.status, error.code, {"message": error.message},
            error.violations or violations, region)
    return encode_error(service, error, request_id)


def _check_request(
    backend: Backend, service: str, operation: str, params: dict[str, Any], request_id: str
) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The schema check: raises AWS's error for a rule AWS enforces; returns the lines of every rule broken
    (``()`` for a clean request, the usual case), which the call record keeps, and the request the handler
    gets: without members the API does not define (AWS ignores them; see schemas/_prune.py)."""
    fault = backend.take_fault(service, operation)
    if fault is not None:
        raise AwsError(fault.message, code=fault.code, status=injected_status(fault.code))
    # AWS refuses bad input before anything else, so the schema speaks before "not implemented".
    violations = request_violations(service, operation, params)
    if not violations:
        return (), params
    details = tuple(violation.detail for violation in violations)
    refused = refusal(violations)
    if backend.strict:
        _strict(backend, service, operation, params, details, refused=refused is not None)
    if refused is None:
        unknown = [violation.path for violation in violations if violation.rule == "unknown member"]
        return details, without_members(params, unknown) if unknown else params
    message, code = refused
    message = message.replace("{request_id}", request_id)  # Batch's messages name the request
    error = AwsError(message, code=code) if code else _VALIDATION_ERROR[service](message)
    error.violations = details
    raise error


def _strict(backend: Backend, service: str, operation: str, params: dict[str, Any], lines: tuple[str, ...], *,
            refused: bool) -> None:
    """Strict mode: a request that broke rules of the API reference fails the test at teardown too."""
    verdict = "refused" if refused else "answered, since AWS is not known to refuse it"
    backend.problems.append(
        f"strict mode: the {service}:{operation} request your code sent breaks the API reference's rules "
        f"({verdict}):\n" + "".join(f"  - {line}\n" for line in lines) + f"  request: {params!r}\n"
        f"  Fix the request, or pass strict=False for a test that sends such requests on purpose. "
        f"See {ERRORS_URL}"
    )


def _documented(backend: Backend, service: str, operation: str, params: dict[str, Any],
                rules: list[str]) -> tuple[str, ...]:
    """The handler's documented rules the request broke (``Context.documented``): the call record's lines, and a
    strict-mode problem, as the schema's documented rules get."""
    if backend.strict:
        _strict(backend, service, operation, params, tuple(rules), refused=False)
    return tuple(rules)


def _answer(backend: Backend, ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    service, operation = ctx.service, ctx.operation
    handler = registry.get(service, operation)
    if handler is None:
        supported = ", ".join(registry.supported(service)) or "none yet"
        message = (
            f"pytest-ecsfake does not implement {service}:{operation} yet. "
            f"Supported {service} operations: {supported}. See {SUPPORTED_OPERATIONS_URL}"
        )
        backend.problems.append(message)
        raise UnsupportedOperation(message)
    return handler(ctx, params)


def _check_response(backend: Backend, service: str, operation: str, body: dict[str, Any]) -> None:
    from ..schemas import installed_is_older, response_violations

    violations = response_violations(service, operation, body)
    if violations and installed_is_older(service):
        # AWS answers members and enum values an older botocore's model lacks, and botocore ignores them: so
        # does this check (the project's suite run on an older botocore than the pinned one).
        violations = [v for v in violations if v.rule not in ("unknown member", "enum")]
    if violations:
        backend.problems.append(
            f"pytest-ecsfake bug: the {service}:{operation} response breaks its schema: "
            + "; ".join(v.message for v in violations)
        )


def _record(
    backend: Backend,
    service: str,
    operation: str,
    request: dict[str, Any],
    status: int,
    error: str | None,
    response: dict[str, Any],
    violations: tuple[str, ...] = (),
    region: str = "",
) -> None:
    with backend.lock:
        backend.calls.append(
            Call(service, operation, request, status, error, response, backend.clock.now(), violations=violations,
                 region=region)
        )
