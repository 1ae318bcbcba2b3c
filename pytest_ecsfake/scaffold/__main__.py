"""``python -m pytest_ecsfake.scaffold``: see the package docstring."""

from . import main

raise SystemExit(main())
