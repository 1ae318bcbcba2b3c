"""``Record``, ``ValueRecord``, ``FrozenRecord``: the bases of the plain record classes loaded at a fake's first use.

A ``@dataclass`` writes its ``__init__``, ``__repr__`` and ``__eq__`` as source text and compiles them when its
module is imported: 0.3-1.7 ms a class on the project's machine (about 1 ms for 20 fields), some 11 ms for the
15 classes the first call of a test process needed (docs/bench.md, "First use"). A record class written out
here costs nothing at import (its ``__init__`` is in the module's cached bytecode) and behaves as the dataclass
did: ``__repr__`` lists the fields; a ``Record`` is compared by identity (``eq=False``), a ``ValueRecord`` by its
fields for the same class and is not hashable (``eq=True``), a ``FrozenRecord`` is a ValueRecord that cannot
change and is hashed by its fields (``frozen=True``).

A subclass declares its fields as annotations, in order, and assigns every one of them in its ``__init__``;
``_hidden`` names those left out of ``repr`` and ``==`` (what ``field(repr=False, compare=False)`` did).
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from reprlib import recursive_repr
from typing import Any, ClassVar


class Record:
    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _hidden: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        annotations = vars(cls).get("__annotations__")
        if annotations is None:  # Python 3.14 makes a class's annotations when first asked for
            annotations = getattr(cls, "__annotations__", {})
        own = [name for name, kind in annotations.items() if not str(kind).startswith("ClassVar")]
        cls._fields = tuple(name for name in (*cls._fields, *own) if name not in cls._hidden)

    @recursive_repr()  # as a dataclass's: a record met again inside its own repr shows as ...
    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({shown})"


class ValueRecord(Record):
    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        fields = self._fields
        return tuple(getattr(self, name) for name in fields) == tuple(getattr(other, name) for name in fields)

    __hash__ = None  # type: ignore[assignment]  # mutable and compared by value, as a dataclass with eq


class FrozenRecord(ValueRecord):
    """A record that cannot change once made, hashed by its fields (what ``@dataclass(frozen=True)`` made). Its
    ``__init__`` sets the fields through ``self.__dict__`` (``vars(self).update(...)``)."""

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __hash__(self) -> int:  # type: ignore[override]  # ValueRecord's is None: a mutable one has none
        return hash(tuple(getattr(self, name) for name in self._fields))
