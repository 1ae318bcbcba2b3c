"""A yes/no check of a body against a generated schema, compiled to straight-line Python.

Validation runs on every intercepted call and almost every body is valid, so the answer "valid" is worth
making cheap. ``compile_schema`` translates the keyword subset the generator writes into the source of
plain Python functions: a valid DescribeTasks body costs a type test, one set comparison (``body.keys()
<= declared``), an ``in`` per declared member and a test or two per present value; no closure or
generator per keyword. It only says valid or not: when it says "not", jsonschema runs and explains (its
wording, paths and ``iter_errors`` stay the single source of the messages). A schema with a keyword outside
the subset raises ``Unsupported`` and is left to jsonschema alone. tests/test_schemas.py checks that both
agree.

Why "valid" can be trusted:

- Each keyword is translated on its own, with its JSON Schema meaning, including "applies only to that
  type": a check that needs an object is guarded by ``isinstance(value, dict)`` unless a type test that
  has already passed proves the value is one. Every check is a pure test that returns False on failure,
  so the checks of one schema object may run in any order: the ``type`` test runs first and lets the
  others drop their guards.
- No request data and no unquoted schema text reaches the generated source. Member names (schema
  constants) are written as ``repr()`` literals and integer limits as the ``repr()`` of an int; every
  other value (name sets, enum values, regexes, other limits) sits in the namespace under a numbered name,
  and functions and variables are numbered too. The body is only ever an argument.

First use stays cheap. Python's ``compile()`` costs about 10 µs a line and a body reaches a small part of
its schema, so heavy members and shared shapes are *units*: functions written and compiled on their first
call (under a lock; the compiled function then replaces the stub). ``compile_schema`` checks the whole
schema against the subset at once, so ``Unsupported`` never surfaces later.

The parts: ``compile_schema`` here, the writing and compiling of units in ``_compiler``, the keyword subset
and what is checked of a schema before compiling it in ``_keywords``.
"""

from __future__ import annotations

from typing import Any

from ._compiler import Check, _Compiler
from ._keywords import Unsupported, json_length

__all__ = ["Check", "Unsupported", "compile_schema", "json_length"]


def compile_schema(root: dict[str, Any], *, eager: bool = False) -> Check:
    """Compile ``root`` (a generated schema file) into a predicate: True when the body is valid.

    Raises ``Unsupported`` for a schema outside the subset. ``eager``: also compile every unit now (tests).
    """
    compiler = _Compiler(root)
    check = compiler.entry()
    if eager:
        compiler.compile_all()
    return check
