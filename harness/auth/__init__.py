"""A local stand-in for Clerk: RS256 session tokens, a JWKS over HTTP on loopback, key rotation.

``LocalIssuer(state_dir).start()`` serves ``/.well-known/jwks.json`` and
``/.well-known/openid-configuration``; ``issuer.mint(sub)`` signs a token;
``mint_token_from_state(state_dir, sub)`` signs one from another process with the keys
the running issuer persisted there.
"""

from harness.auth.keystore import (
    DEFAULT_AUDIENCE,
    DEFAULT_GRACE_SECONDS,
    DEFAULT_TTL_SECONDS,
    IssuerStateError,
    KeyStore,
    mint_token_from_state,
)
from harness.auth.server import DISCOVERY_PATH, JWKS_PATH, LocalIssuer

__all__ = [
    "DEFAULT_AUDIENCE",
    "DEFAULT_GRACE_SECONDS",
    "DEFAULT_TTL_SECONDS",
    "DISCOVERY_PATH",
    "JWKS_PATH",
    "IssuerStateError",
    "KeyStore",
    "LocalIssuer",
    "mint_token_from_state",
]
