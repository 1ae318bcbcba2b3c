"""``python -m pytest_ecsfake.schemas generate [--check] [--out DIR]``: (re)build or verify ``schemas/``;
``python -m pytest_ecsfake.schemas rules [--check] [--doc FILE]``: the list of refusing rules in docs/schemas.md."""

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
    rules = commands.add_parser("rules", help="write the list of refusing rules into docs/schemas.md")
    rules.add_argument("--check", action="store_true", help="write nothing; exit 1 if the list is stale")
    rules.add_argument("--doc", type=Path, default=None, help="default: the repo's docs/schemas.md")
    args = parser.parse_args(argv)
    if args.command == "rules":
        return _rules(args.doc, args.check)
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


def _rules(doc: Path | None, check_only: bool) -> int:
    from ._rules_doc import default_doc, is_current, write

    doc = doc or default_doc()
    if check_only:
        current = is_current(doc)
        print(f"{doc}: " + ("up to date" if current else "the list of rules is stale; run: python -m "
                            "pytest_ecsfake.schemas rules"))
        return 0 if current else 1
    print(f"{doc}: " + ("rewritten" if write(doc) else "unchanged"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
