"""``python -m pytest_ecsfake.schemas generate [--check] [--out DIR]``: (re)build or verify ``schemas/``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._generate import check, default_out_dir, write

_SHOWN = 20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pytest_ecsfake.schemas")
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write schemas/ from botocore's models and the overlays")
    generate.add_argument("--check", action="store_true", help="write nothing; exit 1 if schemas/ is stale")
    generate.add_argument("--out", type=Path, default=default_out_dir(), help="default: %(default)s")
    args = parser.parse_args(argv)
    out: Path = args.out
    if args.check:
        problems = check(out)
        count = sum(len(paths) for paths in problems.values())
        if not count:
            print(f"{out}: up to date")
            return 0
        print(f"{out}: {count} file(s) differ from a fresh generation:")
        for kind, paths in problems.items():
            for path in paths[:_SHOWN]:
                print(f"  {kind:8} {path}")
            if len(paths) > _SHOWN:
                print(f"  {kind:8} ... and {len(paths) - _SHOWN} more")
        print("Regenerate with: python -m pytest_ecsfake.schemas generate")
        return 1
    written, unchanged, removed = write(out)
    print(f"{out}: {written} written, {unchanged} unchanged, {removed} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
