"""The stack a load run hits: the local cloud, Alex's stack (test clocks), the issuer and the API.

``start_load_stack(work_dir)`` starts everything in this process (the API on a free loopback
port, the issuer's keys under ``work_dir/issuer``) and returns a ``LoadStack`` whose ``env()``
is what the Locust processes need. ``cloud=`` reuses a running ``LocalCloud`` (the pytest
session's): moto keeps its state per process, so one process holds one cloud.

The edge is the production edge (JWT, per-user throttle 100 req/s burst 200, CORS, WAF
with its SQL-injection rule) with one change: the WAF's per-IP rate rule (2000 requests per
5 minutes on AWS) is raised far out of reach, because every simulated user here comes from
127.0.0.1; the rule is still evaluated on every request.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alex.db import Database

from harness.alexkit import ALEX_MODEL_SCRIPT
from harness.alexkit.load.journal import JOURNAL_VARIABLE, RUN_ID_VARIABLE
from harness.stack.spec import StackSpec
from harness.alexkit.stack.fast import fast_alex_stack
from harness.alexkit.stack.deployment import AlexDeployment, deploy_alex

log = logging.getLogger(__name__)

LOAD_WAF_IP_RATE_LIMIT = 1_000_000_000  # per 5 minutes: evaluated, never reached from one address
STATE_DIR_VARIABLE = "ALEX_HARNESS_STATE_DIR"  # as harness.alexkit.cli reads it


@dataclass
class LoadStack:
    cloud: Any  # harness.cloud.LocalCloud
    stack: AlexDeployment
    issuer: Any  # harness.auth.LocalIssuer
    api: Any  # harness.alexkit.api_server.ApiServer
    state_dir: Path
    owns_cloud: bool
    started_in: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    settings: Any = None  # the API's SecuritySettings: the usage plan the throttling proof runs against

    @property
    def api_url(self) -> str:
        return str(self.api.url)

    def database(self) -> Database:
        return self.stack.database(self.cloud.client)

    def env(self, *, journal: Path | None = None, run_id: str | None = None) -> dict[str, str]:
        """Variables for a Locust process: the API, the issuer's keys, the journal and run id."""
        env = {"ALEX_API_URL": self.api_url, STATE_DIR_VARIABLE: str(self.state_dir)}
        if journal is not None:
            env[JOURNAL_VARIABLE] = str(journal)
        if run_id is not None:
            env[RUN_ID_VARIABLE] = run_id
        return env

    def stop(self) -> None:
        for part in (self.api, self.issuer):
            try:
                part.stop()
            except Exception:  # noqa: BLE001 - stop the rest anyway
                log.exception("could not stop %r", part)
        if self.owns_cloud:
            self.cloud.stop()

    def __enter__(self) -> LoadStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def load_security_settings(issuer: Any, **overrides: Any) -> Any:
    from harness.alexkit.api_server import settings_for_issuer

    return settings_for_issuer(issuer, **({"waf_ip_rate_limit": LOAD_WAF_IP_RATE_LIMIT} | overrides))


def start_load_stack(
    work_dir: Path,
    *,
    cloud: Any = None,
    spec: StackSpec | None = None,
    postgres_dsn: str | None = None,
    api_port: int = 0,
    security_overrides: dict[str, Any] | None = None,
) -> LoadStack:
    """Start (or reuse ``cloud``), provision ``spec`` (default: ``fast_alex_stack()``), migrate,
    then the issuer and the API on loopback."""
    from harness.alexkit.api_server import ApiServer
    from harness.auth import LocalIssuer

    began = time.perf_counter()
    timings: dict[str, float] = {}
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    owns_cloud = cloud is None
    if owns_cloud:
        from harness.cloud import LocalCloud
        from harness.cloud.components import default_components

        cloud = LocalCloud(components=default_components(data_dir=work_dir / "postgres", postgres_dsn=postgres_dsn,
                                                                bedrock_scripts=[ALEX_MODEL_SCRIPT]))
        cloud.start()
    timings["cloud"] = time.perf_counter() - began
    issuer = api = None
    try:
        stack = deploy_alex(spec or fast_alex_stack(), cloud.client)
        timings["provisioned"] = time.perf_counter() - began
        stack.migrate(cloud.client)
        timings["migrated"] = time.perf_counter() - began
        state_dir = work_dir / "issuer"
        issuer = LocalIssuer(state_dir).start()
        env = cloud.client_env() | stack.runtime_environment()
        settings = load_security_settings(issuer, **(security_overrides or {}))
        api = ApiServer(settings, env, port=api_port).start()
        timings["api"] = time.perf_counter() - began
    except BaseException:
        if api is not None:
            api.stop()
        if issuer is not None:
            issuer.stop()
        if owns_cloud:
            cloud.stop()
        raise
    return LoadStack(cloud=cloud, stack=stack, issuer=issuer, api=api, state_dir=state_dir, owns_cloud=owns_cloud,
                     started_in=time.perf_counter() - began, timings=timings, settings=settings)
