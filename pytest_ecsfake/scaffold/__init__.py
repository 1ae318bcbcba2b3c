"""Add an operation in one command, and regenerate the tables derived from the handlers (a development tool).

    python -m pytest_ecsfake.scaffold ecs PutAccountSetting [--module account_settings] [--root DIR]
    python -m pytest_ecsfake.scaffold docs [--check] [--root DIR]

The first writes a handler stub into ``pytest_ecsfake/<service>/<module>.py`` (created, or appended to) that
refuses every call with ``ctx.unsupported``, and a test skeleton into ``tests/test_<module>.py`` (for Batch
and Logs ``tests/test_<service>_<module>.py``) that fails until its assertions are written; then it
regenerates the tables. The default module is the operation's resource, snake_case and plural:
``PutAccountSetting`` -> ``account_settings``, ``ListTagsForResource`` -> ``tags``. It refuses (exit code 2)
an operation botocore's model of the service lacks, and one that already has a handler.

``docs`` regenerates ``core/handler_index.py``, README's supported-operations table and ``docs/coverage.md``
(``tables``); ``docs --check`` writes nothing and exits 1 naming the stale ones.
docs/adding-an-operation.md says what to do after the scaffold.

May import: ``core`` (the registry's services) and ``schemas`` (botocore's models); never what a test runs
through (the ways in, the wire, the services): it reads the handlers' source, it does not import it.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import keyword
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

from ..core.registry import SERVICES
from . import tables

_PREPOSITIONS = {"for", "by", "from", "to", "in", "of", "on", "with"}
_MAX_LINES = 400  # tests/test_layout.py


class Refused(Exception):
    """The scaffold will not write this operation (exit code 2)."""


def snake(operation: str) -> str:
    """botocore's method name of an operation: ``PutAccountSetting`` -> ``put_account_setting``."""
    from botocore import xform_name

    name: str = xform_name(operation)
    return name


def default_module(operation: str) -> str:
    """The operation's resource, snake_case and plural: its words after the verb, up to a preposition."""
    words = snake(operation).split("_")
    words = words[1:] or words
    cut = next((i for i, word in enumerate(words) if i and word in _PREPOSITIONS), len(words))
    words = words[:cut]
    last = words[-1]
    if not last.endswith("s"):
        plural = last[:-1] + "ies" if re.search(r"[^aeiou]y$", last) else last + ("es" if last.endswith(
            ("ch", "sh", "x")) else "s")
        words[-1] = plural
    return "_".join(words)


def skeleton_path(service: str, module: str) -> Path:
    """Where the tests of a handler module go: ``tests/test_<module>.py``; Batch and Logs modules are prefixed."""
    return Path("tests") / (f"test_{module}.py" if service == "ecs" else f"test_{service}_{module}.py")


# The botocore model: what the stub's docstring and the test's placeholder arguments come from.


def _model(service: str) -> dict[str, Any]:
    from ..schemas._generate import load_model

    return load_model(service)


def _describe(shapes: dict[str, Any], name: str) -> str:
    shape = shapes[name]
    kind = shape["type"]
    if kind == "list":
        kind = f"list of {shape['member']['shape']}"
    elif kind == "map":
        kind = f"map of {shape['key']['shape']} to {shape['value']['shape']}"
    elif "enum" in shape:
        values = shape["enum"]
        kind = f"one of {', '.join(values)}" if len(values) <= 4 else f"string enum of {len(values)} values"
    return name if name.lower() == kind else f"{name} ({kind})"


def _members(shapes: dict[str, Any], ref: dict[str, Any] | None) -> list[str]:
    if ref is None:
        return ["(no members: the answer is {})"]
    shape = shapes[ref["shape"]]
    required = set(shape.get("required", ()))
    lines = []
    for member, spec in shape.get("members", {}).items():
        where = f", in the {spec['location']}" if "location" in spec else ""
        lines.append(f"{member}: {_describe(shapes, spec['shape'])}{', required' if member in required else ''}"
                     f"{where}")
    return lines or ["(no members)"]


def _summary(documentation: str) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", documentation)).strip()
    text = re.sub(r" ([.,;:)])", r"\1", text)
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def _placeholder(shapes: dict[str, Any], name: str, depth: int = 0) -> Any:
    """A value botocore accepts for a shape: what a test skeleton sends for each required member."""
    shape = shapes[name]
    kind = shape["type"]
    if kind == "structure":
        members = shape.get("members", {})
        return {} if depth > 8 else {member: _placeholder(shapes, members[member]["shape"], depth + 1)
                                     for member in shape.get("required", ())}
    if kind == "list":
        return [_placeholder(shapes, shape["member"]["shape"], depth + 1)] if shape.get("min", 0) > 0 else []
    if kind == "map":
        return {}
    if kind == "string":
        return shape["enum"][0] if "enum" in shape else "example".ljust(shape.get("min", 0), "x")[: shape.get("max")]
    if kind in ("integer", "long", "float", "double"):
        number = max(shape.get("min", 1), 1)
        number = number if shape.get("max") is None else min(number, shape["max"])
        return number if kind in ("integer", "long") else float(number)
    if kind == "timestamp":
        return "2024-01-01T00:00:00Z"
    return True if kind == "boolean" else b"example"


def _literal(value: Any, indent: int) -> str:
    """A Python literal in the project's style (double quotes): one line when it fits, else an item a line."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bytes):
        return "b" + json.dumps(value.decode())
    if not isinstance(value, (dict, list)):
        return repr(value)
    if isinstance(value, dict):
        brackets, items = "{}", [f"{json.dumps(key)}: {_literal(item, indent + 4)}" for key, item in value.items()]
    else:
        brackets, items = "[]", [_literal(item, indent + 4) for item in value]
    flat = brackets[0] + ", ".join(items) + brackets[1]
    if indent + len(flat) <= 100 or not items:
        return flat
    return brackets[0] + "\n" + "".join(f"{' ' * (indent + 4)}{item},\n" for item in items) + " " * indent + brackets[1]


def _call(method: str, arguments: dict[str, Any]) -> list[str]:
    if not arguments:
        return [f"answer = client.{method}()"]
    if any(keyword.iskeyword(name) for name in arguments):
        return [f"answer = client.{method}(**{_literal(arguments, 0)})"]
    members = [f"    {name}={_literal(value, 4)}," for name, value in arguments.items()]
    lines = [f"answer = client.{method}(", *members, ")"]
    return "\n".join(lines).split("\n")


# What the scaffold writes.


def stub_text(service: str, operation: str, version: str, model: dict[str, Any]) -> str:
    """The handler stub: registered, documented from the model, refusing every call."""
    spec = model["operations"].get(operation)
    lines = [f'@handler("{service}", "{operation}")',
             f"def {snake(operation)}(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:",
             '    """A stub written by ``python -m pytest_ecsfake.scaffold``: every call answers UnsupportedOperation',
             "    (and fails the test at teardown) until the handler is written.", ""]
    if spec is None:
        lines.append(f"    Not in botocore {version}'s model: see schemas/{service}/{operation}.request.json.")
    else:
        shapes = model["shapes"]
        summary = _summary(spec.get("documentation", ""))
        if summary:
            lines += [*textwrap.wrap(f"AWS: {summary}", 112, initial_indent="    ", subsequent_indent="    "), ""]
        for title, ref in ((f"Request (botocore {version}'s model):", spec.get("input")),
                           ("Response:", spec.get("output"))):
            lines.append(f"    {title}")
            for member in _members(shapes, ref):
                lines += textwrap.wrap(member, 116, initial_indent=" " * 8, subsequent_indent=" " * 12)
    lines += ['    """', f'    ctx.unsupported("{operation}")']
    return "\n".join(lines) + "\n"


def skeleton_text(service: str, operation: str, model: dict[str, Any]) -> str:
    """The test skeleton: calls the operation through boto3 under ``ecs_fake``, then fails until written."""
    spec = model["operations"].get(operation, {})
    arguments = _placeholder(model["shapes"], spec["input"]["shape"]) if "input" in spec else {}
    lines = [f"def test_{snake(operation)}(ecs_fake: EcsFake) -> None:",
             f'    client = boto3.client("{service}", region_name="us-east-1")',
             "    # Placeholders for the required members (botocore's model): make them the case this test checks."]
    lines += [f"    {line}" for line in _call(snake(operation), arguments)]
    lines.append(f'    pytest.fail(f"write the assertions for {operation}: it answered {{answer!r}}")')
    return "\n".join(lines) + "\n"


_STUB_IMPORTS = [("typing", "Any"), ("..core.context", "Context"), ("..core.registry", "handler")]
_TEST_IMPORTS = [("", "boto3"), ("", "pytest"), ("pytest_ecsfake", "EcsFake")]


def _new_file(docstring: str, imports: list[tuple[str, str]], body: str) -> str:
    groups: dict[str, list[str]] = {"std": [], "third": [], "first": []}
    for source, name in imports:
        line = f"from {source} import {name}" if source else f"import {name}"
        kind = "std" if source == "typing" else "first" if source.startswith((".", "pytest_ecsfake")) else "third"
        groups[kind].append(line)
    blocks = ["\n".join(lines) for lines in groups.values() if lines]
    return f'"""{docstring}"""\n\nfrom __future__ import annotations\n\n' + "\n\n".join(blocks) + "\n\n\n" + body


def _order(name: str) -> tuple[int, str]:  # ruff's isort order within one `from` import: CONSTANTS, Classes, rest
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


def with_imports(text: str, imports: list[tuple[str, str]]) -> str:
    """``text`` importing each ``(module, name)`` it does not bind yet: added to its one-line ``from module
    import ...`` when it has one, else on a line of its own after its last top-level import."""
    tree = ast.parse(text)
    nodes = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    nodes += [inner for node in tree.body if isinstance(node, ast.If) for inner in node.body
              if isinstance(inner, (ast.Import, ast.ImportFrom))]
    bound = {(alias.asname or alias.name).split(".")[0] for node in nodes for alias in node.names}
    lines = text.splitlines(keepends=True)
    top = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    after = max((node.end_lineno or node.lineno for node in top), default=0)
    extra = []
    for source, name in imports:
        if name in bound:
            continue
        same = [node for node in tree.body if isinstance(node, ast.ImportFrom) and source
                and "." * node.level + (node.module or "") == source and node.lineno == node.end_lineno
                and not any(alias.asname for alias in node.names)]
        if same:
            names = sorted([alias.name for alias in same[0].names] + [name], key=_order)
            merged = f"from {source} import {', '.join(names)}\n"
            if len(merged) <= 121:
                lines[same[0].lineno - 1] = merged
                continue
        extra.append(f"from {source} import {name}\n" if source else f"import {name}\n")
    return "".join(lines[:after] + extra + lines[after:])


def _append(text: str, imports: list[tuple[str, str]], body: str) -> str:
    return with_imports(text, imports).rstrip("\n") + "\n\n\n" + body


def _defines(path: Path, name: str) -> bool:
    if not path.is_file():
        return False
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name for node in tree.body)


def add(root: Path, service: str, operation: str, module: str | None = None) -> list[str]:
    """Write the stub and the test skeleton of ``operation`` under ``root``, regenerate the tables; the files
    written (relative paths). Raises ``Refused`` before writing anything when it cannot."""
    import botocore

    model = _model(service)
    version, pinned = tables.pinned_operations(root, service)
    known = set(model["operations"]) | set(pinned)
    if operation not in known:
        close = difflib.get_close_matches(operation, sorted(known), n=3)
        hint = f" Did you mean {' or '.join(close)}?" if close else " Its operations: docs/coverage.md."
        raise Refused(f"{service} has no operation {operation!r} in botocore {botocore.__version__}'s model "
                      f"(nor the pinned {version}'s).{hint}")
    found = tables.scan(root)[service].get(operation)
    if found is not None:
        kind = "a stub" if found.stub else "a handler"
        raise Refused(f"{service}:{operation} is already implemented: {found.module} has {kind} for it.")
    module = module or default_module(operation)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", module) or keyword.iskeyword(module):
        raise Refused(f"--module {module!r}: expected a module name in snake_case")
    source = Path("pytest_ecsfake") / service / f"{module}.py"
    test = skeleton_path(service, module)
    for path, name in ((source, snake(operation)), (test, f"test_{snake(operation)}")):
        if _defines(root / path, name):
            raise Refused(f"{path} already defines {name}: pass another --module")
    stub = stub_text(service, operation, botocore.__version__, model)
    skeleton = skeleton_text(service, operation, model)
    for path, imports, body, doc in (
        (source, _STUB_IMPORTS, stub, f"{operation} (a stub the scaffold wrote: see docs/adding-an-operation.md)."),
        (test, _TEST_IMPORTS, skeleton, f"{operation}: written by the scaffold, it fails until its assertions are."),
    ):
        target = root / path
        old = target.read_text(encoding="utf-8") if target.is_file() else None
        target.write_text(_new_file(doc, imports, body) if old is None else _append(old, imports, body),
                          encoding="utf-8")
    return [str(source), str(test), *tables.write(root)]


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[2],
                        help="the repository to write into (default: the one holding this package)")
    summary = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m pytest_ecsfake.scaffold", description=summary)
    commands = parser.add_subparsers(dest="command", required=True)
    docs = commands.add_parser("docs", parents=[common], help="regenerate the index, README's table, docs/coverage.md")
    docs.add_argument("--check", action="store_true", help="write nothing; exit 1 naming the stale files")
    for service in SERVICES:
        one = commands.add_parser(service, parents=[common], help=f"add an operation of {service}: a stub and its test")
        one.add_argument("operation", help="the botocore operation name, e.g. PutAccountSetting")
        one.add_argument("--module", help="the handler module's name (default: the resource, snake_case and plural)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    root: Path = args.root.resolve()
    if not (root / "pytest_ecsfake").is_dir():
        print(f"scaffold: {root} holds no pytest_ecsfake package", file=sys.stderr)
        return 2
    try:
        if args.command == "docs":
            if args.check:
                old = tables.stale(root)
                if old:
                    print(f"scaffold: stale: {', '.join(old)} (run `{tables.COMMAND}`)", file=sys.stderr)
                    return 1
                print("scaffold: the index, README's table and docs/coverage.md are up to date")
                return 0
            changed = tables.write(root)
            print(f"scaffold: wrote {', '.join(changed)}" if changed else "scaffold: already up to date")
            return 0
        written = add(root, args.command, args.operation, args.module)
    except (Refused, tables.ScanError) as error:
        print(f"scaffold: {error}", file=sys.stderr)
        return 2
    print(f"scaffold: wrote {', '.join(written)}")
    for name in written[:2]:
        lines = len((root / name).read_text(encoding="utf-8").splitlines())
        if lines > _MAX_LINES:
            print(f"scaffold: {name} is now {lines} lines (tests/test_layout.py wants at most {_MAX_LINES}): split it")
    print(f"Next: implement the handler in {written[0]}, write {written[1]}, run `{tables.COMMAND}` "
          "(docs/adding-an-operation.md); `ruff check --fix` sorts any import it added.")
    return 0
