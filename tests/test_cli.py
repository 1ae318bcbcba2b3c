"""The ``ecsfake`` command, run as a real process: serve, clocks, admin, port in use, signals, help."""

from __future__ import annotations

import contextlib
import http.client
import importlib.metadata
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
TARGET = "AmazonEC2ContainerServiceV20141113."
# Bound waits, not assertions: how long a server process gets to print its banner, and to exit after SIGTERM.
# Generous because a starved 2-core machine (CI under -n 2) once took over 30 s to let a cleanly stopping
# process exit (it printed "stopped" and exited 0, after the 30 s bound had expired).
STARTUP_TIMEOUT = 120.0


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str

    def stop(self, signum: int = signal.SIGTERM) -> tuple[int, str]:
        """Send ``signum``; the exit code and what the server wrote to stderr."""
        self.process.send_signal(signum)
        _, err = self.process.communicate(timeout=STARTUP_TIMEOUT)
        return self.process.returncode, err


def ecsfake(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest_ecsfake", *args]


@contextlib.contextmanager
def serve_process(*args: str, port: int = 0) -> Iterator[Served]:
    """``ecsfake serve --port PORT ARGS`` in a process of its own; stopped (SIGTERM) at the end."""
    process = subprocess.Popen(ecsfake("serve", "--port", str(port), *args), cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], STARTUP_TIMEOUT)
        banner = process.stdout.readline() if ready else ""
        if "serving ECS, Batch and CloudWatch Logs at " not in banner:
            process.kill()
            _, err = process.communicate(timeout=STARTUP_TIMEOUT)
            pytest.fail(f"ecsfake serve did not start: {banner!r} {err!r}")
        url = banner.split(" at ", 1)[1].split(" ", 1)[0]
        yield Served(process, url)
    finally:
        if process.poll() is None:
            process.terminate()
            process.communicate(timeout=STARTUP_TIMEOUT)


def post(url: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
         method: str = "POST") -> tuple[int, Any]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        data = b"" if body is None else json.dumps(body).encode()
        connection.request(method, path, body=data, headers=headers or {})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def register(url: str) -> float:
    """RegisterTaskDefinition through the server; its registeredAt (the server's fake now)."""
    status, answer = post(url, "/v1/RegisterTaskDefinition", {
        "family": "web", "containerDefinitions": [{"name": "app", "image": "nginx:1", "memory": 128}]})
    assert status == 200, answer
    registered: float = answer["taskDefinition"]["registeredAt"]
    return registered


def test_manual_clock_is_frozen_and_moves_only_through_advance() -> None:
    with serve_process("--clock", "manual", "--quiet") as served:
        started = register(served.url)
        assert register(served.url) == started
        status, answer = post(served.url, "/_ecsfake/advance", {"seconds": 30})
        assert status == 200 and answer["now"].endswith("Z")
        assert register(served.url) == started + 30
        code, err = served.stop()
    assert (code, err) == (0, "ecsfake: stopped\n")


def first_task_arn(url: str) -> str:
    """A Fargate task launched through the server: its ARN holds the first id the fake's seeded generator drew."""
    for operation, body in (
        ("CreateCluster", {"clusterName": "c"}),
        ("RegisterTaskDefinition", {"family": "job", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
                                    "cpu": "256", "memory": "512",
                                    "containerDefinitions": [{"name": "app", "image": "worker:1"}]}),
        ("RunTask", {"cluster": "c", "taskDefinition": "job", "launchType": "FARGATE",
                     "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}}),
    ):
        status, answer = post(url, "/", body, {"X-Amz-Target": TARGET + operation})
        assert status == 200, answer
    arn: str = answer["tasks"][0]["taskArn"]
    return arn


def test_manual_clock_starts_where_the_fixture_does_and_seed_makes_the_same_arns() -> None:
    arns = []
    for _ in range(2):
        with serve_process("--clock", "manual", "--quiet") as served:
            assert register(served.url) == 1735689600  # 2025-01-01T00:00:00Z, the fixture's start
            arns.append(first_task_arn(served.url))
    assert arns[0] == arns[1]  # --seed 0 both times: a reproducible run
    with serve_process("--clock", "manual", "--start", "2030-06-01T12:00:00Z", "--seed", "7", "--quiet") as served:
        assert register(served.url) == 1906545600
        assert first_task_arn(served.url) != arns[0]


def test_a_real_clock_can_flow_from_a_given_start() -> None:
    with serve_process("--start", "2030-06-01T12:00:00Z", "--quiet") as served:
        assert 1906545600 <= register(served.url) < 1906545600 + 600


def test_real_clock_flows_and_advance_adds_to_it() -> None:
    before = time.time()
    with serve_process("--quiet") as served:  # --clock real is the default
        assert register(served.url) >= int(before)
        post(served.url, "/_ecsfake/advance", {"seconds": 3600})
        assert register(served.url) >= int(before) + 3600


def test_admin_endpoints_and_region() -> None:
    with serve_process("--clock", "manual", "--region", "eu-north-1", "--quiet") as served:
        status, answer = post(served.url, "/", {"clusterName": "c"}, {"X-Amz-Target": TARGET + "CreateCluster"})
        assert status == 200
        assert answer["cluster"]["clusterArn"] == "arn:aws:ecs:eu-north-1:123456789012:cluster/c"
        status, calls = post(served.url, "/_ecsfake/calls", method="GET")
        assert status == 200 and [(c["operation"], c["response"]) for c in calls] == [("CreateCluster", answer)]
        assert post(served.url, "/_ecsfake/behavior", {"match": "web:1", "runs_for": 5}) == (200, {})
        assert post(served.url, "/_ecsfake/reset") == (200, {})
        assert post(served.url, "/_ecsfake/calls", method="GET") == (200, [])


def test_each_request_is_logged_to_stderr() -> None:
    with serve_process("--clock", "manual") as served:
        post(served.url, "/", {}, {"X-Amz-Target": TARGET + "ListClusters"})
        post(served.url, "/v1/DescribeClusters", {})
        code, err = served.stop()
    assert code == 0
    lines = err.splitlines()
    assert lines[0].startswith("ecsfake: 127.0.0.1 POST / (ListClusters) 200")
    assert lines[1].startswith("ecsfake: 127.0.0.1 POST /v1/DescribeClusters 200")
    assert lines[-1] == "ecsfake: stopped"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_sigterm_and_ctrl_c_stop_cleanly_even_with_open_connections(signum: int) -> None:
    with serve_process("--quiet") as served:
        parts = urlsplit(served.url)
        with socket.create_connection((parts.hostname, parts.port), timeout=30) as idle:
            idle.sendall(b"POST / HTTP/1.1\r\n")  # a client in the middle of a request
            code, err = served.stop(signum)
    assert (code, err) == (0, "ecsfake: stopped\n")


def test_port_in_use_exits_2_with_one_line_naming_the_port_and_the_fix() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(ecsfake("serve", "--port", str(port)), cwd=ROOT, capture_output=True, text=True,
                              timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (f"ecsfake: port {port} on 127.0.0.1 is already in use; stop whatever listens there or "
                           "pick another port with --port (--port 0 picks a free one)\n")


def test_listening_beyond_loopback_says_so() -> None:
    with serve_process("--host", "0.0.0.0", "--quiet") as served:
        assert served.url.startswith("http://127.0.0.1:")
        code, err = served.stop()
    assert err.splitlines()[0] == ("ecsfake: warning: listening on 0.0.0.0: whoever reaches this address can use "
                                   "the fake (no authentication)")


@pytest.mark.parametrize(("args", "message"), [
    (["serve", "--port", "70000"], "a port is 0-65535"),
    (["serve", "--clock", "fast"], "invalid choice: 'fast'"),
    (["serve", "--host", "192.0.2.1"], "ecsfake: cannot listen on 192.0.2.1:"),
    ([], "usage: ecsfake"),
])
def test_bad_invocations_exit_2_saying_why(args: list[str], message: str) -> None:
    done = subprocess.run(ecsfake(*args), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and message in done.stderr


def test_help_and_import_stay_cheap() -> None:
    done = subprocess.run(ecsfake("serve", "--help"), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "/_ecsfake/advance" in done.stdout and "--clock {real,manual}" in done.stdout
    probe = ("import sys, pytest_ecsfake.cli; "
             "print(sorted(m for m in ('botocore', 'freezegun', 'jsonschema', 'http.server') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout == "[]\n"


def test_console_script_is_installed() -> None:
    scripts = {e.name: e.value for e in importlib.metadata.entry_points(group="console_scripts")}
    assert scripts.get("ecsfake") == "pytest_ecsfake.cli:main"
    script = Path(sys.executable).parent / ("ecsfake.exe" if os.name == "nt" else "ecsfake")
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("pytest-ecsfake ")


# -- the same command in this process (what the subprocess tests above cannot show to coverage) -------------
def test_main_in_process_help_version_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    from pytest_ecsfake import cli

    assert cli.main(["--version"]) == 0 and capsys.readouterr().out.startswith("pytest-ecsfake ")
    assert cli.main([]) == 2 and "usage: ecsfake" in capsys.readouterr().err
    assert cli.main(["serve", "--region", ""]) == 2 and "region" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--port", str(port)]) == cli.EXIT_CANNOT_LISTEN
    assert capsys.readouterr().err.startswith(f"ecsfake: port {port} on 127.0.0.1 is already in use;")


def test_main_in_process_serves_until_sigterm(capsys: pytest.CaptureFixture[str]) -> None:
    from pytest_ecsfake import cli

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    answers: list[tuple[int, Any]] = []
    waiting = threading.Event()

    def client() -> None:
        url = f"http://127.0.0.1:{port}"
        for _ in range(3000):  # a bounded wait for the server to listen
            try:
                answers.append(post(url, "/_ecsfake/advance", {"seconds": 30}))
                break
            except ConnectionRefusedError:
                waiting.wait(0.01)
        # The server answered, so its SIGTERM handler is in place (it is installed before serving).
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=client)
    thread.start()
    code = cli.main(["serve", "--port", str(port), "--clock", "manual"])
    thread.join()
    out, err = capsys.readouterr()
    assert code == 0 and answers[0][0] == 200
    assert out == (f"ecsfake: serving ECS, Batch and CloudWatch Logs at http://127.0.0.1:{port} (region us-east-1, "
                   "clock manual); Ctrl-C to stop\n")
    assert err.splitlines()[0].endswith("POST /_ecsfake/advance 200") and err.endswith("ecsfake: stopped\n")
