"""One Alex analysis end to end on the hybrid: LocalStack's SQS and Secrets Manager, the harness's
Lambda, event source mapping, Data API and scripted model."""

from __future__ import annotations

import time

import pytest
from alex.schemas import REPORT_SECTIONS

from harness.alexkit.local_alex import alex_components, start_local_alex
from harness.localstack.hybrid import HybridCloud

pytestmark = [pytest.mark.localstack, pytest.mark.slow, pytest.mark.timeout(480)]


def test_one_analysis_completes_on_localstack_and_the_harness(localstack, tmp_path):
    """An analysis submitted over HTTP goes through LocalStack's jobs queue to the harness's planner
    Lambda and completes; the stack's queues and secret are LocalStack's (their URLs and ARNs say so)."""
    cloud = HybridCloud(localstack.url, components=alex_components(tmp_path / "data")).start()
    try:
        with start_local_alex(cloud=cloud, state_dir=tmp_path / "issuer") as alex:
            assert alex.stack.jobs_queue_url.startswith(localstack.url)
            assert ":000000000000:" in alex.stack.secret_arn  # LocalStack's account, not the harness's
            owner = alex.client("user_hybrid")
            account = owner.post("/api/accounts", json={"account_name": "Brokerage", "cash_balance": "2500"})
            assert account.status_code == 201, account.text
            for symbol, quantity in (("VTI", "40"), ("BND", "25")):
                created = owner.post(
                    "/api/positions", json={"account_id": account.json()["id"], "symbol": symbol, "quantity": quantity}
                )
                assert created.status_code == 201, created.text
            submitted = owner.post("/api/analyze", json={})
            assert submitted.status_code == 202, submitted.text
            job_id = submitted.json()["job_id"]
            deadline = time.monotonic() + 280  # cold starts take tens of seconds on a loaded 2-core machine
            job = owner.get(f"/api/jobs/{job_id}").json()
            while job["status"] not in ("completed", "failed") and time.monotonic() < deadline:
                time.sleep(0.5)
                job = owner.get(f"/api/jobs/{job_id}").json()
            assert job["status"] == "completed", (job.get("error_message"), _function_logs(cloud))
            assert all(f"## {s}" in job["report_payload"]["content"] for s in REPORT_SECTIONS)
            assert job["summary_payload"]["tagged"] == ["BND", "VTI"]
    finally:
        cloud.stop()


def _function_logs(cloud: HybridCloud) -> str:
    """The functions' log lines (kept by the harness, where they ran), to say why a job did not finish."""
    logs = super(HybridCloud, cloud).client("logs")
    lines = []
    for group in logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]:
        events = logs.filter_log_events(logGroupName=group["logGroupName"])["events"]
        lines += [f"{group['logGroupName']}: {e['message'].rstrip()}" for e in events[-40:]]
    return "\n".join(lines)
