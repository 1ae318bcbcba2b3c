"""Module-level names bound to a real function (``from time import sleep``), pointed at the fake's twin.

Code that bound ``sleep`` at import, before any fake started, holds the real function: patching
``time.sleep`` does not reach it. As freezegun does for its time functions, every loaded module's globals are
searched for values that *are* (identity) one of the real functions, and those names are rebound to the twin
while a fake is active; ``undo()`` binds them back, and also unbinds the twin from modules imported while the
fake was active (they bound the patched attribute). Modules whose names start with ``skip`` are left alone.

A walk over ~1,000 modules would cost every activation half a millisecond, so what a walk found is kept with
what it saw: when ``sys.modules`` holds the same module objects, in the same order, each with as many globals
as then (compared in C, as ``freezer`` does for freezegun's walk), the names found then are rebound again;
otherwise each module's own result is reused when the module object and its size are unchanged. The blind
spot is freezegun's own: a module that, between two activations, dropped one global and bound another one to
a real function.
"""

from __future__ import annotations

import contextlib
import sys
import weakref
from typing import Any

from .modules import Snapshot

# id(module) -> (module, number of globals, names bound to one of the real functions then)
_known: dict[int, tuple[weakref.ref[Any], int, tuple[str, ...]]] = {}
_known_for: list[frozenset[int]] = [frozenset()]  # the ids of the real functions _known was built for


class _Walk:
    """What the last full walk saw and found."""

    modules: list[Any] = []
    sizes: list[int] = []
    found: list[tuple[Any, str]] = []  # (namespace, name) bound to a real function then


class Rebinding:
    def __init__(self, twins: dict[Any, Any], skip: tuple[str, ...]) -> None:
        self.twins = {id(real): (real, fake) for real, fake in twins.items()}
        self.skip = skip
        self.changed: list[tuple[dict[str, Any], str, Any, Any]] = []  # (module globals, name, real, twin)
        self.names_at_start: list[str] = []

    def apply(self, snapshot: Snapshot | None = None) -> None:
        """Rebind; ``snapshot``: ``sys.modules`` as seen just now (taken here when not given)."""
        twins, skip = self.twins, self.skip
        ids = frozenset(twins)
        if _known_for[0] != ids:
            _known.clear()
            _Walk.sizes = []
            _known_for[0] = ids
        snapshot = snapshot or Snapshot()
        self.names_at_start, modules, sizes = snapshot.names, snapshot.modules, snapshot.sizes
        walk = _Walk
        if sizes is None or sizes != walk.sizes or modules != walk.modules:
            found: list[tuple[Any, str]] = []
            for name, module in zip(self.names_at_start, modules, strict=True):
                namespace = getattr(module, "__dict__", None)
                if type(namespace) is dict and not name.startswith(skip):
                    found.extend((namespace, attribute)
                                 for attribute in _bound_names(module, namespace, ids, snapshot))
            walk.modules, walk.sizes, walk.found = modules, sizes or [], found
        for namespace, attribute in walk.found:
            value = namespace.get(attribute)
            twin = twins.get(id(value))
            if twin is not None and twin[0] is value:
                namespace[attribute] = twin[1]
                self.changed.append((namespace, attribute, value, twin[1]))

    def undo(self) -> None:
        for namespace, attribute, real, twin in reversed(self.changed):
            if namespace.get(attribute) is twin:
                namespace[attribute] = real
        self.changed.clear()
        if list(sys.modules) == self.names_at_start:
            return
        reals = {id(twin): real for real, twin in self.twins.values()}
        for name in set(sys.modules).difference(self.names_at_start):
            namespace = getattr(sys.modules.get(name), "__dict__", None)
            if type(namespace) is not dict or name.startswith(self.skip):
                continue
            for attribute, value in list(namespace.items()):
                real = reals.get(id(value))
                if real is not None and self.twins[id(real)][1] is value:
                    namespace[attribute] = real


def _bound_names(module: Any, namespace: dict[str, Any], ids: frozenset[int], snapshot: Snapshot) -> tuple[str, ...]:
    known = _known.get(id(module))
    if known is not None and known[0]() is module and known[1] == len(namespace):
        return known[2]
    # Most modules: freezegun's walk just found them holding none of the sleeps either (modules.Snapshot).
    if snapshot.holds_none(namespace, ids) or ids.isdisjoint(map(id, namespace.values())):
        names: tuple[str, ...] = ()
    else:
        names = tuple(attribute for attribute, value in list(namespace.items()) if id(value) in ids)
    with contextlib.suppress(TypeError):  # not weakly referenceable: checked again next time
        _known[id(module)] = (weakref.ref(module), len(namespace), names)
    return names
