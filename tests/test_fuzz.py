"""Fuzzing every implemented operation with bodies generated from its request schema, valid and mutated.

Each body goes through the botocore path (parameter validation off, no retries) and as raw HTTP to
``fake.serve()``. Every answer must be a 200 whose body validates against the response schema, or a 4xx
with an AWS error code; never a 5xx, a traceback or a hang, and the fake must record no problem of its own.
Each example starts from the same world (``fuzz_helpers.build_world``) after ``fake.reset()``.

CI runs the bounded, derandomized profile; ``ECSFAKE_FUZZ=long`` runs the long one (docs/hardening.md).
"""

from __future__ import annotations

from typing import Any

import boto3
import freezegun
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from fuzz_helpers import (
    FUZZ_SETTINGS,
    SIMPLIFIED,
    HttpSender,
    Request,
    build_world,
    check_answer,
    check_http_answer,
    http_request,
    is_unsupported_feature,
    requests,
    set_world,
    valid_bodies,
)
from hypothesis import example, given

from pytest_ecsfake import EcsFake
from pytest_ecsfake.core.registry import supported

SERVICES = ("ecs", "batch", "logs")
OPERATIONS = [(service, op) for service in SERVICES for op in supported(service)]
# A huge string in a Batch URI label or query member makes a request line over http.server's 64 KiB limit,
# answered 414 before any AWS code runs; tests/test_server_robustness.py covers that on its own.
MAX_URL = 16 * 1024
LENIENT = Config(parameter_validation=False, retries={"max_attempts": 0})
# A valid body sent first where the CI profile's few derandomized examples draw none of the "valid" kind.
_GROUP, _STREAM = {"logGroupName": "g"}, {"logGroupName": "g", "logStreamName": "s"}
EXPLICIT = {
    ("logs", "CreateLogGroup"): {"logGroupName": "other"},
    ("logs", "DeleteLogGroup"): _GROUP,
    ("logs", "DescribeLogGroups"): {"logGroupNamePrefix": "g", "limit": 1},
    ("logs", "CreateLogStream"): {"logGroupName": "g", "logStreamName": "t"},
    ("logs", "DeleteLogStream"): _STREAM,
    ("logs", "DescribeLogStreams"): {**_GROUP, "orderBy": "LastEventTime", "descending": True},
    ("logs", "PutLogEvents"): {**_STREAM, "logEvents": [{"timestamp": 1735689600000, "message": "explicit"}]},
    ("logs", "GetLogEvents"): {**_STREAM, "startFromHead": True, "limit": 2},
    ("logs", "FilterLogEvents"): {**_GROUP, "filterPattern": "line -2", "limit": 1},
}


def _clients() -> dict[str, Any]:
    return {service: boto3.client(service, region_name="us-east-1", config=LENIENT) for service in SERVICES}


def _fresh_world(fake: EcsFake, clients: dict[str, Any]) -> Any:
    fake.reset()
    return build_world(lambda svc, op, body: clients[svc]._make_api_call(op, body), fake.advance)


def _send_botocore(fake: EcsFake, client: Any, service: str, operation: str, body: dict[str, Any]) -> None:
    before = len(fake.calls)
    try:
        client._make_api_call(operation, body)
        raised: Exception | None = None
    except ClientError as error:
        raised = error
    except Exception as error:  # botocore could not serialize the body: fine only if nothing was sent
        assert len(fake.calls) == before, f"botocore failed after the fake answered: {error!r}"
        return
    assert len(fake.calls) == before + 1, "the call did not reach the fake exactly once"
    call = fake.calls[-1]
    if call.status == 200:
        assert raised is None, raised
        check_answer(service, operation, 200, None, call.response)
    else:
        assert isinstance(raised, ClientError), call
        assert raised.response["Error"]["Code"] == call.error
        check_answer(service, operation, call.status, call.error, call.response)


# Hypothesis measures its run time and deadlines on the real clock while the fake's is frozen (a frame of
# hypothesis within freezegun's look-up depth reads real time; the fake reads its own clock, not through it).
freezegun.configure(extend_ignore_list=["hypothesis"])


@pytest.mark.parametrize(("service", "operation"), OPERATIONS, ids=[f"{s}:{o}" for s, o in OPERATIONS])
def test_fuzz_operation(service: str, operation: str) -> None:
    kinds: dict[str, int] = {}
    # The fake's clock is frozen (the seeded world must rebuild the same, whatever the load: on the real clock an
    # event fell due mid-build under load and shifted the ids); Hypothesis measures its own run time on the real
    # clock, as freezegun's ignore list lets it (freezegun.configure above).
    with EcsFake() as fake, fake.serve() as url:
        clients = _clients()
        sender = HttpSender(url)
        world = _fresh_world(fake, clients)
        set_world(world)

        @FUZZ_SETTINGS
        @given(request=requests(service, operation))
        def check(request: tuple[str, Any]) -> None:
            kind, body = request
            fake._backend.problems.clear()  # each example answers for its own problems only
            kinds[kind] = kinds.get(kind, 0) + 1
            if isinstance(body, dict):
                assert _fresh_world(fake, clients) == world  # the seeded fake rebuilds the same world
                _send_botocore(fake, clients[service], service, operation, body)
            assert _fresh_world(fake, clients) == world
            method, path, headers, payload = http_request(service, operation, body)
            if len(path) > MAX_URL:
                return  # a huge URI/query member: an HTTP request line over http.server's limit (see below)
            check_http_answer(service, operation, sender.send(method, path, headers, payload))
            assert [p for p in fake._backend.problems if not is_unsupported_feature(p)] == []

        explicit = EXPLICIT.get((service, operation))
        if explicit is not None:  # applied outside check's source, which seeds the derandomized examples
            check = example(request=Request(("valid", explicit)))(check)
        try:
            check()
            fake._backend.problems.clear()  # only deliberate "does not support" refusals can be left: checked above
        finally:
            sender.close()
            for client in clients.values():
                client.close()
    assert kinds.get("valid", 0) > 0  # generation did produce schema-valid bodies, not only mutations


def test_every_request_schema_generates_unsimplified() -> None:
    for service, operation in OPERATIONS:
        valid_bodies(service, operation)
    assert not SIMPLIFIED  # from_schema takes every schema as generated (see fuzz_helpers.SIMPLIFIED)
