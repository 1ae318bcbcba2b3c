"""The HTTP server: ECS, Batch and the admin endpoints over real HTTP, for the AWS CLI, curl and friends.

Every ECS/Batch request goes through ``EcsFake._handle`` (the one dispatcher), exactly as an intercepted
botocore call does; this module only speaks HTTP. It serves

* ECS (AWS JSON 1.1) at ``POST /`` with ``X-Amz-Target`` and at ``POST /v1/<Action>`` (the reference's curl
  examples); when both say an operation, the target header wins, as it does for the botocore path;
* Batch (REST-JSON) at its REST paths (``POST /v1/submitjob``, ``GET /v1/tags/<arn>`` ...);
* admin endpoints under ``/_ecsfake/``: ``POST advance {"seconds": n}``, ``POST reset``, ``GET calls``,
  ``POST behavior {"match": ..., <behavior keywords>}``.

One thread per connection (keep-alive); one lock inside the fake serialises operations. The accept loop
waits on the listening socket and a wake-up socket, so ``stop()`` returns at once, not at a poll tick.
Request bodies over ``MAX_BODY`` bytes are answered 413 without being handed to the fake.
"""

from __future__ import annotations

import contextlib
import errno
import re
import selectors
import socket
import socketserver
import sys
import threading
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..wire.protocol import Headers, HttpRequest, HttpResponse, detect_service
from .server_admin import ADMIN_PREFIX, WHERE, admin, error_answer

if TYPE_CHECKING:
    from .fake import EcsFake

MAX_BODY = 10 * 1024 * 1024  # 10 MiB: far above any real ECS/Batch request (RunTask overrides cap at 8 KiB)
_DRAIN_LIMIT = 64 * 1024 * 1024  # a refused body up to this size is read and dropped so the client sees the 413
_IDLE_TIMEOUT = 120.0  # seconds a keep-alive connection may stay silent before its thread lets it go


class ServerBindError(OSError):
    """The server could not listen where asked (port taken, address not local, no permission)."""


_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")


class _BodyTooLarge(Exception):
    def __init__(self, size: int | None) -> None:
        super().__init__(size)
        self.size = size


class EcsFakeServer(socketserver.ThreadingMixIn, HTTPServer):
    """A threaded HTTP server over one ``EcsFake``. ``serve_until_stopped()`` runs the accept loop in the
    calling thread until ``stop()``; ``close()`` then releases the socket and every open connection."""

    daemon_threads = True
    request_queue_size = 128  # socketserver's 5 resets clients when many connect at once
    allow_reuse_port = False  # never share a port with another listener: "port in use" must be an error

    def __init__(self, fake: EcsFake, host: str = "127.0.0.1", port: int = 0, *, max_body: int = MAX_BODY,
                 log: Callable[[str], None] | None = None,
                 route: Callable[[str, str], HttpResponse | None] | None = None) -> None:
        self.fake = fake
        self.route = route  # answers (method, path) it knows before ECS/Batch/admin do, e.g. fake.inside's endpoint
        self.max_body = max_body
        self.log = log
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._wake_recv, self._wake_send = socket.socketpair()
        self._stopping = False
        try:
            super().__init__((host, port), _Handler)
        except OSError as exc:
            self._wake_recv.close()
            self._wake_send.close()
            raise ServerBindError(exc.errno, _bind_message(host, port, exc)) from None

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        """Where a client on this machine reaches the server (a wildcard address becomes loopback)."""
        host = str(self.server_address[0])
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def serve_until_stopped(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ, "accept")
            selector.register(self._wake_recv, selectors.EVENT_READ, "wake")
            while not self._stopping:
                for key, _ in selector.select():
                    if key.data == "wake" or self._stopping:
                        return
                    self.handle_request()  # the socket is readable: accepts at once

    def stop(self) -> None:
        """Make ``serve_until_stopped`` return. Safe from any thread and from a signal handler."""
        self._stopping = True
        with contextlib.suppress(OSError):
            self._wake_send.send(b"x")

    def close(self) -> None:
        """Stop listening, end every open connection, and wait for the connection threads to finish."""
        self.stop()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.server_close()  # joins the connection threads
        self._wake_recv.close()
        self._wake_send.close()

    # -- connection bookkeeping: close() must be able to end idle keep-alive connections ---------------
    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)) or self._stopping:
            return  # the client went away, or we are shutting down: nothing to report
        super().handle_error(request, client_address)


def _bind_message(host: str, port: int, exc: OSError) -> str:
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (f"port {port} on {host} is already in use; stop whatever listens there or pick another port "
                f"with --port (--port 0 picks a free one)")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"no permission to listen on {where}; pick a port above 1023 with --port"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {where}: {host} is not an address of this machine; use --host 127.0.0.1"
    return f"cannot listen on {where}: {exc.strerror or exc}"


class _Handler(BaseHTTPRequestHandler):
    server: EcsFakeServer
    protocol_version = "HTTP/1.1"  # keep-alive: botocore and the AWS CLI reuse connections
    server_version = "pytest-ecsfake"
    timeout = _IDLE_TIMEOUT
    # Small writes must leave at once: with Nagle's algorithm, each answer waits for the client's delayed ACK.
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return self.server_version

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":  # "GET /": no version, so http.server would answer without headers
            self.send_error(400, "The request line has no HTTP version: HTTP/1.1 expected")
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a malformed request line, headers too long, no HTTP version) as AWS-style
        JSON errors with a status line and headers, instead of its HTML page."""
        self.request_version = "HTTP/1.1"  # a status line and headers, even for a request that named no version
        self.close_connection = True
        text = message or HTTPStatus(code).phrase
        with contextlib.suppress(OSError):  # the client may be gone already
            code_name = "SerializationException" if code < 500 else "ServerException"
            self._send(error_answer(code, code_name, text), close=True)

    def do_POST(self) -> None:
        self._serve()

    do_GET = do_PUT = do_DELETE = do_PATCH = do_POST

    def handle_expect_100(self) -> bool:
        # curl sends "Expect: 100-continue" before a large body: refuse it before it is sent.
        size = self._declared_length()
        if size is not None and size > self.server.max_body:
            self._refuse_too_large(size, drain=False)
            return False
        return super().handle_expect_100()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # A request line http.server refuses (send_error) is logged before any headers were parsed.
        headers = getattr(self, "headers", None)
        target = headers.get("X-Amz-Target", "") if headers else ""
        operation = f" ({target.rsplit('.', 1)[-1]})" if target else ""
        self.log_message("%s %s%s %s", getattr(self, "command", None) or "-", getattr(self, "path", "-"),
                         operation, code)

    def log_message(self, format: str, *args: Any) -> None:
        log = self.server.log
        if log is not None:
            log(f"{self.address_string()} {format % args}")

    # -- request body ------------------------------------------------------------------------------------
    def _declared_length(self) -> int | None:
        value = self.headers.get("Content-Length")
        if value is None:
            return None
        try:
            return max(int(value), 0)
        except ValueError:
            return None

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        size = self._declared_length()
        if size is None:
            return b""
        if size > self.server.max_body:
            raise _BodyTooLarge(size)
        body = self.rfile.read(size)
        if len(body) < size:  # the client closed before sending what it declared: never serve half a body
            raise ValueError(f"the connection ended after {len(body)} of the {size} body bytes declared")
        return body

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            token = line.split(b";", 1)[0].strip()
            if not _CHUNK_SIZE.fullmatch(token):  # "-1", "0x10", "" from a closed connection...
                raise ValueError("Malformed chunked request body")
            size = int(token, 16)
            if total + size > _DRAIN_LIMIT:  # refused before reading: FFFFFFFFFFFFFFFF bytes are not coming
                raise _BodyTooLarge(None)
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                if total > self.server.max_body:
                    raise _BodyTooLarge(total)
                return b"".join(parts)
            total += size
            chunk = self.rfile.read(size)
            self.rfile.readline(1024)  # the CRLF after each chunk
            if total > _DRAIN_LIMIT:
                raise _BodyTooLarge(None)
            if total <= self.server.max_body:
                parts.append(chunk)
            # Past the limit, the rest is read and dropped, so that the client reads the 413 we answer.

    def _refuse_too_large(self, size: int | None, *, drain: bool) -> None:
        limit = self.server.max_body
        said = f"{size} bytes" if size is not None else "the request body"
        self.close_connection = True
        self._send(error_answer(413, "RequestEntityTooLarge",
                          f"{said} is over pytest-ecsfake's limit of {limit} bytes ({limit / 1048576:g} MiB)"),
                   close=True)
        if drain and size is not None and size <= _DRAIN_LIMIT:
            # Read what the client is still sending, so closing the socket does not reset it before it
            # has read our answer.
            with contextlib.suppress(OSError):
                while size > 0:
                    chunk = self.rfile.read(min(size, 65536))
                    if not chunk:
                        break
                    size -= len(chunk)

    # -- routing --------------------------------------------------------------------------------------------
    def _serve(self) -> None:
        try:
            body = self._read_body()
        except _BodyTooLarge as exc:
            self._refuse_too_large(exc.size, drain=True)
            return
        except ValueError as exc:
            self.close_connection = True
            detail = str(exc) if "body bytes declared" in str(exc) else "Malformed chunked request body"
            with contextlib.suppress(OSError):  # the client may be gone already
                self._send(error_answer(400, "SerializationException", detail), close=True)
            return
        path = urlsplit(self.path).path
        try:
            routed = self.server.route(self.command, path) if self.server.route is not None else None
            if routed is not None:
                response = routed
            elif path.startswith(ADMIN_PREFIX) or path == ADMIN_PREFIX.rstrip("/"):
                response = admin(self.server.fake, self.command, path, body)
            else:
                response = self._aws(body)
        except Exception as exc:  # a bug of the server itself: answer it as such, keep serving
            message = f"pytest-ecsfake internal error (a bug in the fake, not AWS): {type(exc).__name__}: {exc}"
            self.log_message("%s", message)
            response = error_answer(500, "ServerException", message)
        self._send(response)

    def _aws(self, body: bytes) -> HttpResponse:
        host = self.headers.get("Host") or urlsplit(self.server.url).netloc
        request = HttpRequest(self.command, f"http://{host}{self.path}", Headers(dict(self.headers.items())), body)
        service = detect_service(request)
        if service is None:
            return error_answer(404, "UnknownOperationException", f"Nothing at {self.command} {request.path}. {WHERE}")
        return self.server.fake._handle(service, request)

    def _send(self, response: HttpResponse, *, close: bool = False) -> None:
        self.send_response(response.status)
        sent = set()
        for name, value in response.headers.items():
            self.send_header(name, value)
            sent.add(name.lower())
        if "content-length" not in sent:
            self.send_header("Content-Length", str(len(response.body)))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(response.body)


# -- in-process serving: fake.serve() -------------------------------------------------------------------------
@contextlib.contextmanager
def serving(fake: EcsFake, host: str = "127.0.0.1", port: int = 0, *,
            route: Callable[[str, str], HttpResponse | None] | None = None) -> Iterator[str]:
    """Run an ``EcsFakeServer`` over ``fake`` in a thread of this process; yield its URL."""
    server = EcsFakeServer(fake, host, port, route=route)
    thread = threading.Thread(target=server.serve_until_stopped, name=f"ecsfake-server:{server.port}",
                              daemon=True)
    thread.start()
    try:
        yield server.url
    finally:
        server.stop()
        thread.join()
        server.close()
