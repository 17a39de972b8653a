"""A whole analysis on the local cloud: SQS -> planner Lambda -> tagger, reporter, charter and
retirement Lambdas -> Bedrock (the scripted model) -> Aurora through the Data API.

Nothing here is mocked inside Alex: the message goes on the real (emulated) queue, the
event source mapping invokes the planner, which invokes the other functions through boto3.
"""

from __future__ import annotations

import json
import time

import pytest
from alex.guardrails import validate_charts
from alex.schemas import RECOMMENDATION_FIELDS, REPORT_SECTIONS

from tests.alex.analysis_support import forget_classification, seed_portfolio, submit, wait_for_job

pytestmark = pytest.mark.slow
AGENTS = ("planner", "tagger", "reporter", "charter", "retirement")


def dlq_bodies(analysis, wait: float = 10.0) -> list[dict | str]:
    """Every message the DLQ holds (taken out of it), waiting up to ``wait`` for the first."""
    deadline = time.monotonic() + wait
    found: list[dict | str] = []
    while time.monotonic() < deadline:
        got = analysis.sqs.receive_message(QueueUrl=analysis.stack.dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        if found and not got.get("Messages"):
            return found
        for message in got.get("Messages", []):
            try:
                found.append(json.loads(message["Body"]))
            except ValueError:  # a poison message another test left there
                found.append(message["Body"])
            analysis.sqs.delete_message(QueueUrl=analysis.stack.dlq_url, ReceiptHandle=message["ReceiptHandle"])
    return found


def test_analysis_completes_with_every_payload_audit_record_and_span(analysis, fresh_model) -> None:
    """Unclassified instruments are tagged first; then report, charts and retirement are stored,
    each agent leaves an audit record and trace spans with gen_ai.* attributes."""
    seed_portfolio(analysis.db, "e2e_user", {"SPY": 100, "BND": 50, "VXUS": 30})
    job_id = submit(analysis.db, analysis.stack, analysis.sqs, "e2e_user")
    job = wait_for_job(analysis.db, job_id, timeout=150)
    assert job["status"] == "completed", job["error_message"]

    report = job["report_payload"]["content"]
    for section in REPORT_SECTIONS:
        assert f"## {section}" in report
    for label in RECOMMENDATION_FIELDS:
        assert f"**{label}:**" in report
    verdict = validate_charts(json.dumps(job["charts_payload"]))
    assert verdict.ok, verdict.errors
    pie = next(c for c in job["charts_payload"]["charts"] if c["type"] == "pie")
    assert abs(sum(d["value"] for d in pie["data"]) - 100) < 0.01
    simulation = job["retirement_payload"]["simulation"]
    assert simulation["simulations"] == 500 and 0 <= simulation["success_rate"] <= 100
    assert set(simulation["percentiles_at_retirement"]) == {"p10", "p50", "p90"}

    spy = analysis.db.instruments.get("SPY")
    assert spy["allocation_asset_class"] and "rationale" not in json.dumps(spy)  # rationale stripped before storage
    assert job["summary_payload"]["tagged"] == ["BND", "SPY", "VXUS"]

    audit = analysis.db.audit.for_job(job_id)
    assert {a["agent"] for a in audit} == set(AGENTS)
    assert [a["agent"] for a in audit].count("tagger") == 3
    assert all(len(a["input_hash"]) == 64 and a["outcome"] == "ok" for a in audit)
    assert all(a["rationale"] for a in audit if a["agent"] == "tagger")

    spans = analysis.db.spans.for_job(job_id)
    agents_traced = {s["attributes"].get("gen_ai.agent.name") for s in spans if s["kind"] == "agent"}
    assert agents_traced == {f"Alex {a.capitalize()}" for a in AGENTS}
    generations = [s for s in spans if s["kind"] == "generation"]
    assert generations and all(s["attributes"]["gen_ai.usage.input_tokens"] > 0 for s in generations)
    tools = [s for s in spans if s["kind"] == "tool"]
    assert {s["attributes"]["gen_ai.tool.name"] for s in tools} == {"invoke_reporter", "invoke_charter", "invoke_retirement"}
    # one planner answer called the three agents together: their tool spans overlap in time
    assert max(s["started_at"] for s in tools) < min(s["ended_at"] for s in tools)
    assert fresh_model.counts() == {"tagger": 3, "planner": 2, "reporter": 1, "charter": 1, "retirement": 1}


def test_redelivered_message_for_a_finished_job_does_nothing(analysis, fresh_model) -> None:
    """SQS delivers at least once: a second delivery of a completed job calls no model and writes nothing."""
    seed_portfolio(analysis.db, "dup_user", {"SPY": 10})
    job_id = submit(analysis.db, analysis.stack, analysis.sqs, "dup_user")
    first = wait_for_job(analysis.db, job_id)
    assert first["status"] == "completed"
    calls, audit = len(fresh_model.calls), len(analysis.db.audit.for_job(job_id))
    analysis.sqs.send_message(QueueUrl=analysis.stack.jobs_queue_url, MessageBody=json.dumps({"job_id": job_id}))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _queue_depth(analysis) > 0:
        time.sleep(0.3)
    time.sleep(1.0)
    assert _queue_depth(analysis) == 0
    again = analysis.db.jobs.get_any(job_id)
    assert len(fresh_model.calls) == calls and len(analysis.db.audit.for_job(job_id)) == audit
    assert again["updated_at"] == first["updated_at"] and again["status"] == "completed"


def test_a_duplicate_delivered_while_the_job_runs_is_dropped_not_dead_lettered(analysis, fresh_model) -> None:
    """SQS delivers at least once, so a job's message may arrive twice while its first attempt runs. The
    second delivery finds the job leased and is deleted: the live attempt's own message stays in flight
    until that attempt ends (and returns if it dies). Retried with the receive-count backoff instead
    (1, 2, 4 s here), it reached the DLQ whenever the job outlasted ~7 s (on AWS, 30+60+120 s against a
    900 s planner) and fired the DLQ alarm for a job that completed."""
    seed_portfolio(analysis.db, "dup_running_user", {"SPY": 10})
    fresh_model.add_fault("timeout", agent="reporter", count=1, delay_seconds=12.0)  # the job outlasts 1+2+4 s
    job_id = submit(analysis.db, analysis.stack, analysis.sqs, "dup_running_user")
    analysis.sqs.send_message(QueueUrl=analysis.stack.jobs_queue_url, MessageBody=json.dumps({"job_id": job_id}))
    assert wait_for_job(analysis.db, job_id, timeout=120)["status"] == "completed"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _queue_depth(analysis) > 0:
        time.sleep(0.3)
    assert _queue_depth(analysis) == 0
    assert dlq_bodies(analysis, wait=2.0) == []


def _queue_depth(analysis) -> int:
    attrs = analysis.sqs.get_queue_attributes(
        QueueUrl=analysis.stack.jobs_queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])


def test_a_message_that_is_not_a_job_goes_to_the_dlq_untouched(analysis, fresh_model) -> None:
    """A poison message is retried, then kept in the DLQ for inspection (no data lost, no model called)."""
    analysis.sqs.send_message(QueueUrl=analysis.stack.jobs_queue_url, MessageBody="not json at all")
    deadline = time.monotonic() + 30
    bodies: list = []
    while not bodies and time.monotonic() < deadline:
        got = analysis.sqs.receive_message(QueueUrl=analysis.stack.dlq_url, WaitTimeSeconds=1)
        bodies = [m["Body"] for m in got.get("Messages", [])]
    assert bodies == ["not json at all"]
    assert fresh_model.calls == []


def test_agent_metrics_reach_cloudwatch(analysis, fresh_model) -> None:
    """Each function's traces become CloudWatch metrics (namespace Alex/Agents, dimension Agent)."""
    seed_portfolio(analysis.db, "metrics_user", {"SPY": 10})
    job = wait_for_job(analysis.db, submit(analysis.db, analysis.stack, analysis.sqs, "metrics_user"))
    assert job["status"] == "completed"
    cloudwatch = analysis.cloud.client("cloudwatch")
    metrics = cloudwatch.list_metrics(Namespace="Alex/Agents", MetricName="ModelInvocations")["Metrics"]
    agents = {d["Value"] for m in metrics for d in m["Dimensions"] if d["Name"] == "Agent"}
    assert {"planner", "reporter", "charter", "retirement"} <= agents


def test_a_planner_that_runs_out_of_time_never_leaves_the_job_running(analysis, fresh_model) -> None:
    """The planner's model hangs past the Lambda timeout: the watchdog stops each attempt before
    Lambda would kill it, hands the job back, and the last attempt fails it with the reason."""
    lam = analysis.cloud.client("lambda")
    planner = analysis.stack.spec.function("planner").name
    original = lam.get_function_configuration(FunctionName=planner)["Timeout"]
    lam.update_function_configuration(FunctionName=planner, Timeout=12)
    try:
        seed_portfolio(analysis.db, "slow_user", {"SPY": 10})
        fresh_model.add_fault("timeout", agent="planner", always=True, delay_seconds=60)
        job_id = submit(analysis.db, analysis.stack, analysis.sqs, "slow_user")
        seen = set()
        deadline = time.monotonic() + 120
        while (job := analysis.db.jobs.get_any(job_id))["status"] not in ("completed", "failed"):
            seen.add(job["status"])
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert job["status"] == "failed" and job["attempts"] == 3
        assert "DeadlineExceeded" in job["error_message"] and "did not finish within" in job["error_message"]
        assert "running" in seen
        assert {"job_id": job_id} in dlq_bodies(analysis)
    finally:
        # reset, not clear: it wakes the abandoned attempts' model calls still sleeping in the
        # timeout fault, so they end now instead of landing in the next test's call log
        fresh_model.reset()
        lam.update_function_configuration(FunctionName=planner, Timeout=original)


def test_a_replayed_analysis_stores_the_same_payloads_without_reaching_the_model(analysis, fresh_model, tmp_path) -> None:
    """Record an analysis's model calls (one cassette per function), then replay it with Bedrock
    down and connections beyond loopback blocked: the stored report, charts and retirement payloads
    are identical and the model sees no call."""
    from harness.cassettes.control import CassetteControl

    control = analysis.cloud.component(CassetteControl)
    holdings = {"VTI": 30, "AGG": 20}
    seed_portfolio(analysis.db, "recorded_user", holdings)
    with control.using(tmp_path, "all", scenario="test_replay"):
        recorded = wait_for_job(analysis.db, submit(analysis.db, analysis.stack, analysis.sqs, "recorded_user", seed=7))
    assert recorded["status"] == "completed", recorded["error_message"]
    assert sorted(p.name for p in tmp_path.glob("*.yaml")) == [
        "alex-charter.yaml",
        "alex-planner.yaml",
        "alex-reporter.yaml",
        "alex-retirement.yaml",
        "alex-tagger.yaml",
    ]

    forget_classification(analysis.db, list(holdings))
    seed_portfolio(analysis.db, "replayed_user", holdings)
    fresh_model.clear()
    fresh_model.add_fault("unavailable", always=True)
    with control.using(tmp_path, "none"):
        replayed = wait_for_job(analysis.db, submit(analysis.db, analysis.stack, analysis.sqs, "replayed_user", seed=7))
    assert replayed["status"] == "completed", replayed["error_message"]
    assert control.misses() == [] and fresh_model.calls == []
    for payload in ("report_payload", "charts_payload", "retirement_payload"):
        assert replayed[payload] == recorded[payload], payload


def test_a_call_missing_from_the_cassettes_fails_the_job_loudly(analysis, fresh_model, tmp_path) -> None:
    """record_mode none with no cassette: the job fails, and the miss names the cassette."""
    from harness.cassettes.control import CassetteControl

    control = analysis.cloud.component(CassetteControl)
    seed_portfolio(analysis.db, "unrecorded_user", {"SPY": 1})
    with control.using(tmp_path / "empty", "none"):
        job = wait_for_job(analysis.db, submit(analysis.db, analysis.stack, analysis.sqs, "unrecorded_user"), timeout=120)
    assert job["status"] == "failed" and "Can't play back this request" in job["error_message"]
    misses = control.misses()
    assert misses and misses[0]["cassette"].endswith("alex-planner.yaml")
    assert "the cassette doesn't exist" in misses[0]["message"]
    assert fresh_model.calls == []
