"""The stack a load run hits: the local cloud, Alex's stack (test clocks), the issuer and the API.

``start_load_stack(work_dir)`` starts everything in this process (the API on a free loopback
port, the issuer's keys under ``work_dir/issuer``) and returns the running Alex;
``locust_env(stack)`` is what the Locust processes need. ``cloud=`` reuses a running ``LocalCloud`` (the pytest
session's): moto keeps its state per process, so one process holds one cloud.

The edge is the production edge (JWT, per-user throttle 100 req/s burst 200, CORS, WAF
with its SQL-injection rule) with one change: the WAF's per-IP rate rule (2000 requests per
5 minutes on AWS) is raised far out of reach, because every simulated user here comes from
127.0.0.1; the rule is still evaluated on every request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.alexkit.load.journal import JOURNAL_VARIABLE, RUN_ID_VARIABLE
from harness.alexkit.local_alex import LocalAlex, alex_components, start_local_alex
from harness.alexkit.stack.fast import fast_alex_stack
from harness.stack.spec import StackSpec

LOAD_WAF_IP_RATE_LIMIT = 1_000_000_000  # per 5 minutes: evaluated, never reached from one address
STATE_DIR_VARIABLE = "ALEX_HARNESS_STATE_DIR"  # as harness.alexkit.cli reads it


LoadStack = LocalAlex  # what a load run hits: a running Alex (harness.alexkit.local_alex)


def locust_env(stack: LocalAlex, *, journal: Path | None = None, run_id: str | None = None) -> dict[str, str]:
    """Variables for a Locust process: the API, the issuer's keys, the journal and run id."""
    env = {"ALEX_API_URL": stack.url, STATE_DIR_VARIABLE: str(stack.state_dir)}
    if journal is not None:
        env[JOURNAL_VARIABLE] = str(journal)
    if run_id is not None:
        env[RUN_ID_VARIABLE] = run_id
    return env


def load_security_overrides(**overrides: Any) -> dict[str, Any]:
    """The production edge with the WAF's per-IP rate rule out of reach (see the module's docstring)."""
    return {"waf_ip_rate_limit": LOAD_WAF_IP_RATE_LIMIT} | overrides


def start_load_stack(
    work_dir: Path,
    *,
    cloud: Any = None,
    spec: StackSpec | None = None,
    postgres_dsn: str | None = None,
    api_port: int = 0,
    security_overrides: dict[str, Any] | None = None,
) -> LocalAlex:
    """A running Alex for a load run: ``cloud`` reused or started (PostgreSQL's data and the issuer's
    keys under ``work_dir``), ``spec`` (default: ``fast_alex_stack()``) provisioned and migrated."""
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    return start_local_alex(
        cloud=cloud,
        components=lambda data_dir: alex_components(data_dir, postgres_dsn=postgres_dsn),
        data_dir=work_dir / "postgres",
        spec=spec or fast_alex_stack(),
        state_dir=work_dir / "issuer",
        api_port=api_port,
        security=load_security_overrides(**(security_overrides or {})),
    )
