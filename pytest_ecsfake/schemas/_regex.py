"""Regular expressions: botocore's Java patterns as JSON Schema patterns, and matching them in Python.

botocore patterns are Java regexes that must match the whole value; JSON Schema's ``pattern`` is a search.
The generator anchors them as ``^(?:...)$``. jsonschema runs patterns with Python's ``re``, where ``$`` also
matches before a final newline, so ``compile_anchored`` turns a final ``$`` into ``\\Z``: the schema stays
portable and the Python check stays exact.
"""

from __future__ import annotations

import re
from functools import cache

# Java's Unicode categories have no Python ``re`` spelling. Approximations (documented in docs/schemas.md):
# \p{L} and \p{N} become \w (Python's Unicode word class: letters, numbers and underscore), so a class with
# only one of them also admits the other and "_". \p{Z} (separators: Zs, Zl, Zp) is listed exactly; the
# list has been stable since Unicode 6.
_CATEGORY_BODY = {
    "L": r"\w",
    "N": r"\w",
    "Z": r" \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000",
}
_CATEGORY = re.compile(r"\\p\{([A-Za-z]+)\}")


def translate_categories(java: str) -> tuple[str, bool]:
    """Replace Java's ``\\p{X}`` categories by Python ``re`` spellings: ``(pattern, approximated)``.

    Raises ValueError for a category this module has no translation for, so that a new botocore model
    fails the generator loudly instead of producing a pattern Python cannot compile.
    """
    approximated = False
    out: list[str] = []
    in_class = False
    after_class_escape = False  # the last thing written was a class escape (\\w, \\p{L}) inside [...]
    i = 0
    while i < len(java):
        char = java[i]
        if char == "-" and in_class and after_class_escape and java[i + 1 : i + 2] != "]":
            # Java reads a "-" right after a class escape inside [...] as a literal ("[\w-_]" in the Logs
            # model); Python's re refuses it as a bad range.
            out.append("\\-")
            after_class_escape = False
            i += 1
            continue
        after_class_escape = False
        if char == "\\":
            match = _CATEGORY.match(java, i)
            if match:
                name = match.group(1)
                if name not in _CATEGORY_BODY:
                    raise ValueError(f"no Python translation for \\p{{{name}}} in pattern {java!r}")
                body = _CATEGORY_BODY[name]
                out.append(body if in_class else f"[{body}]")
                approximated = approximated or name != "Z"
                after_class_escape = in_class
                i = match.end()
                continue
            out.append(java[i : i + 2])
            after_class_escape = in_class and java[i + 1 : i + 2] in ("w", "d", "s", "W", "D", "S")
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out), approximated


def pattern_keywords(java: str, *, whole_value: bool = True) -> dict[str, str]:
    """The schema keywords for a pattern: ``pattern``, plus the original wording AWS quotes in its messages
    (``x-aws-pattern``) and a ``$comment`` when the translation is approximate.

    ``whole_value``: the pattern must match the whole value (botocore's meaning), so it is anchored as
    ``^(?:...)$``. Overlay patterns are JSON Schema patterns already (a search) and are not anchored.
    """
    python, approximated = translate_categories(java)
    if whole_value:
        python = f"^(?:{python})$"
    keywords = {"pattern": python}
    if python != java:
        keywords["x-aws-pattern"] = java
    if approximated:
        keywords["$comment"] = (
            "Approximate translation of a Java pattern: \\p{L} and \\p{N} became Python's \\w "
            "(Unicode letters, numbers and underscore); see docs/schemas.md."
        )
    return keywords


@cache
def compile_anchored(pattern: str) -> re.Pattern[str]:
    """Compile a schema pattern so that a final unescaped ``$`` means end of string (``\\Z``)."""
    if pattern.endswith("$"):
        backslashes = len(pattern[:-1]) - len(pattern[:-1].rstrip("\\"))
        if backslashes % 2 == 0:
            pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)
