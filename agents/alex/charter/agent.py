"""Make the portfolio's charts: model JSON, validated, texts sanitised, fallback when unusable.

Only a payload that :func:`alex.guardrails.validate_charts` accepts is stored. Chart
texts (titles, descriptions, labels) are rendered to the user, so each one also goes
through the output checks (:mod:`alex.guardrails.output`: invisible characters, active
content, echoed user text removed; a canary or instructions leak stores the fallback). Anything
unusable (prose, truncated JSON, oversized, wrong sums) is replaced by
:func:`alex.guardrails.fallback_charts`, logged, and audited with outcome ``fallback``.
"""

from __future__ import annotations

import logging
from typing import Any

from alex.agent_run import AgentRun, audit, run_agent
from alex.db import Database
from alex.guardrails import fallback_charts, sanitise, validate_charts
from alex.guardrails.output import Untrusted, check_output
from alex.job_context import load_job_context
from alex.schemas import CharterInput, role_line

log = logging.getLogger("alex.charter")

INSTRUCTIONS = (
    role_line("charter")
    + """
You turn a portfolio's allocations into 3 to 6 charts for a web dashboard. Answer with JSON only:
{"charts": [{"key": "asset_allocation", "title": "...", "type": "pie|donut|bar|horizontalBar",
"description": "...", "data": [{"name": "...", "value": 12.5, "color": "#RRGGBB"}]}]}
Pie and donut values are percentages that sum to 100. Use only the figures in the input."""
)


def _guard_texts(charts: list[dict[str, Any]], run: AgentRun, untrusted: list[Untrusted]) -> dict[str, int]:
    """Put every rendered text through the output checks in place; counts of what changed.

    ``leaked`` > 0 means some text carried the canary or the instructions: the caller
    stores the fallback instead of any of it.
    """
    counts = {"changed": 0, "leaked": 0, "suspect": 0}

    def guard(value: str, limit: int) -> str:
        verdict = check_output(value, max_bytes=limit * 4, canary=run.canary, instructions=run.instructions, untrusted=untrusted)
        counts["leaked"] += verdict.leaked
        counts["changed"] += verdict.text != value
        counts["suspect"] += sanitise(verdict.text, field="chart_text", max_chars=limit * 4).suspect
        return verdict.text[:limit].strip() or "-"

    for chart in charts:
        chart["title"] = guard(chart["title"], 120)
        chart["description"] = guard(chart.get("description", ""), 500)
        for datum in chart["data"]:
            datum["name"] = guard(datum["name"], 100)
    return counts


async def make_charts(db: Database, job_id: str) -> dict[str, Any]:
    ctx = load_job_context(db, job_id)
    payload = CharterInput(job_id=job_id, portfolio=ctx.portfolio).model_dump(by_alias=True)
    run = await run_agent("charter", INSTRUCTIONS, payload, job_id, max_turns=3)
    verdict = validate_charts(run.output if isinstance(run.output, str) else str(run.output))
    checks: list[dict[str, Any]] = [{"name": "chart_schema", "passed": verdict.ok, "errors": verdict.errors[:10]}]
    if verdict.ok and verdict.charts is not None:
        charts = {"charts": verdict.charts}
        counts = _guard_texts(charts["charts"], run, ctx.findings.untrusted)
        checks.append({"name": "chart_text_output_checks", "passed": not any(counts.values()), **counts})
        outcome = "ok"
        if counts["leaked"]:
            charts, outcome = fallback_charts("the chart texts did not pass the output checks"), "fallback"
    else:
        log.warning("charter output rejected; storing fallback", extra={"errors": verdict.errors[:5]})
        charts = fallback_charts("the chart data did not pass validation")
        outcome = "fallback"
    db.jobs.save_payload(job_id, "charts_payload", charts)
    audit(
        db,
        run,
        job_id=job_id,
        agent="charter",
        guardrails=ctx.input_guardrails() + checks,
        outcome=outcome,
        summary=f"{len(charts['charts'])} charts ({outcome}): " + ", ".join(c["key"] for c in charts["charts"]),
    )
    return {"job_id": job_id, "ok": True, "outcome": outcome, "charts": len(charts["charts"])}
