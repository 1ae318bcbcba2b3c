"""Activation does not import ``requests``: a test that imports it (or ``responses``) while a fake is active
is served all the same. Each case runs in a fresh interpreter, so the import really happens inside the fake."""

from __future__ import annotations

import child

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
