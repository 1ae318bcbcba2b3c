"""core/records.py: the written-out record classes behave as the dataclasses they replace (repr, ==, hashing)."""

from __future__ import annotations

import dataclasses

import pytest

from pytest_ecsfake.core.behavior import Behavior
from pytest_ecsfake.core.records import FrozenRecord, Record, ValueRecord
from pytest_ecsfake.wire.protocol import HttpResponse


class Node(ValueRecord):
    name: str
    next: object
    cache: object
    _hidden = ("cache",)

    def __init__(self, name: str, next: object = None) -> None:
        self.name, self.next, self.cache = name, next, {}


def test_a_value_record_reprs_and_compares_as_a_dataclass_with_eq() -> None:
    @dataclasses.dataclass
    class Twin:
        status: int
        body: bytes
        headers: dict[str, str]

    ours, theirs = HttpResponse(200, b"{}", {"a": "b"}), Twin(200, b"{}", {"a": "b"})
    assert repr(ours).replace("HttpResponse", "") == repr(theirs).replace(Twin.__qualname__, "")
    assert ours == HttpResponse(200, b"{}", {"a": "b"}) and ours != HttpResponse(400, b"{}", {"a": "b"})
    assert ours != theirs  # another class: never equal, as a dataclass
    with pytest.raises(TypeError):
        hash(ours)  # mutable and compared by value: unhashable, as a dataclass with eq


def test_hidden_fields_are_left_out_and_a_cycle_shows_as_dots() -> None:
    first = Node("a")
    first.next = first
    assert repr(first) == "Node(name='a', next=...)"
    cached = Node("b")
    cached.cache["x"] = 1
    assert cached == Node("b")  # a hidden field is not compared
    assert "cache" not in repr(cached)


def test_a_frozen_record_is_hashed_by_its_fields_and_refuses_changes() -> None:
    slow = Behavior(runs_for=30, exit_code=1)
    assert slow == Behavior(runs_for=30, exit_code=1) and hash(slow) == hash(Behavior(runs_for=30, exit_code=1))
    assert {slow: "x"}[Behavior(runs_for=30, exit_code=1)] == "x"
    with pytest.raises(dataclasses.FrozenInstanceError):
        slow.exit_code = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del slow.runs_for  # type: ignore[misc]
    assert isinstance(slow, FrozenRecord)


def test_a_plain_record_is_compared_by_identity() -> None:
    class Item(Record):
        __slots__ = ("value",)
        value: int

        def __init__(self, value: int) -> None:
            self.value = value

    assert Item(1) != Item(1) and len({Item(1), Item(1)}) == 2
    assert repr(Item(1)) == "test_a_plain_record_is_compared_by_identity.<locals>.Item(value=1)"
