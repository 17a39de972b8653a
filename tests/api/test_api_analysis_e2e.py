"""The analysis as a user runs it: HTTP with a real JWT -> API -> SQS -> planner and agents -> results over HTTP."""

from __future__ import annotations

import time

import pytest
from alex.schemas import REPORT_SECTIONS

pytestmark = pytest.mark.slow


def test_analysis_submitted_through_the_api_completes_and_only_its_owner_sees_it(alex_api) -> None:
    """POST /api/analyze answers 202 with a job id; polling GET /api/jobs/{id} sees it complete with
    report, charts and retirement payloads; another user's GET is 404."""
    owner = alex_api.client("user_e2e_owner")
    account = owner.post("/api/accounts", json={"account_name": "Brokerage", "cash_balance": "2500"})
    assert account.status_code == 201, account.text
    for symbol, quantity in (("VTI", "40"), ("BND", "25"), ("GLD", "5")):
        created = owner.post("/api/positions", json={"account_id": account.json()["id"], "symbol": symbol, "quantity": quantity})
        assert created.status_code == 201, created.text
    submitted = owner.post("/api/analyze", json={})
    assert submitted.status_code == 202, submitted.text
    job_id = submitted.json()["job_id"]

    deadline = time.monotonic() + 150
    job = owner.get(f"/api/jobs/{job_id}").json()
    while job["status"] not in ("completed", "failed") and time.monotonic() < deadline:
        time.sleep(0.5)
        job = owner.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "completed", job.get("error_message")
    assert all(f"## {s}" in job["report_payload"]["content"] for s in REPORT_SECTIONS)
    assert job["charts_payload"]["charts"] and job["retirement_payload"]["simulation"]["simulations"] == 500
    assert job["summary_payload"]["tagged"] == ["BND", "GLD", "VTI"]
    intruder = alex_api.client("user_e2e_intruder")
    for path in (f"/api/jobs/{job_id}", f"/api/jobs/{job_id}/audit", f"/api/jobs/{job_id}/trace"):
        assert intruder.get(path).status_code == 404
    audit = owner.get(f"/api/jobs/{job_id}/audit").json()["records"]
    assert {r["agent"] for r in audit} == {"planner", "tagger", "reporter", "charter", "retirement"}
    spans = owner.get(f"/api/jobs/{job_id}/trace").json()["spans"]
    assert {"agent", "generation", "tool"} <= {s["kind"] for s in spans}
    assert [j["id"] for j in owner.get("/api/jobs").json()["jobs"]] == [job_id]
