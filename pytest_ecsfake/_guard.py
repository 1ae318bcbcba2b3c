"""Documented path (README, Set-up): ``pytest_ecsfake._guard.NoActiveFakeError``. The module is
``pytest_ecsfake.ways_in.guard``; this name is the same module object."""

import sys

from .ways_in import guard

sys.modules[__name__] = guard
