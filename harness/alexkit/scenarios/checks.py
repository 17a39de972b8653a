"""A scenario's expectations, each turned into a :class:`Check` with a reason when it fails."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import httpx

from alex.guardrails import validate_charts
from alex.schemas import RECOMMENDATION_FIELDS, REPORT_SECTIONS
from alex.db.jobs import TERMINAL

from harness.alexkit.scenarios.figures import retirement_mismatches
from harness.alexkit.scenarios.results import Check
from harness.alexkit.scenarios.spec import Scenario

RETIREMENT_FIELDS = (
    "years_until_retirement",
    "target_retirement_income",
    "portfolio_value",
    "success_rate",
    "percentiles_at_retirement",
    "projections",
    "simulations",
)


def evaluate(scenario: Scenario, observed: dict[str, Any]) -> list[Check]:
    expect = scenario.expect
    jobs: dict[str, dict[str, Any]] = observed["jobs"]
    checks: list[Check] = []

    def check(name: str, passed: bool, detail: str = "") -> None:
        checks.append(Check(name, bool(passed), "" if passed else detail))

    for seen in jobs.values():
        job, user = seen["job"], seen["user"]
        wanted = expect.job_status if isinstance(expect.job_status, str) else expect.job_status.get(user, "completed")
        check(
            f"job of {user} is {wanted}",
            job.get("status") == wanted,
            f"status {job.get('status')}, error {str(job.get('error_message'))[:300]}",
        )
        check(f"job of {user} is not stuck", job.get("status") in TERMINAL, f"status {job.get('status')}")
        if job.get("status") == "failed":
            check(f"failed job of {user} says why", bool(job.get("error_message")), "no error_message")
        if expect.error_contains:
            check(
                f"error of {user} mentions {expect.error_contains!r}",
                expect.error_contains in str(job.get("error_message")),
                str(job.get("error_message"))[:300],
            )
        if job.get("status") == "completed":
            _payload_checks(check, expect, user, job)
        audit = seen["audit"]
        agents = Counter(a["agent"] for a in audit)
        for agent in expect.audit_agents:
            check(f"audit record from {agent} ({user})", agents[agent] > 0, f"audit has {dict(agents)}")
        for agent, outcome in expect.audit_outcomes.items():
            outcomes = [a["outcome"] for a in audit if a["agent"] == agent]
            check(f"{agent} outcome {outcome} ({user})", outcome in outcomes, f"{agent} outcomes {outcomes}")
        for agent, names in expect.guardrails_failed.items():
            failed = {g["name"] for a in audit if a["agent"] == agent for g in a["guardrails"] if not g.get("passed", True)}
            for name in names:
                check(f"{agent} guardrail {name} caught it ({user})", name in failed, f"failed guardrails {sorted(failed)}")
        kinds = {s["kind"] for s in seen["spans"]}
        for kind in expect.span_kinds:
            check(f"{kind} spans recorded ({user})", kind in kinds, f"span kinds {sorted(kinds)}")
        if expect.tagged is not None and job.get("status") == "completed":
            tagged = (job.get("summary_payload") or {}).get("tagged")
            check(f"tagged first: {expect.tagged} ({user})", tagged == expect.tagged, f"tagged {tagged}")

    check(
        f"DLQ holds {expect.dlq_messages} message(s)", len(observed["dlq"]) == expect.dlq_messages, f"DLQ holds {observed['dlq']}"
    )
    if expect.dlq_messages:
        failed_ids = {j for j, s in jobs.items() if s["job"].get("status") == "failed"}
        in_dlq = {json.loads(b).get("job_id") for b in observed["dlq"] if b.startswith("{")}
        check("DLQ holds exactly the failed jobs", in_dlq == failed_ids, f"DLQ {sorted(in_dlq)} vs failed {sorted(failed_ids)}")
    calls = _model_calls(jobs)
    for agent, floor in expect.model_calls_at_least.items():
        check(f"{agent} made >= {floor} model calls", calls[agent] >= floor, f"{agent} made {calls[agent]}")
    for agent, ceiling in expect.model_calls_at_most.items():
        check(f"{agent} made <= {ceiling} model calls", calls[agent] <= ceiling, f"{agent} made {calls[agent]}")
    if expect.model_retries_at_least:
        check(
            f">= {expect.model_retries_at_least} model retries",
            observed["model_retries"] >= expect.model_retries_at_least,
            f"{observed['model_retries']} retries",
        )
    for text in expect.prompt_excludes:
        check(
            f"no prompt carries {text!r}",
            text.lower() not in _prompts(observed["cassette_text"]).lower(),
            "found in a recorded model request",
        )
    if expect.users_isolated:
        _isolation_checks(check, observed)
    if expect.alarms_fired:
        states = _alarm_states(observed["stack"], expect.alarms_fired)
        for name in expect.alarms_fired:
            check(f"alarm {name} fired", states.get(name) == "ALARM", f"state {states.get(name, 'missing')}")
    return checks


def _alarm_states(ss: Any, names: list[str]) -> dict[str, str]:
    """Publish the pending metrics and evaluate the alarms now (the local stack's tick), then read them."""
    httpx.post(f"{ss.cloud.url}/_harness/monitoring/tick", timeout=30).raise_for_status()
    found = ss.cloud.client("cloudwatch").describe_alarms(AlarmNames=names)["MetricAlarms"]
    return {a["AlarmName"]: a["StateValue"] for a in found}


def _payload_checks(check: Any, expect: Any, user: str, job: dict[str, Any]) -> None:
    report = (job.get("report_payload") or {}).get("content", "")
    if expect.report_sections:
        missing = [s for s in REPORT_SECTIONS if f"## {s}" not in report]
        labels = [f for f in RECOMMENDATION_FIELDS if f"**{f}:**" not in report]
        check(
            f"report sections and recommendation fields ({user})",
            not missing and not labels,
            f"missing sections {missing}, labels {labels}",
        )
    for text in expect.report_includes:
        check(f"report says {text!r} ({user})", text in report, "not in the stored report")
    for text in expect.report_excludes:
        check(f"report free of {text!r} ({user})", text.lower() not in report.lower(), "found in the stored report")
    if expect.report_max_bytes is not None:
        size = len(report.encode())
        check(f"report within {expect.report_max_bytes} bytes ({user})", size <= expect.report_max_bytes, f"{size} bytes")
    charts = job.get("charts_payload") or {}
    if expect.charts_sum_to_100 or expect.charts_fallback:
        verdict = validate_charts(json.dumps(charts))
        check(f"charts valid ({user})", verdict.ok, "; ".join(verdict.errors[:3]))
    if expect.charts_sum_to_100:
        sums = [round(sum(d["value"] for d in c["data"]), 2) for c in charts.get("charts", []) if c["type"] in ("pie", "donut")]
        check(f"pie and donut charts sum to 100 ({user})", sums and all(abs(s - 100) <= 0.5 for s in sums), f"sums {sums}")
    if expect.charts_fallback:
        keys = [c["key"] for c in charts.get("charts", [])]
        check(f"charts replaced by the fallback ({user})", keys == ["charts_unavailable"], f"chart keys {keys}")
    if expect.retirement_fields:
        simulation = (job.get("retirement_payload") or {}).get("simulation", {})
        missing = [f for f in RETIREMENT_FIELDS if f not in simulation]
        check(
            f"retirement fields ({user})",
            not missing and (job.get("retirement_payload") or {}).get("analysis"),
            f"missing {missing}",
        )
        problems = retirement_mismatches(str((job.get("retirement_payload") or {}).get("analysis", "")), simulation)
        check(f"retirement text quotes the stored figures ({user})", not problems, "; ".join(problems)[:600])


def _model_calls(jobs: dict[str, dict[str, Any]]) -> Counter[str]:
    calls: Counter[str] = Counter()
    for seen in jobs.values():
        for span in seen["spans"]:
            if span["kind"] == "generation":
                name = str((span.get("attributes") or {}).get("gen_ai.agent.name", "planner"))
                calls[name.removeprefix("Alex ").lower()] += 1
    return calls


def _prompts(cassette_text: str) -> str:
    """The recorded requests' text with JSON escapes undone (what the model was sent)."""
    return cassette_text.replace('\\"', '"').replace("\\\\", "\\")


def _isolation_checks(check: Any, observed: dict[str, Any]) -> None:
    ss = observed["stack"]
    owners = {job_id: seen["user"] for job_id, seen in observed["jobs"].items()}
    users = sorted(set(owners.values()))
    for user in users:
        with ss.client(user) as api:
            listed = {j["id"] for j in api.get("/api/jobs").json()["jobs"]}
            own = {j for j, o in owners.items() if o == user}
            check(f"{user} lists only their own jobs", listed == own, f"listed {sorted(listed)}, own {sorted(own)}")
            for job_id, owner in owners.items():
                if owner != user:
                    status = api.get(f"/api/jobs/{job_id}").status_code
                    check(f"{user} cannot read {owner}'s job", status == 404, f"answered {status}")
