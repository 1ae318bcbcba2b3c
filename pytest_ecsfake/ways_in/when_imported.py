"""Run a patch right after a package is imported, when importing it at activation would be a waste.

Activation must stay cheap, and a test that never imports ``requests`` or ``aiobotocore`` should not pay for
importing them (about 50 ms and 100 ms). Interceptions for such packages are armed with a one-shot import
hook instead: when the first of the named packages is being imported (by the test or the code under test)
while a fake is active, its loader is wrapped so the patch runs as soon as that package has executed.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from . import active


class WhenImported(importlib.abc.MetaPathFinder):
    """Finds nothing itself. When one of ``names`` is being imported, it leaves ``sys.meta_path`` and wraps
    that package's loader: ``then()`` runs right after the package executed, if a fake is active then.

    Name every package whose import brings in the others (``responses`` imports ``requests``): the first
    one imported is the outermost, so everything the patch needs is complete when it runs.
    """

    def __init__(self, names: tuple[str, ...], then: Callable[[], None], *, only_while_active: bool = True) -> None:
        self.names = names
        self.then = then
        self.only_while_active = only_while_active  # False: also with no fake active (the session's guard)

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        self.disarm()
        spec = importlib.util.find_spec(fullname)  # the finders after this one, as if it were not there
        loader = spec.loader if spec is not None else None
        if spec is None or loader is None or not hasattr(loader, "exec_module"):
            return spec
        execute = loader.exec_module
        then, always = self.then, not self.only_while_active

        def exec_module(module: ModuleType) -> None:
            execute(module)
            if always or active.current() is not None:
                then()

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec

    def arm(self) -> None:
        if self not in sys.meta_path:
            sys.meta_path.insert(0, self)

    def disarm(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)
