"""Edge security settings, read once from the environment and validated before serving.

Why validate at load: a bad security setting (CORS ``*`` with credentials, an hour of
clock leeway, keys fetched over plain HTTP from another host) must stop the Lambda cold
start, not quietly weaken every request after it.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pydantic import ConfigDict, field_validator, model_validator
from pydantic.dataclasses import dataclass

# AWS WAF rate-based rules accept only these evaluation windows, and a limit of at least 10.
WAF_EVALUATION_WINDOWS = (60, 120, 300, 600)
WAF_MIN_RATE_LIMIT = 10
MAX_LEEWAY_SECONDS = 30.0

# Environment variable -> field. Lists are comma-separated.
ENV_VARS: dict[str, str] = {
    "CLERK_JWKS_URL": "jwks_url",
    "CLERK_ISSUER": "issuer",
    "JWT_AUDIENCE": "audience",
    "JWT_LEEWAY_SECONDS": "jwt_leeway_seconds",
    "JWKS_CACHE_TTL_SECONDS": "jwks_cache_ttl_seconds",
    "JWKS_REFETCH_MIN_INTERVAL_SECONDS": "jwks_refetch_min_interval_seconds",
    "JWKS_TIMEOUT_SECONDS": "jwks_timeout_seconds",
    "CORS_ORIGINS": "cors_origins",
    "CORS_ALLOW_CREDENTIALS": "cors_allow_credentials",
    "CORS_ALLOW_METHODS": "cors_allow_methods",
    "CORS_ALLOW_HEADERS": "cors_allow_headers",
    "CORS_MAX_AGE": "cors_max_age",
    "THROTTLE_RATE_LIMIT": "throttle_rate_limit",
    "THROTTLE_BURST_LIMIT": "throttle_burst_limit",
    "WAF_IP_RATE_LIMIT": "waf_ip_rate_limit",
    "WAF_IP_RATE_WINDOW_SECONDS": "waf_ip_rate_window_seconds",
    "WAF_BODY_INSPECTION_BYTES": "waf_body_inspection_bytes",
}
_LIST_FIELDS = {"audience", "cors_origins", "cors_allow_methods", "cors_allow_headers"}
_REQUIRED_ENV = ("CLERK_JWKS_URL", "CLERK_ISSUER", "JWT_AUDIENCE")


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class SecuritySettings:
    """Everything the edge needs: who issues tokens, who may call from a browser, how fast.

    Defaults mirror the AWS set-up Alex deploys: a usage plan of 100 requests/s with a
    burst of 200 per user, a WAF rate-based rule of 2000 requests per 5 minutes per IP,
    and WAF's 16 KB body inspection for API Gateway.
    """

    jwks_url: str
    issuer: str
    audience: tuple[str, ...]
    jwt_leeway_seconds: float = 5.0  # Clerk's default clock skew
    jwks_cache_ttl_seconds: float = 300.0
    jwks_refetch_min_interval_seconds: float = 30.0
    jwks_timeout_seconds: float = 5.0
    cors_origins: tuple[str, ...] = ()
    cors_allow_credentials: bool = True
    cors_allow_methods: tuple[str, ...] = ("GET", "POST", "PUT", "PATCH", "DELETE")
    cors_allow_headers: tuple[str, ...] = ("Authorization", "Content-Type")
    cors_max_age: int = 600
    throttle_rate_limit: float = 100.0
    throttle_burst_limit: int = 200
    waf_ip_rate_limit: int = 2000  # 0 turns the rule off (load tests from one address)
    waf_ip_rate_window_seconds: int = 300
    waf_body_inspection_bytes: int = 16 * 1024

    @field_validator("audience", "cors_origins", "cors_allow_methods", "cors_allow_headers", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("jwks_url")
    @classmethod
    def _jwks_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"https", "http"} or not parts.hostname:
            raise ValueError("jwks_url must be an http(s) URL")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise ValueError("jwks_url must use https unless it is on loopback (keys could be swapped in transit)")
        return value

    @field_validator("issuer")
    @classmethod
    def _issuer(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("issuer must not be empty")
        return value

    @field_validator("audience")
    @classmethod
    def _audience(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("audience must name at least one audience (as API Gateway's JWT authorizer requires)")
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        origins = []
        for origin in value:
            if origin == "*":
                origins.append(origin)
                continue
            origin = origin.rstrip("/")
            parts = urlsplit(origin)
            if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path or parts.query:
                raise ValueError(f"CORS origin {origin!r} must be scheme://host[:port], nothing more")
            origins.append(origin)
        return tuple(origins)

    @field_validator("cors_allow_methods")
    @classmethod
    def _methods(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if "*" in value:
            raise ValueError("list CORS methods explicitly; '*' is not allowed")
        return tuple(method.upper() for method in value)

    @field_validator("cors_allow_headers")
    @classmethod
    def _headers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if "*" in value:
            raise ValueError("list CORS headers explicitly; '*' is not allowed")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SecuritySettings:
        if "*" in self.cors_origins and self.cors_allow_credentials:
            raise ValueError(
                "CORS origin '*' with credentials would let any site call the API as the signed-in user; "
                "list the origins, or turn credentials off"
            )
        if "*" in self.cors_origins and len(self.cors_origins) > 1:
            raise ValueError("CORS origin '*' cannot be combined with other origins")
        if not 0 <= self.jwt_leeway_seconds <= MAX_LEEWAY_SECONDS:
            raise ValueError(f"jwt_leeway_seconds must be between 0 and {MAX_LEEWAY_SECONDS:g}")
        for name in ("jwks_cache_ttl_seconds", "jwks_timeout_seconds", "throttle_rate_limit"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.jwks_refetch_min_interval_seconds < 0:
            raise ValueError("jwks_refetch_min_interval_seconds must not be negative")
        if self.throttle_burst_limit < 1:
            raise ValueError("throttle_burst_limit must be at least 1")
        if self.cors_max_age < 0:
            raise ValueError("cors_max_age must not be negative")
        if self.waf_ip_rate_limit != 0 and self.waf_ip_rate_limit < WAF_MIN_RATE_LIMIT:
            raise ValueError(f"waf_ip_rate_limit must be 0 (off) or at least {WAF_MIN_RATE_LIMIT}, as in AWS WAF")
        if self.waf_ip_rate_window_seconds not in WAF_EVALUATION_WINDOWS:
            raise ValueError(f"waf_ip_rate_window_seconds must be one of {WAF_EVALUATION_WINDOWS}, as in AWS WAF")
        if self.waf_body_inspection_bytes < 1:
            raise ValueError("waf_body_inspection_bytes must be positive")
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SecuritySettings:
        """Read the settings from environment variables (see ``ENV_VARS``); raise ValueError if invalid."""
        env = os.environ if environ is None else environ
        missing = [name for name in _REQUIRED_ENV if not env.get(name, "").strip()]
        if missing:
            raise ValueError(f"missing required environment variables: {', '.join(missing)}")
        values: dict[str, Any] = {}
        for variable, field in ENV_VARS.items():
            raw = env.get(variable)
            if raw is None or (raw.strip() == "" and field not in _LIST_FIELDS):
                continue
            values[field] = _split(raw) if field in _LIST_FIELDS else raw.strip()
        return cls(**values)
