"""The compiler of the fast check: ``_Compiler`` writes a schema's checks as Python source and compiles them
into one namespace, unit by unit on first call (see ``_fastcheck`` for why its "valid" can be trusted)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from ._keywords import (
    _ANNOTATIONS,
    _BOUNDS,
    _FAMILY,
    _GUARDS,
    _SIZES,
    _SUBSCHEMA,
    _SUBSCHEMAS,
    _TYPE_TESTS,
    Unsupported,
    _covers,
    _reachable,
    _supported,
    json_length,
)
from ._regex import compile_anchored

Check = Callable[[Any], bool]
Lines = list[str]

# A member, item or shape weighing more keywords than this (counting the shapes it reaches) is a unit rather
# than written in place: one call per use, nothing compiled until a body has it.
_INLINE_WEIGHT = 12
# A shape this light is written in place at every use (an enum, a pattern string, a list of strings).
_SMALL_WEIGHT = 8
# An object with more declared members than this dispatches on the members present (a dict lookup and a
# call each) instead of testing every declared name (an ``in`` each).
_DISPATCH_OVER = 24
# Past this block depth a sub-schema becomes a unit: Python limits nesting.
_MAX_DEPTH = 12
_FAIL = ": return False"


class _Compiler:
    """One schema file's checks: writes and compiles each unit into one namespace, on first call.

    ``_emit`` turns a schema into statements about one variable that ``return False`` when the value breaks
    the schema and fall through when it satisfies it; a unit is a function of such statements plus
    ``return True``. A ``$defs`` shape is written in place where it is used, unless it is recursive, or
    used in several places and not small: then it is a unit of its own.
    """

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root  # kept: it holds every schema object, so their ids (see _weight) stay theirs
        self.defs: dict[str, Any] = root.get("$defs", {})
        if not isinstance(self.defs, dict):
            raise Unsupported("$defs")
        self.namespace: dict[str, Any] = {"json_length": json_length}
        self.namespace["units"] = self.namespace
        self._lock = threading.Lock()
        self._pending: dict[str, Any] = {}  # unit name -> schema, not compiled yet
        self._open: Lines = []  # the helper functions of the unit being written
        self._constant_names: dict[tuple[type, Any], str] = {}
        self._def_units: dict[str, str] = {}
        self._weights: dict[int, int] = {}
        self._count = 0
        # Checked in full now, so that writing a unit later cannot fail.
        self._uses = Counter(_supported(root, self.defs))
        edges = {}
        for name, schema in self.defs.items():
            refs = _supported(schema, self.defs)
            self._uses.update(refs)
            edges[name] = set(refs)
        self._recursive = {name for name in self.defs if name in _reachable(edges, name)}

    def entry(self) -> Check:
        """The root's check, compiled now."""
        name = self._unit(self.root)
        with self._lock:
            self._compile(name)
        check: Check = self.namespace[name]
        return check

    def compile_all(self) -> None:
        """Compile every unit not compiled yet, and the units those reach."""
        with self._lock:
            while self._pending:
                self._compile(next(iter(self._pending)))

    def _unit(self, schema: Any) -> str:
        """A unit checking ``schema``, compiled on its first call; its name."""
        name = self._fresh("f")
        self._pending[name] = schema

        def compile_on_first_call(value: Any) -> bool:
            with self._lock:
                if name in self._pending:  # else another thread has just compiled it
                    self._compile(name)
            check: Check = self.namespace[name]
            return check(value)

        self.namespace[name] = compile_on_first_call
        return name

    def _compile(self, name: str) -> None:
        """Write and compile the pending unit ``name`` (the lock held); it replaces its stub."""
        self._open = []
        body, _ = self._emit(self._pending[name], "v", None, 1)
        source = "\n".join([*self._open, f"def {name}(v):", *_indent(body), "    return True", ""])
        exec(compile(source, "<schema check>", "exec"), self.namespace)  # noqa: S102 - see _fastcheck's module doc
        del self._pending[name]

    def _helper(self, body: Lines, parameter: str) -> str:
        """Write a function of ``parameter`` running ``body`` into the open unit; its name."""
        name = self._fresh("h")
        self._open += [f"def {name}({parameter}):", *_indent(body), "    return True"]
        return name

    def _fresh(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def _constant(self, value: Any) -> str:
        key = (type(value), value)
        if key not in self._constant_names:
            name = self._fresh("k")
            self._constant_names[key] = name
            self.namespace[name] = value
        return self._constant_names[key]

    def _number(self, value: Any) -> str:
        return repr(value) if type(value) is int else self._constant(value)

    def _weight(self, schema: Any) -> int:
        """Keywords checked when ``schema`` is written in place (a recursive reference counts one)."""
        if not isinstance(schema, dict):
            return 0
        if id(schema) not in self._weights:
            self._weights[id(schema)] = self._count_weight(schema)
        return self._weights[id(schema)]

    def _count_weight(self, schema: dict[str, Any]) -> int:
        total = 0
        for keyword, argument in schema.items():
            if keyword in _ANNOTATIONS:
                continue
            total += 1
            if keyword == "$ref":
                total += 1 if argument[8:] in self._recursive else self._weight(self.defs[argument[8:]])
            elif keyword == "properties":
                total += sum(self._weight(sub) for sub in argument.values())
            elif keyword in _SUBSCHEMAS:
                total += sum(self._weight(sub) for sub in argument)
            elif keyword in _SUBSCHEMA:
                total += self._weight(argument)
        return total

    def _emit(self, schema: Any, var: str, known: str | None, depth: int) -> tuple[Lines, str | None]:
        """Statements (at block depth ``depth``) that ``return False`` when ``var`` breaks ``schema``.

        ``known``: the JSON type ``var`` is already proven to have, or None. Returns the statements and the
        type proven once they have passed.
        """
        if schema is True:
            return [], known
        if schema is False:
            return ["return False"], known
        lines: Lines = []
        if "type" in schema:
            lines, known = self._type(schema["type"], var, known)
        if "$ref" in schema:
            more, known = self._ref(schema["$ref"][8:], var, known, depth)
            lines += more
        for sub in schema.get("allOf", ()):
            more, known = self._emit(sub, var, known, depth)
            lines += more
        if "enum" in schema:
            lines += self._enum(schema["enum"], var, known)
        if "const" in schema:
            lines += self._enum([schema["const"]], var, known)
        if "not" in schema:
            lines.append(f"if not ({self._failure(schema['not'], var, known)}){_FAIL}")
        if "anyOf" in schema:
            failures = " and ".join(f"({self._failure(sub, var, known)})" for sub in schema["anyOf"])
            lines.append(f"if {failures}{_FAIL}")
        if "oneOf" in schema:
            passes = " + ".join(f"(not ({self._failure(sub, var, known)}))" for sub in schema["oneOf"])
            lines.append(f"if ({passes}) != 1{_FAIL}")
        if "x-maxJsonLength" in schema:
            lines.append(f"if json_length({var}) > {self._number(schema['x-maxJsonLength'])}{_FAIL}")
        for family in dict.fromkeys(_FAMILY[keyword] for keyword in schema if keyword in _FAMILY):
            if known is not None and not _covers(known, family):
                continue  # proven to be another type: these keywords do not apply
            guarded = not _covers(known, family)
            body = self._family(family, schema, var, depth + guarded)
            if body and guarded:
                lines += [f"if {_GUARDS[family].format(var)}:", *_indent(body)]
            else:
                lines += body
        return lines, known

    def _type(self, argument: Any, var: str, known: str | None) -> tuple[Lines, str | None]:
        names = [argument] if isinstance(argument, str) else argument
        if known is not None and any(_covers(known, name) for name in names):
            return [], known
        if len(names) == 1:
            return [f"if not {_TYPE_TESTS[names[0]].format(var)}{_FAIL}"], names[0]
        tests = " or ".join(_TYPE_TESTS[name].format(var) for name in names)
        return [f"if not ({tests}){_FAIL}"], known

    def _in_place(self, name: str, depth: int) -> bool:
        """Whether the shape ``name`` is written where it is used (else it is a unit)."""
        if name in self._recursive or depth > _MAX_DEPTH:
            return False
        return self._uses[name] == 1 or self._weight(self.defs[name]) <= _SMALL_WEIGHT

    def _ref(self, name: str, var: str, known: str | None, depth: int) -> tuple[Lines, str | None]:
        schema = self.defs[name]
        if self._in_place(name, depth):
            return self._emit(schema, var, known, depth)
        declared = schema.get("type") if isinstance(schema, dict) else None
        if isinstance(declared, str) and not _covers(known, declared):
            known = declared
        return [f"if not {self._def_unit(name)}({var}){_FAIL}"], known

    def _sub(self, schema: Any, var: str, depth: int) -> Lines:
        """Checks of a member, item or name held in ``var``: in place, or a call when heavy or deep."""
        if depth <= _MAX_DEPTH and self._weight(schema) <= _INLINE_WEIGHT:
            lines, _ = self._emit(schema, var, None, depth)
            return lines
        return [f"if not {self._unit_of(schema)}({var}){_FAIL}"]

    def _unit_of(self, schema: Any) -> str:
        """A unit checking ``schema``; for a bare reference to a shape that is a unit, that shape's unit."""
        if isinstance(schema, dict) and "$ref" in schema and not (schema.keys() - _ANNOTATIONS - {"$ref"}):
            name = schema["$ref"][8:]
            if not self._in_place(name, 1):
                return self._def_unit(name)
        return self._unit(schema)

    def _def_unit(self, name: str) -> str:
        if name not in self._def_units:
            self._def_units[name] = self._unit(self.defs[name])
        return self._def_units[name]

    def _failure(self, schema: Any, var: str, known: str | None) -> str:
        """An expression true when ``var`` breaks ``schema`` (for ``not``, ``anyOf``, ``oneOf``)."""
        lines, _ = self._emit(schema, var, known, 1)
        if not lines:
            return "False"
        condition = _condition(lines)
        if condition is not None:
            return condition
        # A helper of a parameter of its own (``var`` may be an expression such as ``v['name']``); its checks
        # may rely on ``known``: the call is made where it holds.
        parameter = self._fresh("x")
        lines, _ = self._emit(schema, parameter, known, 1)
        return f"not {self._helper(lines, parameter)}({var})"

    def _enum(self, values: list[str], var: str, known: str | None) -> Lines:
        # jsonschema's equality tells 1 from True and 1 from 1.0; for string values plain `in` agrees with it.
        allowed = self._constant(frozenset(values))
        if known == "string":
            return [f"if {var} not in {allowed}{_FAIL}"]
        if known is not None:
            return ["return False"]
        return [f"if not isinstance({var}, str) or {var} not in {allowed}{_FAIL}"]

    def _family(self, family: str, schema: dict[str, Any], var: str, depth: int) -> Lines:
        """The checks of ``schema``'s ``family`` keywords, ``var`` being of that type."""
        lines: Lines = []
        for keyword, argument in schema.items():
            if keyword in _SIZES and _FAMILY[keyword] == family:
                lines.append(f"if len({var}) {_SIZES[keyword]} {self._number(argument)}{_FAIL}")
            elif keyword in _BOUNDS and family == "number":
                lines.append(f"if not {var} {_BOUNDS[keyword]} {self._number(argument)}{_FAIL}")
        if family == "string" and "pattern" in schema:
            search = self._constant(compile_anchored(schema["pattern"]).search)
            lines.append(f"if {search}({var}) is None{_FAIL}")
        if family == "array" and "items" in schema:
            item = self._fresh("x")
            body = self._sub(schema["items"], item, depth + 1)
            if body:
                lines += [f"for {item} in {var}:", *_indent(body)]
        if family == "object":
            lines += self._object(schema, var, depth)
        return lines

    def _object(self, schema: dict[str, Any], var: str, depth: int) -> Lines:
        properties: dict[str, Any] = schema.get("properties", {})
        additional = schema.get("additionalProperties", True)
        required: list[str] = schema.get("required", [])
        lines: Lines = []
        if additional is False:
            # The common case in one comparison: every member present is a declared one.
            if properties:
                lines.append(f"if not {var}.keys() <= {self._constant(frozenset(properties))}{_FAIL}")
            else:
                lines.append(f"if {var}{_FAIL}")
        if len(required) > 3:
            lines.append(f"if not {var}.keys() >= {self._constant(frozenset(required))}{_FAIL}")
        elif required:
            lines.append(f"if {' or '.join(f'{name!r} not in {var}' for name in required)}{_FAIL}")
        if len(properties) > _DISPATCH_OVER:
            lines += self._dispatch(properties, var, every_member_declared=additional is False)
        else:
            for name, sub in properties.items():
                lines += self._member(sub, var, name, name in required, depth)
        if additional is not True and additional is not False:
            key, member = self._fresh("n"), self._fresh("x")
            body = self._sub(additional, member, depth + 2)
            if body and properties:
                declared = self._constant(frozenset(properties))
                lines += [f"for {key}, {member} in {var}.items():", f"    if {key} not in {declared}:"]
                lines += _indent(_indent(body))
            elif body:
                lines += [f"for {member} in {var}.values():", *_indent(body)]
        if "propertyNames" in schema:
            key = self._fresh("n")
            body = self._sub(schema["propertyNames"], key, depth + 1)
            if body:
                lines += [f"for {key} in {var}:", *_indent(body)]
        return lines

    def _member(self, schema: Any, var: str, name: str, required: bool, depth: int) -> Lines:
        """Checks of the member ``name`` of the object in ``var``, when present (``required``: proven present)."""
        value = f"{var}[{name!r}]"
        if self._weight(schema) <= 2:  # mostly a type test: one line on the value itself, if it fits
            condition = _condition(self._sub(schema, value, depth + 1))
            if condition is not None:
                return [f"if {condition}{_FAIL}" if required else f"if {name!r} in {var} and ({condition}){_FAIL}"]
        member = self._fresh("x")
        if required:
            body = self._sub(schema, member, depth)
            return [f"{member} = {value}", *body] if body else []
        body = self._sub(schema, member, depth + 1)
        return [f"if {name!r} in {var}:", f"    {member} = {value}", *_indent(body)] if body else []

    def _dispatch(self, properties: dict[str, Any], var: str, every_member_declared: bool) -> Lines:
        """Checks of the members present, through a table of member name -> unit name (looked up in the
        namespace, ``units``, at each call: a member's unit is compiled when a body first has it)."""
        table = self._fresh("t")
        self.namespace[table] = {name: self._unit_of(sub) for name, sub in properties.items()}
        key, member, unit = self._fresh("n"), self._fresh("x"), self._fresh("u")
        if every_member_declared:  # `var.keys() <= declared` has passed: every key is in the table
            return [f"for {key}, {member} in {var}.items():", f"    if not units[{table}[{key}]]({member}){_FAIL}"]
        return [
            f"for {key}, {member} in {var}.items():",
            f"    {unit} = {table}.get({key})",
            f"    if {unit} is not None and not units[{unit}]({member}){_FAIL}",
        ]


def _condition(lines: Lines) -> str | None:
    """The failure condition of checks that are a single ``if <condition>: return False``, or None."""
    if len(lines) == 1 and lines[0].startswith("if ") and lines[0].endswith(_FAIL):
        return lines[0][3 : -len(_FAIL)]
    return None


def _indent(lines: Lines) -> Lines:
    return ["    " + line for line in lines]
