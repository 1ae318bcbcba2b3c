"""The cluster query language: ``memberOf`` placement constraints and ListContainerInstances ``filter``.

An expression is ``subject operator [argument]`` terms joined by ``and``/``&&``, ``or``/``||``, ``not``/``!``
and parentheses (``and`` binds tighter than ``or``). Subjects: ``attribute:<name>``, ``ec2InstanceId``,
``registeredAt``, ``agentConnected``, ``agentVersion``, ``runningTasksCount``, ``task:group``. Operators:
``==``/``equals``, ``!=``/``not_equals``, ``in``, ``not_in``/``!in``, ``=~``/``matches``,
``!~``/``not_matches``, ``exists``, ``!exists``/``not_exists``, ``>``/``greater_than``,
``>=``/``greater_than_equal``, ``<``/``less_than``, ``<=``/``less_than_equal``. Lists are ``[a, b]`` or
``(a, b)``; a value with spaces or operator characters is quoted with ``'`` or ``"``.

``parse(expression)`` returns a compiled ``Expr``; ``Expr.matches(candidate)`` asks the candidate (a
container instance, see ``Candidate``) for the value of each subject. A bad expression raises
``InvalidParameterException`` naming it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol, TypeAlias

from ..core.errors import InvalidParameterException

MAX_LENGTH = 2000

# What a candidate answers for a subject: a string (attributes, ids, versions), a number (registeredAt as
# epoch seconds, runningTasksCount), a bool (agentConnected), a set of strings (task:group), or None when
# the subject is absent (an attribute the instance does not have).
Value: TypeAlias = str | int | float | bool | frozenset[str] | None


class Candidate(Protocol):
    def query_value(self, subject: str) -> Value: ...


class Expr(Protocol):
    def matches(self, candidate: Candidate) -> bool: ...


_EQUALITY = ("==", "!=", "in", "not_in", "=~", "!~")
_ORDER = ("==", "!=", ">", ">=", "<", "<=")
_SUBJECT_OPERATORS: dict[str, tuple[str, ...]] = {
    "attribute": (*_EQUALITY, ">", ">=", "<", "<=", "exists", "!exists"),
    "ec2InstanceId": _EQUALITY,
    "agentConnected": _EQUALITY,
    "task:group": _EQUALITY,
    "agentVersion": _ORDER,
    "registeredAt": _ORDER,
    "runningTasksCount": _ORDER,
}
_WORD_OPERATORS = {
    "equals": "==",
    "not_equals": "!=",
    "in": "in",
    "not_in": "not_in",
    "!in": "not_in",
    "matches": "=~",
    "not_matches": "!~",
    "exists": "exists",
    "not_exists": "!exists",
    "!exists": "!exists",
    "greater_than": ">",
    "greater_than_equal": ">=",
    "less_than": "<",
    "less_than_equal": "<=",
}
_SYMBOL_OPERATORS = ("==", "!=", "=~", "!~", ">=", "<=", ">", "<")
_NEGATIVE = ("!=", "not_in", "!~")  # true for a subject the candidate lacks

_BARE = r"[^\s()\[\],'\"=!<>&|]"
_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<bangword>!(?:in|exists)(?!{_BARE}))
  | (?P<symbol>&&|\|\||==|!=|=~|!~|>=|<=|>|<|!|\(|\)|\[|\]|,)
  | (?P<word>{_BARE}+)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # "string" (quoted), "word", "symbol"
    text: str

    def is_word(self, *words: str) -> bool:
        return self.kind in ("word", "bangword") and self.text.lower() in words


class _Invalid(Exception):
    pass


def _tokens(expression: str) -> list[_Token]:
    found: list[_Token] = []
    at = 0
    while at < len(expression):
        match = _TOKEN.match(expression, at)
        if match is None:
            raise _Invalid(f"unexpected character {expression[at]!r} at position {at}")
        kind = match.lastgroup or ""
        if kind != "space":
            text = match.group()
            if kind == "string":
                found.append(_Token("string", text[1:-1]))
            else:
                found.append(_Token("word" if kind == "bangword" else kind, text))
        at = match.end()
    return found


# -- compiled expressions ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Or:
    parts: tuple[Expr, ...]

    def matches(self, candidate: Candidate) -> bool:
        return any(p.matches(candidate) for p in self.parts)


@dataclass(frozen=True)
class _And:
    parts: tuple[Expr, ...]

    def matches(self, candidate: Candidate) -> bool:
        return all(p.matches(candidate) for p in self.parts)


@dataclass(frozen=True)
class _Not:
    part: Expr

    def matches(self, candidate: Candidate) -> bool:
        return not self.part.matches(candidate)


def _pattern_matches(pattern: str, text: str) -> bool:
    """``=~``: the pattern matches the whole text as a regular expression (``t2.*``), or, when it has a
    ``*``, as a wildcard pattern where ``*`` stands for any run of characters (``t2*``)."""
    try:
        if re.fullmatch(pattern, text):
            return True
    except re.error:
        pass
    if "*" in pattern:
        return re.fullmatch(".*".join(re.escape(p) for p in pattern.split("*")), text) is not None
    return False


def _check_pattern(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        if "*" not in pattern:
            raise _Invalid(f"{pattern!r} is not a valid pattern ({exc})") from None


@dataclass(frozen=True)
class _Compare:
    subject: str
    op: str
    args: tuple[str, ...]
    # The arguments converted for the subject's type (numbers, dates, versions), computed once.
    converted: tuple[object, ...]

    def matches(self, candidate: Candidate) -> bool:
        value = candidate.query_value(self.subject)
        if self.op == "exists":
            return value is not None
        if self.op == "!exists":
            return value is None
        if value is None:
            return self.op in _NEGATIVE
        if isinstance(value, frozenset):
            return self._set_matches(value)
        return self._value_matches(value)

    def _set_matches(self, values: frozenset[str]) -> bool:
        positive = {"!=": "==", "not_in": "in", "!~": "=~"}.get(self.op, self.op)
        hit = any(_Compare(self.subject, positive, self.args, self.converted)._value_matches(v) for v in values)
        return hit if positive == self.op else not hit

    def _value_matches(self, value: str | int | float | bool) -> bool:
        text = _text(value)
        op = self.op
        if op in ("in", "not_in"):
            return (text in self.args) == (op == "in")
        if op in ("=~", "!~"):
            return _pattern_matches(self.args[0], text) == (op == "=~")
        left, right = _ordered(self.subject, value, self.args[0], self.converted[0])
        if op == "==":
            return left == right
        if op == "!=":
            return left != right
        try:
            return bool(_ORDERINGS[op](left, right))
        except TypeError:  # a number against a word: no order between them
            return False


_ORDERINGS: dict[str, Callable[[object, object], object]] = {
    ">": lambda a, b: a > b,  # type: ignore[operator]
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
    "<": lambda a, b: a < b,  # type: ignore[operator]
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
}


def _text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _ordered(subject: str, value: str | int | float | bool, arg: str, converted: object) -> tuple[object, object]:
    """The two sides of a comparison in comparable form."""
    if subject in ("registeredAt", "runningTasksCount") and not isinstance(value, str):
        return float(value), converted
    if subject == "agentVersion":
        return _version(str(value)), converted
    if subject == "agentConnected":
        return _text(value), arg.lower()
    text = _text(value)
    number, arg_number = _number(text), _number(arg)
    if number is not None and arg_number is not None:
        return number, arg_number
    return text, arg


def _version(text: str) -> tuple[int, ...]:
    parts = re.findall(r"\d+", text)
    return tuple(int(p) for p in parts)


def _date(text: str) -> float:
    value = text[:-1] + "+00:00" if text.endswith("Z") else text
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Invalid(
            f"{text!r} is not a date (use 2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28Z, "
            "2018-06-18T22:28:28 or 2018-06-18)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _convert(subject: str, op: str, arg: str) -> object:
    if op in ("=~", "!~"):
        _check_pattern(arg)
        return arg
    if subject == "registeredAt":
        return _date(arg)
    if subject == "runningTasksCount":
        number = _number(arg)
        if number is None:
            raise _Invalid(f"runningTasksCount compares with a number, not {arg!r}")
        return number
    if subject == "agentVersion":
        if not _version(arg):
            raise _Invalid(f"agentVersion compares with a version such as 1.20.0, not {arg!r}")
        return _version(arg)
    if subject == "agentConnected" and arg.lower() not in ("true", "false"):
        raise _Invalid(f"agentConnected compares with true or false, not {arg!r}")
    return arg


# -- parser ----------------------------------------------------------------------------------------------
class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, what: str) -> _Token:
        token = self.peek()
        if token is None:
            raise _Invalid(f"expected {what} at the end")
        self.at += 1
        return token

    def expression(self) -> Expr:
        parts = [self.conjunction()]
        while (token := self.peek()) is not None and (token.is_word("or") or token.text == "||"):
            self.at += 1
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else _Or(tuple(parts))

    def conjunction(self) -> Expr:
        parts = [self.unary()]
        while (token := self.peek()) is not None and (token.is_word("and") or token.text == "&&"):
            self.at += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else _And(tuple(parts))

    def unary(self) -> Expr:
        token = self.take("a term")
        if (token.kind == "symbol" and token.text == "!") or token.is_word("not"):
            return _Not(self.unary())
        if token.kind == "symbol" and token.text == "(":
            inner = self.expression()
            close = self.take("')'")
            if close.text != ")" or close.kind != "symbol":
                raise _Invalid(f"expected ')' but found {close.text!r}")
            return inner
        if token.kind != "word":
            raise _Invalid(f"expected a subject such as attribute:ecs.instance-type but found {token.text!r}")
        return self.comparison(token.text)

    def comparison(self, subject: str) -> Expr:
        kind = "attribute" if subject.startswith("attribute:") else subject
        if kind not in _SUBJECT_OPERATORS or subject == "attribute:":
            raise _Invalid(
                f"unknown subject {subject!r} (use attribute:<name>, ec2InstanceId, registeredAt, "
                "agentConnected, agentVersion, runningTasksCount or task:group)"
            )
        token = self.take(f"an operator after {subject!r}")
        if token.kind == "symbol" and token.text in _SYMBOL_OPERATORS:
            op = token.text
        elif token.kind == "word" and token.text.lower() in _WORD_OPERATORS:
            op = _WORD_OPERATORS[token.text.lower()]
        else:
            raise _Invalid(f"expected an operator after {subject!r} but found {token.text!r}")
        if op not in _SUBJECT_OPERATORS[kind]:
            raise _Invalid(f"operator {token.text!r} does not apply to {subject!r}")
        if op in ("exists", "!exists"):
            return _Compare(subject, op, (), ())
        args = self.values() if op in ("in", "not_in") else (self.value(),)
        converted = tuple(_convert(kind, op, a) for a in args)
        return _Compare(subject, op, args, converted)

    def value(self) -> str:
        token = self.take("a value")
        if token.kind not in ("word", "string"):
            raise _Invalid(f"expected a value but found {token.text!r}")
        return token.text

    def values(self) -> tuple[str, ...]:
        opening = self.take("a list such as [a, b]")
        closing = {"[": "]", "(": ")"}.get(opening.text) if opening.kind == "symbol" else None
        if closing is None:
            raise _Invalid(f"expected a list such as [a, b] but found {opening.text!r}")
        found = [self.value()]
        while (token := self.take(f"{closing!r}")).text == ",":
            found.append(self.value())
        if token.text != closing or token.kind != "symbol":
            raise _Invalid(f"expected ',' or {closing!r} but found {token.text!r}")
        return tuple(found)


@functools.lru_cache(maxsize=256)
def parse(expression: str) -> Expr:
    """Compile a cluster query language expression, or raise InvalidParameterException naming it."""
    try:
        if len(expression) > MAX_LENGTH:
            raise _Invalid(f"it is longer than {MAX_LENGTH} characters")
        tokens = _tokens(expression)
        if not tokens:
            raise _Invalid("it is empty")
        parser = _Parser(tokens)
        compiled = parser.expression()
        rest = parser.peek()
        if rest is not None:
            raise _Invalid(f"unexpected {rest.text!r} after a complete expression")
    except _Invalid as exc:
        raise InvalidParameterException(
            f"Invalid cluster query language expression {expression[:200]!r}: {exc}."
        ) from None
    return compiled
