"""The suite runs as on a bare machine: no AWS credentials or config, no network but loopback.

Every response the fake gives is also checked against its response schema (a breach fails the test).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest

for _name in list(os.environ):
    if _name.startswith("AWS_"):
        del os.environ[_name]
os.environ["AWS_CONFIG_FILE"] = os.devnull + ".no-config"
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull + ".no-credentials"
os.environ["TZ"] = "UTC"
os.environ["ECSFAKE_VALIDATE_RESPONSES"] = "1"

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NetworkBlocked(OSError):
    pass


def _allowed(sock: socket.socket, address: Any) -> bool:
    if sock.family == getattr(socket, "AF_UNIX", None):
        return True
    host = address[0] if isinstance(address, tuple) else address
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if not _allowed(self, address):
        raise NetworkBlocked(f"test suite: connection to {address!r} blocked (only loopback is allowed)")
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if not _allowed(self, address):
        raise NetworkBlocked(f"test suite: connection to {address!r} blocked (only loopback is allowed)")
    return _real_connect_ex(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


def _served_client(service: str, how: str, fake: Any) -> Iterator[Any]:
    """A boto3 client of ``service`` served by ``fake``: through the botocore hook, or over real HTTP through
    ``fake.serve()`` (a loopback endpoint is not intercepted; it signs, so it gets dummy keys)."""
    import boto3

    with contextlib.ExitStack() as stack:
        if how == "hook":
            client = boto3.client(service, region_name="us-east-1")
        else:
            url = stack.enter_context(fake.serve())
            client = boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                                  aws_secret_access_key="testing")
        try:
            yield client
        finally:
            client.close()


@pytest.fixture(params=["hook", "server"], ids=["botocore hook", "HTTP server"])
def ecs(request: pytest.FixtureRequest, ecs_fake: Any) -> Iterator[Any]:
    """A boto3 ECS client served by ``ecs_fake``, through the botocore hook or over HTTP (``_served_client``)."""
    yield from _served_client("ecs", request.param, ecs_fake)


@pytest.fixture(params=["hook", "server"], ids=["botocore hook", "HTTP server"])
def logs(request: pytest.FixtureRequest, ecs_fake: Any) -> Iterator[Any]:
    """A boto3 CloudWatch Logs client served by ``ecs_fake``, like ``ecs``."""
    yield from _served_client("logs", request.param, ecs_fake)
