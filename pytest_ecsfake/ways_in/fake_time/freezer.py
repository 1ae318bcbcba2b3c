"""Starting freezegun's freezer without paying for a walk over every loaded module at each activation.

freezegun's ``start()`` patches every loaded module that holds a real time function (``from time import
time``). To find them it walks ``sys.modules`` (~500-1,000 modules in a test run) and, for each, checks
whether the module changed since the last walk by hashing its sorted ``dir()`` (~5 µs a module). That walk is
nearly all of a fake's per-test overhead. Two cheaper checks go in front of it; what is patched, restored at
``stop()`` and frozen for user code stays freezegun's own doing:

1. Per module (``_quick_check``, put in place of freezegun's ``_get_cached_module_attributes`` for the one
   call): the same module object (weak reference) with as many attributes as last time gets the attribute
   list freezegun computed then; a plain module seen for the first time is checked through its ``__dict__``
   in C (``_time_attributes``: the same pairs freezegun's ``dir()``/``getattr`` walk finds); anything else
   goes through freezegun's own check.
2. Per walk (``start_freezer``): when ``sys.modules`` holds the same modules, in the same order, each with
   as many attributes as at the last walk (compared in C, ~0.1 µs a module), freezegun's start() walks only
   the modules that last walk found holding a time function: ``freezegun.api.sys`` is, for that call, a
   stand-in whose ``modules`` are those. ``modules_at_start`` (what ``stop()`` compares against to restore
   modules imported while frozen) is then set to the real module names, as freezegun would have.
3. ``real_asyncio=True``: freezegun creates and closes an event loop at every start() to learn the loop
   class whose ``time()`` it points at the real monotonic clock (~40 µs). The class is remembered per event
   loop policy object; the patch itself and its undoing at ``stop()`` are freezegun's, as its own code
   records them (an entry in ``undo_changes``).

The blind spot, shared with freezegun's own name-set check (which ignores values): a module that, between two
activations, both dropped one name and bound a new one to a real time function (same count, other names).
"""

from __future__ import annotations

import contextlib
import sys
import weakref
from types import ModuleType
from typing import Any

from .modules import Snapshot

_known_modules: dict[int, tuple[weakref.ref[Any], int, Any]] = {}  # id(module) -> (module, attributes, list)


class _Walk:
    """What the last full walk saw: the modules, their sizes, and which held a time function."""

    names: list[str] = []
    name_set: frozenset[str] = frozenset()  # the same names as a set: stop()'s modules_at_start, made once
    modules: list[Any] = []
    sizes: list[int] = []
    ignore: tuple[str, ...] = ()
    patched: dict[str, Any] = {}  # module name -> module, for the modules with time functions


class _Sys:
    """``sys`` as freezegun.api sees it during one start(): ``modules`` narrowed, anything else the real one."""

    def __init__(self, modules: dict[str, Any]) -> None:
        self.modules = modules

    def __getattr__(self, name: str) -> Any:
        return getattr(sys, name)


def start_freezer(freezer: Any, snapshot: Snapshot | None = None) -> Any:
    """``freezer.start()`` (a ``freezegun.freeze_time``), with the cheaper checks described above.
    ``snapshot``: ``sys.modules`` as seen just now (taken here when not given)."""
    import freezegun.api as api

    full_check = getattr(api, "_get_cached_module_attributes", None)
    if full_check is None or api.freeze_factories or getattr(api, "sys", None) is not sys \
            or not isinstance(getattr(freezer, "undo_changes", None), list):
        return freezer.start()  # a freezegun unlike 1.x, or already frozen: start() walks nothing
    real_asyncio = getattr(freezer, "real_asyncio", False)
    freezer.real_asyncio = False
    try:
        factory = _start(api, freezer, full_check, snapshot or Snapshot())
    finally:
        freezer.real_asyncio = real_asyncio
    if real_asyncio:
        loop_class: Any = _loop_class()
        freezer.undo_changes.append((loop_class, "time", loop_class.time))
        real_monotonic = api.real_monotonic
        loop_class.time = lambda self: real_monotonic()
    return factory


_loop_classes: list[tuple[Any, type]] = []  # (event loop policy, the class of the loops it makes)


def _loop_class() -> type:
    import asyncio
    import warnings

    policy: Any = None
    get_policy = getattr(asyncio, "get_event_loop_policy", None)  # deprecated in Python 3.14
    if get_policy is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            policy = get_policy()
        if _loop_classes and _loop_classes[0][0] is policy:
            return _loop_classes[0][1]
    loop = asyncio.new_event_loop()  # what freezegun does at every start()
    loop.close()
    if policy is not None:
        _loop_classes[:] = [(policy, type(loop))]
    return type(loop)


def _start(api: Any, freezer: Any, full_check: Any, snapshot: Snapshot) -> Any:
    names, values, sizes = snapshot.names, snapshot.modules, snapshot.sizes
    ignore = tuple(freezer.ignore)
    walk = _Walk
    if sizes is not None and sizes == walk.sizes and names == walk.names and values == walk.modules \
            and ignore == walk.ignore:
        real_names = walk.name_set  # freezegun only subtracts it from the names loaded at stop() (never changes it)
        api.sys = _Sys(walk.patched)
        api._get_cached_module_attributes = lambda module: _quick_check(module, full_check, snapshot)
        try:
            factory = freezer.start()
        finally:
            api.sys = sys
            api._get_cached_module_attributes = full_check
        freezer.modules_at_start = real_names
        return factory

    patched: set[int] = set()  # id() of the modules holding a time function

    def recording_check(module: Any) -> Any:
        attributes = _quick_check(module, full_check, snapshot)
        if attributes:
            patched.add(id(module))
        return attributes

    api._get_cached_module_attributes = recording_check
    try:
        factory = freezer.start()
    finally:
        api._get_cached_module_attributes = full_check
    # freezegun walks under the names sys.modules gives; a module under two names is kept under each.
    walk.patched = {name: module for name, module in zip(names, values, strict=True) if id(module) in patched}
    walk.names, walk.modules, walk.sizes, walk.ignore = names, values, sizes or [], ignore
    walk.name_set = frozenset(names)
    return factory


def _quick_check(module: Any, full_check: Any, snapshot: Snapshot) -> Any:
    known = _known_modules.get(id(module))
    if known is not None and known[0]() is module and len(module.__dict__) == known[1]:
        return known[2]
    attributes = _time_attributes(module, full_check, snapshot)
    # Not remembered: objects without a __dict__ or not weakly referenceable (freezegun's way each time).
    with contextlib.suppress(TypeError, AttributeError):
        _known_modules[id(module)] = (weakref.ref(module), len(module.__dict__), attributes)
    return attributes


# Packages whose own ``__dir__`` adds names that their ``__getattr__`` imports when asked: submodules
# (python-dateutil, which freezegun itself imports: dateutil.zoneinfo, .rrule, .easter, .utils, with tarfile and
# pkgutil) or classes of submodules (concurrent.futures' executors, which asyncio imports, and unittest's
# IsolatedAsyncioTestCase, which freezegun imports: concurrent.futures.process, multiprocessing.queues,
# unittest.async_case). freezegun's dir()/getattr walk would import all of them to look at them (~3-6 ms at a
# process's first activation); none is a time function, and an imported submodule is a module of its own,
# walked as any other. What the package itself holds is in its __dict__.
_LAZY_SUBMODULES = frozenset({"dateutil", "concurrent.futures", "unittest"})


def _time_attributes(module: Any, full_check: Any, snapshot: Snapshot) -> Any:
    """What freezegun's check answers for a module seen for the first time, found in C for a plain module.

    freezegun lists ``dir(module)`` and ``getattr``s every name in Python, then keeps the (name, value) pairs
    whose value is a real time function; for a plain module (``types.ModuleType`` itself, no ``__dir__`` of its
    own) ``dir()`` is its ``__dict__``'s names and ``getattr`` its ``__dict__``'s values, so the same pairs are
    its ``__dict__``'s items whose value is one: most modules hold none, which one C-level pass over the values
    tells (the first activation walks every loaded module: ~500 in a test run). So is a package of
    ``_LAZY_SUBMODULES``, whose own ``__dir__`` only adds submodules. Any other module, or a freezegun without the
    set of ids used here, takes freezegun's own way. The pass looks for the sleeps too (``snapshot.watched``), so
    the rebinding of sleep that follows (``bindings``) need not make it again for the modules that hold neither.
    """
    import freezegun.api as api

    real = getattr(api, "_real_time_object_ids", None)
    namespace = getattr(module, "__dict__", None)
    if type(real) is not set or type(module) is not ModuleType or type(namespace) is not dict \
            or ("__dir__" in namespace and namespace.get("__name__") not in _LAZY_SUBMODULES):
        return full_check(module)
    if snapshot.holds_none(namespace, real) or real.isdisjoint(map(id, namespace.values())):
        return []
    return sorted((name, value) for name, value in namespace.items() if id(value) in real)


def watched_ids() -> frozenset[int]:
    """What the two walks of an activation look for, together: freezegun's real time functions (when this
    freezegun keeps their ids, as 1.x does) and the real sleeps the fake's twins replace."""
    import freezegun.api as api

    from . import asleep
    from . import sleep as _sleep

    real = getattr(api, "_real_time_object_ids", None)
    return frozenset(real if type(real) is set else ()) | {id(_sleep.real_sleep), id(asleep.real_sleep)}
