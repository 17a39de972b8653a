"""The course repository's Alex, unchanged, on the local cloud: its migrations and seed through the Data
API, its five agents packaged from their folders and deployed (through Terraform 6_agents and through
boto3), and an SQS message for a user's job running them to ``completed``."""

from __future__ import annotations

import json
import time

import pytest

from tests.upstream import support
from tests.upstream.conftest import Deployment

# Bounded, but generous: on a loaded 2-core machine one deployment's setup (database, Terraform) and
# a job (five cold starts of 67 MB packages) each take minutes.
pytestmark = [pytest.mark.upstream, pytest.mark.slow, pytest.mark.timeout(900)]

TABLES = {"users", "instruments", "accounts", "positions", "jobs"}


def test_upstream_migrations_and_seed_run_through_the_data_api(deployment: Deployment) -> None:
    """Aurora PostgreSQL with the Data API: upstream's run_migrations.py (uuid-ossp, uuid_generate_v4
    defaults, JSONB, triggers) and seed_data.py succeed statement by statement, as on AWS."""
    for run in (deployment.migrations, deployment.seed):
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert "❌" not in run.stdout, run.stdout[-3000:]
    tables = {
        row["table_name"]
        for row in deployment.db.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
    }
    assert TABLES <= tables
    instruments = deployment.db.rows("SELECT count(*) AS n FROM instruments")[0]["n"]
    assert instruments >= 20, "seed_data.py loads its ETFs"
    uuid_default = deployment.db.rows("SELECT uuid_generate_v4()::text AS u")[0]["u"]
    assert len(uuid_default) == 36


def test_agents_are_deployed_as_upstream_declares_them(deployment: Deployment) -> None:
    """Lambda keeps what the deployment declared: runtime python3.12, handler, timeouts, memory, and the
    planner's SQS trigger with batch size 1."""
    lam = deployment.client("lambda")
    for agent in support.AGENTS:
        config = lam.get_function_configuration(FunctionName=f"alex-{agent}")
        assert (config["Runtime"], config["Handler"]) == (support.RUNTIME, support.HANDLER)
        assert config["Timeout"] == support.TIMEOUTS[agent]
        assert config["MemorySize"] == support.MEMORY.get(agent, 1024)
        assert config["Environment"]["Variables"]["AURORA_CLUSTER_ARN"] == deployment.cluster_arn
    mappings = lam.list_event_source_mappings(FunctionName="alex-planner")["EventSourceMappings"]
    assert [m["BatchSize"] for m in mappings] == [1]


def test_an_sqs_message_runs_the_upstream_agents_to_completed(deployment: Deployment) -> None:
    """SQS -> planner Lambda (event source mapping) -> tagger, reporter, charter and retirement Lambdas
    invoked through boto3 -> results stored through the Data API: the job ends completed with every payload."""
    db = deployment.db
    job_id = support.seed_portfolio_job(db, f"user_{deployment.how}_e2e")
    began = time.perf_counter()
    deployment.client("sqs").send_message(QueueUrl=deployment.queue_url, MessageBody=job_id)
    job = support.wait_for_job(db, job_id, timeout=600)
    elapsed = time.perf_counter() - began
    print(f"[{deployment.how}] job {job['status']} in {elapsed:.1f}s; setup {deployment.timings}")
    assert job["status"] == "completed", job["error_message"]
    report, charts, retirement = (json.loads(job[k]) for k in ("report", "charts", "retirement"))
    assert report and charts and retirement, job
    assert isinstance(charts, dict) and charts, "the charter stores at least one chart"


def test_a_planner_that_returns_500_loses_the_job_as_on_aws(deployment: Deployment) -> None:
    """Upstream's planner catches every error and returns {"statusCode": 500}: for Lambda that is a
    successful invocation, so the SQS event source mapping deletes the message. The job is failed once
    and never retried: no redelivery, nothing in the DLQ (AWS does the same; the local cloud must not fix it)."""
    if deployment.how != "boto3":
        pytest.skip("shown once, on the boto3 deployment")
    db = deployment.db
    job_id = support.seed_portfolio_job(db, "user_planner_500")
    cloud = deployment.cloud
    faults = cloud.url + "/_harness/bedrock/faults"
    import httpx

    assert httpx.post(faults, json={"kind": "unavailable", "always": True}).status_code in (200, 201)
    try:
        deployment.client("sqs").send_message(QueueUrl=deployment.queue_url, MessageBody=job_id)
        job = support.wait_for_job(db, job_id, timeout=180)
    finally:
        httpx.delete(faults)
    assert job["status"] == "failed", job
    sqs = deployment.client("sqs")
    dlq = sqs.get_queue_url(QueueName="alex-analysis-jobs-dlq")["QueueUrl"]
    deadline = time.monotonic() + 30
    while True:  # the mapping deletes the message once the invocation returns
        counts = [
            int(v)
            for url in (deployment.queue_url, dlq)
            for v in sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
            )["Attributes"].values()
        ]
        if sum(counts) == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert counts == [0, 0, 0, 0], "the message is deleted, not left for a retry nor sent to the DLQ"
    invocations = _planner_invocations(deployment, job_id)
    assert invocations == 1, f"the planner ran {invocations} times for the job; SQS must not redeliver it"


def _planner_invocations(deployment: Deployment, job_id: str) -> int:
    """How many planner invocations logged this job (upstream logs the event it was invoked with)."""
    logs = deployment.client("logs")
    count = 0
    for stream in logs.describe_log_streams(logGroupName="/aws/lambda/alex-planner")["logStreams"]:
        events = logs.get_log_events(
            logGroupName="/aws/lambda/alex-planner", logStreamName=stream["logStreamName"], startFromHead=True
        )["events"]
        count += sum(1 for event in events if "Planner Lambda invoked" in event["message"] and job_id in event["message"])
    return count
