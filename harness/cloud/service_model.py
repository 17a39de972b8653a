"""Facts about an AWS API read from botocore's service model instead of restated by hand.

botocore ships the same JSON models the SDKs are generated from, so an emulated service that takes
its error codes and HTTP statuses from there answers what a real client expects, and a botocore
upgrade that adds an error adds it here too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import botocore.session


@cache
def error_statuses(service: str) -> dict[str, int]:
    """Every modelled error of ``service`` (its signing/endpoint name, e.g. ``rds-data``) and its HTTP status."""
    model = botocore.session.get_session().get_service_model(service)
    return {shape.name: int(shape.metadata.get("error", {}).get("httpStatusCode", 400)) for shape in model.error_shapes}


@dataclass(frozen=True)
class Operation:
    """An operation a request names, and the URI parameters its path carries (``{"UUID": ...}``)."""

    name: str
    params: dict[str, str]


class OperationRouter:
    """Which of ``operations`` a REST request calls, by the HTTP method and ``requestUri`` botocore's model gives
    each (as LocalStack's operation router does), instead of a path pattern restated by hand.

    A URI's ``{Name}`` matches one path segment, ``{Name+}`` the rest of the path; a trailing slash is optional.
    """

    def __init__(self, service: str, operations: Iterable[str]) -> None:
        model = botocore.session.get_session().get_service_model(service)
        self._routes: list[tuple[str, re.Pattern[str], str]] = []
        for name in operations:
            http = model.operation_model(name).http
            self._routes.append((http["method"], _uri_pattern(http["requestUri"]), name))

    def match(self, method: str, path: str) -> Operation | None:
        for route_method, pattern, name in self._routes:
            found = pattern.match(path)
            if found and route_method == method:
                return Operation(name, found.groupdict())
        return None


def _uri_pattern(request_uri: str) -> re.Pattern[str]:
    path = request_uri.split("?", 1)[0].rstrip("/")
    regex, end = "", 0
    for param in re.finditer(r"\{(\w+)(\+?)\}", path):
        regex += re.escape(path[end:param.start()]) + (f"(?P<{param[1]}>.+)" if param[2] else f"(?P<{param[1]}>[^/]+)")
        end = param.end()
    return re.compile(f"^{regex}{re.escape(path[end:])}/?$")
