"""A yes/no check of a body against a generated schema, about ten times faster than jsonschema.

Validation runs on every intercepted call and almost every body is valid, so the answer "valid" is worth
making cheap. This compiles the keyword subset the generator writes into nested closures. It only says
valid or not: when it says "not", jsonschema runs and explains (its wording, paths and ``iter_errors``
stay the single source of the messages). A schema with a keyword outside the subset raises
``Unsupported`` and is left to jsonschema alone. tests/test_schemas.py checks that both agree.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sized
from typing import Any

from ._regex import compile_anchored

Check = Callable[[Any], bool]
Builder = Callable[[Any], Check]

# Keywords that assert nothing.
_ANNOTATIONS = frozenset(
    {"$schema", "$comment", "$defs", "title", "description"}
    | {"x-source", "x-aws-message", "x-rule", "x-field", "x-aws-pattern", "x-notRequired"}
)
_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    # JSON Schema: 1.0 is an integer.
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
}


class Unsupported(ValueError):
    """The schema uses a keyword this module does not compile."""


def compile_schema(root: dict[str, Any]) -> Check:
    """Compile ``root`` (a generated schema file) into a predicate: True when the body is valid."""
    defs: dict[str, Any] = root.get("$defs", {})
    compiled: dict[str, Check] = {}

    def ref(target: str) -> Check:
        if not target.startswith("#/$defs/") or target[8:] not in defs:
            raise Unsupported(f"$ref {target!r}")
        name = target[8:]
        if name not in compiled:
            compiled[name] = _no  # placeholder while compiling a recursive shape
            compiled[name] = build(defs[name])
        # Late-bound so recursive shapes see the finished check.
        return lambda value: compiled[name](value)

    def build(schema: Any) -> Check:
        if schema is True:
            return _yes
        if schema is False:
            return _no
        checks = []
        for keyword, argument in schema.items():
            if keyword in _ANNOTATIONS:
                continue
            if keyword == "$ref":
                checks.append(ref(argument))
                continue
            factory = _KEYWORDS.get(keyword)
            if factory is None:
                raise Unsupported(keyword)
            checks.append(factory(argument, schema, build))
        if len(checks) == 1:
            return checks[0]
        return lambda value: all(check(value) for check in checks)

    return build(root)


def _yes(value: Any) -> bool:
    return True


def _no(value: Any) -> bool:
    return False


def _type(argument: Any, schema: dict[str, Any], build: Builder) -> Check:
    names = [argument] if isinstance(argument, str) else list(argument)
    checks = [_TYPES[name] for name in names]
    if len(checks) == 1:
        return checks[0]
    return lambda value: any(check(value) for check in checks)


def _properties(argument: dict[str, Any], schema: dict[str, Any], build: Builder) -> Check:
    members = {name: build(sub) for name, sub in argument.items()}

    def check(value: Any) -> bool:
        if isinstance(value, dict):
            for name, item in value.items():
                member = members.get(name)
                if member is not None and not member(item):
                    return False
        return True

    return check


def _additional(argument: Any, schema: dict[str, Any], build: Builder) -> Check:
    if "patternProperties" in schema:
        raise Unsupported("patternProperties")
    known = frozenset(schema.get("properties", ()))
    if argument is False:
        return lambda value: not isinstance(value, dict) or known.issuperset(value)
    sub = build(argument)
    return lambda value: (
        not isinstance(value, dict) or all(sub(item) for name, item in value.items() if name not in known)
    )


def _required(argument: list[str], schema: dict[str, Any], build: Builder) -> Check:
    names = tuple(argument)
    return lambda value: not isinstance(value, dict) or all(name in value for name in names)


def _items(argument: Any, schema: dict[str, Any], build: Builder) -> Check:
    sub = build(argument)
    return lambda value: not isinstance(value, list) or all(sub(item) for item in value)


def _property_names(argument: Any, schema: dict[str, Any], build: Builder) -> Check:
    sub = build(argument)
    return lambda value: not isinstance(value, dict) or all(sub(name) for name in value)


def _sized(kind: type[Sized], at_least: bool) -> Callable[[int, dict[str, Any], Builder], Check]:
    def factory(limit: int, schema: dict[str, Any], build: Builder) -> Check:
        if at_least:
            return lambda value: not isinstance(value, kind) or len(value) >= limit
        return lambda value: not isinstance(value, kind) or len(value) <= limit

    return factory


def _bound(compare: Callable[[Any, Any], bool]) -> Callable[[Any, dict[str, Any], Builder], Check]:
    def factory(limit: Any, schema: dict[str, Any], build: Builder) -> Check:
        def check(value: Any) -> bool:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return True
            return compare(value, limit)

        return check

    return factory


def _strings(argument: Any) -> frozenset[str]:
    # jsonschema's equality tells 1 from True and 1 from 1.0; for string values plain `in` agrees with it.
    values = argument if isinstance(argument, list) else [argument]
    if not all(isinstance(item, str) for item in values):
        raise Unsupported("enum/const with non-string values")
    return frozenset(values)


def _enum(argument: list[Any], schema: dict[str, Any], build: Builder) -> Check:
    allowed = _strings(argument)
    return lambda value: isinstance(value, str) and value in allowed


def _const(argument: Any, schema: dict[str, Any], build: Builder) -> Check:
    allowed = _strings(argument)
    return lambda value: isinstance(value, str) and value in allowed


def _pattern(argument: str, schema: dict[str, Any], build: Builder) -> Check:
    regex = compile_anchored(argument)
    return lambda value: not isinstance(value, str) or regex.search(value) is not None


def _all_of(argument: list[Any], schema: dict[str, Any], build: Builder) -> Check:
    subs = [build(sub) for sub in argument]
    return lambda value: all(sub(value) for sub in subs)


def _any_of(argument: list[Any], schema: dict[str, Any], build: Builder) -> Check:
    subs = [build(sub) for sub in argument]
    return lambda value: any(sub(value) for sub in subs)


def _one_of(argument: list[Any], schema: dict[str, Any], build: Builder) -> Check:
    subs = [build(sub) for sub in argument]
    return lambda value: sum(1 for sub in subs if sub(value)) == 1


def _not(argument: Any, schema: dict[str, Any], build: Builder) -> Check:
    sub = build(argument)
    return lambda value: not sub(value)


def json_length(value: Any) -> int:
    """Characters of ``value`` as JSON, for ``x-maxJsonLength``. AWS counts "the JSON formatting characters";
    the most compact encoding is the fair reading. Shared with the jsonschema keyword so both agree."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str))


def _max_json_length(limit: int, schema: dict[str, Any], build: Builder) -> Check:
    return lambda value: json_length(value) <= limit


_KEYWORDS: dict[str, Callable[[Any, dict[str, Any], Builder], Check]] = {
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional,
    "required": _required,
    "items": _items,
    "propertyNames": _property_names,
    "minItems": _sized(list, True),
    "maxItems": _sized(list, False),
    "minLength": _sized(str, True),
    "maxLength": _sized(str, False),
    "minProperties": _sized(dict, True),
    "maxProperties": _sized(dict, False),
    "minimum": _bound(lambda value, limit: value >= limit),
    "maximum": _bound(lambda value, limit: value <= limit),
    "exclusiveMinimum": _bound(lambda value, limit: value > limit),
    "exclusiveMaximum": _bound(lambda value, limit: value < limit),
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "not": _not,
    "x-maxJsonLength": _max_json_length,
}
