"""The HTTP server (``fake.serve()``): routes, errors, admin endpoints, limits, threads, shutdown."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest

from pytest_ecsfake import EcsFake
from pytest_ecsfake.ways_in.server import MAX_BODY

TARGET = "AmazonEC2ContainerServiceV20141113."
JSON11 = "application/x-amz-json-1.1"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture
def url(ecs_fake: EcsFake) -> Iterator[str]:
    with ecs_fake.serve() as served:
        yield served


def call(url: str, method: str, path: str, body: bytes | Iterator[bytes] = b"",
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    """One real HTTP request (an iterator body is sent chunked); (status, headers, JSON body or raw bytes)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        raw = response.read()
        try:
            payload: Any = json.loads(raw)
        except ValueError:
            payload = raw
        return response.status, {k.lower(): v for k, v in response.getheaders()}, payload
    finally:
        connection.close()


def ecs_call(url: str, operation: str, body: dict[str, Any], *, via: str = "target") -> tuple[int, Any]:
    headers = {"Content-Type": JSON11}
    if via == "target":
        path = "/"
        headers["X-Amz-Target"] = TARGET + operation
    else:
        path = f"/v1/{operation}"
    status, _, payload = call(url, "POST", path, json.dumps(body).encode(), headers)
    return status, payload


def test_serve_yields_a_loopback_url_and_boto3_goes_over_http(ecs_fake: EcsFake) -> None:
    with ecs_fake.serve() as url:
        assert urlsplit(url).hostname == "127.0.0.1" and urlsplit(url).port
        ecs = boto3.client("ecs", endpoint_url=url, region_name="eu-west-1", **KEYS)
        answer = ecs.create_cluster(clusterName="jobs")
        ecs.close()
    # The response came over the wire from our server, and the region from the client's SigV4 scope.
    assert answer["ResponseMetadata"]["HTTPHeaders"]["server"] == "pytest-ecsfake"
    assert answer["cluster"]["clusterArn"] == "arn:aws:ecs:eu-west-1:123456789012:cluster/jobs"
    assert [(c.service, c.operation) for c in ecs_fake.calls] == [("ecs", "CreateCluster")]
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", urlsplit(url).port)):
        pass


@pytest.mark.parametrize("via", ["target", "path"])
def test_ecs_at_slash_with_target_and_at_v1_action(url: str, via: str) -> None:
    assert ecs_call(url, "CreateCluster", {"clusterName": "c"}, via=via)[0] == 200
    status, payload = ecs_call(url, "ListClusters", {}, via=via)
    # No SigV4 scope and a loopback host: the fake's own region.
    assert (status, payload) == (200, {"clusterArns": ["arn:aws:ecs:us-east-1:123456789012:cluster/c"]})


def test_the_target_header_wins_over_the_path(url: str, ecs_fake: EcsFake) -> None:
    status, _, _ = call(url, "POST", "/v1/RunTask", b"{}", {"X-Amz-Target": TARGET + "ListClusters"})
    assert status == 200 and [c.operation for c in ecs_fake.calls] == ["ListClusters"]


@pytest.mark.parametrize(("path", "headers", "body", "status", "error"), [
    ("/", {"X-Amz-Target": TARGET + "ListClusters"}, b"{not json", 400, "SerializationException"),
    ("/", {"X-Amz-Target": TARGET + "LaunchRocket"}, b"{}", 400, "UnknownOperationException"),
    ("/", {}, b"{}", 400, "UnknownOperationException"),
    ("/v1/LaunchRocket", {}, b"{}", 400, "UnknownOperationException"),
    ("/v1/RunTask", {}, b"{}", 400, "InvalidParameterException"),
])
def test_ecs_protocol_errors_are_aws_errors(url: str, path: str, headers: dict[str, str], body: bytes,
                                            status: int, error: str) -> None:
    got, _, payload = call(url, "POST", path, body, headers)
    assert (got, payload["__type"]) == (status, error)


def test_unknown_path_is_404_naming_what_is_served(url: str) -> None:
    status, _, payload = call(url, "GET", "/favicon.ico")
    assert status == 404
    assert "POST /v1/<Action>" in payload["message"] and "/_ecsfake/advance" in payload["message"]


def test_batch_at_its_rest_paths(url: str, ecs_fake: EcsFake) -> None:
    batch = boto3.client("batch", endpoint_url=url, region_name="us-west-2", **KEYS)
    arn = "arn:aws:batch:us-west-2:123456789012:job-queue/q"
    for operation in ("SubmitJob", "ListTagsForResource"):
        ecs_fake.fail(f"batch:{operation}", "ClientException", message=f"{operation} refused")
    with pytest.raises(batch.exceptions.ClientException, match="SubmitJob refused"):
        batch.submit_job(jobName="j", jobQueue="q", jobDefinition="d:1")
    with pytest.raises(batch.exceptions.ClientException, match="ListTagsForResource refused"):
        batch.list_tags_for_resource(resourceArn=arn)  # GET /v1/tags/<arn>
    batch.close()
    assert [(c.service, c.operation, c.request) for c in ecs_fake.calls] == [
        ("batch", "SubmitJob", {"jobName": "j", "jobQueue": "q", "jobDefinition": "d:1"}),
        ("batch", "ListTagsForResource", {"resourceArn": arn}),
    ]
    # A raw request without a SigV4 scope is recognised by its REST path; the schema speaks first.
    status, headers, payload = call(url, "POST", "/v1/submitjob", b"{}", {"Content-Type": "application/json"})
    assert (status, headers["x-amzn-errortype"]) == (400, "ClientException")
    assert "jobName" in payload["message"]


def test_handlers_run_at_fake_time_in_the_server_thread() -> None:
    with EcsFake(start="2030-01-01T00:00:00Z") as fake, fake.serve() as url:
        fake.advance(90)
        status, payload = ecs_call(url, "RegisterTaskDefinition", {
            "family": "web", "containerDefinitions": [{"name": "app", "image": "nginx:1", "memory": 128}],
        })
    assert status == 200
    assert payload["taskDefinition"]["registeredAt"] == 1893456000 + 90


def test_the_test_s_own_freezegun_drives_the_server() -> None:
    import freezegun

    with freezegun.freeze_time("2031-06-01T12:00:00Z") as frozen, EcsFake() as fake, fake.serve() as url:
        frozen.tick(45)
        status, payload = ecs_call(url, "RegisterTaskDefinition", {
            "family": "web", "containerDefinitions": [{"name": "app", "image": "nginx:1", "memory": 128}],
        })
    assert status == 200 and payload["taskDefinition"]["registeredAt"] == 1938081600 + 45


# -- admin endpoints ---------------------------------------------------------------------------------------
def test_admin_advance_moves_the_clock_and_answers_the_new_now(url: str, ecs_fake: EcsFake) -> None:
    status, _, payload = call(url, "POST", "/_ecsfake/advance", b'{"seconds": 90.5}')
    assert (status, payload) == (200, {"now": "2025-01-01T00:01:30.500000Z"})
    assert ecs_fake.now.isoformat() == "2025-01-01T00:01:30.500000+00:00"


@pytest.mark.parametrize("body", [b"", b"[]", b"{bad", b'{"seconds": -1}', b'{"seconds": "5"}',
                                  b'{"seconds": true}', b'{"seconds": 1, "minutes": 2}'])
def test_admin_advance_refuses_what_is_not_seconds(url: str, body: bytes) -> None:
    status, _, payload = call(url, "POST", "/_ecsfake/advance", body)
    assert status == 400 and payload["message"].startswith("/_ecsfake/advance: ")


@pytest.mark.parametrize("body", [b'{"seconds": 1e20}', b'{"seconds": Infinity}', b'{"seconds": NaN}'])
def test_admin_advance_refuses_steps_past_the_limit_and_stays_usable(url: str, ecs_fake: EcsFake, body: bytes) -> None:
    status, _, payload = call(url, "POST", "/_ecsfake/advance", body)
    assert status == 400 and "at most 3155760000 s (100 years) at a time" in payload["message"]
    assert call(url, "POST", "/_ecsfake/advance", b'{"seconds": 60}')[:3:2] == (200, {"now": "2025-01-01T00:01:00Z"})


def test_admin_calls_lists_every_call_as_json(url: str) -> None:
    ecs_call(url, "CreateCluster", {"clusterName": "c"})
    ecs_call(url, "DeleteCluster", {"cluster": "nope"})
    status, _, payload = call(url, "GET", "/_ecsfake/calls")
    assert status == 200
    assert [(c["operation"], c["status"], c["error"]) for c in payload] == [
        ("CreateCluster", 200, None), ("DeleteCluster", 400, "ClusterNotFoundException")]
    assert payload[0]["service"] == "ecs" and payload[0]["request"] == {"clusterName": "c"}
    assert payload[0]["response"]["cluster"]["clusterName"] == "c" and payload[0]["at"] == "2025-01-01T00:00:00Z"


def test_admin_reset_forgets_everything(url: str, ecs_fake: EcsFake) -> None:
    ecs_call(url, "CreateCluster", {"clusterName": "c"})
    assert call(url, "POST", "/_ecsfake/reset")[:3:2] == (200, {})
    assert ecs_fake.calls == []
    assert ecs_call(url, "ListClusters", {}) == (200, {"clusterArns": []})


def test_admin_behavior_applies_to_containers_launched_after(url: str, ecs_fake: EcsFake) -> None:
    body = json.dumps({"match": "migrate:1", "runs_for": 45, "exit_code": 3, "sigterm_exit_code": 0}).encode()
    assert call(url, "POST", "/_ecsfake/behavior", body)[:3:2] == (200, {})
    behavior = ecs_fake._backend.behaviors["migrate:1"]
    assert (behavior.runs_for, behavior.exit_code, behavior.sigterm_exit_code) == (45.0, 3, 0)


@pytest.mark.parametrize(("body", "message"), [
    (b'{"runs_for": 5}', "match"),
    (b'{"match": "x", "runs_for": -5}', "runs_for"),
    (b'{"match": "x", "stop_takes": NaN}', "behavior(stop_takes=...) takes seconds >= 0 (a finite number), got nan"),
    (b'{"match": "x", "runs_for": Infinity}', "behavior(runs_for=...) takes seconds >= 0 or None (a finite number)"),
    (b'{"match": "x", "exitcode": 1}', "unknown keyword(s) exitcode"),
])
def test_admin_behavior_refuses_bad_keywords(url: str, body: bytes, message: str) -> None:
    status, _, payload = call(url, "POST", "/_ecsfake/behavior", body)
    assert status == 400 and message in payload["message"]


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/_ecsfake/advance", 405), ("POST", "/_ecsfake/calls", 405), ("GET", "/_ecsfake/reset", 405),
    ("GET", "/_ecsfake/now", 404), ("POST", "/_ecsfake", 404),
])
def test_admin_wrong_method_or_name(url: str, method: str, path: str, status: int) -> None:
    got, headers, payload = call(url, method, path)
    assert got == status and "message" in payload
    if status == 405:
        assert headers["allow"] in ("GET", "POST")


# -- limits, threads, shutdown ---------------------------------------------------------------------------------
def test_a_body_at_the_limit_is_served_and_one_byte_more_is_413(url: str, ecs_fake: EcsFake) -> None:
    headers = {"X-Amz-Target": TARGET + "ListClusters"}
    at_limit = b"{}" + b" " * (MAX_BODY - 2)
    assert call(url, "POST", "/", at_limit, headers)[0] == 200
    status, response_headers, payload = call(url, "POST", "/", at_limit + b" ", headers)
    assert status == 413 and response_headers["connection"] == "close"
    assert payload["message"] == f"{MAX_BODY + 1} bytes is over pytest-ecsfake's limit of {MAX_BODY} bytes (10 MiB)"
    assert [c.operation for c in ecs_fake.calls] == ["ListClusters"]


def test_a_chunked_body_over_the_limit_is_413(url: str) -> None:
    chunk = b" " * (1024 * 1024)
    body = iter([b"{}"] + [chunk] * 11)
    status, _, payload = call(url, "POST", "/", body, {"X-Amz-Target": TARGET + "ListClusters"})
    assert status == 413 and "limit" in payload["message"]


def test_a_chunked_body_is_read(url: str) -> None:
    body = iter([b'{"clusterName":', b' "chunky"}'])
    status, _, payload = call(url, "POST", "/", body, {"X-Amz-Target": TARGET + "CreateCluster"})
    assert (status, payload["cluster"]["clusterName"]) == (200, "chunky")


def test_expect_100_continue_over_the_limit_is_refused_before_the_body(url: str) -> None:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {MAX_BODY + 1}\r\n"
                     "Expect: 100-continue\r\n\r\n".encode())
        answer = sock.makefile("rb").readline()
    assert answer.startswith(b"HTTP/1.1 413")


def test_many_concurrent_clients_are_served(url: str, ecs_fake: EcsFake) -> None:
    parts = urlsplit(url)
    # An idle connection would block a single-threaded server for everyone else.
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as idle:
        idle.sendall(b"POST / HTTP/1.1\r\n")
        errors: list[BaseException] = []

        def client(n: int) -> None:
            try:
                for i in range(5):
                    assert ecs_call(url, "CreateCluster", {"clusterName": f"c{n}-{i}"})[0] == 200
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(24)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    created = {c.request["clusterName"] for c in ecs_fake.calls if c.operation == "CreateCluster" and c.status == 200}
    assert len(created) == 24 * 5


def test_leaving_serve_ends_idle_keep_alive_connections(ecs_fake: EcsFake) -> None:
    with ecs_fake.serve() as url:
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        connection.request("POST", "/", b"{}", {"X-Amz-Target": TARGET + "ListClusters"})
        assert connection.getresponse().read() == b'{"clusterArns":[]}'
        sock = connection.sock
    assert sock is not None and sock.recv(1) == b""  # the server closed its side
    connection.close()


def test_two_servers_over_one_fake_share_its_state(ecs_fake: EcsFake) -> None:
    with ecs_fake.serve() as first, ecs_fake.serve() as second:
        assert first != second
        ecs_call(first, "CreateCluster", {"clusterName": "shared"})
        assert ecs_call(second, "ListClusters", {})[1]["clusterArns"][0].endswith("/shared")


def test_ipv6_loopback(ecs_fake: EcsFake) -> None:
    # This machine kind (and CI, which runs on it) has IPv6 loopback.
    with ecs_fake.serve(host="::1") as url:
        assert url.startswith("http://[::1]:")
        assert ecs_call(url, "ListClusters", {}) == (200, {"clusterArns": []})
