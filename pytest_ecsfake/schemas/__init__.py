"""JSON Schemas of ECS and Batch request/response bodies, and validation with AWS-style messages.

Each operation's schema is built on its first use from the installed botocore's service model plus the
overlay of prose rules (``_source.py``), and cached, one compiled validator per (service, operation,
direction). ``schemas/<service>/<Operation>.{request,response}.json`` is the same generation for the pinned
botocore, committed and reviewed; see docs/schemas.md. Importing this module is cheap: nothing is built or
loaded before it is needed.

May import: ``core`` (its error types) and botocore's models. The wire validates with it; the services may ask
it about the installed model.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import RequestShapeError
from ._fastcheck import Check, Unsupported, compile_schema, json_length
from ._messages import Violation, format_violations, refusal, violations_from
from ._regex import compile_anchored
from ._source import installed_model

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = [
    "Violation",
    "committed_service_model",
    "format_violations",
    "installed_is_older",
    "is_operation",
    "operation_names",
    "refusal",
    "request_violations",
    "response_violations",
    "service_model",
    "validate_request",
]

_SERVICES = ("batch", "ecs", "logs")


def service_model(service: str) -> dict[str, Any]:
    """The wire facts of ``service`` in the installed botocore's model (the shape of ``_service.json``):
    protocol, botocore version, each operation's HTTP method, URI and non-body member locations. Shared and
    cached: do not modify it.

    Example::

        service_model("batch")["operations"]["TerminateJob"]  # {"method": "POST", "uri": "/v1/terminatejob"}
    """
    return _service_model(_known_service(service))


def operation_names(service: str) -> list[str]:
    """Every operation of ``service`` that botocore knows (the installed model's, and the pinned model's in
    ``schemas/``), sorted. Example: ``"RunTask" in operation_names("ecs")``."""
    return list(_operation_names(_known_service(service)))


def is_operation(service: str, operation: str) -> bool:
    """Whether botocore knows ``operation`` of ``service`` (as ``operation_names`` lists them), asked at every
    request: the installed model answers; the committed one is read only for a name that model lacks."""
    return operation in installed_model(service)["operations"] or operation in _committed_names(service)


def request_violations(service: str, operation: str, body: dict[str, Any]) -> list[Violation]:
    """Every rule ``body`` breaks as a request of ``service``/``operation``; ``[]`` when it is valid.

    Example::

        request_violations("ecs", "RunTask", {"taskDefinition": "web", "count": 11})
        # [Violation(path="count", rule="maximum 10", message="Value '11' at 'count' failed to ...")]
    """
    return _violations(service, operation, "request", body)


def response_violations(service: str, operation: str, body: dict[str, Any]) -> list[Violation]:
    """Every rule ``body`` breaks as a response of ``service``/``operation``; ``[]`` when it is valid."""
    return _violations(service, operation, "response", body)


def validate_request(service: str, operation: str, body: dict[str, Any], *, strict: bool = False) -> None:
    """Check a request body against the API reference's rules, with or without a fake active.

    Raises ``RequestShapeError`` when the body breaks a rule AWS is known to enforce (a request AWS would
    refuse); its ``violations`` lists every rule broken, one line each, naming field and rule. With
    ``strict=True``, rules that only the documentation states (AWS is not known to refuse them) count too.
    The rules are those of the installed botocore's model plus the overlay, as the fake applies them.

    Example::

        validate_request("ecs", "RunTask", {"taskDefinition": "web", "count": 11})
        # RequestShapeError: ecs RunTask: 1 rule(s) broken:
        #   - Value '11' at 'count' failed to satisfy constraint: Member must have value less than ...
    """
    violations = request_violations(service, operation, body)
    if any(violation.enforced or strict for violation in violations):
        raise RequestShapeError(service, operation, [violation.detail for violation in violations])


def _known_service(service: str) -> str:
    if service not in _SERVICES:
        raise KeyError(f"unknown service {service!r}: expected one of {', '.join(map(repr, _SERVICES))}")
    return service


@cache
def _schema_root() -> Traversable:
    # Installed: schemas/ ships as the package pytest_ecsfake._schemas. A plain checkout has no such
    # package; the folder sits next to the package directory.
    try:
        from importlib.resources import files

        root = files("pytest_ecsfake._schemas")
        if (root / "ecs" / "_service.json").is_file():
            return root
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[2] / "schemas"


def _read(service: str, name: str) -> Any:
    return json.loads((_schema_root() / service / name).read_text(encoding="utf-8"))


@cache
def committed_service_model(service: str) -> dict[str, Any]:
    """``schemas/<service>/_service.json``: the wire facts of the pinned botocore the committed schemas are
    generated from (its ``botocoreVersion`` says which)."""
    model: dict[str, Any] = _read(_known_service(service), "_service.json")
    return model


@cache
def _service_model(service: str) -> dict[str, Any]:
    import botocore

    from ._generate import service_facts

    facts = service_facts(service, installed_model(service), botocore.__version__)
    for name, spec in committed_service_model(service)["operations"].items():
        facts["operations"].setdefault(name, spec)  # known to the pinned model only: its committed schema answers
    return facts


@cache
def installed_is_older(service: str) -> bool:
    """Whether the installed botocore is older than the pinned one the committed schemas come from."""
    def version(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())

    import botocore

    return version(botocore.__version__) < version(committed_service_model(service)["botocoreVersion"])


@cache
def _rules(service: str) -> list[Any]:
    from ._overlay import load_rules

    return load_rules(service, installed_model(service), lenient=True)


@cache
def _committed_names(service: str) -> frozenset[str]:
    return frozenset(committed_service_model(_known_service(service))["operations"])


@cache
def _operation_names(service: str) -> tuple[str, ...]:
    return tuple(sorted(_service_model(service)["operations"]))


def _violations(service: str, operation: str, direction: str, body: Any) -> list[Violation]:
    # Most bodies are valid: the compiled yes/no check answers those; jsonschema explains the others.
    fast = _fast_check(service, operation, direction)
    if fast is not None and fast(body):
        return []
    return violations_from(_validator(service, operation, direction).iter_errors(body))


@cache
def _schema(service: str, operation: str, direction: str) -> dict[str, Any]:
    if not is_operation(_known_service(service), operation):
        raise KeyError(
            f"unknown {service} operation {operation!r}: botocore "
            f"{_service_model(service)['botocoreVersion']} has no such operation "
            f"(see pytest_ecsfake.schemas.operation_names({service!r}))"
        )
    model = installed_model(service)
    if operation in model["operations"]:
        from ._generate import operation_schema

        return operation_schema(service, model, operation, direction, _rules(service), set())
    schema: dict[str, Any] = _read(service, f"{operation}.{direction}.json")
    return schema


@cache
def _fast_check(service: str, operation: str, direction: str) -> Check | None:
    try:
        return compile_schema(_schema(service, operation, direction))
    except Unsupported:
        return None


@cache
def _validator(service: str, operation: str, direction: str) -> Any:
    return _validator_class()(_schema(service, operation, direction))


@cache
def _validator_class() -> Any:
    """Draft 2020-12 plus ``x-maxJsonLength`` and a ``pattern`` whose final ``$`` is end-of-string."""
    from jsonschema import Draft202012Validator, ValidationError, validators

    def max_json_length(validator: Any, limit: int, instance: Any, schema: dict[str, Any]) -> Any:
        length = json_length(instance)
        if length > limit:
            yield ValidationError(f"{length} characters of JSON is more than {limit}")

    def pattern(validator: Any, regex: str, instance: Any, schema: dict[str, Any]) -> Any:
        if validator.is_type(instance, "string") and not compile_anchored(regex).search(instance):
            yield ValidationError(f"{instance!r} does not match {regex!r}")

    return validators.extend(Draft202012Validator, {"x-maxJsonLength": max_json_length, "pattern": pattern})
