"""jsonschema errors as ``Violation``s worded the way AWS words server-side validation errors.

AWS's generic form names value, member and constraint::

    1 validation error detected: Value '11' at 'count' failed to satisfy constraint:
    Member must have value less than or equal to 10

A rule that carries ``x-aws-message`` (AWS's own wording for that rule) is reported with that wording
first, followed by `` (field '<path>': <rule>)``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

_VALUE_CHARS = 80
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

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


@dataclass(frozen=True)
class Violation:
    """One broken rule of a request or response body.

    ``path`` is the member's place in the body (``"overrides.containerOverrides[0].name"``, ``""`` for the
    body itself), ``rule`` a short name of the rule (``"maxLength 128"``, ``"required"``), ``message`` one
    line naming field, value and rule, in AWS's wording where it is known.
    """

    path: str
    rule: str
    message: str


def violations_from(errors: Iterable[Any]) -> list[Violation]:
    """Turn jsonschema ``ValidationError``s into sorted, de-duplicated violations."""
    found: dict[tuple[str, str, str], Violation] = {}
    for error in errors:
        for violation in _from_error(error):
            found[(violation.path, violation.rule, violation.message)] = violation
    return [found[key] for key in sorted(found)]


def format_violations(violations: list[Violation]) -> str:
    """The error message the fake answers with.

    Violations in AWS's own wording come first, each on its own; the others follow in AWS's generic form,
    ``"N validation error(s) detected: ...; ..."``.
    """
    worded = [v.message for v in violations if _is_aws_worded(v)]
    generic = [v.message for v in violations if not _is_aws_worded(v)]
    parts = list(worded)
    if generic:
        noun = "error" if len(generic) == 1 else "errors"
        parts.append(f"{len(generic)} validation {noun} detected: " + "; ".join(generic))
    return "; ".join(parts)


def _suffix(path: str, rule: str) -> str:
    return f"(field '{path}': {rule})" if path else f"({rule})"


def _is_aws_worded(violation: Violation) -> bool:
    return violation.message.endswith(" " + _suffix(violation.path, violation.rule))


def _violation(path: str, rule: str, value: Any, constraint: str, aws: str | None) -> Violation:
    if aws:
        message = f"{aws} {_suffix(path, rule)}"
    elif path:
        message = f"Value {_render(value)} at '{path}' failed to satisfy constraint: {constraint}"
    else:
        message = f"Request failed to satisfy constraint: {constraint}"
    return Violation(path, rule, message)


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
    aws = schema.get("x-aws-message")
    named_rule = schema.get("x-rule")
    field = schema.get("x-field")

    if keyword == "required":
        for member in error.validator_value:
            if isinstance(instance, dict) and member not in instance:
                yield _violation(_join([*parts, member]), "required", None, "Member must not be null", aws)
        return
    if keyword == "additionalProperties" and error.validator_value is False:
        title = schema.get("title", "this structure")
        for member in instance:
            if member not in schema.get("properties", {}):
                path = _join([*parts, member])
                yield _violation(path, "unknown member", instance[member], f"Member is not defined in {title}", aws)
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
    yield _violation(_join(parts), rule, value, constraint, aws)


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
