"""Verify Clerk session tokens (RS256 JWTs) against the issuer's JWKS, as API Gateway's JWT authorizer does.

Why each check:
- only RS256 is accepted, decided before any key is looked up, so ``alg: none`` and
  algorithm confusion (HS256 "signed" with the public key as the HMAC secret) never reach
  a verifier;
- keys come only from the configured JWKS URL, by ``kid`` (a token's own ``jku``, ``x5u`` or
  ``jwk`` header is never followed), cached for a TTL; an unknown ``kid`` triggers at most
  one refetch per interval (a key rotation is picked up at once, a flood of random kids
  costs the issuer one request per interval, not one per request);
- ``iss``, ``aud``, ``exp``, ``nbf``, ``iat`` are checked by PyJWT with a small leeway
  for clock skew, and a token without ``sub`` names no user, so it is refused.

Every failure is a ``TokenError`` with a ``reason``; the API answers 401 with a fixed,
public description per reason (never the library's message, a key or a claim value).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any

import httpx
import jwt
from jwt.exceptions import InvalidSubjectError

if TYPE_CHECKING:
    from alex.api.security.settings import SecuritySettings

log = logging.getLogger(__name__)

ALGORITHM = "RS256"
MAX_TOKEN_BYTES = 8 * 1024  # real session tokens are ~1 KB; bigger is garbage or an attack
MAX_JWKS_BYTES = 256 * 1024
_MAX_KID_LENGTH = 256


class TokenErrorReason(str, Enum):  # noqa: UP042 (str() of a member stays its name, as callers log it)
    MISSING = "missing"
    MALFORMED = "malformed"
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"
    UNKNOWN_KEY = "unknown_key"
    INVALID_SIGNATURE = "invalid_signature"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    INVALID_ISSUER = "invalid_issuer"
    INVALID_AUDIENCE = "invalid_audience"
    MISSING_CLAIM = "missing_claim"
    KEYS_UNAVAILABLE = "keys_unavailable"


# What a client may be told (in WWW-Authenticate), worded like API Gateway's JWT authorizer.
# Signature problems share one wording so a caller cannot probe which keys exist.
_PUBLIC_DESCRIPTIONS = {
    TokenErrorReason.MISSING: "no bearer token was provided",
    TokenErrorReason.MALFORMED: "the token is malformed",
    TokenErrorReason.UNSUPPORTED_ALGORITHM: "the token signing algorithm is not allowed",
    TokenErrorReason.UNKNOWN_KEY: "the token signature could not be verified",
    TokenErrorReason.INVALID_SIGNATURE: "the token signature could not be verified",
    TokenErrorReason.EXPIRED: "the token has expired",
    TokenErrorReason.NOT_YET_VALID: "the token is not valid yet",
    TokenErrorReason.INVALID_ISSUER: "the token does not have a valid issuer",
    TokenErrorReason.INVALID_AUDIENCE: "the token does not have a valid audience",
    TokenErrorReason.MISSING_CLAIM: "the token lacks a required claim",
    TokenErrorReason.KEYS_UNAVAILABLE: "the token could not be verified",
}


class TokenError(Exception):
    """A token was refused. ``reason`` is for logs and metrics, ``description`` for the client."""

    def __init__(self, reason: TokenErrorReason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail  # internal only: logged, never sent

    @property
    def description(self) -> str:
        return _PUBLIC_DESCRIPTIONS[self.reason]


class JwksCache:
    """The issuer's signing keys by ``kid``, fetched with httpx and cached; thread-safe.

    - cached for ``ttl`` seconds, then refetched on the next lookup;
    - an unknown ``kid`` forces a refetch only if the last forced one is at least
      ``refetch_min_interval`` seconds old;
    - if a fetch fails, the keys already held keep serving (a JWKS outage does not log
      everybody out), and the next attempt waits ``refetch_min_interval``.
    """

    def __init__(
        self,
        url: str,
        *,
        ttl: float = 300.0,
        refetch_min_interval: float = 30.0,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        http_client: httpx.Client | None = None,
    ) -> None:
        self.url = url
        self.ttl = ttl
        self.refetch_min_interval = refetch_min_interval
        self._clock = clock
        self._http = http_client  # None: a short-lived client per fetch (fetches are rare)
        self._timeout = timeout
        self._lock = threading.Lock()
        self._keys: dict[str, jwt.PyJWK] | None = None
        self._expires_at = 0.0
        self._retry_at = 0.0  # after a failed fetch, no new attempt before this
        self._last_forced: float | None = None
        self.fetches = 0

    def get_key(self, kid: str) -> jwt.PyJWK:
        with self._lock:
            now = self._clock()
            refreshed = False
            if (self._keys is None or now >= self._expires_at) and now >= self._retry_at:
                refreshed = self._refresh(now)
            key = (self._keys or {}).get(kid)
            forced_allowed = self._last_forced is None or now - self._last_forced >= self.refetch_min_interval
            if key is None and not refreshed and forced_allowed:
                self._last_forced = now
                if now >= self._retry_at:
                    self._refresh(now)
                    key = (self._keys or {}).get(kid)
            if key is not None:
                return key
            if self._keys is None:
                raise TokenError(TokenErrorReason.KEYS_UNAVAILABLE, "no JWKS could be fetched yet")
            raise TokenError(TokenErrorReason.UNKNOWN_KEY, "kid not in the JWKS")

    def _refresh(self, now: float) -> bool:
        """Fetch the JWKS; True if it succeeded."""
        try:
            keys = self._fetch()
        except Exception as err:  # noqa: BLE001 (any failure: keep what we have, back off)
            self._retry_at = now + self.refetch_min_interval
            log.warning(
                "JWKS fetch from %s failed (%s); %s",
                self.url,
                type(err).__name__,
                "keeping the cached keys" if self._keys else "no keys cached",
            )
            return False
        self._keys = keys
        self._expires_at = now + self.ttl
        self._retry_at = now
        return True

    def _fetch(self) -> dict[str, jwt.PyJWK]:
        self.fetches += 1
        if self._http is not None:
            response = self._http.get(self.url, headers={"Accept": "application/json"})
        else:
            with httpx.Client(timeout=self._timeout, follow_redirects=False) as client:
                response = client.get(self.url, headers={"Accept": "application/json"})
        response.raise_for_status()
        if len(response.content) > MAX_JWKS_BYTES:
            raise ValueError("JWKS response too large")
        document = response.json()
        entries = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(entries, list):
            raise TypeError("JWKS has no key list")
        keys: dict[str, jwt.PyJWK] = {}
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            kid = entry.get("kid")
            # Only RSA signing keys for RS256 can verify our tokens; skip everything else.
            if not isinstance(kid, str) or entry.get("kty") != "RSA":
                continue
            if entry.get("use", "sig") != "sig" or entry.get("alg", ALGORITHM) != ALGORITHM:
                continue
            try:
                keys[kid] = jwt.PyJWK(entry, algorithm=ALGORITHM)
            except jwt.PyJWTError:
                continue
        log.debug("fetched JWKS from %s: %d usable keys", self.url, len(keys))
        return keys


class JwtVerifier:
    """Verifies a bearer token and returns its claims, or raises TokenError."""

    def __init__(
        self,
        jwks: JwksCache,
        *,
        issuer: str,
        audience: str | Sequence[str],
        leeway: float = 5.0,
    ) -> None:
        self.jwks = jwks
        self.issuer = issuer
        self.audience = [audience] if isinstance(audience, str) else list(audience)
        self.leeway = leeway

    @classmethod
    def from_settings(
        cls,
        settings: SecuritySettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        http_client: httpx.Client | None = None,
    ) -> JwtVerifier:
        jwks = JwksCache(
            settings.jwks_url,
            ttl=settings.jwks_cache_ttl_seconds,
            refetch_min_interval=settings.jwks_refetch_min_interval_seconds,
            timeout=settings.jwks_timeout_seconds,
            clock=clock,
            http_client=http_client,
        )
        return cls(jwks, issuer=settings.issuer, audience=settings.audience, leeway=settings.jwt_leeway_seconds)

    def verify(self, token: str | None) -> dict[str, Any]:
        if not token:
            raise TokenError(TokenErrorReason.MISSING)
        if len(token) > MAX_TOKEN_BYTES:
            raise TokenError(TokenErrorReason.MALFORMED, "token too long")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenError(TokenErrorReason.MALFORMED, "header cannot be decoded") from None
        algorithm = header.get("alg")
        if algorithm != ALGORITHM:
            raise TokenError(TokenErrorReason.UNSUPPORTED_ALGORITHM, f"alg {str(algorithm)[:20]!r}")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > _MAX_KID_LENGTH:
            raise TokenError(TokenErrorReason.MALFORMED, "no usable kid")
        key = self.jwks.get_key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenError(TokenErrorReason.EXPIRED) from None
        except jwt.ImmatureSignatureError:
            raise TokenError(TokenErrorReason.NOT_YET_VALID) from None
        except jwt.InvalidIssuerError:
            raise TokenError(TokenErrorReason.INVALID_ISSUER) from None
        except jwt.InvalidAudienceError:
            raise TokenError(TokenErrorReason.INVALID_AUDIENCE) from None
        except (jwt.MissingRequiredClaimError, InvalidSubjectError) as err:
            raise TokenError(TokenErrorReason.MISSING_CLAIM, type(err).__name__) from None
        except jwt.InvalidSignatureError:
            raise TokenError(TokenErrorReason.INVALID_SIGNATURE) from None
        except jwt.InvalidAlgorithmError:
            raise TokenError(TokenErrorReason.UNSUPPORTED_ALGORITHM) from None
        except jwt.PyJWTError as err:
            raise TokenError(TokenErrorReason.MALFORMED, type(err).__name__) from None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip():
            raise TokenError(TokenErrorReason.MISSING_CLAIM, "empty sub")
        return claims
