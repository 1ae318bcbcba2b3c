"""The HTTP server against bad and slow clients, and under load: it answers or closes, never hangs or dies.

Loopback only; every socket has a timeout; counts are bounded and nothing asserts on wall time.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from pytest_ecsfake import EcsFake

TARGET = "AmazonEC2ContainerServiceV20141113."
JSON11 = {"Content-Type": "application/x-amz-json-1.1"}
TIMEOUT = 20.0
SUBNETS = {"awsvpcConfiguration": {"subnets": ["subnet-0a1b2c3d"], "securityGroups": ["sg-1"]}}


@pytest.fixture
def url(ecs_fake: EcsFake) -> Iterator[str]:
    with ecs_fake.serve() as served:
        yield served


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


def raw_exchange(url: str, data: bytes, *, shut_write: bool = True) -> bytes:
    """Send ``data`` on a fresh connection, optionally half-close, and read until the server closes."""
    with socket.create_connection(address(url), timeout=TIMEOUT) as sock:
        sock.sendall(data)
        if shut_write:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def status_of(reply: bytes) -> int:
    assert reply.startswith(b"HTTP/1."), reply[:200]
    return int(reply.split(b" ", 2)[1])


def ecs_request(operation: str, body: dict[str, Any]) -> tuple[str, str, bytes, dict[str, str]]:
    return "POST", "/", json.dumps(body).encode(), {**JSON11, "X-Amz-Target": TARGET + operation}


def still_serves(url: str) -> None:
    """A well-formed request on a new connection is answered: the bad client did not break the server."""
    connection = http.client.HTTPConnection(*address(url), timeout=TIMEOUT)
    try:
        method, path, body, headers = ecs_request("ListClusters", {})
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        assert response.status == 200
        assert "clusterArns" in json.loads(response.read())
    finally:
        connection.close()


# -- malformed requests ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("data", [
    b"GARBAGE\r\n\r\n",
    b"POST / HTTP/9.9\r\n\r\n",
    b"POST\r\n\r\n",
    b"\x00\x01\x02\xff\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: 2\r\n" + b"X-Long: " + b"a" * 70_000 + b"\r\n\r\n{}",
    b"POST / HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(150)) + b"\r\n",
    b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
], ids=["not-http", "bad-version", "no-path", "binary", "huge-header", "too-many-headers", "huge-request-line"])
def test_malformed_request_is_a_4xx_and_the_server_keeps_serving(url: str, ecs_fake: EcsFake, data: bytes) -> None:
    reply = raw_exchange(url, data)
    if reply.startswith(b"HTTP/"):  # a request line without a version is answered HTTP/0.9 style: no status line
        assert 400 <= status_of(reply) < 500 or status_of(reply) == 505  # 505: HTTP Version Not Supported
    else:
        code = re.search(rb"Error code: (\d+)", reply)
        assert code is not None, reply[:300]
        assert 400 <= int(code.group(1)) < 500 or int(code.group(1)) == 505
    assert b"Traceback" not in reply
    still_serves(url)
    assert ecs_fake._backend.problems == []


@pytest.mark.parametrize("content_length", ["abc", "-5", "1e3"])
def test_unusable_content_length_is_not_a_5xx(url: str, content_length: str) -> None:
    method, path, body, headers = ecs_request("ListClusters", {})
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    reply = raw_exchange(url, f"POST / HTTP/1.1\r\nHost: x\r\n{head}Content-Length: {content_length}\r\n"
                              f"Connection: close\r\n\r\n".encode() + body)
    assert status_of(reply) < 500
    still_serves(url)


def test_bad_chunked_encoding_is_400(url: str) -> None:
    reply = raw_exchange(url, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-Amz-Target: "
                              + (TARGET + "ListClusters").encode() + b"\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
    assert status_of(reply) == 400
    assert b"SerializationException" in reply
    still_serves(url)


# -- truncated and oversized bodies ----------------------------------------------------------------------------
@pytest.mark.parametrize("sent", [0, 1, 9])
def test_truncated_body_then_close_leaves_no_trace(url: str, ecs_fake: EcsFake, sent: int) -> None:
    body = json.dumps({"clusterName": "never"}).encode()
    head = (f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {TARGET}CreateCluster\r\n"
            f"Content-Type: application/x-amz-json-1.1\r\nContent-Length: {len(body) + 100}\r\n\r\n").encode()
    reply = raw_exchange(url, head + body[:sent])  # then the client closes its side
    assert status_of(reply) == 400  # nothing half-read reaches the fake
    assert b"SerializationException" in reply
    assert [c for c in ecs_fake.calls if c.operation == "CreateCluster"] == []
    still_serves(url)
    assert ecs_fake._backend.problems == []


def test_oversized_body_is_413_and_never_reaches_the_fake(url: str, ecs_fake: EcsFake) -> None:
    size = 10 * 1024 * 1024 + 1
    head = (f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {TARGET}CreateCluster\r\n"
            f"Content-Type: application/x-amz-json-1.1\r\nContent-Length: {size}\r\n\r\n").encode()
    with socket.create_connection(address(url), timeout=TIMEOUT) as sock:
        sock.sendall(head)
        sent = 0
        block = b" " * 65536
        while sent < size:
            sock.sendall(block[: min(len(block), size - sent)])
            sent += min(len(block), size - sent)
        reply = sock.makefile("rb").read()
    assert status_of(reply) == 413
    assert b"RequestEntityTooLarge" in reply
    assert ecs_fake.calls == []
    still_serves(url)


# -- slow clients -----------------------------------------------------------------------------------------------
def test_a_slow_client_does_not_block_the_others(url: str, ecs_fake: EcsFake) -> None:
    method, path, body, headers = ecs_request("CreateCluster", {"clusterName": "slow"})
    request = (f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {len(body)}\r\n"
               + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode() + body
    halfway = threading.Event()
    pause = threading.Event()  # never set: wait() is a real-time delay freezegun does not touch
    replies: list[bytes] = []

    def slow() -> None:
        with socket.create_connection(address(url), timeout=TIMEOUT) as sock:
            for index, byte in enumerate(request):
                sock.sendall(bytes([byte]))
                if index == len(request) // 2:
                    halfway.set()
                if index % 8 == 0:
                    pause.wait(0.002)
            replies.append(sock.makefile("rb").read())

    thread = threading.Thread(target=slow)
    thread.start()
    try:
        assert halfway.wait(TIMEOUT)
        for _ in range(20):  # while the slow client is mid-request, others are served
            still_serves(url)
        assert thread.is_alive() or replies  # (it may have finished on a fast machine: fine either way)
    finally:
        thread.join(TIMEOUT)
    assert not thread.is_alive()
    assert status_of(replies[0]) == 200
    assert [c.request["clusterName"] for c in ecs_fake.calls_to("CreateCluster")] == ["slow"]


def test_a_client_that_connects_and_says_nothing_does_not_block_the_others(url: str) -> None:
    with socket.create_connection(address(url), timeout=TIMEOUT):
        still_serves(url)


# -- load ----------------------------------------------------------------------------------------------------------
CLIENTS = 8
REQUESTS = 1_250


def test_ten_thousand_requests_from_eight_keep_alive_clients(url: str, ecs_fake: EcsFake) -> None:
    import boto3

    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    ecs.register_task_definition(family="job", requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256",
                                 memory="512", containerDefinitions=[{"name": "app", "image": "worker:1"}])
    launched: list[list[str]] = [[] for _ in range(CLIENTS)]
    counts = [0] * CLIENTS
    errors: list[BaseException] = []

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(*address(url), timeout=TIMEOUT)
        mine = launched[index]
        try:
            for i in range(REQUESTS):
                step = i % 3
                if step == 0:
                    operation, body = "RunTask", {"cluster": "c", "taskDefinition": "job", "launchType": "FARGATE",
                                                 "networkConfiguration": SUBNETS}
                elif step == 1 and mine:
                    operation, body = "DescribeTasks", {"cluster": "c", "tasks": mine[-3:]}
                else:
                    operation, body = "ListTasks", {"cluster": "c", "maxResults": 5}
                method, path, payload, headers = ecs_request(operation, body)
                connection.request(method, path, body=payload, headers=headers)
                response = connection.getresponse()
                answer = json.loads(response.read())
                assert response.status == 200, answer
                assert response.getheader("Connection", "").lower() != "close"  # keep-alive held
                if operation == "RunTask":
                    mine += [task["taskArn"] for task in answer["tasks"]]
                    assert answer["failures"] == [] or answer["tasks"] == []
                elif operation == "DescribeTasks":
                    assert answer["failures"] == []
                counts[index] += 1
        except BaseException as error:  # collected and asserted on below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert sum(counts) == CLIENTS * REQUESTS
    every = [arn for mine in launched for arn in mine]
    assert len(every) == len(set(every)) > 0
    described = set()
    for start in range(0, len(every), 100):
        answer = ecs.describe_tasks(cluster="c", tasks=every[start:start + 100])
        assert answer["failures"] == []
        described |= {task["taskArn"] for task in answer["tasks"]}
    assert described == set(every)  # no task lost
    assert ecs_fake._backend.problems == []
