"""One look at ``sys.modules`` per activation, shared by the walks that patch module globals.

freezegun's walk (``freezer``) and the rebinding of ``sleep`` (``bindings``) each skip their work when
``sys.modules`` holds the same module objects, in the same order, each with as many globals as at their last
walk. Reading every module's size is most of that check (~75 µs for 1,000 modules), so an activation reads
it once and hands the same snapshot to both.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any


class Snapshot:
    """``sys.modules`` now, and what the walks found out about a module's globals during this activation.

    ``watched``: the ids of every object either walk looks for (freezegun's real time functions, the real
    sleeps). A module found to hold none of them (``holds_none``: the usual answer, one C-level pass over its
    values) holds none for the other walk either, which then asks the snapshot instead of making that pass.
    """

    __slots__ = ("names", "modules", "sizes", "watched", "_clear")

    def __init__(self, watched: frozenset[int] = frozenset()) -> None:
        self.names = list(sys.modules)
        self.modules = list(sys.modules.values())
        self.sizes = sizes(self.modules)
        self.watched = watched
        self._clear: set[int] = set()  # id() of the namespaces found to hold none of ``watched``

    def holds_none(self, namespace: dict[str, Any], ids: frozenset[int] | set[int]) -> bool:
        """Whether ``namespace`` holds none of ``ids``, known when they are among ``watched`` and the namespace
        was found (now, or earlier in this activation) to hold none of those; False when not known."""
        key = id(namespace)
        if key in self._clear:
            return ids <= self.watched
        if not self.watched or not ids <= self.watched:
            return False
        if self.watched.isdisjoint(map(id, namespace.values())):
            self._clear.add(key)
            return True
        return False


# Where, in the last list of modules seen, the entries are whose ``__dict__`` is made anew at each access: not a
# module but an object in sys.modules that builds it from what it exports (cryptography's cffi library
# ``_openssl.lib``, which moto brings in: ~50 µs each time, half of reading every other size). Such an object holds
# no Python function (its exports are C symbols), so it counts as unchanged: one size for ever, its own not read.
_rebuilt: list[tuple[list[Any], list[int]]] = []
_STAND_IN = ModuleType("pytest_ecsfake: a module whose __dict__ is made anew")


def sizes(modules: list[Any]) -> list[int] | None:
    """The number of globals of each module; None when an entry has no ``__dict__`` (None, a stand-in)."""
    if _rebuilt and _rebuilt[0][0] == modules:  # the same objects in the same order (compared in C)
        places = _rebuilt[0][1]
    else:
        places = [place for place, module in enumerate(modules) if type(module) is not ModuleType
                  and _made_anew(module)]
        _rebuilt[:] = [(modules, places)]
    if places:
        modules = modules.copy()
        for place in places:
            modules[place] = _STAND_IN
    try:
        return list(map(len, map(vars, modules)))
    except TypeError:
        return None


def _made_anew(entry: Any) -> bool:
    """A dict built at each access (a class's mappingproxy is new each time too, but costs nothing to make)."""
    try:
        first = vars(entry)
        return type(first) is dict and first is not vars(entry)
    except TypeError:  # no __dict__: sizes() answers None, as before
        return False
