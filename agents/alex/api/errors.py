"""Error answers: clear 4xx JSON for bad input, 503 for a backing service that failed, never a 500 for input.

Every error body is ``{"detail": ...}`` (FastAPI's shape), except the edge's own answers
(401/403/429, API Gateway's ``{"message": ...}``, see ``alex.api.security``).

- Validation errors (422) list ``loc``, ``msg`` and ``type`` per problem. The submitted
  value (pydantic's ``input``) is never echoed: it may be huge, or someone's secret.
- ``DatabaseError`` and boto3 errors from the Data API become 503 with a generic message;
  the real message (SQL state, constraint names) goes to the log with the request id.
"""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from alex.api.security import ThrottledError, TokenError, current_user
from alex.db import DatabaseError

log = logging.getLogger("alex.api")

DATABASE_UNAVAILABLE = "The database is unavailable right now; please try again shortly."
SERVICE_UNAVAILABLE = "A service Alex depends on is unavailable right now; please try again shortly."
_MAX_ERRORS = 20
_MAX_MESSAGE = 300


class ServiceUnavailable(Exception):
    """A dependency (database, queue) failed or is not configured; answered 503 with a generic message."""

    def __init__(self, public_message: str, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or public_message)
        self.public_message = public_message
        self.extra = extra


def request_id_of(request: Request) -> str:
    return str(getattr(request.state, "request_id", "") or "-")


def validation_problem(loc: tuple[str | int, ...], msg: str, kind: str = "value_error") -> JSONResponse:
    """A 422 in the same shape as the request-validation errors, for checks made in a route."""
    return JSONResponse(status_code=422, content={"detail": [{"loc": list(loc), "msg": msg, "type": kind}]})


def _clean_errors(errors: Any) -> list[dict[str, Any]]:
    out = []
    for error in list(errors)[:_MAX_ERRORS]:
        loc = [part if isinstance(part, (int, str)) else str(part) for part in error.get("loc", ())]
        msg = str(error.get("msg", "invalid value"))[:_MAX_MESSAGE]
        out.append({"loc": loc, "msg": msg, "type": str(error.get("type", "value_error"))})
    return out


async def _validation_error(request: Request, exc: Exception) -> Response:
    """422, but only to a signed-in caller on ``/api``: as API Gateway's JWT authorizer runs
    before the integration, a request without a valid token learns nothing about the body's
    problems (FastAPI parses the body before it resolves ``current_user``)."""
    assert isinstance(exc, RequestValidationError)
    if request.url.path.startswith("/api/") and getattr(request.state, "user", None) is None:
        try:
            await run_in_threadpool(current_user, request)
        except (TokenError, ThrottledError) as refused:
            handler = request.app.exception_handlers.get(type(refused))
            if handler is not None:
                return await handler(request, refused)  # type: ignore[no-any-return]
            raise
    return JSONResponse(status_code=422, content={"detail": _clean_errors(exc.errors())})


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse(status_code=exc.status_code, content={"detail": exc.detail}, headers=exc.headers)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    log.error(
        "database error on %s %s (request %s): %s: %s",
        request.method,
        request.url.path,
        request_id_of(request),
        type(exc).__name__,
        exc,
    )
    return JSONResponse(status_code=503, content={"detail": DATABASE_UNAVAILABLE})


async def _service_unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceUnavailable)
    log.error("service unavailable on %s %s (request %s): %s", request.method, request.url.path, request_id_of(request), exc)
    return JSONResponse(status_code=503, content={"detail": exc.public_message, **exc.extra})


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s (request %s)", request.method, request.url.path, request_id_of(request))
    return JSONResponse(status_code=500, content={"detail": "Internal server error"})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DatabaseError, _database_error)
    # The Data API's own failures (throttling, resuming past the retries, connection errors).
    app.add_exception_handler(ClientError, _database_error)
    app.add_exception_handler(BotoCoreError, _database_error)
    app.add_exception_handler(ServiceUnavailable, _service_unavailable)
    app.add_exception_handler(Exception, _unexpected)
