"""``POST /api/analyze`` queues a portfolio analysis; ``/api/jobs`` shows the user's jobs.

The job row is written first (pending, with the request id), then ``{"job_id": ...}`` is
sent to the jobs queue that triggers the planner. If the send fails the job is marked
failed with the reason and the caller gets 503: a pending job no message will ever run
would leave the user waiting forever.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Body, HTTPException, Query, Request

from alex.api.deps import Db, RequestId, jsonable, runtime
from alex.api.errors import ServiceUnavailable
from alex.api.security import CurrentUser
from alex.guardrails.validation import AnalyzeRequest

log = logging.getLogger("alex.api")
router = APIRouter(prefix="/api", tags=["analysis"])

JOB_NOT_FOUND = "Job not found"
QUEUE_UNAVAILABLE = "The analysis could not be queued right now; please try again shortly."
JobStatus = Literal["pending", "running", "completed", "failed"]


@router.post("/analyze", status_code=202)
def analyze(
    request: Request,
    user: CurrentUser,
    db: Db,
    request_id: RequestId,
    body: Annotated[AnalyzeRequest | None, Body()] = None,
) -> Any:
    analysis = body or AnalyzeRequest()
    db.users.ensure(user)
    job = db.jobs.create(user, analysis.model_dump(mode="json", exclude_none=True), request_id=request_id or None)
    job_id = str(job["id"])
    deps = runtime(request)
    queue_url = deps.get_queue_url()
    try:
        if not queue_url:
            raise RuntimeError("SQS_QUEUE_URL is not set")
        deps.get_sqs().send_message(QueueUrl=queue_url, MessageBody=json.dumps({"job_id": job_id}))
    except Exception as err:  # noqa: BLE001 - any failure to queue means no planner will ever run the job
        reason = f"could not queue the analysis: {type(err).__name__}: {err}"
        try:
            db.jobs.fail(job_id, reason)
        except Exception:  # noqa: BLE001 - the 503 still goes out; the log keeps both failures
            log.exception("job %s could not be marked failed after the queue refused it", job_id)
        raise ServiceUnavailable(QUEUE_UNAVAILABLE, f"job {job_id}: {reason}", job_id=job_id) from None
    log.info("job %s queued for user %s (request %s)", job_id, user, request_id)
    return {"job_id": job_id, "status": "pending", "message": "Analysis started. Check the job status for results."}


@router.get("/jobs/{job_id}")
def get_job(job_id: UUID, user: CurrentUser, db: Db) -> Any:
    row = db.jobs.get(user, str(job_id))
    if row is None:  # another user's job is as absent as a job that never existed
        raise HTTPException(404, JOB_NOT_FOUND)
    return jsonable(row)


@router.get("/jobs")
def list_jobs(
    user: CurrentUser,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    status: JobStatus | None = None,
) -> Any:
    return {"jobs": jsonable(db.jobs.list(user, limit=limit, status=status))}


@router.get("/jobs/{job_id}/audit")
def job_audit(job_id: UUID, user: CurrentUser, db: Db) -> Any:
    """Why Alex said what it said: one record per model decision (agent, model, input hash,
    output summary, rationale, guardrail results, outcome), oldest first."""
    if db.jobs.get(user, str(job_id)) is None:
        raise HTTPException(404, JOB_NOT_FOUND)
    return {"job_id": str(job_id), "records": jsonable(db.audit.for_job(str(job_id)))}


@router.get("/jobs/{job_id}/trace")
def job_trace(job_id: UUID, user: CurrentUser, db: Db) -> Any:
    """The job's trace spans (agents, model calls with tokens, tools, retries) in start order."""
    if db.jobs.get(user, str(job_id)) is None:
        raise HTTPException(404, JOB_NOT_FOUND)
    return {"job_id": str(job_id), "spans": jsonable(db.spans.for_job(str(job_id)))}
