"""One way to build a running Alex: the local cloud, Alex's stack, the token issuer and the API.

The CLI (``alex-harness up``), the pytest fixtures, scenario replay and load runs all start
Alex through :func:`start_local_alex`, so they run the same thing. Each part is either given
(a session's cloud, a stack already deployed, an issuer) or started here; what is started
here is stopped by :meth:`LocalAlex.stop`, and every directory created here for it (the
embedded PostgreSQL's data, the issuer's private keys) is removed with it: nothing outlives
the run unless the caller named the directory.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from alex.api.security import SecuritySettings
from alex.db import Database

from harness import DEFAULT_REGION
from harness.alexkit.api_server import ApiServer, settings_for_issuer
from harness.alexkit.stack.deployment import AlexDeployment, deploy_alex
from harness.auth import LocalIssuer
from harness.cloud import LocalCloud
from harness.cloud.watchdog import remove_scratch_dir, scratch_dir
from harness.stack.spec import StackSpec


@dataclass
class LocalAlex:
    """A running Alex: ``cloud``, ``stack``, ``issuer``, ``api``; ``client(user)`` speaks to the API as that user."""

    cloud: LocalCloud
    stack: AlexDeployment
    issuer: LocalIssuer
    api: ApiServer
    settings: SecuritySettings
    state_dir: Path
    timings: dict[str, float] = field(default_factory=dict)
    templates: threading.Thread | None = None  # preparing the functions' Lambda templates (None: nothing to prepare)
    _cleanup: contextlib.ExitStack = field(default_factory=contextlib.ExitStack, repr=False)
    _clients: list[httpx.Client] = field(default_factory=list, repr=False)

    @property
    def url(self) -> str:
        """Where Alex's API listens."""
        return str(self.api.url)

    @property
    def started_in(self) -> float:
        return self.timings.get("api", 0.0)

    @property
    def env(self) -> dict[str, str]:
        """What Alex's code is given: the cloud's endpoint and credentials plus the stack's wiring."""
        return self.cloud.client_env() | self.stack.runtime_environment()

    def database(self) -> Database:
        return self.stack.database(self.cloud.client)

    def token(self, user_id: str, **mint: Any) -> str:
        return self.issuer.mint(user_id, **mint)

    def client(self, user_id: str | None = None, *, timeout: float = 30, **mint: Any) -> httpx.Client:
        """An HTTP client for the API, signed in as ``user_id`` (``mint`` goes to ``issuer.mint``), or anonymous."""
        headers = {"Authorization": f"Bearer {self.token(user_id, **mint)}"} if user_id is not None else {}
        client = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)
        self._clients.append(client)
        return client

    def wait_for_templates(self, timeout: float | None = None) -> bool:
        """Wait until the stack's Lambda templates are prepared (each function's init has run
        once), so an analysis from now on forks ready environments; False on ``timeout``."""
        if self.templates is not None:
            self.templates.join(timeout)
            if self.templates.is_alive():
                return False
        return True

    def drain(self, seconds: float) -> dict[str, float]:
        """Stop accepting (the API closes its port, finishing requests in flight), then let the
        cloud's work in flight finish for what is left of ``seconds``; :meth:`stop` follows."""
        began = time.monotonic()
        self.api.stop()
        took = {"api": time.monotonic() - began}
        took.update(self.cloud.drain(max(0.0, seconds - (time.monotonic() - began))))
        return took

    def stop(self) -> None:
        """Close the clients, then stop (in reverse) and delete whatever was started and created here."""
        for client in self._clients:
            client.close()
        self._clients.clear()
        self._cleanup.close()

    def __enter__(self) -> LocalAlex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class PortUnavailable(OSError):
    """A part of the running Alex could not listen where it was asked to; ``option`` says how to choose another."""

    def __init__(self, what: str, host: str, port: int, option: str, err: OSError) -> None:
        super().__init__(err.errno, f"cannot listen on {host}:{port} for {what}: {err.strerror or err} (choose another {option})")
        self.option = option


def alex_components(data_dir: Path, **options: Any) -> list[Any]:
    """Every harness service, the scripted model answering with Alex's script (``options`` go to
    :func:`harness.cloud.components.default_components`)."""
    from harness.alexkit import ALEX_MODEL_SCRIPT
    from harness.cloud.components import default_components

    return default_components(data_dir=data_dir, bedrock_scripts=[ALEX_MODEL_SCRIPT], **options)


def _temporary_dir(cleanup: contextlib.ExitStack, prefix: str) -> Path:
    path = scratch_dir(prefix)  # removed even if this process is killed
    cleanup.callback(remove_scratch_dir, path)
    return path


def start_local_alex(
    *,
    cloud: LocalCloud | None = None,
    components: Callable[[Path], list[Any]] | None = None,
    spec: StackSpec | None = None,
    stack: AlexDeployment | None = None,
    issuer: LocalIssuer | None = None,
    state_dir: Path | None = None,
    data_dir: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    region: str | None = None,
    api_port: int = 0,
    api_port_fallback: bool = False,
    issuer_port: int = 0,
    security: dict[str, Any] | None = None,
) -> LocalAlex:
    """Start what is not given, in order: cloud, stack (``spec``, default :func:`alex_stack`;
    provisioned and migrated), issuer, API. ``components(data_dir)`` chooses the cloud's services
    (default: :func:`alex_components`); ``security`` overrides the API's edge settings;
    ``api_port_fallback`` serves the API on a free port when ``api_port`` is taken.
    On failure, whatever was started is stopped again."""
    cleanup = contextlib.ExitStack()
    began = time.perf_counter()
    timings: dict[str, float] = {}
    templates: threading.Thread | None = None
    try:
        if cloud is None:
            data_dir = data_dir or _temporary_dir(cleanup, "alex-cloud-")
            made = components(data_dir) if components is not None else alex_components(data_dir)
            cloud = LocalCloud(host=host, port=port, region=region or DEFAULT_REGION, components=made)
            try:
                cloud.start()
            except OSError as err:
                raise PortUnavailable("the local cloud", host, port, "--port", err) from err
            cleanup.callback(cloud.stop)
        timings["cloud"] = time.perf_counter() - began
        if stack is None:
            from harness.alexkit.stack.definition import alex_stack

            stack = deploy_alex(spec or alex_stack(), cloud.client)
            timings["provisioned"] = time.perf_counter() - began
            templates = _prepare_templates(cloud, stack)
            stack.migrate(cloud.client)
            timings["migrated"] = time.perf_counter() - began
        if issuer is None:
            state_dir = state_dir or _temporary_dir(cleanup, "alex-issuer-")
            issuer = LocalIssuer(state_dir, host=host, port=issuer_port).start()
            cleanup.callback(issuer.stop)
        settings = settings_for_issuer(issuer, **(security or {}))
        env = cloud.client_env() | stack.runtime_environment()
        try:
            api = ApiServer(settings, env, host=host, port=api_port).start()
        except OSError as err:
            if not (api_port and api_port_fallback):
                raise PortUnavailable("the API", host, api_port, "--api-port", err) from err
            api = ApiServer(settings, env, host=host, port=0).start()
        cleanup.callback(api.stop)
        timings["api"] = time.perf_counter() - began
    except BaseException:
        cleanup.close()
        raise
    return LocalAlex(
        cloud=cloud,
        stack=stack,
        issuer=issuer,
        api=api,
        settings=settings,
        state_dir=Path(issuer.state_dir),
        timings=timings,
        templates=templates,
        _cleanup=cleanup,
    )


def _prepare_templates(cloud: LocalCloud, stack: AlexDeployment) -> threading.Thread | None:
    """Run the functions' init phases in their templates now, in the background, so the first
    analysis after ``up`` forks ready environments instead of waiting on imports; the thread
    doing it (:meth:`LocalAlex.wait_for_templates` waits for it)."""
    from harness.cloud.awslambda import LambdaRuntime

    try:
        runtime = cloud.component(LambdaRuntime)
    except LookupError:
        return None
    return runtime.prepare_in_background(list(stack.function_arns.values()))
