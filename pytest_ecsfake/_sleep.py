"""Documented path (README, The clock): ``pytest_ecsfake._sleep.OTHER_THREAD_BOUND``, which a test may set. The
module is ``pytest_ecsfake.ways_in.fake_time.sleep``; this name is the same module object, so setting the
attribute here sets it there."""

import sys

from .ways_in.fake_time import sleep

sys.modules[__name__] = sleep
