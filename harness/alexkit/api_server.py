"""Alex's API served by uvicorn on loopback, in a thread: for ``alex-harness up`` and the tests.

On AWS the API runs on Lambda behind API Gateway (``alex.api.lambda_handler``); here the
same app (``alex.api.app.create_app``) is served over real HTTP, so the browser, curl and
the tests speak to it the way a frontend would.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Mapping
from typing import Any

import uvicorn
from alex.api.app import create_app
from alex.api.security import SecuritySettings
from alex.api.security.middleware import STATE_ATTRIBUTE

from harness.alexkit.api_docs import add_local_docs
from harness.hardening.asgi import LocalEdgeGuard, hardened_h11
from harness.hardening.limits import Limits
from harness.hardening.policy import LocalAccessPolicy
from harness.serving import require_loopback

DEV_ORIGIN = "http://localhost:3000"  # the Next.js frontend in development


def settings_for_issuer(issuer: Any, **overrides: Any) -> SecuritySettings:
    """Edge settings trusting a ``harness.auth.LocalIssuer``, as CLERK_JWKS_URL / CLERK_ISSUER /
    JWT_AUDIENCE would on Lambda, with the dev frontend's origin allowed by CORS."""
    values: dict[str, Any] = {
        "jwks_url": issuer.jwks_url,
        "issuer": issuer.issuer,
        "audience": (issuer.audience,),
        "cors_origins": (DEV_ORIGIN,),
    }
    values.update(overrides)
    return SecuritySettings(**values)


def _cors_origins(app: Any) -> tuple[str, ...]:
    """The origins the app's CORS allows (its frontend): the local server lets them in too.
    An app without Alex's edge (a benchmark's) gets the dev frontend's."""
    security = getattr(getattr(app, "state", None), STATE_ATTRIBUTE, None)
    origins = tuple(security.settings.cors_origins) if security is not None else (DEV_ORIGIN,)
    return tuple(o for o in origins if o != "*")


class ApiServer:
    """``ApiServer(settings, env).start()``; ``.url``; ``.stop()``. Also a context manager.

    ``env`` holds the variables the app would have on Lambda (AURORA_CLUSTER_ARN,
    AURORA_SECRET_ARN, DATABASE_NAME, SQS_QUEUE_URL, CLERK_* when ``settings`` is None) and
    the AWS ones that point boto3 at the local cloud (AWS_ENDPOINT_URL, AWS_REGION, keys).
    ``None`` reads ``os.environ``. ``app`` serves a ready-made app instead.
    """

    def __init__(
        self,
        settings: SecuritySettings | None = None,
        env: Mapping[str, str] | None = None,
        *,
        app: Any = None,
        database: Any = None,
        sqs_client: Any = None,
        host: str = "127.0.0.1",
        port: int = 0,
        access_policy: LocalAccessPolicy | None = None,
        limits: Limits | None = None,
    ) -> None:
        require_loopback(host, "the local API")
        self.env = dict(env) if env is not None else None
        if app is None:
            app = create_app(settings, database, sqs_client, environ=self.env)
            add_local_docs(app)  # loopback only (required above): OpenAPI docs at /docs, never on Lambda
        self.app = app
        self.limits = limits or Limits()
        self.access_policy = access_policy or LocalAccessPolicy.from_env(origins=_cors_origins(self.app))
        self.host = host
        self._requested_port = port
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self, timeout: float = 10.0) -> ApiServer:
        """Bind (raises OSError if the port is taken) and serve; returns once uvicorn accepts connections."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on such sockets (no 40 ms delayed-ACK stalls).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._requested_port))
        except OSError:
            sock.close()
            raise
        self._socket = sock
        port = sock.getsockname()[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{host}:{port}"
        guarded = LocalEdgeGuard(self.app, self.access_policy, self.limits)  # origin/Host, framing, body deadline, nesting
        config = uvicorn.Config(
            guarded,
            http=hardened_h11(self.limits),
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, name="alex-api", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the Alex API server did not start")
            time.sleep(0.005)
        return self

    @property
    def port(self) -> int:
        if self._socket is None:
            raise RuntimeError("the Alex API server is not started")
        return int(self._socket.getsockname()[1])

    def request_stop(self) -> None:
        """Ask uvicorn to stop (it notices within 0.1 s); ``join`` waits for it."""
        if self._server is not None:
            self._server.should_exit = True

    def join(self, timeout: float = 10.0) -> None:
        if self._thread is not None:
            self._thread.join(timeout=timeout)
        if self._socket is not None:
            self._socket.close()
        self._thread = None
        self._server = None
        self._socket = None

    def stop(self) -> None:
        self.request_stop()
        self.join()

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"ApiServer({self.url or 'not started'})"
