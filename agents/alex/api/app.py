"""Alex's HTTP API: ``create_app()`` builds the FastAPI app behind the edge security.

Layers, outside in::

    RequestIdMiddleware        x-request-id on every response, the edge's refusals included
    SecurityHeaders, WAF, CORS (alex.api.security.install_security)
    BodyLimitMiddleware        bodies over 64 KiB answered 413 before any parsing
    routes                     alex.api.routes.*: every user-data route depends on CurrentUser

Served by uvicorn locally (``harness.alexkit.api_server.ApiServer``) and by Mangum on Lambda
behind API Gateway (``alex.api.lambda_handler``).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alex.api.deps import ApiRuntime
from alex.api.errors import install_error_handlers
from alex.api.routes import accounts, analyze, health, instruments, positions, user
from alex.api.security import SecuritySettings, install_security
from alex.db import Database

log = logging.getLogger("alex.api")

MAX_BODY_BYTES = 64 * 1024
REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:=+/\-]{1,128}")


def _request_id(scope: Scope) -> str:
    """The caller's (or proxy's) ``x-request-id`` if well-formed, else API Gateway's, else a new one."""
    given = Headers(scope=scope).get(REQUEST_ID_HEADER, "").strip()
    if _REQUEST_ID.fullmatch(given):
        return given
    event = scope.get("aws.event")  # set by Mangum on Lambda
    if isinstance(event, dict):
        context = event.get("requestContext")
        gateway_id = context.get("requestId") if isinstance(context, dict) else None
        if isinstance(gateway_id, str) and _REQUEST_ID.fullmatch(gateway_id):
            return gateway_id
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Puts the request id on ``request.state.request_id`` and on every response's headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


class BodyLimitMiddleware:
    """413 for a body over ``max_bytes``: by Content-Length at once, or while a chunked body streams in."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> Any:
        return JSONResponse({"detail": f"Request body too large (limit {self.max_bytes} bytes)"}, status_code=413)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = False  # the server refuses a malformed Content-Length itself
            if too_big:
                await self._too_large()(scope, receive, send)
                return

        received = 0

        async def counting_receive() -> Message:
            # Raised inside the route's body read, so FastAPI hands it to the 413 handler as is.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise StarletteHTTPException(413, f"Request body too large (limit {self.max_bytes} bytes)")
            return message

        await self.app(scope, counting_receive, send)


def create_app(
    settings: SecuritySettings | None = None,
    database: Database | None = None,
    sqs_client: Any = None,
    *,
    queue_url: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> FastAPI:
    """The API. Anything not given comes from ``environ`` (default ``os.environ``):

    - ``settings``: ``SecuritySettings.from_env`` (CLERK_JWKS_URL, CLERK_ISSUER, JWT_AUDIENCE, ...),
      read now, so a bad setting stops the cold start;
    - ``database``: ``Database.from_env`` on the first request (AURORA_CLUSTER_ARN, AURORA_SECRET_ARN,
      DATABASE_NAME);
    - ``sqs_client`` / ``queue_url``: ``boto3.client("sqs")`` on first use, SQS_QUEUE_URL.
    """
    app = FastAPI(
        title="Alex API",
        description="Alex, the AI financial advisor: portfolios, accounts and analysis jobs.",
        version="1.0.0",
        docs_url=None,  # no docs on Lambda; the loopback server adds its own (harness/alexkit/api_docs.py)
        redoc_url=None,
        openapi_url=None,
    )
    app.state.alex_runtime = ApiRuntime(environ=environ, database=database, sqs_client=sqs_client, queue_url=queue_url)
    install_error_handlers(app)
    for module in (health, user, accounts, positions, instruments, analyze):
        app.include_router(module.router)
    app.add_middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES)  # innermost of the middlewares
    install_security(app, settings if settings is not None else SecuritySettings.from_env(environ))
    app.add_middleware(RequestIdMiddleware)  # outermost: every response carries the id
    return app
