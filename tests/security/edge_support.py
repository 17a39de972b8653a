"""Support for the edge-security tests: a test app, a fake clock, forged tokens (the app is served by the
harness's own ``ApiServer``, uvicorn on loopback)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from alex.api.security import CurrentUser, SecuritySettings, install_security
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Body, FastAPI, HTTPException

from harness.auth import LocalIssuer

ALLOWED_ORIGIN = "http://localhost:3000"
AUDIENCE = "alex-api"


class FakeClock:
    """A monotonic clock the test moves by hand (rate limits and the JWKS cache read it)."""

    def __init__(self, start: float = 10_000.0) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


def build_app(settings: SecuritySettings, clock: Callable[[], float]) -> FastAPI:
    """A small API behind the edge: public routes, a protected one, and a user-owned resource."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/health")
    def health() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/search")
    def search(q: str = "") -> dict[str, str]:
        return {"q": q}

    @app.post("/echo")
    def echo(payload: dict[str, Any] = Body(default_factory=dict)) -> dict[str, Any]:  # noqa: B008
        return payload

    @app.get("/me")
    def me(user: CurrentUser) -> dict[str, str]:
        return {"user": user}

    @app.get("/users/{user_id}/portfolio")
    def portfolio(user_id: str, user: CurrentUser) -> dict[str, Any]:
        if user_id != user:  # someone else's portfolio does not exist, as far as this caller knows
            raise HTTPException(status_code=404, detail="Not Found")
        return {"owner": user, "holdings": [{"symbol": "VTI", "quantity": 10}]}

    @app.post("/notes")
    def notes(user: CurrentUser, payload: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
        return {"owner": user, "note": payload}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug in a route")

    install_security(app, settings, clock=clock)
    return app


@dataclass
class Edge:
    """A running API behind the edge: its URL, an HTTP client, the clock it reads, its settings."""

    url: str
    client: httpx.Client
    clock: FakeClock
    settings: SecuritySettings
    app: FastAPI


def settings_for(issuer: LocalIssuer, **overrides: Any) -> SecuritySettings:
    values: dict[str, Any] = {
        "jwks_url": issuer.jwks_url,
        "issuer": issuer.issuer,
        "audience": (AUDIENCE,),
        "cors_origins": (ALLOWED_ORIGIN,),
        "waf_ip_rate_limit": 0,  # the IP rule has its own tests; off here so tests do not share a budget
    }
    values.update(overrides)
    return SecuritySettings(**values)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# forged and foreign tokens ------------------------------------------------------------
def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(obj: dict[str, Any]) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


def standard_claims(issuer: LocalIssuer, sub: str = "user_forger", **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": issuer.issuer, "sub": sub, "aud": AUDIENCE, "iat": now, "nbf": now, "exp": now + 600}
    claims.update(changes)
    return claims


def unsigned_token(issuer: LocalIssuer, claims: dict[str, Any]) -> str:
    """``alg: none``: no signature at all."""
    header = {"alg": "none", "typ": "JWT", "kid": issuer.active_kid}
    return f"{_segment(header)}.{_segment(claims)}."


def public_key_pem(issuer: LocalIssuer) -> bytes:
    """The signing key's public half, as anybody can build it from the JWKS."""
    jwks = httpx.get(issuer.jwks_url).json()
    entry = next(k for k in jwks["keys"] if k["kid"] == issuer.active_kid)
    public_key = jwt.PyJWK(entry).key
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def hs256_with_public_key(issuer: LocalIssuer, claims: dict[str, Any]) -> str:
    """Algorithm confusion: HS256 with the RSA public key (PEM) as the HMAC secret."""
    header = {"alg": "HS256", "typ": "JWT", "kid": issuer.active_kid}
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    signature = hmac.new(public_key_pem(issuer), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def signed_by_stranger(claims: dict[str, Any], kid: str = "not-a-published-kid") -> str:
    """RS256 with a key the issuer never published."""
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": kid})


def tamper_signature(token: str) -> str:
    header, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return f"{header}.{payload}.{b64url(bytes(raw))}"


def swap_payload(token: str, claims: dict[str, Any]) -> str:
    """Keep the header and signature, change the claims (a different ``sub``)."""
    header, _, signature = token.split(".")
    return f"{header}.{_segment(claims)}.{signature}"


def with_kid(token: str, kid: str) -> str:
    """The same token with another kid in its header."""
    header, payload, signature = token.split(".")
    fields = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    fields["kid"] = kid
    return f"{_segment(fields)}.{payload}.{signature}"
