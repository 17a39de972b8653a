"""End jobs whose last attempt died without recording an outcome (Lambda crash or hard timeout).

A crashed attempt cannot mark its job; its lease expires instead. If attempts remain,
SQS redelivers and the next attempt claims the job. If none remain, the message goes
to the DLQ and nobody would touch the job again, so the reaper fails it with the
reason. It runs at the start of every planner invocation and as its own scheduled
Lambda (EventBridge, every minute, in production).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from alex.db import Database

log = logging.getLogger("alex.planner.reaper")


def reap(db: Database, max_attempts: int, stale_pending_seconds: float | None = None) -> list[str]:
    """Fail every expired-lease job whose attempts are used up, and every job left pending far
    longer than a queue backlog explains (its message was dead-lettered before any attempt
    could claim it: a planner that crashed at start-up, say); returns their ids."""
    failed = []
    stale = (
        stale_pending_seconds if stale_pending_seconds is not None else float(os.environ.get("STALE_PENDING_SECONDS", "21600"))
    )
    for job in db.jobs.stale_pending(stale):
        if db.jobs.fail(str(job["id"]), f"never started: pending for more than {stale:.0f}s (its message was not processed)"):
            log.warning("reaped a job that never started", extra={"job_id": str(job["id"])})
            failed.append(str(job["id"]))
    for job in db.jobs.expired_leases():
        if int(job.get("attempts") or 0) >= max_attempts:
            reason = (
                f"attempt {job['attempts']} of {max_attempts} stopped without finishing "
                "(Lambda timeout or crash); no retry remains"
            )
            if db.jobs.fail(str(job["id"]), reason):
                log.warning("reaped a job whose last attempt died", extra={"job_id": str(job["id"])})
                failed.append(str(job["id"]))
    return failed


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    from alex.lambda_support import database
    from alex.planner.jobs_queue import max_receive_count

    return {"failed": reap(database(), max_receive_count())}
