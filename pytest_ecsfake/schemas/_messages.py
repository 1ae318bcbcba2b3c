"""jsonschema errors as ``Violation``s worded the way AWS words server-side validation errors.

AWS's generic form names value, member and constraint::

    1 validation error detected: Value '11' at 'count' failed to satisfy constraint:
    Member must have value less than or equal to 10

A rule that carries ``x-aws-message`` (AWS's own wording for that rule) is answered with exactly that
sentence; the field and rule go to ``Violation.detail`` (``RequestShapeError.violations``, the call record,
the failure report), never into the message.

Each violation says whether AWS is known to refuse a request for it (``enforced``): an overlay rule says so
in ``x-provenance``; a rule of botocore's model is enforced unless its keyword is in ``MODEL_DOCUMENTED``.
Only enforced violations refuse a request (see docs/schemas.md, "Which rules refuse").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from ..core.records import FrozenRecord

_VALUE_CHARS = 80
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Keywords of botocore's own model that nothing shows AWS enforcing. A list's or map's ``min`` is no proof of
# refusal: Batch's tag maps have min 1 and AWS accepts ``{}`` (FIDELITY.md, "Which rules refuse a request").
# An unknown member (``additionalProperties: false``): whether AWS refuses or ignores it is not known; botocore
# itself never sends one, so this matters only for raw HTTP and for clients newer than the installed model.
MODEL_DOCUMENTED = frozenset({"minItems", "minProperties", "additionalProperties"})

# keyword -> (rule prefix, constraint phrase) for keywords whose limit is a number.
_LIMITS = {
    "minLength": "length greater than or equal to",
    "maxLength": "length less than or equal to",
    "minItems": "length greater than or equal to",
    "maxItems": "length less than or equal to",
    "minProperties": "length greater than or equal to",
    "maxProperties": "length less than or equal to",
    "minimum": "value greater than or equal to",
    "maximum": "value less than or equal to",
    "exclusiveMinimum": "value greater than",
    "exclusiveMaximum": "value less than",
    "x-maxJsonLength": "JSON length less than or equal to",
}


class Violation(FrozenRecord):
    """One broken rule of a request or response body.

    ``path`` is the member's place in the body (``"overrides.containerOverrides[0].name"``, ``""`` for the
    body itself), ``rule`` a short name of the rule (``"maxLength 128"``, ``"required"``), ``message`` what
    AWS answers: its own sentence for the rule where known (``aws_worded``), else its generic form naming
    value, field and constraint. ``enforced`` is False for a rule only the documentation states (reported,
    never refused); ``code`` is AWS's error type for the rule when it is not the service's usual validation
    error; ``source`` says where the rule comes from.
    """

    path: str
    rule: str
    message: str
    enforced: bool
    aws_worded: bool
    code: str | None
    source: str

    def __init__(self, path: str, rule: str, message: str, enforced: bool = True, aws_worded: bool = False,
                 code: str | None = None, source: str = "") -> None:
        vars(self).update(path=path, rule=rule, message=message, enforced=enforced, aws_worded=aws_worded, code=code,
                          source=source)

    @property
    def detail(self) -> str:
        """One line for people: the message, then the field and rule when the message does not name them,
        then, for a documented-only rule, that AWS is not known to refuse it and where the rule comes from."""
        text = f"{self.message} {_suffix(self.path, self.rule)}" if self.aws_worded else self.message
        if not self.enforced:
            text += f" [documented only: AWS is not known to refuse this; source: {self.source or 'botocore model'}]"
        return text


def refusal(violations: list[Violation]) -> tuple[str, str | None] | None:
    """What AWS answers for a request with these violations: ``(message, code)``, ``code`` None for the
    service's usual validation error; None when no violation is enforced (the request is answered).

    AWS checks its model's constraints before anything else and reports all of them in its generic form
    ("N validation errors detected: ..."); a rule with its own sentence is answered with that sentence alone.
    """
    enforced = [v for v in violations if v.enforced]
    generic = [v for v in enforced if not v.aws_worded]
    if generic:
        noun = "error" if len(generic) == 1 else "errors"
        return f"{len(generic)} validation {noun} detected: " + "; ".join(v.message for v in generic), None
    if enforced:
        return enforced[0].message, enforced[0].code
    return None


def violations_from(errors: Iterable[Any]) -> list[Violation]:
    """Turn jsonschema ``ValidationError``s into sorted, de-duplicated violations."""
    found: dict[tuple[str, str, str], Violation] = {}
    for error in errors:
        for violation in _from_error(error):
            found[(violation.path, violation.rule, violation.message)] = violation
    return [found[key] for key in sorted(found)]


def format_violations(violations: list[Violation]) -> str:
    """The error message the fake answers with for these violations (``""`` when none refuses): see
    ``refusal``."""
    found = refusal(violations)
    return found[0] if found else ""


def _suffix(path: str, rule: str) -> str:
    return f"(field '{path}': {rule})" if path else f"({rule})"


class _Origin(FrozenRecord):
    """What a schema node says about the rules it holds."""

    aws: str | None
    code: str | None
    provenance: str | None
    source: str

    def __init__(self, aws: str | None, code: str | None, provenance: str | None, source: str) -> None:
        vars(self).update(aws=aws, code=code, provenance=provenance, source=source)


def _violation(path: str, rule: str, value: Any, constraint: str, origin: _Origin, keyword: str) -> Violation:
    if origin.aws:
        message = origin.aws
    elif path:
        message = f"Value {_render(value)} at '{path}' failed to satisfy constraint: {constraint}"
    else:
        message = f"Request failed to satisfy constraint: {constraint}"
    # An overlay rule says its provenance; a rule of botocore's model itself is enforced but for a few keywords.
    enforced = keyword not in MODEL_DOCUMENTED if origin.provenance is None else origin.provenance == "enforced"
    return Violation(path, rule, message, enforced, bool(origin.aws), origin.code, origin.source)


def _render(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = str(value)
    else:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    return "'" + _truncate(text) + "'"


def _truncate(text: str) -> str:
    # One line whatever the value holds: control characters are shown escaped ("\\n").
    text = _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)
    return text if len(text) <= _VALUE_CHARS else text[: _VALUE_CHARS - 3] + "..."


def _join(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _from_error(error: Any) -> Iterator[Violation]:
    keyword = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    parts = list(error.absolute_path)
    named_rule = schema.get("x-rule")
    field = schema.get("x-field")
    title = schema.get("title")
    origin = _Origin(
        schema.get("x-aws-message"),
        schema.get("x-aws-code"),
        schema.get("x-provenance"),
        schema.get("x-source") or (f"botocore model, shape {title}" if title else "botocore model"),
    )

    if keyword == "required":
        for member in error.validator_value:
            if isinstance(instance, dict) and member not in instance:
                path = _join([*parts, member])
                yield _violation(path, "required", None, "Member must not be null", origin, keyword)
        return
    if keyword == "additionalProperties" and error.validator_value is False:
        for member in instance:
            if member not in schema.get("properties", {}):
                path = _join([*parts, member])
                constraint = f"Member is not defined in {title or 'this structure'}"
                yield _violation(path, "unknown member", instance[member], constraint, origin, keyword)
        return

    value = instance
    if field and isinstance(instance, dict):
        parts.append(field)
        value = instance.get(field)
    rule, constraint = _describe(keyword, error, schema)
    if named_rule:
        rule = constraint = named_rule
    # A propertyNames error is about a map key: the path stays the map's, the rule says "key".
    if "propertyNames" in error.schema_path:
        rule = f"key {rule}"
        constraint = constraint.replace("Member", "Map key", 1)
    yield _violation(_join(parts), rule, value, constraint, origin, keyword)


def _describe(keyword: str | None, error: Any, schema: dict[str, Any]) -> tuple[str, str]:
    limit = error.validator_value
    if keyword in _LIMITS:
        return f"{keyword.removeprefix('x-')} {limit}", f"Member must have {_LIMITS[keyword]} {limit}"
    if keyword == "type":
        return f"type {limit}", f"Member must be of type {limit}"
    if keyword == "enum":
        return "enum", "Member must satisfy enum value set: [" + ", ".join(str(v) for v in limit) + "]"
    if keyword == "const":
        return "const", f"Member must be {_render(limit)}"
    if keyword == "pattern":
        shown = schema.get("x-aws-pattern", limit)
        return "pattern", f"Member must satisfy regular expression pattern: {shown}"
    if keyword == "not":
        return "not", "Member must not match " + _truncate(json.dumps(limit, sort_keys=True))
    if keyword == "oneOf":
        how = "none" if error.context else "more than one"
        return "oneOf", f"Member must match exactly one of {len(limit)} alternatives, not {how}"
    if keyword == "anyOf":
        return "anyOf", f"Member must match at least one of {len(limit)} alternatives"
    return str(keyword), _truncate(str(error.message))
