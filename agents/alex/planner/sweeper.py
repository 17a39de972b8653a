"""The scheduled sweeper: every job ends, even when the process that held it is gone for good.

Runs as its own Lambda (``alex-sweeper``, handler in :mod:`alex.planner.sweeper_handler`) on an
EventBridge schedule, every minute. SQS and the planner cover every failure they can see; the
sweeper covers the ones nobody sees:

* a job ``running`` whose lease ran out (the planner crashed, its Lambda was killed, the
  whole cloud stopped): its heartbeat stopped, so nobody works on it. With attempts left it
  goes back to ``pending`` and a new message is sent, delayed by the retry backoff (not the
  queue's 910 s visibility timeout); with none left it is failed with the reason.
* a job ``pending`` untouched for ``SWEEP_PENDING_SECONDS`` (default 300): its message is
  gone (the API died between writing the job and sending it, or the message was lost with
  the queue). A new message is sent.

A job is re-queued at most ``SWEEP_MAX_REQUEUES`` times (default 3), then failed with the
reason; every message the sweeper sends carries the attempts already made, so a job gets
``MAX_RECEIVE_COUNT`` attempts in all. A duplicate message is harmless: the planner's
claim lets one attempt at a time work on a job and ignores deliveries for finished jobs.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any

from alex.db import Database
from alex.db.client import Row
from alex.planner.redelivery import backoff_seconds

log = logging.getLogger("alex.planner.sweeper")
MAX_DELAY_SECONDS = 900  # SQS DelaySeconds maximum


@dataclass(frozen=True)
class SweepSettings:
    max_attempts: int
    pending_seconds: float
    max_requeues: int

    @classmethod
    def from_env(cls) -> SweepSettings:
        return cls(
            max_attempts=int(os.environ.get("MAX_RECEIVE_COUNT", "3")),
            pending_seconds=float(os.environ.get("SWEEP_PENDING_SECONDS", "300")),
            max_requeues=int(os.environ.get("SWEEP_MAX_REQUEUES", "3")),
        )


@dataclass
class SweepResult:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {"requeued": self.requeued, "failed": self.failed}


def sweep(db: Database, sqs: Any, queue_url: str, settings: SweepSettings) -> SweepResult:
    """One pass over the jobs nobody is working on; returns what it re-queued and failed."""
    result = SweepResult()
    for job in db.jobs.expired_leases():
        attempts = int(job.get("attempts") or 0)
        why = f"attempt {attempts} of {settings.max_attempts} stopped without finishing (its lease expired)"
        _settle(db, sqs, queue_url, settings, job, why, backoff_seconds(max(1, attempts)), result)
    for job in db.jobs.stale_pending(settings.pending_seconds):
        why = f"pending for more than {settings.pending_seconds:.0f}s with no attempt (its message was lost)"
        _settle(db, sqs, queue_url, settings, job, why, 0, result)
    if result.requeued or result.failed:
        log.warning(
            "sweep re-queued %d and failed %d job(s)",
            len(result.requeued),
            len(result.failed),
            extra={"requeued": result.requeued, "failed": result.failed},
        )
    return result


def _settle(
    db: Database, sqs: Any, queue_url: str, settings: SweepSettings, job: Row, why: str, delay: int, result: SweepResult
) -> None:
    job_id = str(job["id"])
    attempts, requeues = int(job.get("attempts") or 0), int(job.get("requeues") or 0)
    if attempts >= settings.max_attempts or requeues >= settings.max_requeues:
        spent = (
            f"no attempt remains ({attempts} of {settings.max_attempts})"
            if attempts >= settings.max_attempts
            else f"re-queued {requeues} times already"
        )
        if db.jobs.fail(job_id, f"{why}; {spent}"):
            result.failed.append(job_id)
        return
    if db.jobs.requeue(job_id, job, f"{why}; re-queued by the sweeper") is None:
        return  # someone moved it meanwhile (an attempt claimed it, another sweep re-queued it)
    body = json.dumps({"job_id": job_id, "previous_attempts": attempts})
    try:
        sqs.send_message(QueueUrl=queue_url, MessageBody=body, DelaySeconds=min(MAX_DELAY_SECONDS, delay))
    except Exception:  # the job is pending again, so the next sweep tries once more
        log.exception("could not re-queue job %s", job_id)
        return
    result.requeued.append(job_id)
