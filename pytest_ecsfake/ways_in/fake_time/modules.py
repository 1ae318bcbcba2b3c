"""One look at ``sys.modules`` per activation, shared by the walks that patch module globals.

freezegun's walk (``freezer``) and the rebinding of ``sleep`` (``bindings``) each skip their work when
``sys.modules`` holds the same module objects, in the same order, each with as many globals as at their last
walk. Reading every module's size is most of that check (~75 µs for 1,000 modules), so an activation reads
it once and hands the same snapshot to both.
"""

from __future__ import annotations

import sys
from typing import Any


class Snapshot:
    __slots__ = ("names", "modules", "sizes")

    def __init__(self) -> None:
        self.names = list(sys.modules)
        self.modules = list(sys.modules.values())
        self.sizes = sizes(self.modules)


def sizes(modules: list[Any]) -> list[int] | None:
    """The number of globals of each module; None when an entry has no ``__dict__`` (None, a stand-in)."""
    try:
        return list(map(len, map(vars, modules)))
    except TypeError:
        return None
