"""README's blocks that need the AWS CLI or aiobotocore (left out of the newest-botocore run: both pin botocore).

Shell sections run in bash, with the servers their lines start (``ecsfake serve``, ``moto_server``) started by
the test on free loopback ports, the port numbers in the commands changed to match, and stopped at the end.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import readme_blocks
from test_cli import serve_process
from test_readme import run_readme_block

BIN = str(Path(sys.executable).parent)
STARTUP_TIMEOUT = 60.0


@pytest.mark.parametrize("block", [block for block in readme_blocks.blocks()
                                   if block.kind != "shell" and block.needs_clients], ids=lambda b: b.id)
def test_a_readme_block_with_a_client_runs_as_written(block: readme_blocks.Block, pytester: pytest.Pytester,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", BIN + os.pathsep + os.environ["PATH"])  # `aws` of this environment
    run_readme_block(block, pytester)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def moto_server(port: int) -> Iterator[None]:
    process = subprocess.Popen([os.path.join(BIN, "moto_server"), "-p", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:  # real time: waiting for another process to listen
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None and time.monotonic() < deadline, "moto_server did not start"
            time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(timeout=STARTUP_TIMEOUT)


@contextlib.contextmanager
def servers(lines: list[str]) -> Iterator[dict[str, str]]:
    """Start each server line on a free port; yields {README's port: the port it got}."""
    ports: dict[str, str] = {}
    with contextlib.ExitStack() as stack:
        for line in lines:
            words = shlex.split(line)
            if words[0] == "moto_server":
                port = free_port()
                ports[words[words.index("-p") + 1]] = str(port)
                stack.enter_context(moto_server(port))
                continue
            readme_port = words[words.index("--port") + 1]
            args = [word for word in words[2:] if word not in ("--port", readme_port)]
            served = stack.enter_context(serve_process(*args))
            ports[readme_port] = served.url.rsplit(":", 1)[1]
        yield ports


EXPECTED = {  # what each section's script must print, as its comments say
    "Server mode": ['"RUNNING"', '"STOPPED"', '"UserInitiated"', '"taskArns"'],
    "Using moto for other services": ['"VpcId"', '"clusterArns": []'],
}


@pytest.mark.parametrize("shell", [shell for shell in readme_blocks.shells() if shell.needs_clients],
                         ids=lambda s: s.heading)
def test_a_readme_shell_section_runs_against_its_servers(shell: readme_blocks.Shell) -> None:
    assert shell.servers(), f"{shell.heading}: no server to run against"
    with servers(shell.servers()) as ports:
        script = "\n".join(["set -euo pipefail", *shell.commands()])
        for readme_port, port in ports.items():
            script = re.sub(rf"\b{readme_port}\b", port, script)
        env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
        env.update(PATH=BIN + os.pathsep + os.environ["PATH"], AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="")
        done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    for text in EXPECTED[shell.heading]:
        assert text in done.stdout, (text, done.stdout)
