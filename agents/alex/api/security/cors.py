"""Strict CORS: only the configured origins are ever echoed, and a refused origin gets no CORS header.

Starlette's CORSMiddleware does the protocol (preflight, ``Vary: Origin``, echoing an
allowed origin instead of ``*`` when credentials are on); this subclass makes it strict
where Starlette is lenient: a request from an origin not on the list gets no
``Access-Control-*`` header at all (Starlette still sends ``Allow-Credentials`` and, on a
refused preflight, the allowed methods and headers), so nothing about the policy leaks to
a site that is not allowed. ``*`` with credentials is refused earlier, when the settings
load (settings.py), because Starlette would then echo any origin with credentials.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import Message, Send

from alex.api.security.settings import SecuritySettings

# Browsers may read these on a cross-origin response (the client backs off on Retry-After).
EXPOSED_HEADERS = ("Retry-After",)


def _strip_cors(headers: MutableHeaders) -> None:
    for name in [key for key in headers if key.lower().startswith("access-control-")]:
        del headers[name]


class StrictCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, answering a disallowed origin without any CORS header."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if not self.is_allowed_origin(origin=request_headers["origin"]):
            _strip_cors(response.headers)
        return response

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        origin = request_headers.get("origin")
        if message["type"] == "http.response.start" and origin is not None and not self.is_allowed_origin(origin):
            headers = MutableHeaders(scope=message)
            headers.add_vary_header("Origin")
            await send(message)
            return
        await super().send(message, send, request_headers)


def cors_options(settings: SecuritySettings) -> dict[str, Any]:
    """Keyword arguments for StrictCORSMiddleware from the settings."""
    return {
        "allow_origins": list(settings.cors_origins),
        "allow_credentials": settings.cors_allow_credentials and "*" not in settings.cors_origins,
        "allow_methods": list(settings.cors_allow_methods),
        "allow_headers": list(settings.cors_allow_headers),
        "expose_headers": list(EXPOSED_HEADERS),
        "max_age": settings.cors_max_age,
    }
