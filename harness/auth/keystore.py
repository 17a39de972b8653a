"""The local issuer's signing keys: generated, rotated, retired, and kept in a state directory.

Why a state directory: ``alex-harness token`` runs in another process than the stack that
publishes the JWKS, and the token it prints must verify there, so both read the same keys
from disk. Private keys are files only the owner can read (0600, in a 0700 directory),
written atomically, never printed or logged; ``repr`` of a key shows its ``kid`` only.

Layout of ``state_dir`` (the directory may hold other harness state too)::

    issuer.json              issuer URL, default audience, and each published key's
                             kid, creation time and end of grace (no key material)
    issuer-keys/<kid>.pem    PKCS#8 private key of each published key

Rotation as at Clerk (or any OIDC provider): ``rotate()`` makes a new key the signing key
and keeps the previous one published for a grace period, so tokens it signed keep
verifying until they would have expired anyway; after the grace period the key is retired:
dropped from the JWKS and its private key deleted.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import secrets
import stat
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

ALGORITHM = "RS256"
DEFAULT_AUDIENCE = "alex-api"
DEFAULT_TTL_SECONDS = 3600
# Longer than the default token lifetime, so a token signed just before a rotation stays
# valid for its whole life, plus a margin for verifiers' JWKS caches.
DEFAULT_GRACE_SECONDS = DEFAULT_TTL_SECONDS + 600
STATE_FILE = "issuer.json"
KEYS_DIR = "issuer-keys"
_STATE_VERSION = 1


class IssuerStateError(ValueError):
    """The state directory holds no usable issuer state (missing, unreadable or unsafe).

    A ValueError so that a CLI reporting ValueErrors prints the message and exits non-zero.
    """


@dataclass
class SigningKey:
    """One RSA key: its ``kid`` and lifecycle; the private key never shows in ``repr``."""

    kid: str
    created_at: float
    retires_at: float | None  # None while it is the signing key
    private_key: rsa.RSAPrivateKey = field(repr=False)

    def public_jwk(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {"kty": "RSA", "use": "sig", "alg": ALGORITHM, "kid": self.kid, "n": jwk["n"], "e": jwk["e"]}


def _thumbprint_kid(private_key: rsa.RSAPrivateKey) -> str:
    """RFC 7638 JWK thumbprint: a kid derived from the public key, unique per key."""
    jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, readable by the owner only from the first byte."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _check_private(path: Path) -> None:
    """Refuse a key or state file others can read or write, as ssh refuses such a key."""
    mode = path.stat().st_mode
    if stat.S_IMODE(mode) & 0o077:
        raise IssuerStateError(f"{path} is accessible by others (mode {stat.S_IMODE(mode):o}); expected 0600")


class KeyStore:
    """Signing keys of one issuer, persisted under ``state_dir``; thread-safe.

    ``KeyStore(state_dir)`` loads the state there or creates it with one fresh key;
    ``read_only=True`` (or ``KeyStore.load(state_dir)``) only loads, for a process that mints
    but must not change the running issuer's state.
    """

    def __init__(
        self,
        state_dir: str | os.PathLike[str],
        *,
        issuer: str | None = None,
        audience: str | None = None,
        grace_seconds: float = DEFAULT_GRACE_SECONDS,
        clock: Callable[[], float] = time.time,
        key_size: int = 2048,
        read_only: bool = False,
    ) -> None:
        if grace_seconds < 0:
            raise ValueError("grace_seconds must not be negative")
        self.state_dir = Path(state_dir)
        self.grace_seconds = float(grace_seconds)
        self._clock = clock
        self._key_size = key_size
        self._read_only = read_only
        self._lock = threading.RLock()
        self._keys: list[SigningKey] = []  # oldest first; the last one signs
        self._issuer: str | None = None
        self._audience = DEFAULT_AUDIENCE
        if (self.state_dir / STATE_FILE).exists():
            self._load()
        elif read_only:
            raise IssuerStateError(f"no issuer state in {self.state_dir} (start the local stack first, which creates it)")
        else:
            self._keys.append(self._new_key())
        if issuer is not None:
            self._issuer = issuer
        if audience is not None:
            self._audience = audience
        if not read_only:
            self._save()

    @classmethod
    def load(cls, state_dir: str | os.PathLike[str], *, clock: Callable[[], float] = time.time) -> KeyStore:
        """The keys a running issuer persisted; raises IssuerStateError if there are none."""
        return cls(state_dir, clock=clock, read_only=True)

    # state -----------------------------------------------------------------
    @property
    def issuer(self) -> str:
        if not self._issuer:
            raise IssuerStateError(f"the issuer in {self.state_dir} has no URL yet (its server never started)")
        return self._issuer

    def set_issuer(self, issuer: str) -> None:
        if self._read_only:
            raise IssuerStateError("this key store was loaded read-only")
        with self._lock:
            self._issuer = issuer
            self._save()

    @property
    def audience(self) -> str:
        return self._audience

    @property
    def active_kid(self) -> str:
        with self._lock:
            return self._keys[-1].kid

    @property
    def published_kids(self) -> list[str]:
        """Kids in the JWKS right now: the signing key and keys still in their grace period."""
        with self._lock:
            self.retire_expired()
            return [key.kid for key in self._keys]

    def jwks(self) -> dict[str, Any]:
        """The JSON Web Key Set to publish (public halves only)."""
        with self._lock:
            self.retire_expired()
            return {"keys": [key.public_jwk() for key in reversed(self._keys)]}

    # tokens ----------------------------------------------------------------
    def mint(
        self,
        sub: str,
        *,
        ttl: float = DEFAULT_TTL_SECONDS,
        audience: str | list[str] | None = None,
        extra_claims: Mapping[str, Any] | None = None,
    ) -> str:
        """A session token for ``sub`` shaped like Clerk's (iss, sub, aud, iat, nbf, exp, sid).

        ``extra_claims`` are merged last, so they may add claims or override the standard
        ones (tests use that for a wrong issuer or a past ``exp``).
        """
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        now = int(self._clock())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": sub,
            "aud": audience if audience is not None else self._audience,
            "iat": now,
            "nbf": now,
            "exp": now + int(ttl),
            "sid": "sess_" + secrets.token_hex(12),
        }
        claims.update(extra_claims or {})
        return self.sign_claims(claims)

    def sign_claims(self, claims: Mapping[str, Any], *, kid: str | None = None) -> str:
        """Sign arbitrary ``claims`` with the signing key (or the published key ``kid``)."""
        with self._lock:
            self.retire_expired()
            key = self._keys[-1] if kid is None else self._key(kid)
            return jwt.encode(dict(claims), key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": "JWT"})

    # rotation --------------------------------------------------------------
    def rotate(self, *, grace_seconds: float | None = None) -> str:
        """Sign with a new key from now on; the previous one stays published for the grace period.

        Returns the new key's kid.
        """
        grace = self.grace_seconds if grace_seconds is None else float(grace_seconds)
        if grace < 0:
            raise ValueError("grace_seconds must not be negative")
        if self._read_only:
            raise IssuerStateError("this key store was loaded read-only; rotate on the running issuer")
        with self._lock:
            now = self._clock()
            self._keys[-1].retires_at = now + grace
            new_key = self._new_key()
            self._keys.append(new_key)
            self.retire_expired(save=False)
            self._save()
            log.info("issuer rotated its signing key to kid %s (previous key published for %.0fs)", new_key.kid, grace)
            return new_key.kid

    def retire(self, kid: str) -> None:
        """Retire a previous key now, ending its grace period early (the signing key cannot be)."""
        with self._lock:
            key = self._key(kid)
            if key is self._keys[-1]:
                raise ValueError("the signing key cannot be retired; rotate() first")
            key.retires_at = self._clock()
            self.retire_expired()

    def retire_expired(self, *, save: bool = True) -> list[str]:
        """Drop keys whose grace period is over from the JWKS and delete their private keys."""
        with self._lock:
            now = self._clock()
            expired = [k for k in self._keys[:-1] if k.retires_at is not None and k.retires_at <= now]
            if not expired:
                return []
            self._keys = [k for k in self._keys if k not in expired]
            if self._read_only:
                return [key.kid for key in expired]
            if save:
                self._save()
            for key in expired:
                (self.state_dir / KEYS_DIR / f"{key.kid}.pem").unlink(missing_ok=True)
                log.info("issuer retired key %s", key.kid)
            return [key.kid for key in expired]

    # internals -------------------------------------------------------------
    def _key(self, kid: str) -> SigningKey:
        for key in self._keys:
            if key.kid == kid:
                return key
        raise KeyError(f"no published key with kid {kid!r}")

    def _new_key(self) -> SigningKey:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=self._key_size)
        return SigningKey(kid=_thumbprint_kid(private_key), created_at=self._clock(), retires_at=None, private_key=private_key)

    def _save(self) -> None:
        """Persist: key files first, then the index that names them, each atomically."""
        self.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # mode applies only if new
        keys_dir = self.state_dir / KEYS_DIR
        keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(keys_dir, 0o700)
        for key in self._keys:
            path = keys_dir / f"{key.kid}.pem"
            if not path.exists():
                pem = key.private_key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
                _write_private(path, pem)
        state = {
            "version": _STATE_VERSION,
            "issuer": self._issuer,
            "audience": self._audience,
            "algorithm": ALGORITHM,
            "keys": [{"kid": k.kid, "created_at": k.created_at, "retires_at": k.retires_at} for k in self._keys],
        }
        _write_private(self.state_dir / STATE_FILE, json.dumps(state, indent=2).encode())

    def _load(self) -> None:
        state_path = self.state_dir / STATE_FILE
        try:
            _check_private(state_path)
            state = json.loads(state_path.read_text())
            if state.get("version") != _STATE_VERSION or not state.get("keys"):
                raise IssuerStateError(f"{state_path} is not issuer state this harness understands")
            keys = []
            for entry in state["keys"]:
                key_path = self.state_dir / KEYS_DIR / f"{entry['kid']}.pem"
                _check_private(key_path)
                private_key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
                if not isinstance(private_key, rsa.RSAPrivateKey):
                    raise IssuerStateError(f"{key_path} is not an RSA private key")
                keys.append(SigningKey(entry["kid"], float(entry["created_at"]), entry["retires_at"], private_key))
        except IssuerStateError:
            raise
        except (OSError, ValueError, KeyError, TypeError) as err:
            # The message names the file and the error type only: never key material.
            raise IssuerStateError(f"cannot read issuer state in {self.state_dir}: {type(err).__name__}") from None
        self._keys = keys
        self._issuer = state.get("issuer")
        self._audience = state.get("audience") or DEFAULT_AUDIENCE

    def __repr__(self) -> str:
        return f"KeyStore(state_dir={str(self.state_dir)!r}, kids={[k.kid for k in self._keys]!r})"


def mint_token_from_state(
    state_dir: str | os.PathLike[str],
    sub: str,
    *,
    ttl: float = DEFAULT_TTL_SECONDS,
    audience: str | None = None,
    extra_claims: Mapping[str, Any] | None = None,
) -> str:
    """A token for ``sub`` signed with the current signing key a running issuer persisted.

    For ``alex-harness token``: another process than the stack, same keys, so the token
    verifies against the stack's JWKS. Raises IssuerStateError (a ValueError) when
    ``state_dir`` holds no issuer state, or the issuer never served (so has no URL).
    """
    return KeyStore.load(state_dir).mint(sub, ttl=ttl, audience=audience, extra_claims=extra_claims)
