"""The keyword subset the fast check compiles: the keywords, the JSON type each applies to and the Python tests
written for types, bounds and sizes; ``json_length`` (what ``x-maxJsonLength`` measures); and what is read from a
schema before compiling it: that it stays inside the subset (else ``Unsupported``), which shapes a ``$ref``
reaches."""

from __future__ import annotations

import json
from typing import Any

from ._regex import compile_anchored

# Keywords that assert nothing.
_ANNOTATIONS = frozenset(
    {"$schema", "$comment", "$defs", "title", "description"}
    | {"x-source", "x-provenance", "x-aws-message", "x-aws-code", "x-rule", "x-field", "x-aws-pattern", "x-notRequired"}
)
# The keywords that apply only to one JSON type, by that type ("number" covers "integer").
_FAMILY = {
    **dict.fromkeys(
        ("properties", "additionalProperties", "required", "propertyNames", "minProperties", "maxProperties"),
        "object",
    ),
    **dict.fromkeys(("items", "minItems", "maxItems"), "array"),
    **dict.fromkeys(("minLength", "maxLength", "pattern"), "string"),
    **dict.fromkeys(("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"), "number"),
}
# JSON Schema's type tests, as jsonschema's is_type: bool is not a number, 1.0 is an integer. ``{0}`` is a
# generated variable name or member access. The exact-type tests come first: the usual value answers at once.
_TYPE_TESTS = {
    "object": "isinstance({0}, dict)",
    "array": "isinstance({0}, list)",
    "string": "isinstance({0}, str)",
    "boolean": "isinstance({0}, bool)",
    "null": "{0} is None",
    "number": "(type({0}) is int or type({0}) is float"
    " or (isinstance({0}, (int, float)) and not isinstance({0}, bool)))",
    "integer": "(type({0}) is int or (isinstance({0}, int) and not isinstance({0}, bool))"
    " or (isinstance({0}, float) and {0}.is_integer()))",
}
# The guard of a family's keywords when the value's type is not proven.
_GUARDS = {
    "object": "isinstance({0}, dict)",
    "array": "isinstance({0}, list)",
    "string": "isinstance({0}, str)",
    "number": "(isinstance({0}, (int, float)) and not isinstance({0}, bool))",
}
# Written as ``not x >= 1`` so that NaN fails them, like the closures the fast check replaced (a failure only
# hands the body to jsonschema, which decides).
_BOUNDS = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
_SIZES = {
    "minItems": "<",
    "minLength": "<",
    "minProperties": "<",
    "maxItems": ">",
    "maxLength": ">",
    "maxProperties": ">",
}
_SUBSCHEMA = frozenset({"items", "additionalProperties", "propertyNames", "not"})
_SUBSCHEMAS = frozenset({"allOf", "anyOf", "oneOf"})


class Unsupported(ValueError):
    """The schema uses a keyword the fast check does not compile."""


def json_length(value: Any) -> int:
    """Characters of ``value`` as JSON, for ``x-maxJsonLength``. AWS counts "the JSON formatting characters";
    the most compact encoding is the fair reading. Shared with the jsonschema keyword so both agree."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str))


def _supported(schema: Any, defs: dict[str, Any]) -> list[str]:
    """Raise ``Unsupported`` unless ``schema`` uses only the subset listed here; the ``$ref`` targets in it
    (each time one occurs, not following them)."""
    refs: list[str] = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, bool):
            continue
        if not isinstance(node, dict):
            raise Unsupported(f"schema {node!r}")
        for keyword, argument in node.items():
            if keyword in _ANNOTATIONS:
                continue
            if keyword == "type":
                names = [argument] if isinstance(argument, str) else argument
                ok = isinstance(names, list) and bool(names) and all(name in _TYPE_TESTS for name in names)
            elif keyword == "$ref":
                ok = isinstance(argument, str) and argument.startswith("#/$defs/") and argument[8:] in defs
                if ok:
                    refs.append(argument[8:])
            elif keyword in ("enum", "required"):
                ok = isinstance(argument, list) and all(isinstance(item, str) for item in argument)
            elif keyword == "const":
                ok = isinstance(argument, str)
            elif keyword == "pattern":
                ok = isinstance(argument, str)
                if ok:
                    compile_anchored(argument)  # a pattern Python cannot compile fails here, not on a request
            elif keyword in _SIZES or keyword in _BOUNDS or keyword == "x-maxJsonLength":
                ok = isinstance(argument, (int, float)) and not isinstance(argument, bool)
            elif keyword == "properties":
                ok = isinstance(argument, dict)
                stack += argument.values() if ok else []
            elif keyword in _SUBSCHEMA:
                ok = True
                stack.append(argument)
            elif keyword in _SUBSCHEMAS:
                ok = isinstance(argument, list) and (bool(argument) or keyword == "allOf")
                stack += argument if ok else []
            else:
                ok = False
            if not ok:
                raise Unsupported(f"{keyword}: {argument!r}")
    return refs


def _covers(known: str | None, family: str) -> bool:
    """A value proven to be of JSON type ``known`` is one that ``family`` (a type) accepts."""
    return known == family or (family == "number" and known == "integer")


def _reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    """The shapes reachable from ``start`` through one or more ``$ref``."""
    seen: set[str] = set()
    stack = list(edges[start])
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(edges[name])
    return seen
