"""The ``ecsfake`` command (also ``python -m pytest_ecsfake``).

``ecsfake serve`` runs one fake as an HTTP server for the AWS CLI, curl, SDKs of other languages and shell
scripts. Only argparse is imported up front: ``ecsfake --help`` stays instant; the fake and the server load
when ``serve`` starts.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

EXIT_CANNOT_LISTEN = 2

_SERVE_HELP = """\
Serve ECS (POST / with X-Amz-Target, and POST /v1/<Action>), AWS Batch (its REST paths) and CloudWatch Logs
(POST / with X-Amz-Target Logs_20140328.<Action>) over HTTP, with the same validation and lifecycle as the
pytest fixture. Admin endpoints:
  POST /_ecsfake/advance   {"seconds": n}              move the fake clock; answers {"now": ...}
  POST /_ecsfake/reset                                forget resources, calls and behaviours
  GET  /_ecsfake/calls                                every call so far, as a JSON list
  POST /_ecsfake/behavior  {"match": ..., "runs_for": ..., "exit_code": ..., "stop_takes": ...,
                            "ignores_sigterm": ..., "sigterm_exit_code": ..., "pull_error": ...,
                            "logs": [...]}
Request bodies over 10 MiB are refused with 413. Ctrl-C or SIGTERM stops the server.

example:
  ecsfake serve --port 8080 --clock manual &
  aws ecs create-cluster --cluster-name demo --endpoint-url http://127.0.0.1:8080 --region us-east-1
"""


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0-65535 (0 picks a free one), got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ecsfake", description="pytest-ecsfake: AWS ECS and Batch, faked.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve", help="serve the fake over HTTP", description=_SERVE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only; the fake has no auth)")
    serve.add_argument("--port", type=_port, default=8080, help="port to listen on (default 8080; 0: any free port)")
    serve.add_argument("--clock", choices=("real", "manual"), default="real",
                       help="real (default): time flows; manual: frozen at --start, moved only by /_ecsfake/advance")
    serve.add_argument("--start", default=None,
                       help="ISO-8601 instant the fake clock starts at (manual default: 2025-01-01T00:00:00Z, as the "
                            "fixture's; real: the wall clock unless given, then time flows from it)")
    serve.add_argument("--seed", type=int, default=0,
                       help="seed of the ids and ARNs the fake makes (default 0, as the fixture's): same ARNs each run")
    serve.add_argument("--region", default="us-east-1",
                       help="region of requests that do not say theirs (no SigV4 scope); default us-east-1")
    serve.add_argument("--quiet", action="store_true", help="do not log each request to stderr")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"pytest-ecsfake {version('pytest-ecsfake')}")
        except PackageNotFoundError:
            print("pytest-ecsfake (not installed)")
        return 0
    if args.command != "serve":
        parser.print_help(sys.stderr)
        return 2
    return serve(host=args.host, port=args.port, clock=args.clock, region=args.region, quiet=args.quiet,
                 start=args.start, seed=args.seed)


def _log(line: str) -> None:
    print(f"ecsfake: {line}", file=sys.stderr, flush=True)


def serve(*, host: str, port: int, clock: str, region: str, quiet: bool = False, start: str | None = None,
          seed: int = 0) -> int:
    """Run ``ecsfake serve`` until Ctrl-C or SIGTERM; return the exit code."""
    import signal

    from .ways_in.fake import DEFAULT_START, EcsFake
    from .ways_in.server import EcsFakeServer, ServerBindError

    try:
        if clock == "manual":
            fake = EcsFake(region=region, start=start or DEFAULT_START, seed=seed)
        elif start is not None:  # real time, flowing from --start
            fake = EcsFake(region=region, start=start, seed=seed, tick=True)
        else:
            fake = EcsFake(region=region, freeze=False, seed=seed)
    except (TypeError, ValueError) as exc:
        print(f"ecsfake: {exc}", file=sys.stderr)
        return 2
    try:
        server = EcsFakeServer(fake, host, port, log=None if quiet else _log)
    except ServerBindError as exc:
        print(f"ecsfake: {exc.strerror}", file=sys.stderr)
        return EXIT_CANNOT_LISTEN

    stops = 0

    def on_signal(signum: int, frame: Any) -> None:
        # The first Ctrl-C/SIGTERM stops the server cleanly; a second one does not wait for that.
        nonlocal stops
        stops += 1
        if stops > 1:
            raise KeyboardInterrupt
        server.stop()

    previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}
    fake.start()
    try:
        if host not in ("127.0.0.1", "localhost", "::1"):
            _log(f"warning: listening on {host}: whoever reaches this address can use the fake (no authentication)")
        print(f"ecsfake: serving ECS, Batch and CloudWatch Logs at {server.url} (region {region}, clock {clock}); "
              "Ctrl-C to stop", flush=True)
        server.serve_until_stopped()
    finally:
        server.close()
        fake.stop(check=False)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    for problem in fake._backend.problems:
        _log(problem.splitlines()[0])
    _log("stopped")
    return 0
