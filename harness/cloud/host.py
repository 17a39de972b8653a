"""What a component sees of the cloud it is attached to.

Components (the Lambda runtime, the Data API, the scripted model, monitoring) type against these
protocols rather than against ``LocalCloud`` itself, so the server can import its components without
an import cycle back through their type hints; any host offering the same surface can carry them.
"""

from __future__ import annotations

from typing import Any, Protocol

from harness.cloud.edge import EdgeApp


class CloudHost(Protocol):
    """The surface of ``harness.cloud.server.LocalCloud`` that components use."""

    edge: EdgeApp | None
    region: str
    components: list[CloudComponent]

    @property
    def url(self) -> str:
        """The edge's base URL (loopback)."""
        ...

    def client_env(self) -> dict[str, str]:
        """Environment variables that point an AWS SDK at this cloud."""
        ...

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client for ``service`` bound to this cloud."""
        ...

    def component(self, kind: type) -> Any:
        """The attached component of type ``kind`` (``LookupError`` when there is none)."""
        ...


class CloudComponent(Protocol):
    """A harness service living beside moto: it registers edge handlers and may run threads."""

    def attach(self, cloud: CloudHost) -> None:
        """Register edge handlers and keep a reference to the cloud (called before start)."""

    def start(self) -> None:
        """Start background work (threads, processes, servers)."""

    def stop(self) -> None:
        """Stop background work and release every process it started."""

    def reset(self) -> None:
        """Forget all state, as a fresh cloud would have none (called after moto resets)."""
