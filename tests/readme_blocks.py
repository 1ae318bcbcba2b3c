"""README's code blocks, found and sorted by how the README tests run them.

Every fenced block of README.md is one of:
- a Python **script** (no test function): executed as it stands;
- a Python **test module** (it defines ``test_*`` functions): run by pytester as a test file, every test passes;
- a **shell** block: its ``pip install`` lines are checked against the installed environment (the tests run
  inside what those lines install), its server lines (``ecsfake serve``, ``moto_server``) are started by the
  test on free loopback ports (the only change: the port numbers), and the rest runs in bash against them.

A block that needs the AWS CLI or aiobotocore runs in tests/test_readme_clients.py (left out of the newest-botocore
run, as the other tests of those clients are); every other block in tests/test_readme.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README_PATH = Path(__file__).resolve().parents[1] / "README.md"
README = README_PATH.read_text()
SERVER_COMMANDS = ("ecsfake serve", "moto_server")


@dataclass(frozen=True)
class Block:
    language: str
    code: str
    heading: str
    line: int  # of the opening fence, 1-based

    @property
    def id(self) -> str:
        return f"{self.heading} (line {self.line})"

    @property
    def kind(self) -> str:
        if self.language == "python":
            return "tests" if re.search(r"^(async )?def test_", self.code, re.M) else "script"
        return "shell"

    @property
    def needs_clients(self) -> bool:
        """The AWS CLI or aiobotocore: their releases pin botocore, so the newest-botocore run leaves them out."""
        return "aiobotocore" in self.code or bool(re.search(r'(^|[\s"\[])aws[\s"]', self.code, re.M))


@dataclass(frozen=True)
class Shell:
    """The shell blocks of one README section, as one script."""

    heading: str
    code: str

    @property
    def needs_clients(self) -> bool:
        return bool(re.search(r"(^|\s)aws ", self.code, re.M))

    def lines(self) -> list[str]:
        return [line.split(" #", 1)[0].rstrip() for line in self.code.replace("\\\n", " ").splitlines()
                if line.strip() and not line.lstrip().startswith("#")]

    def installs(self) -> list[str]:
        return [req for line in self.lines() for req in installs(line)]

    def servers(self) -> list[str]:
        return [server(line) for line in self.lines() if server(line)]

    def commands(self) -> list[str]:
        """What to run in bash: install parts and server starts left out, continuations joined."""
        out = []
        for line in self.lines():
            if server(line):
                continue
            rest = line.split("&&", 1)[1].strip() if installs(line) and "&&" in line else "" if installs(line) else line
            if rest:
                out.append(rest)
        return out


def server(line: str) -> str:
    command = line.split("#", 1)[0].strip().rstrip("&").strip()
    return command if command.startswith(SERVER_COMMANDS) else ""


def installs(line: str) -> list[str]:
    """The requirements a ``pip install`` line names (quotes dropped); [] for any other line."""
    command = line.split("#", 1)[0].split("&&", 1)[0].strip()
    if not command.startswith("pip install "):
        return []
    return [word.strip("'\"") for word in command.split()[2:] if not word.startswith("-")]


def blocks() -> list[Block]:
    found, heading = [], "top"
    lines = README.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("## "):
            heading = line[3:]
        fence = re.match(r"```(\w+)$", line)
        if fence:
            end = lines.index("```", index + 1)
            found.append(Block(fence.group(1), "\n".join(lines[index + 1:end]) + "\n", heading, index + 1))
            index = end
        index += 1
    return found


def shells() -> list[Shell]:
    """One script per section that has shell blocks, in README order."""
    by_heading: dict[str, list[str]] = {}
    for block in blocks():
        if block.kind == "shell":
            by_heading.setdefault(block.heading, []).append(block.code)
    return [Shell(heading, "".join(codes)) for heading, codes in by_heading.items()]
