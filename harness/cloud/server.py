"""LocalCloud: the edge endpoint on loopback plus the harness services behind it.

One object starts and stops everything (moto, Lambda execution environments, the
SQS event source mapping poller, the Data API and its PostgreSQL) so the CLI and the
test fixtures run exactly the same local cloud.
"""

from __future__ import annotations

import errno
import logging
import os
import time
from typing import Any

import boto3
from botocore.config import Config
from werkzeug.serving import make_server

from harness import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, FAKE_ACCESS_KEY, FAKE_SECRET_KEY
from harness.cloud import control, watchdog
from harness.cloud.edge import EdgeApp
from harness.cloud.host import CloudComponent
from harness.cloud.moto_adapter import patches as moto_patches
from harness.cloud.moto_adapter import server as moto_server
from harness.cloud.not_served import NotServed
from harness.hardening.http_server import hardened
from harness.hardening.limits import Limits
from harness.hardening.policy import LocalAccessPolicy
from harness.serving import ServingThread, require_loopback

log = logging.getLogger(__name__)

MOTO_API_ENV = "HARNESS_MOTO_API"


def moto_api_from_env() -> bool:
    """``HARNESS_MOTO_API=1`` turns moto's own control API (``/moto-api/``, reset included) on."""
    return os.environ.get(MOTO_API_ENV, "").strip().lower() in ("1", "true", "yes")


class LocalCloud:
    """Emulated AWS on one loopback port; use as a context manager or start()/stop()."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = DEFAULT_REGION,
        components: list[CloudComponent] | None = None,
        *,
        moto_api: bool | None = None,
        access_policy: LocalAccessPolicy | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.host = require_loopback(host, "the local cloud")
        self.region = region
        self.account_id = DEFAULT_ACCOUNT_ID
        self._requested_port = port
        self._serving: ServingThread | None = None
        self.components: list[CloudComponent] = list(components or [])
        self.edge: EdgeApp | None = None
        self.started_in: float | None = None
        self.moto_api = moto_api_from_env() if moto_api is None else moto_api
        self.access_policy = access_policy
        self.limits = limits

    # lifecycle -----------------------------------------------------------
    def start(self) -> LocalCloud:
        began = time.perf_counter()
        watchdog.clean_orphans()  # what a killed cloud left behind (its watchdog killed with it)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        moto_patches.apply()
        self.edge = EdgeApp(NotServed(moto_server.dispatcher()), moto_api=self.moto_api)
        handler = hardened(moto_server.request_handler(), self.access_policy, self.limits)
        try:
            server = make_server(self.host, self._requested_port, self.edge, threaded=True, request_handler=handler)  # type: ignore[arg-type]  # a WSGIRequestHandler subclass
        except SystemExit as err:  # werkzeug exits the process when the port is taken; a library must not
            raise OSError(errno.EADDRINUSE, f"port {self._requested_port} is in use") from err
        self.edge.add_routes(control.ControlApi(self).routes())
        self._serving = ServingThread(server, "edge")
        for component in self.components:
            component.attach(self)
        for component in self.components:
            component.start()
        self.started_in = time.perf_counter() - began
        log.info("local cloud listening on %s (started in %.2fs)", self.url, self.started_in)
        return self

    def stop(self) -> None:
        for component in reversed(self.components):
            try:
                component.stop()
            except Exception:  # one failing component must not leave the others running
                log.exception("component %s did not stop cleanly", type(component).__name__)
        if self._serving is not None:
            self._serving.stop()
        self._serving = None

    def drain(self, seconds: float) -> dict[str, float]:
        """Stop taking new work and let work in flight finish, for at most ``seconds`` in all.

        Each component with a ``drain(deadline)`` is asked, in the order stop uses (pollers
        receive no more and wait for their batches, schedules fire no more, then Lambda waits
        for the invocations still running);
        what is still running at the deadline is stopped by :meth:`stop` and, being still on
        its queue or leased, is retried after the restart. Returns how long each took.
        """
        deadline = time.monotonic() + max(0.0, seconds)
        took: dict[str, float] = {}
        for component in reversed(self.components):
            drain = getattr(component, "drain", None)
            if callable(drain):
                began = time.monotonic()
                try:
                    drain(deadline)
                except Exception:  # noqa: BLE001 - a component that cannot drain is stopped anyway
                    log.exception("component %s did not drain", type(component).__name__)
                took[type(component).__name__] = time.monotonic() - began
        return took

    def reset(self) -> None:
        """Fresh state: every component's, then moto's backends, as a new cloud would have.

        Components go first so no poller or execution environment touches a backend
        while moto empties it.
        """
        for component in self.components:
            component.reset()
        moto_server.reset_backends()

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # access --------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._serving is None:
            raise RuntimeError("the local cloud is not started")
        return self._serving.port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def client_env(self) -> dict[str, str]:
        """Environment variables that point any AWS SDK (and the AWS CLI) at this cloud."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_BEDROCK_RUNTIME_ENDPOINT": self.url,  # LiteLLM's Bedrock calls go to the edge (the scripted model)
            "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client for ``service`` bound to this cloud."""
        config = kwargs.pop("config", None) or Config(retries={"max_attempts": 1, "mode": "standard"})
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=kwargs.pop("region_name", self.region),
            aws_access_key_id=FAKE_ACCESS_KEY,
            aws_secret_access_key=FAKE_SECRET_KEY,
            config=config,
            **kwargs,
        )

    def component(self, kind: type) -> Any:
        """The attached component of type ``kind``."""
        for component in self.components:
            if isinstance(component, kind):
                return component
        raise LookupError(f"no {kind.__name__} in this cloud")
