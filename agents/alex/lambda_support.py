"""What every Alex Lambda does around its handler: JSON logs bound to the request and
job, the Agents SDK's traces stored per job (and exported when configured), metrics,
and one database client per execution environment (created at cold start, reused warm).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from alex.agent_run import audit
from alex.db import Database
from alex.job_context import require_job_id
from alex.observability.exporters import exporters_from_env
from alex.observability.logging import bind, configure_logging
from alex.observability.metrics import AgentMetrics
from alex.observability.tracing import install_tracing
from alex.warmup import load_service_models

__all__ = ["agent_lambda", "bind", "database", "lambda_entry", "setup"]

log = logging.getLogger("alex.lambda")
_db: Database | None = None


def database() -> Database:
    global _db
    if _db is None:
        _db = Database.from_env()
    return _db


def _store_spans(spans: list[dict[str, Any]]) -> None:
    scoped = [s for s in spans if s.get("job_id")]
    database().spans.add_many(scoped)


def setup(service: str) -> None:
    """Cold-start set-up for one function: logging, tracing to the database, metrics."""
    configure_logging(service)
    load_service_models("rds-data", "lambda")  # the first invocation's clients (alex/warmup.py)
    metrics = AgentMetrics()
    install_tracing(_store_spans, exporters=[metrics, *exporters_from_env()])


def lambda_entry(service: str) -> Callable[[Callable[[dict[str, Any], Any], Any]], Callable[[Any, Any], Any]]:
    """Decorate a handler so each invocation logs with its request id (and job id)."""
    setup(service)

    def decorate(handler: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        @functools.wraps(handler)
        def wrapper(event: Any, context: Any) -> Any:
            job_id = event.get("job_id") if isinstance(event, dict) else None
            with bind(request_id=getattr(context, "aws_request_id", None), agent=service, job_id=job_id):
                return handler(event, context)

        return wrapper

    return decorate


AgentStep = Callable[[Database, str], Coroutine[Any, Any, dict[str, Any]]]


def agent_lambda(service: str, step: AgentStep) -> Callable[[Any, Any], dict[str, Any]]:
    """The handler of an analysis agent invoked by the planner with ``{"job_id": ...}``.

    A failure is audited (outcome ``error``) and re-raised, so the planner's invoke sees a
    FunctionError and decides what it means for the job.
    """

    @lambda_entry(service)
    def handler(event: Any, context: Any) -> dict[str, Any]:
        job_id = require_job_id(event)
        db = database()
        started = time.perf_counter()
        try:
            return asyncio.run(step(db, job_id))
        except Exception as exc:
            log.exception("agent failed", extra={"agent": service})
            try:
                audit(
                    db,
                    None,
                    job_id=job_id,
                    agent=service,
                    guardrails=[],
                    outcome="error",
                    payload=event,
                    summary=f"failed: {type(exc).__name__}: {exc}"[:1000],
                    duration_ms=int((time.perf_counter() - started) * 1000),
                )
            except Exception:  # the original error matters more than a failed audit write
                log.exception("could not audit the failure")
            raise

    return handler
