"""Find a LocalStack that already runs on this machine, and say whether the hybrid can use it.

Only loopback is ever asked: the default place is LocalStack's own default, ``localhost:4566``
(in Docker with ``-p 127.0.0.1:4566:4566``, ``localstack start``, or ``alex-harness localstack
start``). What it offers is read from its health endpoint (``/_localstack/health``), which names
each service as ``available`` (enabled, loaded on first use), ``running``, ``disabled`` or an error
state; the hybrid needs SQS and Secrets Manager available or running.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse

from harness.localstack.endpoints import LOCALSTACK_SERVED
from harness.localstack.process import HEALTH_PATH, health
from harness.serving import require_loopback

DEFAULT_URL = "http://localhost:4566"  # LocalStack's default edge
USABLE = ("available", "running")
START_HINT = "start one with `alex-harness localstack start` (or pass --localstack-url)"


@dataclass
class Detected:
    """What answered at ``url``: ``doc`` is its health document, None when nothing answered."""

    url: str
    doc: dict | None
    missing: dict[str, str] = field(default_factory=dict)  # needed service -> its state ("absent" if unlisted)

    @property
    def running(self) -> bool:
        return self.doc is not None

    @property
    def usable(self) -> bool:
        return self.running and not self.missing

    @property
    def version(self) -> str:
        return str((self.doc or {}).get("version", "?"))

    @property
    def services(self) -> dict[str, str]:
        """Its services that are not disabled, with their states."""
        return {k: str(v) for k, v in (self.doc or {}).get("services", {}).items() if v != "disabled"}

    def problem(self) -> str:
        """Why the hybrid cannot use it, and what to do; empty when it can."""
        if not self.running:
            return f"no LocalStack answers at {self.url}{HEALTH_PATH}: {START_HINT}"
        if self.missing:
            states = ", ".join(f"{name} {state}" for name, state in sorted(self.missing.items()))
            return (
                f"LocalStack {self.version} at {self.url} does not offer what the hybrid needs ({states}): "
                f"enable them (SERVICES={','.join(LOCALSTACK_SERVED)},...) or {START_HINT}"
            )
        return ""


def loopback_url(url: str) -> str:
    """``url`` without a trailing slash, when it is http(s) on a loopback host; ValueError otherwise."""
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ValueError(f"a LocalStack URL looks like {DEFAULT_URL}, not {url!r}")
    require_loopback(parsed.hostname, "the hybrid (LocalStack's URL)")
    return url.rstrip("/")


def detect(url: str | None = None, timeout: float = 2.0) -> Detected:
    """Ask the LocalStack at ``url`` (default :data:`DEFAULT_URL`; loopback only) what it serves."""
    url = loopback_url(url or DEFAULT_URL)
    doc = health(url, timeout=timeout)
    if doc is None or not isinstance(doc.get("services"), dict):
        return Detected(url, None)
    services = doc["services"]
    missing = {name: str(services.get(name, "absent")) for name in LOCALSTACK_SERVED if services.get(name) not in USABLE}
    return Detected(url, doc, missing)
