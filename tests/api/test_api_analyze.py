"""POST /api/analyze: a job row and a message on the jobs queue, or a failed job and 503 if the queue refuses."""

from __future__ import annotations

import httpx

from alex.db import Database
from harness.alexkit.api_server import ApiServer
from harness.alexkit.pytest_plugin import AlexApi


def test_analyze_creates_a_pending_job_and_one_message_on_the_jobs_queue(api: AlexApi, jobs_queue, alex_db: Database) -> None:
    """The answer is 202 {"job_id", "status": "pending", "message"}; the job row is pending, owned by the
    caller, holds the request and the request id; the jobs queue (the planner's trigger, switched off in
    these tests) holds exactly {"job_id": <id>}; GET /api/jobs/<id> shows the job."""
    client = api.client("user_an")
    response = client.post("/api/analyze", json={"analysis_type": "portfolio"}, headers={"x-request-id": "req-analyze-1"})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "pending" and body["message"] and set(body) == {"job_id", "status", "message"}
    job_id = body["job_id"]
    assert response.headers["x-request-id"] == "req-analyze-1"

    row = alex_db.jobs.get("user_an", job_id)
    assert row is not None and row["status"] == "pending" and row["request_id"] == "req-analyze-1"
    assert row["request_payload"] == {"analysis_type": "portfolio"}
    assert jobs_queue(expected=1) == [{"job_id": job_id}]

    shown = client.get(f"/api/jobs/{job_id}").json()
    assert shown["id"] == job_id and shown["status"] == "pending" and shown["created_at"].endswith("Z")
    listed = client.get("/api/jobs", params={"status": "pending"}).json()["jobs"]
    assert [j["id"] for j in listed] == [job_id]

    second = client.post("/api/analyze")  # no body: the defaults of AnalyzeRequest
    assert second.status_code == 202
    assert second.json()["job_id"] != job_id
    assert second.headers["x-request-id"] != "req-analyze-1"
    assert alex_db.jobs.get("user_an", second.json()["job_id"])["request_id"] == second.headers["x-request-id"]


def test_a_queue_that_refuses_the_message_fails_the_job_and_answers_503(api: AlexApi, jobs_queue, alex_db: Database) -> None:
    """With SQS_QUEUE_URL naming a queue that does not exist, SendMessage fails: the job is marked failed
    with the reason (no pending job that no message will ever run) and the caller gets 503 with the job id."""
    env = dict(api.env, SQS_QUEUE_URL=api.env["SQS_QUEUE_URL"].rsplit("/", 1)[0] + "/no-such-queue")
    with (
        ApiServer(api.settings, env) as broken,
        httpx.Client(base_url=broken.url, headers={"Authorization": f"Bearer {api.token('user_q503')}"}, timeout=15) as client,
    ):
        response = client.post("/api/analyze", json={})
        assert response.status_code == 503, response.text
        body = response.json()
        assert body["detail"] == "The analysis could not be queued right now; please try again shortly."
        assert "no-such-queue" not in response.text
        job = client.get(f"/api/jobs/{body['job_id']}").json()
    assert job["status"] == "failed" and job["completed_at"] is not None
    assert "could not queue the analysis" in job["error_message"] and "NonExistentQueue" in job["error_message"]
    assert [j["status"] for j in alex_db.jobs.list("user_q503")] == ["failed"]
    assert jobs_queue(expected=1, wait=0) == []  # nothing reached the real queue
