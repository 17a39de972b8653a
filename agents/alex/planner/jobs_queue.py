"""What the planner does with each SQS delivery, so that no job is ever lost.

* A delivery for a finished job does nothing (SQS delivers at least once).
* A job leased by a live attempt is left to it and the delivery is deleted (a duplicate): the
  live attempt's own message stays in flight until that attempt ends, and SQS returns it if the
  attempt dies, so nothing is lost. (Reported failed, the duplicate was retried after the
  receive-count backoff and dead-lettered whenever the job outlasted three of them.)
* A failed attempt hands the job back (``pending``, with the reason) and reports the
  message failed, so SQS retries it; the attempt that reaches the queue's
  ``maxReceiveCount`` marks the job ``failed`` with its reason and lets the message go
  to the DLQ. A job is never left ``running``: the deadline watchdog stops the work
  before the Lambda timeout, and a crashed attempt's lease (``LEASE_SECONDS``, renewed by a
  heartbeat while the attempt lives) expires within a minute, for the sweeper to re-queue.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, Self

from agents import custom_span, trace

from alex.db import Database
from alex.planner.agent import Orchestrator
from alex.planner.invoke import LambdaInvoker
from alex.schemas import PLANNER_TOOLS
from alex.db.jobs import TERMINAL

log = logging.getLogger("alex.planner")
Outcome = Literal["completed", "skipped", "retry", "failed", "busy", "invalid"]
SAFETY_MARGIN_SECONDS = 5.0


class DeadlineExceeded(TimeoutError):
    pass


@dataclass
class Delivery:
    message_id: str
    job_id: str | None
    attempt: int
    error: str | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Delivery:
        message_id = str(record.get("messageId", ""))
        attempt = int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))
        try:
            body = json.loads(record.get("body") or "")
        except ValueError:
            return cls(message_id, None, attempt, "message body is not JSON")
        job_id = body.get("job_id") if isinstance(body, dict) else None
        if not isinstance(job_id, str) or not job_id:
            return cls(message_id, None, attempt, "message body has no 'job_id' string")
        previous = body.get("previous_attempts", 0)  # a message the sweeper sent carries the attempts already made
        if isinstance(previous, int) and 0 <= previous < 1000:
            attempt += previous
        return cls(message_id, job_id, attempt)


def max_receive_count() -> int:
    return int(os.environ.get("MAX_RECEIVE_COUNT", "3"))


def lease_seconds() -> float:
    """How long a claim holds without a heartbeat: a crashed attempt's job is free again this soon."""
    return float(os.environ.get("LEASE_SECONDS", "60"))


class Heartbeat:
    """Renews the attempt's lease every third of it while the work runs, so a live attempt keeps
    its job however long it takes and a dead one loses it within one lease, not the Lambda timeout."""

    def __init__(self, db: Database, job_id: str, attempt: int, lease: float) -> None:
        self._db, self._job_id, self._attempt, self._lease = db, job_id, attempt, lease
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-heartbeat", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._lease / 3):
            try:
                self._db.jobs.renew(self._job_id, self._attempt, self._lease)
            except Exception:  # a missed beat is retried; the lease still has two thirds left
                log.warning("could not renew the job's lease", exc_info=True)


def deadline_seconds(context: Any) -> float:
    """Time left for the work: the invocation's remaining time minus a margin to record the outcome."""
    remaining_ms = context.get_remaining_time_in_millis() if hasattr(context, "get_remaining_time_in_millis") else 900_000
    margin = min(SAFETY_MARGIN_SECONDS, remaining_ms / 1000 * 0.2)
    return max(0.5, remaining_ms / 1000 - margin)


def process(db: Database, delivery: Delivery, context: Any, invoker: LambdaInvoker) -> Outcome:
    if delivery.job_id is None:
        log.error("undeliverable message", extra={"message_id": delivery.message_id, "reason": delivery.error})
        return "invalid"
    job_id = delivery.job_id
    job = db.jobs.get_any(job_id)
    if job is None:
        log.error("message for a job that does not exist", extra={"job_id": job_id})
        return "invalid"
    if job["status"] in TERMINAL:
        log.info("duplicate delivery for a finished job; nothing to do", extra={"status": job["status"]})
        return "skipped"
    budget = deadline_seconds(context)
    lease = min(lease_seconds(), budget + SAFETY_MARGIN_SECONDS)
    if db.jobs.claim(job_id, delivery.attempt, lease_seconds=lease) is None:
        log.warning("job is leased by another live attempt; dropping this duplicate delivery")
        return "busy"
    try:
        with Heartbeat(db, job_id, delivery.attempt, lease):
            summary = run_with_deadline(db, job_id, invoker, budget, delivery.attempt)
    except Exception as exc:  # every failure ends in a retry or a failed job, never a running one
        reason = f"{type(exc).__name__}: {exc}"
        final = delivery.attempt >= max_receive_count()
        log.exception("analysis attempt failed", extra={"attempt": delivery.attempt, "final": final})
        if final:
            db.jobs.fail(job_id, f"failed after {delivery.attempt} attempts: {reason}")
            return "failed"
        db.jobs.release(job_id, f"attempt {delivery.attempt} failed, will retry: {reason}")
        return "retry"
    db.jobs.complete(job_id, summary)
    return "completed"


def agent_pool() -> ThreadPoolExecutor:
    """The threads an attempt invokes agent Lambdas on: the planner model calls the reporter,
    charter and retirement together, so one thread each."""
    return ThreadPoolExecutor(max_workers=len(PLANNER_TOOLS), thread_name_prefix="agent-invoke")


def run_with_deadline(db: Database, job_id: str, invoker: LambdaInvoker, budget: float, attempt: int) -> dict[str, Any]:
    pool = agent_pool()
    orchestrator = Orchestrator(db, job_id, invoker, pool)

    async def work() -> dict[str, Any]:
        with trace("Alex planner", group_id=job_id, metadata={"job_id": job_id, "agent": "planner", "attempt": str(attempt)}):
            with custom_span("analysis", data={"attempt": attempt, "budget_seconds": round(budget, 1)}):
                try:
                    return await asyncio.wait_for(orchestrator.run(), timeout=budget)
                except TimeoutError:
                    raise DeadlineExceeded(f"the analysis did not finish within {budget:.1f}s") from None

    try:
        return asyncio.run(work())
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
