"""Run one scenario on a :class:`ScenarioStack`: seed through the API, inject the faults,
submit the analyses, wait for every job to end, then check the expectations.

Model calls go through the scenario's cassettes (``cassettes/<name>/<function>.yaml``):
replayed (``none``, the default and CI's mode) or recorded against the scripted model.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from alex.db import Database
from alex.db.jobs import TERMINAL
from alex.timestamps import parse_utc

from harness.cassettes.selection import Selection
from harness.alexkit.scenarios.checks import evaluate
from harness.alexkit.scenarios.environment import ScenarioStack
from harness.alexkit.scenarios.results import JobOutcome, ScenarioResult, TimelineEvent
from harness.alexkit.scenarios.spec import Scenario

RECORDED_AGAINST = "scripted model (harness/bedrock)"


class ScenarioRunError(RuntimeError):
    pass


def cassette_dir(root: Path, scenario: Scenario) -> Path:
    return root / scenario.cassettes


def run_scenario(
    ss: ScenarioStack,
    scenario: Scenario,
    cassettes_root: Path,
    record_mode: str = "none",
    recorded_against: str = RECORDED_AGAINST,
) -> ScenarioResult:
    began = time.time()
    result = ScenarioResult(scenario.name, scenario.description, passed=False, duration_s=0.0)
    try:
        directory = cassette_dir(cassettes_root, scenario)
        if record_mode == "none" and not any(directory.glob("*.yaml")):
            raise ScenarioRunError(
                f"no cassettes in {directory}: record them with `alex-harness record {scenario.name}` "
                "(CI never records: replay uses record mode none)"
            )
        ss.fresh()
        ss.cassettes.select(Selection(str(directory.resolve()), record_mode, recorded_against, scenario.name))
        seed(ss, scenario)
        inject_faults(ss, scenario)
        submitted = submit(ss, scenario, began)
        jobs = wait_for_jobs(ss.db, [job_id for job_id, _, _ in submitted], scenario.timeout_seconds)
        settle(ss)
        observed = observe(ss, scenario, submitted, jobs, directory, began)
        result.checks = evaluate(scenario, observed)
        result.jobs = observed["outcomes"]
        result.model_calls, result.model_retries = observed["model_calls"], observed["model_retries"]
        result.dlq_messages = len(observed["dlq"])
    except Exception as exc:  # the run broke: reported as the scenario's error, never a crash of the suite
        result.error = f"{type(exc).__name__}: {exc}"
    finally:
        result.cassette_misses = ss.cassettes.misses()
        ss.cassettes.select(None)
        ss.bedrock.clear()
        ss.runtime.faults.clear()
        result.duration_s = time.time() - began
    result.passed = result.error is None and not result.failures and not result.cassette_misses
    return result


def seed(ss: ScenarioStack, scenario: Scenario) -> None:
    for instrument in scenario.instruments:
        ss.db.instruments.upsert(instrument.model_dump())
    for user in scenario.users:
        with ss.client(user.id) as api:
            _ok(
                api.put(
                    "/api/user",
                    json={
                        "years_until_retirement": user.years_until_retirement,
                        "target_retirement_income": user.target_retirement_income,
                    },
                )
            )
            for account in user.accounts:
                answer = api.post(
                    "/api/accounts",
                    json={
                        "account_name": account.name,
                        "cash_balance": account.cash,
                        **({"account_purpose": account.purpose} if account.purpose else {}),
                    },
                )
                if account.rejected:
                    if answer.status_code != 422:
                        raise ScenarioRunError(
                            f"the API accepted an account it must refuse ({answer.status_code}): {account.name}"
                        )
                    continue
                created = _ok(answer)
                for symbol, quantity in account.positions.items():
                    _ok(
                        api.post(
                            "/api/positions", json={"account_id": created["id"], "symbol": symbol, "quantity": str(quantity)}
                        )
                    )


def inject_faults(ss: ScenarioStack, scenario: Scenario) -> None:
    faults = scenario.faults
    for fault in faults.bedrock:
        ss.bedrock.add_fault(fault.kind, agent=fault.agent, count=fault.count, always=fault.always)
    for lambda_fault in faults.lambda_:
        ss.runtime.faults.add(ss.function_name(lambda_fault.function), lambda_fault.kind, lambda_fault.count, delay_seconds=0.5)
    if faults.planner_concurrency is not None:
        ss.lam.put_function_concurrency(
            FunctionName=ss.function_name("planner"), ReservedConcurrentExecutions=faults.planner_concurrency
        )
    if faults.data_api_resuming_seconds:
        ss.data_api.resuming_for(faults.data_api_resuming_seconds)


def submit(ss: ScenarioStack, scenario: Scenario, began: float) -> list[tuple[str, str, TimelineEvent]]:
    """POST /api/analyze for each request; (job id, user, the request's timeline bar)."""
    out = []
    for request in scenario.requests:
        with ss.client(request.user) as api:
            start = time.time()
            response = _post_retrying(api, "/api/analyze", {"seed": request.seed})
            end = time.time()
        job_id = response["job_id"]
        out.append(
            (
                job_id,
                request.user,
                TimelineEvent("api", "POST /api/analyze", "request", (start - began) * 1000, (end - began) * 1000),
            )
        )
        if scenario.faults.duplicate_delivery:
            ss.sqs.send_message(QueueUrl=ss.stack.jobs_queue_url, MessageBody=json.dumps({"job_id": job_id}))
    return out


def wait_for_jobs(db: Database, job_ids: list[str], timeout: float) -> dict[str, dict[str, Any]]:
    """The jobs' rows once every one has ended; ScenarioRunError naming the others after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        jobs = {job_id: db.jobs.get_any(job_id) or {} for job_id in job_ids}
        if all(j.get("status") in TERMINAL for j in jobs.values()):
            return jobs
        if time.monotonic() > deadline:
            stuck = {k: v.get("status") for k, v in jobs.items() if v.get("status") not in TERMINAL}
            raise ScenarioRunError(f"jobs did not end within {timeout:.0f}s: {stuck}")
        time.sleep(0.25)


def settle(ss: ScenarioStack, timeout: float = 30.0) -> None:
    """Wait until the jobs queue is empty (duplicates and dead-lettering done)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        attrs = ss.sqs.get_queue_attributes(
            QueueUrl=ss.stack.jobs_queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        if int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"]) == 0:
            return
        time.sleep(0.25)


def observe(
    ss: ScenarioStack,
    scenario: Scenario,
    submitted: list[tuple[str, str, TimelineEvent]],
    jobs: dict[str, dict[str, Any]],
    directory: Path,
    began: float,
) -> dict[str, Any]:
    """Everything the checks look at, read back through the same interfaces a user has."""
    per_job: dict[str, Any] = {}
    outcomes = []
    model_calls = model_retries = 0
    for job_id, user, request_bar in submitted:
        job = jobs[job_id]
        audit = ss.db.audit.for_job(job_id)
        spans = ss.db.spans.for_job(job_id)
        model_calls += sum(1 for s in spans if s["kind"] == "generation")
        model_retries += sum(1 for s in spans if s["name"] == "model_retry")
        per_job[job_id] = {"job": job, "user": user, "audit": audit, "spans": spans}
        outcomes.append(
            JobOutcome(
                job_id,
                user,
                job.get("status", "?"),
                job.get("error_message"),
                int(job.get("attempts") or 0),
                timeline(request_bar, spans, began),
            )
        )
    got = ss.sqs.receive_message(QueueUrl=ss.stack.dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    dlq = [m["Body"] for m in got.get("Messages", [])]
    prompts = [p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.yaml"))]
    return {
        "jobs": per_job,
        "outcomes": outcomes,
        "dlq": dlq,
        "model_calls": model_calls,
        "model_retries": model_retries,
        "cassette_text": "\n".join(prompts),
        "stack": ss,
        "calls": ss.bedrock.counts(),
    }


def timeline(request_bar: TimelineEvent, spans: list[dict[str, Any]], began: float) -> list[TimelineEvent]:
    events = [request_bar]
    first_start = None
    for span in spans:
        start, end = _epoch(span["started_at"]), _epoch(span.get("ended_at") or span["started_at"])
        attributes = span.get("attributes") or {}
        agent = str(attributes.get("gen_ai.agent.name") or attributes.get("alex.trace.metadata.agent") or "planner")
        lane = agent.removeprefix("Alex ").lower()
        kind = "retry" if span["name"] == "model_retry" else span["kind"]
        if kind not in ("agent", "generation", "tool", "retry", "custom"):
            continue
        keep = {
            k: v
            for k, v in attributes.items()
            if k
            in (
                "gen_ai.request.model",
                "gen_ai.usage.input_tokens",
                "gen_ai.usage.output_tokens",
                "alex.attempt",
                "alex.wait_seconds",
                "gen_ai.tool.name",
            )
        }
        events.append(
            TimelineEvent(lane, span["name"], kind, (start - began) * 1000, (end - began) * 1000, span.get("error"), keep)
        )
        first_start = start if first_start is None else min(first_start, start)
    if first_start is not None:
        events.insert(
            1, TimelineEvent("queue", "waiting in SQS for the planner", "queue", request_bar.end_ms, (first_start - began) * 1000)
        )
    return events


def _epoch(value: Any) -> float:
    moment = parse_utc(value)
    if moment is None:
        raise ScenarioRunError(f"a span carries no timestamp: {value!r}")
    return moment.timestamp()


def _ok(response: Any) -> Any:
    if response.status_code >= 400:
        raise ScenarioRunError(
            f"{response.request.method} {response.request.url.path} answered {response.status_code}: {response.text[:300]}"
        )
    return response.json()


def _post_retrying(api: Any, path: str, body: dict[str, Any], attempts: int = 10) -> Any:
    """POST, retrying 503 (the Data API resuming answers so) as a client SDK would."""
    for attempt in range(attempts):
        response = api.post(path, json=body)
        if response.status_code != 503 or attempt == attempts - 1:
            return _ok(response)
        time.sleep(min(2.0, 0.25 * 2**attempt))
    raise AssertionError("unreachable")
