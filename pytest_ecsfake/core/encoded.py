"""Answers encoded as JSON: ``encode_json`` for whole bodies, ``Encoded`` fragments a handler builds once and
reuses (``reuse.described``), ``string_list`` for pages of ARNs. On every call's path: see docs/bench.md."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)  # None without json's C speedups
_ascii = json.encoder.encode_basestring_ascii


def _no_default(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _compact(value: Any, default: Callable[[Any], Any] = _no_default) -> str:
    """``json.dumps(value, separators=(",", ":"), default=default)``, the same text, through json's C encoder
    directly when it has one: json.dumps builds a JSONEncoder and goes through two Python layers per call.
    No circular-reference check (answers are trees; a cycle would end in RecursionError, a bug of the fake)."""
    if _c_make_encoder is None:
        return json.JSONEncoder(separators=(",", ":"), default=default).encode(value)
    return "".join(_c_make_encoder(None, default, _ascii, None, ":", ",", False, False, True)(value, 0))


class Encoded:
    """Part of an answer already encoded as JSON text (a described resource, reused while it is unchanged).

    Handlers may put one wherever a JSON value goes; ``encode_json`` writes its text as is.
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def encoded(value: Any) -> Encoded:
    return Encoded(_compact(value))


# Printable ASCII but the quote and the backslash: the characters JSON writes as they are (json's ASCII
# encoder escapes everything else, DEL included).
_VERBATIM = bytes(c for c in range(0x20, 0x7F) if c not in b'"\\')


def string_list(values: list[str]) -> Encoded:
    """A list of strings (a page of ARNs) as JSON: the same text as the JSON encoder's, written directly
    when no string needs escaping (~3x cheaper for a page of 100 ARNs)."""
    try:
        plain = " ".join(values).encode("ascii")
    except UnicodeEncodeError:
        return encoded(values)
    if plain.translate(None, _VERBATIM):  # a character that needs escaping is left
        return encoded(values)
    return Encoded('["' + '","'.join(values) + '"]' if values else "[]")


# The JSON encoder asks ``default`` for what it cannot encode, in document order; an Encoded answers this
# marker (a string no request can produce: it holds a NUL and a per-process random part), and the encoded
# text is then cut at the markers and joined with the fragments: one pass, however many fragments.
_MARKER = f"\x00ecsfake-encoded-{os.urandom(12).hex()}"
_MARKER_JSON = json.dumps(_MARKER)


def encode_json(body: Any) -> str:
    fragments: list[str] = []

    def default(value: Any) -> str:
        if type(value) is Encoded:
            fragments.append(value.text)
            return _MARKER
        return _no_default(value)  # type: ignore[no-any-return]

    text = _compact(body, default)
    if not fragments:
        return text
    parts = text.split(_MARKER_JSON)
    joined = [parts[0]]
    for fragment, part in zip(fragments, parts[1:], strict=True):
        joined += (fragment, part)
    return "".join(joined)
