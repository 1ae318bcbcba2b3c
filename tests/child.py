"""Run a script in a fresh interpreter (for what only a first import shows); its standard output."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def python(script: str, prelude: str = "") -> str:
    done = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(script)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout
