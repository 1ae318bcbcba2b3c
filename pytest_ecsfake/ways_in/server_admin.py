"""The server's admin endpoints under ``/_ecsfake/`` (move the clock, reset, read the calls, set a behaviour),
and the JSON answers the server gives outside the AWS protocols."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..wire.protocol import HttpResponse

if TYPE_CHECKING:
    from .fake import EcsFake

ADMIN_PREFIX = "/_ecsfake/"
WHERE = (
    "pytest-ecsfake serves ECS at POST / (X-Amz-Target) and POST /v1/<Action>, AWS Batch at its REST paths "
    "(POST /v1/submitjob, ...), CloudWatch Logs at POST / (X-Amz-Target Logs_20140328.<Action>), and admin endpoints: "
    "POST /_ecsfake/advance, POST /_ecsfake/reset, "
    "GET /_ecsfake/calls, POST /_ecsfake/behavior"
)


def json_answer(status: int, value: Any, **headers: str) -> HttpResponse:
    body = json.dumps(value, default=str).encode()
    return HttpResponse(status, body, {"Content-Type": "application/json", **headers})


def error_answer(status: int, code: str, message: str) -> HttpResponse:
    return json_answer(status, {"__type": code, "message": message}, **{"x-amzn-ErrorType": code})


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


_BEHAVIOR_KEYWORDS = ("runs_for", "exit_code", "stop_takes", "ignores_sigterm", "pull_error", "logs",
                      "sigterm_exit_code")


def admin(fake: EcsFake, method: str, path: str, body: bytes) -> HttpResponse:
    name = path[len(ADMIN_PREFIX):].strip("/")
    allowed = {"advance": "POST", "reset": "POST", "calls": "GET", "behavior": "POST"}.get(name)
    if allowed is None:
        return json_answer(404, {"message": f"No admin endpoint {path}. {WHERE}"})
    if method != allowed:
        return json_answer(405, {"message": f"{path} takes {allowed}, not {method}"}, Allow=allowed)
    if name == "calls":
        return json_answer(200, [_call_json(call) for call in fake.calls])
    try:
        args = json.loads(body) if body.strip() else {}
    except ValueError as exc:
        return json_answer(400, {"message": f"{path}: the body is not JSON: {exc}"})
    if not isinstance(args, dict):
        return json_answer(400, {"message": f"{path}: the body must be a JSON object"})
    try:
        if name == "advance":
            return _advance(fake, args)
        if name == "reset":
            fake.reset()
            return json_answer(200, {})
        return _behavior(fake, args)
    except (TypeError, ValueError) as exc:
        return json_answer(400, {"message": f"{path}: {exc}"})


def _advance(fake: EcsFake, args: dict[str, Any]) -> HttpResponse:
    seconds = args.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0 or set(args) - {"seconds"}:
        raise ValueError(f'takes {{"seconds": <number >= 0>}}, got {json.dumps(args)}')
    return json_answer(200, {"now": _iso(fake.advance(seconds))})


def _behavior(fake: EcsFake, args: dict[str, Any]) -> HttpResponse:
    match = args.pop("match", None)
    unknown = sorted(set(args) - set(_BEHAVIOR_KEYWORDS))
    if unknown:
        raise ValueError(f"unknown keyword(s) {', '.join(unknown)}; takes match and {', '.join(_BEHAVIOR_KEYWORDS)}")
    fake.behavior(match, **args)  # behavior() checks match and the values, with messages that say the fix
    return json_answer(200, {})


def _call_json(call: Any) -> dict[str, Any]:
    return {
        "service": call.service,
        "operation": call.operation,
        "request": call.request,
        "status": call.status,
        "error": call.error,
        "response": call.response,
        "at": _iso(call.at),
        "violations": list(call.violations),
    }
