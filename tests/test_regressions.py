"""Crashes the fuzzer and the robustness tests found, each pinned by the smallest input that showed it."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import boto3
import pytest

from pytest_ecsfake import EcsFake

TARGET = "AmazonEC2ContainerServiceV20141113."


def _exchange(url: str, data: bytes) -> bytes:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        return sock.makefile("rb").read()


@pytest.mark.parametrize("operation", ["CreateCluster", "TagResource"])
def test_a_tag_without_a_key_is_invalid_parameter_not_a_crash(ecs_fake: EcsFake, operation: str) -> None:
    # Fuzz: {"tags": [{}]} made ecs/tags.py raise KeyError('key'): a 500 and a recorded fake bug.
    ecs = boto3.client("ecs", region_name="us-east-1")
    arn = ecs.create_cluster(clusterName="c")["cluster"]["clusterArn"]
    request = {"tags": [{}]} if operation == "CreateCluster" else {"resourceArn": arn, "tags": [{"value": "v"}]}
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="every tag must have a key"):
        ecs._make_api_call(operation, request)
    assert ecs_fake._backend.problems == []


def test_a_malformed_request_line_is_answered_not_dropped(ecs_fake: EcsFake) -> None:
    # Robustness: http.server logs the refusal before parsing headers; log_request read self.headers and
    # raised AttributeError, so the client got no answer and a traceback went to stderr.
    with ecs_fake.serve() as url:
        reply = _exchange(url, b"POST / HTTP/1.1 extra\r\n\r\n")
    status_line, _, rest = reply.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 400")
    assert b'"__type": "SerializationException"' in rest and b"Bad request version" in rest  # JSON, not HTML


def test_a_body_shorter_than_its_content_length_is_not_served(ecs_fake: EcsFake) -> None:
    # Robustness: Content-Length 100 and then close: the server served the empty body as {} (CreateCluster
    # made the "default" cluster, 200) instead of refusing the truncated request.
    with ecs_fake.serve() as url:
        reply = _exchange(url, f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {TARGET}CreateCluster\r\n"
                               f"Content-Length: 100\r\n\r\n".encode())
    assert b" 400 " in reply.split(b"\r\n", 1)[0]
    assert b"SerializationException" in reply
    assert ecs_fake.calls == []


def test_deeply_nested_json_is_a_serialization_error() -> None:  # found by the fuzzer: was a 500
    with EcsFake() as fake, fake.serve() as url:
        body = b'{"cluster": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        reply = _exchange(url, f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {TARGET}ListTasks\r\n"
                               f"Connection: close\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        head, _, payload = reply.partition(b"\r\n\r\n")
        assert b" 400 " in head.split(b"\r\n", 1)[0], head
        assert json.loads(payload)["__type"] == "SerializationException"


def _ask_keeping_the_connection_open(url: str, data: bytes) -> bytes:
    """Send without closing our side, as a keep-alive client does, and read until the server closes."""
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as sock:
        sock.sendall(data)
        return sock.makefile("rb").read()


@pytest.mark.parametrize(("size", "status"), [(b"FFFFFFFFFFFFFFFF", b"413"), (b"-1", b"400"), (b"0x10", b"400")])
def test_a_chunk_size_the_server_cannot_take_is_answered_at_once(ecs_fake: EcsFake, size: bytes,
                                                                 status: bytes) -> None:
    # Hardening: FFFFFFFFFFFFFFFF crashed the handler (no answer); -1 read to the end of a keep-alive stream.
    with ecs_fake.serve() as url:
        reply = _ask_keeping_the_connection_open(
            url, f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {TARGET}ListClusters\r\n"
                 f"Transfer-Encoding: chunked\r\n\r\n".encode() + size + b"\r\n{}\r\n")
        assert reply.split(b"\r\n", 1)[0].startswith(b"HTTP/1.1 " + status)
        assert b'"__type": ' in reply
        assert ecs_fake.calls == []
        # The server is still serving.
        again = _exchange(url, f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {TARGET}ListClusters\r\n"
                               f"Connection: close\r\nContent-Length: 2\r\n\r\n{{}}".encode())
        assert again.startswith(b"HTTP/1.1 200")


def test_a_request_line_without_a_version_gets_an_aws_style_error(ecs_fake: EcsFake) -> None:
    with ecs_fake.serve() as url:
        reply = _ask_keeping_the_connection_open(url, b"GET /\r\n\r\n")
    status_line, _, rest = reply.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 400")
    assert b"x-amzn-ErrorType: SerializationException" in rest
    assert b'"message": "The request line has no HTTP version: HTTP/1.1 expected"' in rest


def test_a_member_with_an_empty_name_is_dropped_not_echoed(ecs_fake: EcsFake) -> None:
    # Found by the long fuzz profile: CreateCluster {"configuration": {"": "x"}} kept the unknown member "" (its
    # violation path ends in "."), and the answer echoed it: an answer breaking its own schema.
    body = b'{"clusterName": "c", "configuration": {"": "x"}}'
    with ecs_fake.serve() as url:
        reply = _exchange(url, f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {TARGET}CreateCluster\r\n"
                               f"Connection: close\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    assert reply.startswith(b"HTTP/1.1 200")
    answer = json.loads(reply.split(b"\r\n\r\n", 1)[1])
    assert answer["cluster"]["configuration"] == {}
    assert ecs_fake.calls[-1].request == {"clusterName": "c", "configuration": {"": "x"}}  # recorded as sent
