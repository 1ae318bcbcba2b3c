"""One look at ``sys.modules`` per activation, shared by the walks that patch module globals.

freezegun's walk (``freezer``) and the rebinding of ``sleep`` (``bindings``) each skip their work when
``sys.modules`` holds the same module objects, in the same order, each with as many globals as at their last
walk. Reading every module's size is most of that check (~25 µs for 1,000 modules, see ``sizes``), so an
activation reads it once and hands the same snapshot to both.
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


# The namespaces of the modules seen last, kept with them: a module's ``__dict__`` is the same dict for as long as
# the module lives (a read-only attribute), so while sys.modules holds the same objects in the same order (a C
# comparison) the sizes are the lengths of those dicts (~25 µs for 1,000 modules instead of ~110 through
# ``vars()``). An entry whose ``__dict__`` is built at each access (cryptography's cffi library ``_openssl.lib``,
# which moto brings in: ~80 µs a read) holds no Python function (its exports are C symbols): it keeps one empty
# stand-in, so it counts as unchanged and is not read again. The blind spot: an entry that is not a module and
# whose ``__dict__`` is replaced by another dict while sys.modules stands still (a module's cannot be).
_last: list[tuple[list[Any], list[Any]]] = []
_STAND_IN: dict[str, Any] = {}


def sizes(modules: list[Any]) -> list[int] | None:
    """The number of globals of each module; None when an entry has no ``__dict__`` (None, a stand-in)."""
    if _last and _last[0][0] == modules:
        return list(map(len, _last[0][1]))
    try:
        namespaces: list[Any] = list(map(vars, modules))
    except TypeError:
        _last.clear()
        return None
    for place, module in enumerate(modules):
        if type(module) is not ModuleType and _made_anew(module, namespaces[place]):
            namespaces[place] = _STAND_IN
    _last[:] = [(modules, namespaces)]
    return list(map(len, namespaces))


def _made_anew(entry: Any, namespace: Any) -> bool:
    """A dict built at each access (a class's mappingproxy is new each time too, but a live view of its dict)."""
    return type(namespace) is dict and namespace is not vars(entry)
