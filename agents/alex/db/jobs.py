"""Analysis jobs and the state machine that keeps them from being lost.

pending -> running (claimed with a lease) -> completed | failed, and running -> pending
when an attempt fails and SQS will deliver the message again. A claim succeeds only on a
job that is not finished and not leased by a live attempt, so a duplicate delivery does
no double work and a redelivery after a crash takes the job over once its lease expires.
"""

from __future__ import annotations

import builtins
from typing import Any

from alex.db.client import DataApiClient, Json, Row

PAYLOAD_FIELDS = ("report_payload", "charts_payload", "retirement_payload", "summary_payload")
TERMINAL = ("completed", "failed")


class Jobs:
    def __init__(self, db: DataApiClient) -> None:
        self.db = db

    def create(self, user_id: str, request_payload: dict[str, Any], request_id: str | None = None) -> Row:
        row = self.db.one(
            """INSERT INTO jobs (clerk_user_id, job_type, status, request_payload, request_id)
               VALUES (:user, 'portfolio_analysis', 'pending', :payload, :request_id) RETURNING *""",
            {"user": user_id, "payload": Json(request_payload), "request_id": request_id},
        )
        assert row is not None
        return row

    def get(self, user_id: str, job_id: str) -> Row | None:
        return self.db.one(
            "SELECT * FROM jobs WHERE id = CAST(:id AS uuid) AND clerk_user_id = :user",
            {"id": str(job_id), "user": user_id},
        )

    def get_any(self, job_id: str) -> Row | None:
        """A job by id alone: for the agents, which act on behalf of the job's owner."""
        return self.db.one("SELECT * FROM jobs WHERE id = CAST(:id AS uuid)", {"id": str(job_id)})

    def list(self, user_id: str, limit: int = 50, status: str | None = None) -> builtins.list[Row]:
        where = "clerk_user_id = :user" + (" AND status = :status" if status else "")
        params: dict[str, Any] = {"user": user_id, "limit": limit}
        if status:
            params["status"] = status
        return self.db.query(f"SELECT * FROM jobs WHERE {where} ORDER BY created_at DESC, id LIMIT :limit", params)

    def claim(self, job_id: str, attempt: int, lease_seconds: float) -> Row | None:
        """Mark the job running for this attempt; None if finished or leased by a live attempt."""
        return self.db.one(
            """UPDATE jobs SET status = 'running', attempts = :attempt,
                   started_at = COALESCE(started_at, clock_timestamp()),
                   lease_expires_at = clock_timestamp() + make_interval(secs => :lease)
               WHERE id = CAST(:id AS uuid) AND status NOT IN ('completed', 'failed')
                 AND (status <> 'running' OR lease_expires_at IS NULL OR lease_expires_at < clock_timestamp())
               RETURNING *""",
            {"id": str(job_id), "attempt": attempt, "lease": float(lease_seconds)},
        )

    def save_payload(self, job_id: str, field: str, value: Any) -> None:
        if field not in PAYLOAD_FIELDS:
            raise ValueError(f"unknown payload field {field!r}")
        self.db.execute(
            f"UPDATE jobs SET {field} = :value WHERE id = CAST(:id AS uuid)", {"id": str(job_id), "value": Json(value)}
        )

    def complete(self, job_id: str, summary: dict[str, Any] | None = None) -> bool:
        return (
            self.db.execute(
                """UPDATE jobs SET status = 'completed', summary_payload = :summary, error_message = NULL,
                   completed_at = clock_timestamp(), lease_expires_at = NULL
               WHERE id = CAST(:id AS uuid) AND status = 'running'""",
                {"id": str(job_id), "summary": Json(summary or {})},
            )
            == 1
        )

    def fail(self, job_id: str, reason: str) -> bool:
        """End the job as failed with its reason (never overwrites a completed job)."""
        return (
            self.db.execute(
                """UPDATE jobs SET status = 'failed', error_message = :reason,
                   completed_at = clock_timestamp(), lease_expires_at = NULL
               WHERE id = CAST(:id AS uuid) AND status NOT IN ('completed', 'failed')""",
                {"id": str(job_id), "reason": reason[:2000]},
            )
            == 1
        )

    def release(self, job_id: str, reason: str) -> bool:
        """Hand a failed attempt's job back to the queue's next delivery."""
        return (
            self.db.execute(
                """UPDATE jobs SET status = 'pending', error_message = :reason, lease_expires_at = NULL
               WHERE id = CAST(:id AS uuid) AND status = 'running'""",
                {"id": str(job_id), "reason": reason[:2000]},
            )
            == 1
        )

    def renew(self, job_id: str, attempt: int, lease_seconds: float) -> bool:
        """Extend a live attempt's lease (its heartbeat); False if the job is no longer this attempt's."""
        return (
            self.db.execute(
                """UPDATE jobs SET lease_expires_at = clock_timestamp() + make_interval(secs => :lease)
               WHERE id = CAST(:id AS uuid) AND status = 'running' AND attempts = :attempt""",
                {"id": str(job_id), "attempt": attempt, "lease": float(lease_seconds)},
            )
            == 1
        )

    def requeue(self, job_id: str, expected: Row, reason: str) -> Row | None:
        """Put a job nobody works on back to pending, once: only if it is still as ``expected`` was read
        (same status, attempts and re-queue count), so two sweepers never re-queue it twice."""
        return self.db.one(
            """UPDATE jobs SET status = 'pending', requeues = requeues + 1, error_message = :reason,
                   lease_expires_at = NULL
               WHERE id = CAST(:id AS uuid) AND status = :status AND attempts = :attempts AND requeues = :requeues
                 AND (status <> 'running' OR lease_expires_at < clock_timestamp())
               RETURNING *""",
            {
                "id": str(job_id),
                "status": expected["status"],
                "attempts": int(expected.get("attempts") or 0),
                "requeues": int(expected.get("requeues") or 0),
                "reason": reason[:2000],
            },
        )

    def expired_leases(self) -> builtins.list[Row]:
        """Jobs still marked running whose attempt's lease ran out (the process died)."""
        return self.db.query(
            "SELECT * FROM jobs WHERE status = 'running' AND lease_expires_at < clock_timestamp() ORDER BY created_at"
        )

    def stale_pending(self, older_than_seconds: float) -> builtins.list[Row]:
        """Jobs still pending long after they were queued (their message never ran them)."""
        return self.db.query(
            """SELECT * FROM jobs WHERE status = 'pending'
                 AND updated_at < clock_timestamp() - make_interval(secs => :age) ORDER BY created_at""",
            {"age": float(older_than_seconds)},
        )
