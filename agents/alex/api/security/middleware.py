"""Wiring: the edge in front of Alex's routes, in the order AWS applies it.

From the outside in:

1. ``SecurityHeadersMiddleware`` (headers.py): headers on every response, WAF blocks and
   500s included.
2. ``WebAclMiddleware`` (here): the web ACL, as AWS WAF runs before API Gateway sees a
   request: the IP rate-based rule, then the SQL-injection rule; either answers 403
   ``{"message": "Forbidden"}`` (API Gateway's WAF_FILTERED response). Unauthenticated
   floods and injection attempts are stopped before any token is verified.
3. ``StrictCORSMiddleware`` (cors.py): preflights answered here, as API Gateway's CORS
   configuration answers them without calling the integration.
4. The routes. Those that need a user depend on ``current_user``: the JWT authorizer
   (401 ``{"message": "Unauthorized"}`` with ``WWW-Authenticate``), then the usage-plan
   throttle keyed by the verified user (429 ``{"message": "Too Many Requests"}`` with
   ``Retry-After``). Routes without it are public.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alex.api.security.cors import StrictCORSMiddleware, cors_options
from alex.api.security.headers import SecurityHeadersMiddleware
from alex.api.security.jwt_verify import JwtVerifier, TokenError, TokenErrorReason
from alex.api.security.settings import SecuritySettings
from alex.api.security.throttle import (
    ThrottledError,
    TokenBucketLimiter,
    WindowRateRule,
)
from alex.api.security.waf import inspect_request

log = logging.getLogger(__name__)

STATE_ATTRIBUTE = "alex_security"


@dataclass
class EdgeSecurity:
    """What ``install_security`` put on ``app.state.alex_security``."""

    settings: SecuritySettings
    verifier: JwtVerifier
    user_limiter: TokenBucketLimiter
    ip_rule: WindowRateRule | None


def client_ip(scope: Scope) -> str:
    """The caller's address as the server saw it (on Lambda, API Gateway's ``sourceIp``).

    X-Forwarded-For is not read here: anybody can send it. A server that runs behind a
    trusted proxy rewrites the ASGI client itself (uvicorn's ``forwarded_allow_ips``).
    """
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _forbidden() -> Response:
    return JSONResponse({"message": "Forbidden"}, status_code=403)


class WebAclMiddleware:
    """AWS WAF in front of the API: an IP rate-based rule, then the SQL-injection rule."""

    def __init__(self, app: ASGIApp, *, ip_rule: WindowRateRule | None, body_inspection_bytes: int = 16 * 1024) -> None:
        self.app = app
        self.ip_rule = ip_rule
        self.body_inspection_bytes = body_inspection_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ip = client_ip(scope)
        if self.ip_rule is not None and not self.ip_rule.acquire(ip).allowed:
            log.warning("WAF rate-based rule blocked a request from %s", ip)
            await _forbidden()(scope, receive, send)
            return

        # Read the start of the body (what WAF inspects) and keep it to hand on unchanged.
        buffered: list[Message] = []
        size, more_body = 0, True
        while more_body and size <= self.body_inspection_bytes:
            message = await receive()
            buffered.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            more_body = bool(message.get("more_body", False))
        body = b"".join(m.get("body", b"") for m in buffered if m["type"] == "http.request")

        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else scope.get("path", "")
        match = inspect_request(
            path,
            scope.get("query_string", b"").decode("latin-1"),
            body,
            Headers(scope=scope).get("content-type", ""),
            body_complete=not more_body,
            body_limit=self.body_inspection_bytes,
        )
        if match is not None:
            log.warning("WAF SQL-injection rule (%s) matched in %s; request from %s blocked", match.rule, match.location, ip)
            await _forbidden()(scope, receive, send)
            return

        async def replay() -> Message:
            if buffered:
                return buffered.pop(0)
            return await receive()

        await self.app(scope, replay, send)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None if there is none."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _edge(request: Request) -> EdgeSecurity:
    security = getattr(request.app.state, STATE_ATTRIBUTE, None)
    if security is None:
        raise RuntimeError("current_user needs install_security(app, settings) first")
    return security  # type: ignore[no-any-return]


def current_user(request: Request) -> str:
    """FastAPI dependency: the verified user's id (the token's ``sub``), throttled per user.

    A plain ``def``: FastAPI runs it in its thread pool, so the rare JWKS fetch does not
    block the event loop. The claims are on ``request.state.claims`` afterwards.
    """
    security = _edge(request)
    claims = security.verifier.verify(bearer_token(request.headers.get("authorization")))
    user: str = claims["sub"]
    decision = security.user_limiter.acquire(user)
    if not decision.allowed:
        raise ThrottledError(decision.retry_after)
    request.state.claims = claims
    request.state.user = user
    return user


CurrentUser = Annotated[str, Depends(current_user)]


async def _unauthorized(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TokenError)
    log.info("token refused (%s) for %s %s", exc.reason.value, request.method, request.url.path)
    if exc.reason is TokenErrorReason.MISSING:
        # RFC 6750 section 3.1: a request with no credentials gets the challenge without an error code.
        challenge = 'Bearer realm="alex"'
    else:
        challenge = f'Bearer realm="alex", error="invalid_token", error_description="{exc.description}"'
    return JSONResponse({"message": "Unauthorized"}, status_code=401, headers={"WWW-Authenticate": challenge})


async def _throttled(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ThrottledError)
    return JSONResponse({"message": "Too Many Requests"}, status_code=429, headers={"Retry-After": str(exc.retry_after)})


def install_security(
    app: FastAPI,
    settings: SecuritySettings,
    *,
    clock: Callable[[], float] | None = None,
    http_client: httpx.Client | None = None,
) -> None:
    """Put the edge in front of ``app``: WAF, CORS, security headers, and what ``current_user`` needs.

    Call once, before the app starts. ``clock`` (monotonic seconds) drives the rate limits
    and the JWKS cache, for tests; ``http_client`` fetches the JWKS (a new one per fetch
    otherwise).
    """
    if getattr(app.state, STATE_ATTRIBUTE, None) is not None:
        raise RuntimeError("install_security was already called on this app")
    clock = clock or time.monotonic
    ip_rule = None
    if settings.waf_ip_rate_limit:
        ip_rule = WindowRateRule(settings.waf_ip_rate_limit, settings.waf_ip_rate_window_seconds, clock=clock)
    security = EdgeSecurity(
        settings=settings,
        verifier=JwtVerifier.from_settings(settings, clock=clock, http_client=http_client),
        user_limiter=TokenBucketLimiter(settings.throttle_rate_limit, settings.throttle_burst_limit, clock=clock),
        ip_rule=ip_rule,
    )
    setattr(app.state, STATE_ATTRIBUTE, security)
    app.add_exception_handler(TokenError, _unauthorized)
    app.add_exception_handler(ThrottledError, _throttled)
    # add_middleware puts each one outside the previous: innermost first.
    app.add_middleware(StrictCORSMiddleware, **cors_options(settings))
    app.add_middleware(WebAclMiddleware, ip_rule=ip_rule, body_inspection_bytes=settings.waf_body_inspection_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
