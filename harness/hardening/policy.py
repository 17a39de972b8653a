"""Who may talk to a local endpoint: the origin allow-list and the Host check.

Why: every harness server listens on loopback, but a web page the developer has open can
still reach loopback. A cross-origin ``fetch(..., {mode: "no-cors"})`` is sent even though
its answer is unreadable, so a state-changing POST (``/moto-api/reset``, a fault switch)
would run; and a page on a domain that re-resolves to 127.0.0.1 (DNS rebinding) can even
read answers. So, as LocalStack does with its CORS origin allow-list
(``EXTRA_CORS_ALLOWED_ORIGINS``, ``DISABLE_CORS_CHECKS``), a request carrying a foreign
``Origin`` is refused, as is a browser's cross-site subresource request without one
(``Sec-Fetch-Site``), and the ``Host`` header must name loopback.

Environment: ``HARNESS_ALLOWED_ORIGINS`` (comma-separated origins to allow besides the
server's own), ``HARNESS_ALLOWED_HOSTS`` (extra host names), ``HARNESS_DISABLE_ORIGIN_CHECKS=1``
(switch both checks off, for a setup that knows what it does).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

ORIGINS_ENV = "HARNESS_ALLOWED_ORIGINS"
HOSTS_ENV = "HARNESS_ALLOWED_HOSTS"
DISABLE_ENV = "HARNESS_DISABLE_ORIGIN_CHECKS"


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def normalise_origin(origin: str) -> str:
    """``scheme://host[:port]`` in lower case with the default port dropped, as browsers send it."""
    parts = urlsplit(origin.strip().lower())
    try:
        port = parts.port
    except ValueError:
        return origin.strip().lower()
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return f"{parts.scheme}://{host}" + ("" if port is None or port == default else f":{port}")


def is_loopback_name(host: str) -> bool:
    """127.0.0.0/8, ::1, ``localhost`` and its subdomains (RFC 6761: browsers resolve them to loopback themselves)."""
    host = host.strip().lower().rstrip(".").removeprefix("[").removesuffix("]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def split_host_header(value: str) -> tuple[str, int | None]:
    """(host, port) of a Host header; the port is None when absent, -1 when malformed."""
    value = value.strip()
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port_text = rest.removeprefix(":") if rest.startswith(":") else ("" if not rest else "x")
    else:
        host, _, port_text = value.partition(":") if value.count(":") <= 1 else (value, "", "")
    if not port_text:
        return host, None
    return host, int(port_text) if port_text.isdigit() else -1


@dataclass(frozen=True)
class LocalAccessPolicy:
    """The allow-list one server applies; ``refusal`` says why a request is refused, or None."""

    extra_origins: tuple[str, ...] = ()
    extra_hosts: tuple[str, ...] = ()
    disabled: bool = False
    allow_navigation: bool = True
    _origins: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_origins", frozenset(normalise_origin(o) for o in self.extra_origins))

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, origins: Iterable[str] = (), allow_navigation: bool = True
    ) -> LocalAccessPolicy:
        """The policy the environment asks for, plus ``origins`` the server itself trusts (a dev frontend)."""
        env = os.environ if environ is None else environ
        return cls(
            extra_origins=(*origins, *_split(env.get(ORIGINS_ENV, ""))),
            extra_hosts=tuple(h.lower() for h in _split(env.get(HOSTS_ENV, ""))),
            disabled=env.get(DISABLE_ENV, "").strip().lower() in ("1", "true", "yes"),
            allow_navigation=allow_navigation,
        )

    def origin_allowed(self, origin: str, own_port: int) -> bool:
        """The server's own origin (any loopback name, its port) or one on the allow-list."""
        normal = normalise_origin(origin)
        if normal in self._origins:
            return True
        parts = urlsplit(normal)
        try:
            port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
        except ValueError:
            return False
        return parts.scheme == "http" and is_loopback_name(parts.hostname or "") and port == own_port

    def host_allowed(self, host_header: str | None) -> bool:
        if host_header is None:
            return True  # HTTP/1.0 without Host: no browser sends that, so no rebinding either
        host, port = split_host_header(host_header)
        if port == -1:
            return False
        return is_loopback_name(host) or host.lower() in self.extra_hosts

    def refusal(self, headers: Mapping[str, str], own_port: int, method: str = "GET") -> str | None:
        """Why this request must be refused (a sentence for the 403), or None to serve it.

        ``headers`` is case-insensitive or lower-cased: host, origin, sec-fetch-site, sec-fetch-mode.
        """
        if self.disabled:
            return None
        host = _get(headers, "host")
        if not self.host_allowed(host):
            return (
                f"Host {host!r} is not a loopback name (DNS rebinding?); add it to {HOSTS_ENV} "
                "if you reach this server under that name on purpose"
            )
        origin = _get(headers, "origin")
        if origin is not None:
            if self.origin_allowed(origin, own_port):
                return None
            return (
                f"requests from origin {origin!r} are refused: a web page may not drive the local cloud; "
                f"add the origin to {ORIGINS_ENV} if it is your own frontend"
            )
        site = (_get(headers, "sec-fetch-site") or "").lower()
        if site in ("cross-site", "same-site"):
            mode = (_get(headers, "sec-fetch-mode") or "").lower()
            if self.allow_navigation and mode == "navigate" and method in ("GET", "HEAD"):
                return None
            return f"a {site} browser request without an allowed Origin is refused"
        return None


def _get(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None and name != name.title():
        value = headers.get(name.title())
    return value
