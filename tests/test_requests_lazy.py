"""Activation does not import ``requests``: a test that imports it (or ``responses``) while a fake is active
is served all the same. Those cases run in a fresh interpreter, so the import really happens inside the fake;
the import hook itself (``_when_imported``) is also tested in process, on modules of the test's own."""

from __future__ import annotations

import sys
from pathlib import Path

import child
import pytest

# No network in the child either: name lookups of anything but loopback fail.
PRELUDE = """
import json, socket, sys
_lookup = socket.getaddrinfo
def _loopback_only(host, *args, **kwargs):
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise OSError(f"test blocked a network lookup of {host}")
    return _lookup(host, *args, **kwargs)
socket.getaddrinfo = _loopback_only
from pytest_ecsfake import EcsFake
BODY = json.dumps({"clusterName": "late"})
HEADERS = {"X-Amz-Target": "AmazonEC2ContainerServiceV20141113.CreateCluster",
           "Content-Type": "application/x-amz-json-1.1"}
URL = "https://ecs.eu-west-1.amazonaws.com/"
"""


def python(script: str) -> str:
    return child.python(script, PRELUDE)


def test_activation_does_not_import_requests_or_responses() -> None:
    assert python("""
        with EcsFake():
            pass
        print("requests" in sys.modules, "responses" in sys.modules)
    """) == "False False\n"


def test_requests_imported_inside_a_fake_is_served() -> None:
    assert python("""
        with EcsFake():
            import requests
            answer = requests.post(URL, data=BODY, headers=HEADERS, timeout=30)
            print(answer.status_code, answer.json()["cluster"]["clusterArn"])
    """) == "200 arn:aws:ecs:eu-west-1:123456789012:cluster/late\n"


def test_responses_imported_first_inside_a_fake_is_served_and_keeps_its_own_rules() -> None:
    assert python("""
        with EcsFake():
            import responses
            import requests
            with responses.RequestsMock() as own:
                own.get("https://example.invalid/x", body="mine")
                print(requests.get("https://example.invalid/x", timeout=30).text)
                print(requests.post(URL, data=BODY, headers=HEADERS, timeout=30).json()["cluster"]["status"])
    """) == "mine\nACTIVE\n"


def test_requests_imported_after_the_fake_is_left_alone() -> None:
    assert python("""
        with EcsFake():
            pass
        import requests
        from requests.adapters import HTTPAdapter
        print(HTTPAdapter.send.__module__, [type(f).__name__ for f in sys.meta_path].count("WhenImported"))
    """) == "requests.adapters 0\n"


def test_the_import_hook_runs_its_patch_right_after_the_package_and_only_under_a_fake(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pytest_ecsfake import EcsFake
    from pytest_ecsfake.ways_in.when_imported import WhenImported

    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("ecsfake_hooked_a", "ecsfake_hooked_b", "ecsfake_hooked_c"):
        (tmp_path / f"{name}.py").write_text("READY = True\n")
    seen: list[bool] = []
    hook = WhenImported(("ecsfake_hooked_a", "ecsfake_hooked_b"), lambda: seen.append(
        sys.modules["ecsfake_hooked_a"].READY))
    try:
        with EcsFake():
            hook.arm()
            hook.arm()  # once only
            assert sys.meta_path.count(hook) == 1
            import ecsfake_hooked_c  # noqa: F401 - not one of its names: the hook stays armed
            assert hook in sys.meta_path
            import ecsfake_hooked_a  # noqa: F401
            assert seen == [True] and hook not in sys.meta_path  # one shot, after the module executed
        hook.arm()
        import ecsfake_hooked_b  # noqa: F401 - imported with no fake active: nothing to patch
        assert seen == [True]
        hook.arm()
        assert hook.find_spec("ecsfake_not_anywhere", None) is None  # a name it does not watch
        hook.names = ("ecsfake_missing_module",)
        assert hook.find_spec("ecsfake_missing_module", None) is None and hook not in sys.meta_path
    finally:
        hook.disarm()
        for name in ("ecsfake_hooked_a", "ecsfake_hooked_b", "ecsfake_hooked_c"):
            sys.modules.pop(name, None)
