"""Security headers on every response, errors included (what a CloudFront response headers policy adds at AWS).

Why on errors too: a 401, 404 or 500 page is still a response a browser renders or caches;
an error path without ``nosniff`` or ``frame-ancestors`` is the one an attacker uses. So
this middleware sits outermost, and if the app raises before answering it answers the
500 itself (``{"message": "Internal server error"}``, API Gateway's body), with the
headers, then re-raises so the error is still logged.

The API serves JSON only, hence ``default-src 'none'`` (nothing may load from a response)
and ``frame-ancestors 'none'``. A response to a request that carried credentials
(``Authorization``, or a cookie such as Clerk's ``__session``) is ``Cache-Control: no-store``:
it is one user's data, or a refusal of one, and must not sit in a shared or browser cache.
"""

from __future__ import annotations

import json
import logging

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
    ),
}
NO_STORE = "no-store"
INTERNAL_ERROR_BODY = json.dumps({"message": "Internal server error"}).encode()


class SecurityHeadersMiddleware:
    """ASGI middleware: set ``SECURITY_HEADERS`` (overriding the app's) on every HTTP response."""

    def __init__(self, app: ASGIApp, headers: dict[str, str] | None = None) -> None:
        self.app = app
        self.headers = dict(SECURITY_HEADERS if headers is None else headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        credentialed = "authorization" in request_headers or "cookie" in request_headers
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
                if credentialed:
                    headers["Cache-Control"] = NO_STORE
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if started:
                raise
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(INTERNAL_ERROR_BODY)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": INTERNAL_ERROR_BODY})
            raise
