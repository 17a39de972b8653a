"""End jobs whose last attempt died without recording an outcome (Lambda crash or hard timeout).

A crashed attempt cannot mark its job; its lease expires instead. If attempts remain,
SQS redelivers and the next attempt claims the job. If none remain, the message goes
to the DLQ and nobody would touch the job again, so the reaper fails it with the
reason. It runs at the start of every planner invocation and as its own scheduled
Lambda (EventBridge, every minute, in production).
"""

from __future__ import annotations

import logging
from typing import Any

from alex.db import Database

log = logging.getLogger("alex.planner.reaper")


def reap(db: Database, max_attempts: int) -> list[str]:
    """Fail every expired-lease job whose attempts are used up; returns their ids."""
    failed = []
    for job in db.jobs.expired_leases():
        if int(job.get("attempts") or 0) >= max_attempts:
            reason = (f"attempt {job['attempts']} of {max_attempts} stopped without finishing "
                      "(Lambda timeout or crash); no retry remains")
            if db.jobs.fail(str(job["id"]), reason):
                log.warning("reaped a job whose last attempt died", extra={"job_id": str(job["id"])})
                failed.append(str(job["id"]))
    return failed


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    from alex.lambda_support import database
    from alex.planner.jobs_queue import max_receive_count

    return {"failed": reap(database(), max_receive_count())}
