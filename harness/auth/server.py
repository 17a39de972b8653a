"""LocalIssuer: a Clerk stand-in on loopback that publishes its JWKS over real HTTP.

Why a real server: the API verifies tokens the way it will against Clerk, by fetching
``/.well-known/jwks.json`` with httpx and caching it, so the caching, refetch-on-unknown-kid
and rotation paths run for real in tests and in ``alex-harness up``. Only public keys are
ever served; private keys stay in the state directory (see keystore.py).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from harness.auth.keystore import DEFAULT_GRACE_SECONDS, DEFAULT_TTL_SECONDS, KeyStore
from harness.hardening.http_server import hardened
from harness.serving import ServingThread, require_loopback

log = logging.getLogger(__name__)

JWKS_PATH = "/.well-known/jwks.json"
DISCOVERY_PATH = "/.well-known/openid-configuration"


class _Handler(BaseHTTPRequestHandler):
    server: _IssuerHttpServer
    server_version = "alex-local-issuer"
    sys_version = ""

    def do_GET(self) -> None:
        issuer = self.server.issuer
        path = self.path.split("?", 1)[0]
        issuer.count_request(path)
        if path == JWKS_PATH:
            self._json(200, issuer.jwks())
        elif path == DISCOVERY_PATH:
            self._json(200, issuer.discovery_document())
        else:
            self._json(404, {"error": "not_found"})

    def _json(self, status: int, body: Mapping[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("issuer: " + format, *args)


class _IssuerHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], issuer: LocalIssuer) -> None:
        self.issuer = issuer
        super().__init__(address, hardened(_Handler))  # origin/Host allow-list, read deadlines, framing


class LocalIssuer:
    """An OIDC-style issuer on loopback: JWKS and discovery over HTTP, RS256 tokens, rotation.

    Use as a context manager or ``start()``/``stop()``. The issuer identifier (``iss``) is
    the server's base URL unless ``issuer`` is given; it is persisted with the keys so a
    token minted from the state directory in another process carries the same ``iss``.
    """

    def __init__(
        self,
        state_dir: str | os.PathLike[str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        issuer: str | None = None,
        audience: str | None = None,
        grace_seconds: float = DEFAULT_GRACE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.host = require_loopback(host, "the local issuer")
        self._requested_port = port
        self._fixed_issuer = issuer
        self.keys = KeyStore(state_dir, issuer=issuer, audience=audience, grace_seconds=grace_seconds, clock=clock)
        self._serving: ServingThread | None = None
        self._requests: Counter[str] = Counter()
        self._counter_lock = threading.Lock()

    def __repr__(self) -> str:
        where = self.url if self._serving is not None else "not started"
        return f"LocalIssuer({where}, kids={self.keys.published_kids!r})"

    # lifecycle -------------------------------------------------------------
    def start(self) -> LocalIssuer:
        self._serving = ServingThread(_IssuerHttpServer((self.host, self._requested_port), self), "local-issuer")
        if self._fixed_issuer is None:
            self.keys.set_issuer(self.url)
        log.info("local issuer listening on %s (JWKS at %s)", self.url, self.jwks_url)
        return self

    def stop(self) -> None:
        if self._serving is not None:
            self._serving.stop()
        self._serving = None

    def __enter__(self) -> LocalIssuer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # access ----------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._serving is None:
            raise RuntimeError("the local issuer is not started")
        return self._serving.port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def jwks_url(self) -> str:
        return self.url + JWKS_PATH

    @property
    def issuer(self) -> str:
        return self.keys.issuer

    @property
    def audience(self) -> str:
        return self.keys.audience

    @property
    def state_dir(self) -> os.PathLike[str]:
        return self.keys.state_dir

    @property
    def active_kid(self) -> str:
        return self.keys.active_kid

    @property
    def published_kids(self) -> list[str]:
        return self.keys.published_kids

    def jwks(self) -> dict[str, Any]:
        return self.keys.jwks()

    def api_env(self) -> dict[str, str]:
        """Environment variables that point Alex's API (SecuritySettings.from_env) at this issuer."""
        return {"CLERK_JWKS_URL": self.jwks_url, "CLERK_ISSUER": self.issuer, "JWT_AUDIENCE": self.audience}

    def discovery_document(self) -> dict[str, Any]:
        """The parts of OpenID Connect Discovery a token verifier reads."""
        return {
            "issuer": self.issuer,
            "jwks_uri": self.jwks_url,
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["iss", "sub", "aud", "iat", "nbf", "exp", "sid"],
        }

    def requests_for(self, path: str = JWKS_PATH) -> int:
        """How many GETs ``path`` has answered (tests count JWKS fetches with it)."""
        with self._counter_lock:
            return self._requests[path]

    def count_request(self, path: str) -> None:
        with self._counter_lock:
            self._requests[path] += 1

    # tokens and keys -------------------------------------------------------
    def mint(
        self,
        sub: str,
        *,
        ttl: float = DEFAULT_TTL_SECONDS,
        audience: str | list[str] | None = None,
        extra_claims: Mapping[str, Any] | None = None,
    ) -> str:
        """A Clerk-shaped session token for ``sub`` (see KeyStore.mint)."""
        return self.keys.mint(sub, ttl=ttl, audience=audience, extra_claims=extra_claims)

    def sign_claims(self, claims: Mapping[str, Any], *, kid: str | None = None) -> str:
        return self.keys.sign_claims(claims, kid=kid)

    def rotate(self, *, grace_seconds: float | None = None) -> str:
        return self.keys.rotate(grace_seconds=grace_seconds)

    def retire(self, kid: str) -> None:
        self.keys.retire(kid)
