"""Facts about an AWS API read from botocore's service model instead of restated by hand.

botocore ships the same JSON models the SDKs are generated from, so an emulated service that takes
its routes, error codes and HTTP statuses from there answers what a real client expects, and a
botocore upgrade that adds an error adds it here too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar, Protocol
from urllib.parse import quote, unquote, urlsplit

import botocore.session
from botocore.model import ServiceModel
from werkzeug.wrappers import Request, Response

from harness.cloud.edge import aws_json_error


@cache
def _model(service: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(service)


@cache
def error_statuses(service: str) -> dict[str, int]:
    """Every modelled error of ``service`` (its botocore name, e.g. ``rds-data``) and its HTTP status."""
    return {shape.name: int(shape.metadata.get("error", {}).get("httpStatusCode", 400)) for shape in _model(service).error_shapes}


class ServiceError(Exception):
    """An AWS error answered at the edge: a code of ``service``'s model, with the model's HTTP status.

    A subclass names its ``service``; ``unmodelled`` lists the few codes AWS's front end answers that
    the model does not declare (with their statuses). Any other code is a ValueError when raised, so a
    mistyped code fails in a test rather than reaching a client as an error botocore cannot parse.
    """

    service: ClassVar[str]
    unmodelled: ClassVar[Mapping[str, int]] = {}

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.extra = code, message, extra
        self.status  # noqa: B018 -- an unknown code fails here, where it is raised

    @property
    def status(self) -> int:
        """The HTTP status the model gives ``code`` (read when asked: a handler may re-code an error)."""
        status = error_statuses(self.service).get(self.code) or self.unmodelled.get(self.code)
        if status is None:
            raise ValueError(f"{self.service} has no error {self.code} in botocore's model")
        return status

    @property
    def error_type(self) -> str:
        """The ``x-amzn-ErrorType`` botocore reads the code from."""
        return self.code

    def response(self) -> Response:
        return aws_json_error(self.status, self.code, self.message, **self.extra)


class _Lookup(Protocol):
    """A request's query arguments or headers (a dict, werkzeug's MultiDict or Headers)."""

    def get(self, key: str) -> str | None: ...


@dataclass(frozen=True)
class Operation:
    """An operation a request names, and the input members it carries outside the body: URI labels
    (``{"UUID": ...}``), query-string and header members, by their member names (``Qualifier``)."""

    name: str
    params: dict[str, str]


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    fixed_query: dict[str, str]  # ``?List=ALL`` in the requestUri: only requests with it are this operation
    query: dict[str, str]  # query-string name -> member name
    headers: dict[str, str]  # header name -> member name
    name: str
    request_uri: str


class OperationRouter:
    """Which of ``operations`` a REST request calls, by the HTTP method and ``requestUri`` botocore's model gives
    each (as LocalStack's operation router does), instead of a path pattern restated by hand.

    A URI's ``{Name}`` matches one path segment, ``{Name+}`` the rest of the path; a trailing slash is optional.
    Paths are matched as sent (percent-encoded), so a label holding an encoded ``/`` (a model ARN) stays one label.
    A literal query in the URI (``?List=ALL``) must be present, and such a route is tried before the
    same path without one.
    """

    def __init__(self, service: str, operations: Iterable[str]) -> None:
        model = _model(service)
        routes = [_route(model, name) for name in operations]
        self._routes = sorted(routes, key=lambda r: -len(r.fixed_query))  # stable: the given order otherwise

    def match(self, method: str, path: str, query: _Lookup | None = None, headers: _Lookup | None = None) -> Operation | None:
        """The operation ``method`` on ``path`` (percent-encoded, as sent) calls, or None."""
        query, headers = query or {}, headers or {}
        for route in self._routes:
            found = route.pattern.match(path)
            if not found or route.method != method:
                continue
            if any(query.get(key) != value for key, value in route.fixed_query.items()):
                continue
            params = {label: unquote(value) for label, value in found.groupdict().items()}
            for source, members in ((query, route.query), (headers, route.headers)):
                params.update({member: value for key, member in members.items() if (value := source.get(key))})
            return Operation(route.name, params)
        return None

    def route(self, request: Request) -> Operation | None:
        """The operation a werkzeug request calls, with its query and header members."""
        raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")  # werkzeug's server sets both
        path = urlsplit(raw).path if raw else quote(request.path)
        return self.match(request.method, path, request.args, request.headers)

    def path(self, operation: Operation) -> str:
        """The request path of ``operation`` (its URI labels quoted), e.g. to forward it to real AWS."""
        uri = next(r.request_uri for r in self._routes if r.name == operation.name).split("?", 1)[0]
        return re.sub(r"\{(\w+)(\+?)\}", lambda m: quote(operation.params[m[1]], safe="/" if m[2] else ""), uri)


def _route(model: ServiceModel, name: str) -> _Route:
    op = model.operation_model(name)
    uri = op.http["requestUri"]
    fixed = dict(part.split("=", 1) for part in uri.partition("?")[2].split("&") if "=" in part)
    query: dict[str, str] = {}
    headers: dict[str, str] = {}
    for member, shape in op.input_shape.members.items() if op.input_shape else ():
        location, wire = shape.serialization.get("location"), shape.serialization.get("name", member)
        if location == "querystring":
            query[wire] = member
        elif location == "header":
            headers[wire] = member
    return _Route(op.http["method"], _uri_pattern(uri), fixed, query, headers, name, uri)


def _uri_pattern(request_uri: str) -> re.Pattern[str]:
    path = request_uri.split("?", 1)[0].rstrip("/")
    regex, end = "", 0
    for param in re.finditer(r"\{(\w+)(\+?)\}", path):
        regex += re.escape(path[end : param.start()]) + (f"(?P<{param[1]}>.+)" if param[2] else f"(?P<{param[1]}>[^/]+)")
        end = param.end()
    return re.compile(f"^{regex}{re.escape(path[end:])}/?$")
