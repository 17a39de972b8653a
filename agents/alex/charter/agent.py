"""Make the portfolio's charts: model JSON, validated, texts sanitised, fallback when unusable.

Only a payload that :func:`alex.guardrails.validate_charts` accepts is stored. Chart
texts (titles, descriptions, labels) are rendered to the user, so each one also goes
through the sanitiser: an injected instruction is replaced by the placeholder. Anything
unusable (prose, truncated JSON, oversized, wrong sums) is replaced by
:func:`alex.guardrails.fallback_charts`, logged, and audited with outcome ``fallback``.
"""

from __future__ import annotations

import logging
from typing import Any

from alex.agent_run import audit, run_agent
from alex.db import Database
from alex.guardrails import fallback_charts, sanitise, validate_charts
from alex.job_context import load_job_context
from alex.schemas import CharterInput, role_line

log = logging.getLogger("alex.charter")

INSTRUCTIONS = role_line("charter") + """
You turn a portfolio's allocations into 3 to 6 charts for a web dashboard. Answer with JSON only:
{"charts": [{"key": "asset_allocation", "title": "...", "type": "pie|donut|bar|horizontalBar",
"description": "...", "data": [{"name": "...", "value": 12.5, "color": "#RRGGBB"}]}]}
Pie and donut values are percentages that sum to 100. Use only the figures in the input."""


def _clean_texts(charts: list[dict[str, Any]]) -> int:
    """Sanitise every rendered text in place; returns how many were neutralised."""
    neutralised = 0

    def clean(value: str, field: str, limit: int) -> str:
        nonlocal neutralised
        verdict = sanitise(value, field=field, max_chars=limit)
        if verdict.blocked:
            neutralised += 1
            return verdict.text[:limit] or "-"
        return value

    for chart in charts:
        chart["title"] = clean(chart["title"], "chart_title", 120)
        chart["description"] = clean(chart.get("description", ""), "chart_description", 500)
        for datum in chart["data"]:
            datum["name"] = clean(datum["name"], "chart_label", 100)
    return neutralised


async def make_charts(db: Database, job_id: str) -> dict[str, Any]:
    ctx = load_job_context(db, job_id)
    payload = CharterInput(job_id=job_id, portfolio=ctx.portfolio).model_dump(by_alias=True)
    run = await run_agent("charter", INSTRUCTIONS, payload, job_id, max_turns=3)
    verdict = validate_charts(run.output if isinstance(run.output, str) else str(run.output))
    checks: list[dict[str, Any]] = [{"name": "chart_schema", "passed": verdict.ok, "errors": verdict.errors[:10]}]
    if verdict.ok and verdict.charts is not None:
        charts = {"charts": verdict.charts}
        neutralised = _clean_texts(charts["charts"])
        checks.append({"name": "chart_text_injection", "passed": neutralised == 0, "neutralised": neutralised})
        outcome = "ok"
    else:
        log.warning("charter output rejected; storing fallback", extra={"errors": verdict.errors[:5]})
        charts = fallback_charts("the chart data did not pass validation")
        outcome = "fallback"
    db.jobs.save_payload(job_id, "charts_payload", charts)
    audit(db, run, job_id=job_id, agent="charter", guardrails=ctx.input_guardrails() + checks, outcome=outcome,
          summary=f"{len(charts['charts'])} charts ({outcome}): " + ", ".join(c["key"] for c in charts["charts"]))
    return {"job_id": job_id, "ok": True, "outcome": outcome, "charts": len(charts["charts"])}
