"""The overlay: rules the API reference states only in prose, merged into the generated schemas.

``overlay_<service>.json`` holds ``{"rules": [...]}``. A rule names where it applies, either an operation
(its request or response body, the root of the file) or a shape (``$defs/<Shape>`` of every file of that
direction that reaches it), a JSON pointer ``at`` below that, and what it does:

- ``schema``: a JSON Schema fragment appended to ``allOf`` at that place, so that each rule keeps its own
  keywords and metadata (jsonschema reports an error with the fragment that raised it);
- ``dropRequired``: member names removed from ``required`` there (where the model's ``required`` is
  contradicted by its own documentation);
- ``replace``: ``{keyword: value}`` set there in place of the generated keyword, ``null`` deleting it: the
  one way to make a generated rule *less* strict, where the model is stricter than its own documentation
  (e.g. an enum whose values "aren't case sensitive").

Metadata copied into the fragment: ``x-source`` (required: the sentence the rule comes from),
``x-provenance`` (required for ``schema`` rules: ``enforced`` when AWS is known to refuse a request that breaks
it, ``documented`` when only the text says so; only enforced rules refuse, see docs/schemas.md),
``x-aws-message`` (AWS's exact wording, when known; ``{request_id}`` in it stands for the request's id),
``x-aws-code`` (the error type AWS answers for this rule, when it is not the service's usual validation
error), ``x-rule`` (the short rule name for composite
keywords such as ``not``/``oneOf``) and ``x-field`` (the member a whole-object rule is about).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from ..core.records import FrozenRecord
from ._regex import pattern_keywords

_RULE_KEYS = {"operation", "shape", "direction", "at", "schema", "dropRequired", "replace", "$comment"}
_KINDS = ("schema", "dropRequired", "replace")
_META_KEYS = ("x-source", "x-provenance", "x-aws-message", "x-aws-code", "x-rule", "x-field")
PROVENANCES = ("enforced", "documented")


class OverlayError(ValueError):
    """An overlay rule that is malformed or does not fit the model."""


class Rule(FrozenRecord):
    service: str
    index: int
    operation: str | None
    shape: str | None
    direction: str
    at: str
    schema: dict[str, Any] | None
    drop_required: tuple[str, ...]
    meta: dict[str, str]
    replace: dict[str, Any] | None

    def __init__(self, service: str, index: int, operation: str | None, shape: str | None, direction: str, at: str,
                 schema: dict[str, Any] | None, drop_required: tuple[str, ...], meta: dict[str, str],
                 replace: dict[str, Any] | None = None) -> None:
        vars(self).update(service=service, index=index, operation=operation, shape=shape, direction=direction, at=at,
                          schema=schema, drop_required=drop_required, meta=meta, replace=replace)

    @property
    def label(self) -> str:
        return f"overlay_{self.service}.json rule #{self.index} ({self.operation or self.shape}{self.at})"


def overlay_path(service: str) -> Path:
    return Path(__file__).resolve().parent / f"overlay_{service}.json"


def load_rules(service: str, model: dict[str, Any], *, lenient: bool = False) -> list[Rule]:
    """Read and check the overlay of ``service`` against its botocore model.

    ``lenient`` (schemas built at run time from the installed botocore, which may be older or newer than the
    one the overlay was written for): a rule about an operation or shape that model lacks is left out instead
    of being an error.
    """
    document = json.loads(overlay_path(service).read_text(encoding="utf-8"))
    rules = []
    for index, raw in enumerate(document["rules"]):
        rule = _parse(service, index, raw)
        problem = None
        if rule.operation is not None and rule.operation not in model["operations"]:
            problem = f"{rule.label}: no operation {rule.operation!r} in the {service} model"
        elif rule.shape is not None and rule.shape not in model["shapes"]:
            problem = f"{rule.label}: no shape {rule.shape!r} in the {service} model"
        if problem is None:
            rules.append(rule)
        elif not lenient:
            raise OverlayError(problem)
    return rules


def _parse(service: str, index: int, raw: dict[str, Any]) -> Rule:
    label = f"overlay_{service}.json rule #{index}"
    unknown = set(raw) - _RULE_KEYS - set(_META_KEYS)
    if unknown:
        raise OverlayError(f"{label}: unknown keys {sorted(unknown)}")
    if ("operation" in raw) == ("shape" in raw):
        raise OverlayError(f"{label}: give exactly one of 'operation' and 'shape'")
    if sum(kind in raw for kind in _KINDS) != 1:
        raise OverlayError(f"{label}: give exactly one of 'schema', 'dropRequired' and 'replace'")
    if not raw.get("x-source"):
        raise OverlayError(f"{label}: every rule cites its source in 'x-source'")
    if "schema" in raw and raw.get("x-provenance") not in PROVENANCES:
        raise OverlayError(f"{label}: a 'schema' rule says in 'x-provenance' whether AWS is known to enforce it "
                           f"(one of {', '.join(PROVENANCES)}), not {raw.get('x-provenance')!r}")
    if "x-provenance" in raw and "schema" not in raw:
        raise OverlayError(f"{label}: 'x-provenance' belongs to 'schema' rules only")
    direction = raw.get("direction", "request")
    if direction not in ("request", "response"):
        raise OverlayError(f"{label}: direction must be 'request' or 'response', not {direction!r}")
    return Rule(
        service=service,
        index=index,
        operation=raw.get("operation"),
        shape=raw.get("shape"),
        direction=direction,
        at=raw.get("at", ""),
        schema=raw.get("schema"),
        drop_required=tuple(raw.get("dropRequired", ())),
        meta={key: raw[key] for key in _META_KEYS if key in raw},
        replace=raw.get("replace"),
    )


def apply_rule(rule: Rule, target: dict[str, Any]) -> None:
    """Apply ``rule`` to ``target`` (the file's root schema or one of its ``$defs``), in place."""
    node = _walk(rule, target)
    if rule.schema is not None:
        fragment = _with_patterns_translated(copy.deepcopy(rule.schema))
        fragment.update(rule.meta)
        node.setdefault("allOf", []).append(fragment)
        return
    if rule.replace is not None:
        _replace(rule, node, rule.replace)
        return
    required = node.get("required", [])
    absent = [name for name in rule.drop_required if name not in required]
    if absent:
        raise OverlayError(f"{rule.label}: {absent} are not required there; nothing to drop")
    kept = [name for name in required if name not in rule.drop_required]
    if kept:
        node["required"] = kept
    else:
        del node["required"]
    node.setdefault("x-notRequired", {}).update(dict.fromkeys(rule.drop_required, rule.meta["x-source"]))


def _replace(rule: Rule, node: dict[str, Any], changes: dict[str, Any]) -> None:
    absent = [keyword for keyword, value in changes.items() if value is None and keyword not in node]
    if absent:
        raise OverlayError(f"{rule.label}: no {absent} there to delete")
    for keyword in changes:
        node.pop(keyword, None)
    node.update(_with_patterns_translated({k: copy.deepcopy(v) for k, v in changes.items() if v is not None}))
    node.update(rule.meta)


def _walk(rule: Rule, node: dict[str, Any]) -> dict[str, Any]:
    if rule.at and not rule.at.startswith("/"):
        raise OverlayError(f"{rule.label}: 'at' is a JSON pointer and starts with '/'")
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in rule.at.split("/")[1:]]
    parent = ""
    for position, token in enumerate(tokens):
        if token not in node:
            # Only a missing keyword at the end may be created (e.g. a map's propertyNames); a missing member
            # under "properties" is a typo that would otherwise add a new allowed member.
            if "$ref" in node:
                raise OverlayError(f"{rule.label}: {rule.at!r} crosses a $ref; target that shape instead")
            if position != len(tokens) - 1 or parent == "properties":
                raise OverlayError(f"{rule.label}: nothing at {rule.at!r}")
            node[token] = {}
        node = node[token]
        parent = token
    return node


def _with_patterns_translated(fragment: Any) -> Any:
    if isinstance(fragment, dict):
        out = {key: _with_patterns_translated(value) for key, value in fragment.items()}
        if isinstance(fragment.get("pattern"), str):
            del out["pattern"]
            out.update(pattern_keywords(fragment["pattern"], whole_value=False))
        return out
    if isinstance(fragment, list):
        return [_with_patterns_translated(item) for item in fragment]
    return fragment
