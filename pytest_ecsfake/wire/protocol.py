"""Wire formats: AWS JSON 1.1 (ECS, CloudWatch Logs) and REST-JSON (Batch), both ways.

``decode`` turns an HTTP request into (operation, params); ``encode_result``/``encode_error`` turn a
handler's answer into the HTTP response botocore, the AWS CLI or curl expect. Nothing here knows models.
"""

from __future__ import annotations

import json
import json.encoder
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..core.encoded import encode_json
from ..core.errors import AwsError, SerializationException, UnknownOperationException
from ..core.records import ValueRecord

ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113."
LOGS_TARGET_PREFIX = "Logs_20140328."
# The services that speak AWS JSON 1.1, and their X-Amz-Target prefixes.
_TARGET_PREFIXES = {"ecs": ECS_TARGET_PREFIX, "logs": LOGS_TARGET_PREFIX}
_SERVICE_NAMES = {"ecs": "Amazon ECS", "logs": "Amazon CloudWatch Logs"}
_CONTENT_TYPES = {"ecs": "application/x-amz-json-1.1", "batch": "application/json",
                  "logs": "application/x-amz-json-1.1"}
_HOST_REGION = re.compile(r"^(ecs|batch|logs)(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|api\.aws)$")
_SCOPE = re.compile(r"Credential=[^/,]+/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")


def _text(value: Any) -> str:
    return value if type(value) is str else value.decode() if isinstance(value, bytes) else str(value)


class Headers(dict[str, str]):
    """Case-insensitive header lookup (keys stored lower-case)."""

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        # One comprehension, not a __setitem__ per header: this runs for every intercepted request.
        super().__init__({str(key).lower(): _text(value) for key, value in (items or {}).items()})

    @classmethod
    def lowered(cls, items: Mapping[str, Any]) -> Headers:
        """From names already lower-case (botocore keeps each header's lower-case name: see ways_in/intercept)."""
        headers = dict.__new__(cls)
        dict.update(headers, {key: value if type(value) is str else _text(value) for key, value in items.items()})
        return headers


class HttpRequest(ValueRecord):
    method: str
    url: str
    headers: Headers
    body: bytes
    # Parsed once per request, and only when asked (an ECS request with its X-Amz-Target never asks). Not a
    # functools.cached_property: it takes a lock at every first access (Python 3.11), once per Batch request.
    _split: tuple[str, str] | None
    _hidden = ("_split",)

    def __init__(self, method: str, url: str, headers: Headers, body: bytes) -> None:
        self.method, self.url, self.headers, self.body = method, url, headers, body
        self._split = None

    def _parts(self) -> tuple[str, str]:
        split = self._split
        if split is None:
            parts = _split_url(self.url)
            split = self._split = (parts.path or "/", parts.query)
        return split

    @property
    def path(self) -> str:
        return self._parts()[0]

    @property
    def query(self) -> str:
        return self._parts()[1]


@lru_cache(maxsize=512)  # a client's URLs are few
def _split_url(url: str) -> Any:
    return urlsplit(url)


class HttpResponse(ValueRecord):
    status: int
    body: bytes
    headers: dict[str, str]

    def __init__(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.status, self.body = status, body
        self.headers = {} if headers is None else headers


def detect_service(request: HttpRequest) -> str | None:
    """Which service a raw request is for (the HTTP server's question; botocore's path already knows)."""
    target = request.headers.get("x-amz-target", "")
    if target.startswith(ECS_TARGET_PREFIX):
        return "ecs"
    if target.startswith(LOGS_TARGET_PREFIX):
        return "logs"
    scope = _SCOPE.search(request.headers.get("authorization", ""))
    if scope and scope.group(2) in ("ecs", "batch", "logs"):
        return scope.group(2)
    path = request.path
    if _match_route(request.method, path) is not None:
        return "batch"
    if target or path == "/" or path.startswith("/v1/"):
        return "ecs"
    return None


@lru_cache(maxsize=512)  # a client's URLs are few; asked at every intercepted request
def url_region(url: str) -> str | None:
    """The region an AWS endpoint URL names (``https://ecs.eu-west-1.amazonaws.com/``), if it names one."""
    match = _HOST_REGION.match(urlsplit(url).hostname or "")
    return match.group(2) if match else None


def detect_region(request: HttpRequest, default: str) -> str:
    # An intercepted botocore request to an endpoint URL that does not name its client's region carries the
    # region in a header (see ways_in/intercept); others say it in the host name or in the SigV4 credential scope.
    region = request.headers.get("x-ecsfake-region") or url_region(request.url)
    if region:
        return region
    scope = _SCOPE.search(request.headers.get("authorization", ""))
    return scope.group(1) if scope else default


_DECODER = json.JSONDecoder()


def _json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        # UTF-8 without a byte-order mark (every SDK's) decoded here is ~30 % cheaper than json.loads(bytes),
        # which detects the encoding first; anything else goes json's way, with the same verdicts.
        text = body.decode("utf-8", "surrogateescape") if body[:1] == b"{" else None
        value = _DECODER.decode(text) if text is not None and text.isascii() else json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SerializationException(f"Request body is not valid JSON: {exc}") from None
    except RecursionError:  # nesting deeper than Python's parser goes: refuse it as AWS refuses bad JSON
        raise SerializationException("Request body is not valid JSON: nested too deeply") from None
    if not isinstance(value, dict):
        raise SerializationException(
            f"Request body must be a JSON object, got {type(value).__name__}"
        )
    return value


def body_is_request(service: str) -> bool:
    """Whether ``decode`` answers the request's JSON body itself, nothing added (AWS JSON 1.1), rather than a body
    with members from the path, query and headers (REST-JSON)."""
    return service in _TARGET_PREFIXES


def decode(service: str, request: HttpRequest) -> tuple[str, dict[str, Any]]:
    if service in _TARGET_PREFIXES:
        return _decode_json(service, request)
    return _decode_rest_json(request)


def _decode_json(service: str, request: HttpRequest) -> tuple[str, dict[str, Any]]:
    prefix = _TARGET_PREFIXES[service]
    target = request.headers.get("x-amz-target")
    if target is None and service == "ecs" and request.path.startswith("/v1/"):
        # The ECS reference's curl examples post to /v1/<Action> without a target header.
        operation = request.path[4:].strip("/")
    elif target is None or not target.startswith(prefix):
        raise UnknownOperationException(
            f"Missing or unknown X-Amz-Target {target!r}: expected '{prefix}<Operation>'"
        )
    else:
        operation = target[len(prefix) :]
    from ..schemas import is_operation

    if not is_operation(service, operation):
        raise UnknownOperationException(f"Unknown operation {operation!r} for {_SERVICE_NAMES[service]}")
    return operation, _json_object(request.body)


Locations = dict[str, dict[str, str]]


@lru_cache(maxsize=1)
def _routes() -> tuple[dict[tuple[str, str], tuple[str, Locations]], list[tuple[str, re.Pattern[str], str, Locations]]]:
    """Batch routes: those without labels by (method, path), with and without a trailing slash (most calls,
    one dict lookup); the others as patterns, tried in model order."""
    from ..schemas import service_model

    fixed: dict[tuple[str, str], tuple[str, Locations]] = {}
    patterned = []
    for name, spec in service_model("batch")["operations"].items():
        uri = spec["uri"].split("?")[0]
        locations = spec.get("locations", {})
        if "{" not in uri:
            for path in (uri.rstrip("/") or "/", uri.rstrip("/") + "/"):
                fixed[(spec["method"], path)] = (name, locations)
            continue
        pattern = re.sub(
            r"\\\{([A-Za-z0-9_]+)(\\\+)?\\\}",
            lambda m: f"(?P<{m.group(1)}>{'.+' if m.group(2) else '[^/]+'})",
            re.escape(uri),
        )
        patterned.append((spec["method"], re.compile(f"^{pattern}/?$"), name, locations))
    return fixed, patterned


def _match_route(method: str, path: str) -> tuple[str, dict[str, str], Locations] | None:
    fixed, patterned = _routes()
    found = fixed.get((method, path))
    if found is not None:
        return found[0], {}, found[1]
    for route_method, pattern, name, locations in patterned:
        if route_method == method:
            match = pattern.match(path)
            if match:
                return name, match.groupdict(), locations
    return None


def _decode_rest_json(request: HttpRequest) -> tuple[str, dict[str, Any]]:
    route = _match_route(request.method, request.path)
    if route is None:
        raise UnknownOperationException(
            f"No AWS Batch operation at {request.method} {request.path}"
        )
    operation, labels, locations = route
    params = _json_object(request.body) if request.method in ("POST", "PUT") else {}
    if not locations:
        return operation, params
    query = parse_qs(request.query, keep_blank_values=True)
    for member, where in locations.items():
        wire = where["name"]
        if where["location"] == "uri" and wire in labels:
            params[member] = unquote(labels[wire])
        elif where["location"] == "querystring" and wire in query:
            values = query[wire]
            params[member] = values if where.get("list") or len(values) > 1 else values[0]
        elif where["location"] == "header" and wire.lower() in request.headers:
            params[member] = request.headers[wire.lower()]
    return operation, params


def encode_result(service: str, body: dict[str, Any], request_id: str) -> HttpResponse:
    return encode_payload(service, encode_json(body).encode(), request_id)


def encode_payload(service: str, payload: bytes, request_id: str) -> HttpResponse:
    """A 200 answer of ``payload``, the body already encoded."""
    return HttpResponse(200, payload, _headers(service, payload, request_id))


def encode_error(service: str, error: AwsError, request_id: str) -> HttpResponse:
    if service in _TARGET_PREFIXES:
        payload = json.dumps({"__type": error.code, "message": error.message}).encode()
        headers = _headers(service, payload, request_id)
    else:
        payload = json.dumps({"message": error.message}).encode()
        headers = _headers(service, payload, request_id)
        headers["x-amzn-ErrorType"] = error.code
    return HttpResponse(error.status, payload, headers)


def _headers(service: str, payload: bytes, request_id: str) -> dict[str, str]:
    return {
        "Content-Type": _CONTENT_TYPES[service],
        "Content-Length": str(len(payload)),
        "x-amzn-RequestId": request_id,
    }
