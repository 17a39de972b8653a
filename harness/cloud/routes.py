"""The harness's own HTTP API under ``/_harness/``: one route table, one JSON answer.

AWS has no API to inject a fault, move a test clock or read what a scripted model was asked, so
these live beside the AWS endpoints on the edge, unsigned and loopback only. Like moto's
``moto_api`` URLs, they are declared in one table: each component contributes its routes
(method, path under ``/_harness/``, handler) when it attaches, and the table answers what no route
takes (404, or 405 for a known path) and a handler that fails (500), always as JSON.

Every answer of the local cloud with a JSON body, the AWS-shaped ones included, is made by
:func:`json_response`; the control API's errors are ``{"error": message}`` (:func:`json_error`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

PREFIX = "/_harness/"

Handler = Callable[[Request], Response]


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """``body`` as JSON (values JSON has no type for, such as datetimes, as their ``str``)."""
    return Response(json.dumps(body, default=str), status=status, headers=dict(headers or {}), content_type="application/json")


def json_error(status: int, message: str, **extra: Any) -> Response:
    """A control API error: ``{"error": message, ...}``."""
    return json_response({"error": message, **extra}, status)


def json_body(request: Request) -> Any:
    """The request's JSON body; ``{}`` when it has none (ValueError when it is not JSON)."""
    return json.loads(request.get_data() or b"{}")


@dataclass(frozen=True)
class Route:
    """``method`` on ``PREFIX + path`` (a trailing slash is optional) is answered by ``handler``."""

    method: str
    path: str
    handler: Handler


class ControlRoutes:
    """The route table of ``/_harness/``; the edge hands it every request under the prefix."""

    def __init__(self) -> None:
        self._routes: dict[str, dict[str, Handler]] = {}  # path -> method -> handler

    def add(self, routes: Iterable[Route]) -> None:
        """Serve ``routes``; a method and path already taken is an error (two components claiming one URL)."""
        for route in routes:
            methods = self._routes.setdefault(route.path.strip("/"), {})
            if route.method in methods:
                raise ValueError(f"{route.method} {PREFIX}{route.path.strip('/')} is routed twice")
            methods[route.method] = route.handler

    def routes(self) -> list[Route]:
        """The table, as declared."""
        return [Route(method, path, handler) for path, methods in self._routes.items() for method, handler in methods.items()]

    def __call__(self, request: Request) -> Response:
        methods = self._routes.get(request.path.removeprefix(PREFIX).strip("/"))
        if methods is None:
            return json_error(404, f"no route {request.method} {request.path}")
        handler = methods.get(request.method)
        if handler is None:
            return json_error(405, f"{request.method} is not allowed on {request.path}", allowed=sorted(methods))
        try:
            return handler(request)
        except Exception as err:  # noqa: BLE001 - the control API answers, never crashes the edge
            return json_error(500, f"{type(err).__name__}: {err}")
