"""``python -m pytest_ecsfake serve ...``: the same as the ``ecsfake`` command."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
