"""Retirement analysis: the simulation is code (seeded from the job), the explanation is the model's."""

from __future__ import annotations

from typing import Any

from alex.agent_run import audit, run_agent
from alex.db import Database
from alex.job_context import JobContext, load_job_context
from alex.output_guard import guard_output
from alex.retirement.monte_carlo import seed_for, simulate
from alex.schemas import RetirementInput, role_line

MAX_ANALYSIS_BYTES = 32 * 1024
DEFAULT_YEARS, DEFAULT_INCOME = 25, 80_000.0
# Alex does not ask for a savings rate, so none is assumed: a made-up contribution once made a $0
# portfolio project a six-figure median.
ANNUAL_CONTRIBUTION = 0.0

INSTRUCTIONS = (
    role_line("retirement")
    + """
You explain a Monte Carlo retirement projection to a retail investor, in markdown, with the
sections '## Retirement Readiness', '## Monte Carlo Results' and '## Recommendations'.
Quote the success rate and percentiles from the input; do not recompute or invent figures."""
)


def retirement_input(ctx: JobContext, seed: int, simulations: int) -> RetirementInput:
    view = ctx.portfolio
    assumed = [
        name
        for name, value in (
            ("years_until_retirement", view.years_until_retirement),
            ("target_retirement_income", view.target_retirement_income),
        )
        if value is None
    ]
    years = view.years_until_retirement if view.years_until_retirement is not None else DEFAULT_YEARS
    income = view.target_retirement_income if view.target_retirement_income is not None else DEFAULT_INCOME
    equity_share = view.asset_class.get("equity", 0.0) / 100
    result = simulate(
        portfolio_value=view.total_value,
        equity_share=equity_share,
        years_until_retirement=years,
        target_income=income,
        seed=seed,
        simulations=simulations,
        annual_contribution=ANNUAL_CONTRIBUTION,
    )
    return RetirementInput(
        years_until_retirement=years,
        target_retirement_income=income,
        portfolio_value=view.total_value,
        equity_share=round(equity_share, 4),
        annual_contribution=ANNUAL_CONTRIBUTION,
        assumed=assumed,
        simulations=result.simulations,
        success_rate=result.success_rate,
        percentiles_at_retirement=result.percentiles_at_retirement,
        projections=result.projections,
    )


async def analyse_retirement(db: Database, job_id: str, simulations: int = 500) -> dict[str, Any]:
    ctx = load_job_context(db, job_id)
    seed = seed_for(job_id, ctx.job.get("request_payload"))
    figures = retirement_input(ctx, seed, simulations)
    run = await run_agent("retirement", INSTRUCTIONS, figures.model_dump(), job_id, max_turns=3)
    guarded = guard_output(
        str(run.output or ""),
        field_name="retirement_analysis",
        max_bytes=MAX_ANALYSIS_BYTES,
        canary=run.canary,
        instructions=run.instructions,
        untrusted=ctx.findings.untrusted,
    )
    db.jobs.save_payload(
        job_id,
        "retirement_payload",
        {
            "analysis": guarded.text,
            "simulation": figures.model_dump(),
            "seed": seed,
            "agent": "retirement",
        },
    )
    audit(
        db,
        run,
        job_id=job_id,
        agent="retirement",
        guardrails=ctx.input_guardrails() + guarded.results,
        summary=f"success rate {figures.success_rate}% over {figures.simulations} simulations",
    )
    return {"job_id": job_id, "ok": True, "success_rate": figures.success_rate}
