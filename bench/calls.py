"""Per call and per test: the botocore floor, ecsfake and moto, interleaved in one process (see docs/bench.md)."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from bench import workloads as w
from bench.timing import Case, cpu_clock, interleaved, per_call

Results = dict[str, dict[str, float]]  # row -> column ("floor", "floor signed", "codec", "ecsfake", "moto") -> s
Canned = dict[str, tuple[int, dict[str, str], bytes]]


def _capturing(fake: Any, into: Canned, name: str) -> Callable[[], None]:
    """Make the next call through ``fake`` store its response as the floor's canned answer for ``name``."""
    handle = fake._handle

    def capture(service: str, request: Any) -> Any:
        response = handle(service, request)
        into[name] = (response.status, dict(response.headers), response.body)
        del fake._handle  # back to the class method
        return response

    def arm() -> None:
        fake._handle = capture

    return arm


@contextmanager
def codec_only(fake: Any, answer: tuple[int, dict[str, str], bytes]) -> Iterator[None]:
    """The fake's interception with no backend: each request's body decoded and ``answer`` encoded anew.

    What any in-process fake that computes its answers costs at least (the ``codec`` column): the interception
    and the two JSON passes over a request and an answer of this size, with nothing looked up or changed. A
    written answer holds new state (ids, statuses), so it cannot be reused whole as a repeated read's is.
    """
    import json

    from pytest_ecsfake.core.encoded import encode_json
    from pytest_ecsfake.wire.protocol import HttpResponse

    status, headers, body = answer
    decoded = json.loads(body)

    def handle(service: str, request: Any) -> Any:
        json.loads(request.body or b"{}")
        return HttpResponse(status, encode_json(decoded).encode(), headers)

    fake._handle = handle
    try:
        yield
    finally:
        del fake._handle  # back to the class method


def _codec_case(fake: Any, answer: tuple[int, dict[str, str], bytes]) -> Callable[[], AbstractContextManager[None]]:
    return lambda: codec_only(fake, answer)


def per_call_figures(rounds: int, calls: int, with_moto: bool) -> Results:
    from pytest_ecsfake import EcsFake
    from pytest_ecsfake.ways_in import intercept as _intercept

    results: Results = {}
    canned: Canned = {}
    stops = 5 + 2 * rounds * calls + 5
    with EcsFake() as fake:
        ecs, batch = w.clients()
        workload = w.setup(ecs, batch, fake.advance, "subnet-1", "arn:aws:iam::123456789012:role/r", stops)
        workload.update(w.setup_logs(ecs, w.logs_client(), fake, "subnet-1"))
        for name, func in workload.items():
            _capturing(fake, canned, name)()
            func()

        def floor(signed: bool, name: str) -> Callable[[], AbstractContextManager[object]]:
            def enter() -> AbstractContextManager[object]:
                context = w.Floor(signed=signed)
                context.canned = canned[name]
                return context

            return enter

        @contextmanager
        def signing() -> Iterator[None]:  # ecsfake with botocore's SigV4 signing put back
            from botocore.signers import RequestSigner

            RequestSigner.sign = _intercept._patched["sign"]
            try:
                yield
            finally:
                RequestSigner.sign = _intercept._sign

        for name, func in workload.items():
            # The floor's StopTask needs no real task: its answer is canned.
            floor_func = (lambda: ecs.stop_task(cluster="c", task="t")) if name == "StopTask" else func
            cases: dict[str, Case] = {"ecsfake": (nullcontext, func), "floor": (floor(False, name), floor_func),
                                      "floor signed": (floor(True, name), floor_func),
                                      "codec": (_codec_case(fake, canned[name]), floor_func)}
            if name == "DescribeTasks (1 task)":
                cases["ecsfake signed"] = (signing, func)
            results[name] = interleaved(cases, max(2, round(calls * w.CALL_SHARE.get(name, 1))), rounds)
        signed = results["DescribeTasks (1 task)"].pop("ecsfake signed")
        results["DescribeTasks (1 task), ecsfake signing"] = {**results["DescribeTasks (1 task)"], "ecsfake": signed}
    if with_moto:
        from moto import mock_aws

        with mock_aws(config={"batch": {"use_docker": False}}):
            subnet, group, role = w.moto_network()
            ecs, batch = w.clients()
            workload = w.setup(ecs, batch, lambda _: None, subnet, role, stops, group, moto=True)
            workload.update(w.setup_logs(ecs, w.logs_client(), None, subnet, group))
            for name, func in workload.items():
                results[name]["moto"] = per_call(func, max(2, round(calls * w.CALL_SHARE.get(name, 1))), rounds)
    return results


PER_TEST_CPU = "activate + deactivate, CPU time"
MODULES = 1_000  # loaded while the fixture's overhead is measured (issue 22: "with 1,000 modules loaded")
_SKIP = ("antigravity", "this", "idle", "tkinter", "turtle", "__", "lib2to3", "ensurepip", "venv", "pydoc",
         "msvcrt", "winreg", "winsound", "msilib", "nt", "_")


def _load_modules(count: int) -> None:
    """Import standard-library modules and their packages' modules, one level down and never a test package,
    until ``count`` modules are loaded. Nothing is imported to find them (``pkgutil.iter_modules``)."""
    import pkgutil
    import warnings

    def load(name: str) -> object:
        if len(sys.modules) >= count or name.startswith(_SKIP) or "test" in name:
            return None
        with contextlib.suppress(Exception):
            return importlib.import_module(name)
        return None

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for info in pkgutil.iter_modules([str(Path(os.__file__).parent)]):
            module = load(info.name)
            for sub in pkgutil.iter_modules(getattr(module, "__path__", None) or []):
                load(f"{info.name}.{sub.name}")


def per_test_figures(rounds: int, with_moto: bool) -> Results:
    """Fixture overhead: activate, one call, deactivate, with as many modules loaded as a moto user has."""
    if with_moto:
        import moto  # noqa: F401 - loaded for both: freezegun's activation cost grows with the loaded modules
    from pytest_ecsfake import EcsFake

    _load_modules(MODULES)

    ecs = w.clients()[0]

    def floor(signed: bool) -> Callable[[], AbstractContextManager[object]]:
        def enter() -> AbstractContextManager[object]:
            context = w.Floor(signed=signed)
            context.canned = (200, {}, b'{"clusterArns":[]}')
            return context

        return enter

    def fake_bare() -> None:
        EcsFake().start().stop()

    def fake_one() -> None:
        with EcsFake():
            ecs.list_clusters()

    bare: dict[str, Case] = {"ecsfake": (nullcontext, fake_bare)}
    one: dict[str, Case] = {"floor": (floor(False), ecs.list_clusters),
                            "floor signed": (floor(True), ecs.list_clusters), "ecsfake": (nullcontext, fake_one)}
    if with_moto:
        from moto import mock_aws

        with mock_aws():  # a client created under moto carries its botocore handler, enabled by each mock_aws
            moto_ecs = w.clients()[0]

        def moto_bare() -> None:
            mock = mock_aws()
            mock.start()
            mock.stop()

        def moto_one() -> None:
            with mock_aws():
                moto_ecs.list_clusters()

        bare["moto"] = (nullcontext, moto_bare)
        one["moto"] = (nullcontext, moto_one)
    results: Results = {"activate + deactivate": interleaved(bare, 50, rounds),
                        PER_TEST_CPU: interleaved({"ecsfake": bare["ecsfake"]}, 50, rounds, clock=cpu_clock),
                        "activate + 1 call + deactivate": interleaved(one, 50, rounds)}
    results["modules loaded"] = {"floor": float(len(sys.modules))}
    return results
