"""Orchestrate one analysis: tag what is unclassified, let the planner agent call the
reporter, charter and retirement agents, then check every payload is there.

The model decides the calls, but code checks the outcome: an agent the model forgot
is invoked directly, and an analysis whose payloads are still missing fails with a
reason instead of being marked complete.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from agents import FunctionTool, custom_span, function_tool

from alex.agent_run import audit, run_agent
from alex.db import Database
from alex.planner.invoke import AgentInvocationError, LambdaInvoker
from alex.schemas import PLANNER_TOOLS, PlannerInput, role_line

log = logging.getLogger("alex.planner")

PAYLOADS: dict[str, str] = {"reporter": "report_payload", "charter": "charts_payload", "retirement": "retirement_payload"}

INSTRUCTIONS = (
    role_line("planner")
    + """
You coordinate a portfolio analysis. The reporter, charter and retirement agents are
independent of each other: call invoke_reporter, invoke_charter and invoke_retirement
together, in one turn; each stores its own result. When all three have answered, reply
with one short sentence saying the analysis is done (mention any failure)."""
)


class MissingPayloads(RuntimeError):
    pass


class Orchestrator:
    """One job's orchestration; agent Lambdas run on a private thread pool so a deadline can
    abandon them without waiting (``asyncio.run`` would otherwise join the threads)."""

    def __init__(self, db: Database, job_id: str, invoker: LambdaInvoker, pool: ThreadPoolExecutor) -> None:
        self.db, self.job_id, self.invoker, self.pool = db, job_id, invoker, pool
        self.results: dict[str, dict[str, Any]] = {}
        self.errors: dict[str, str] = {}
        self._running: dict[str, asyncio.Future[str]] = {}  # agent -> its invocation in flight

    async def invoke(self, agent: str, payload: dict[str, Any]) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, self.invoker.invoke, agent, payload)

    async def call_agent(self, agent: str) -> str:
        """Run one analysis agent; the text is what the planner model sees.

        The model calls the agents concurrently (several tool calls in one answer); a call
        of an agent whose invocation is in flight waits for that one instead of invoking
        the Lambda a second time. An agent whose payload an earlier attempt of this job
        already stored is not run again: a retried job redoes only what is missing.
        """
        running = self._running.get(agent)
        if running is None:
            running = asyncio.ensure_future(self._call_agent(agent))
            self._running[agent] = running
            running.add_done_callback(lambda _: self._running.pop(agent, None))
        return await running

    async def _call_agent(self, agent: str) -> str:
        job = self.db.jobs.get_any(self.job_id) or {}
        if job.get(PAYLOADS[agent]):
            self.results.setdefault(agent, {"reused": True})
            return f"ok: the {agent} agent's result is already stored"
        try:
            self.results[agent] = await self.invoke(agent, {"job_id": self.job_id})
        except AgentInvocationError as exc:
            self.errors[agent] = str(exc)
            return f"error: the {agent} agent failed ({exc.error_type})"
        self.errors.pop(agent, None)
        return f"ok: the {agent} agent stored its result"

    def tools(self) -> list[FunctionTool]:
        return [self._tool(name.removeprefix("invoke_")) for name in PLANNER_TOOLS]

    def _tool(self, agent: str) -> FunctionTool:
        async def invoke_agent() -> str:
            return await self.call_agent(agent)

        return function_tool(
            invoke_agent,
            name_override=f"invoke_{agent}",
            description_override=f"Run the {agent} agent for this job; it stores its own result.",
        )

    async def tag_missing(self, rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
        """Have the tagger classify the portfolio's unclassified instruments, 25 per invocation."""
        names = {r["symbol"]: r.get("instrument_name") or r["symbol"] for r in rows if r.get("symbol")}
        missing = self.db.instruments.unclassified(names)
        result: dict[str, list[Any]] = {"tagged": [], "failed": []}
        if not missing:
            return result
        with custom_span("tag_instruments", data={"symbols": len(missing)}):
            for start in range(0, len(missing), 25):
                batch = [{"symbol": s, "name": str(names[s])} for s in missing[start : start + 25]]
                try:
                    out = await self.invoke("tagger", {"job_id": self.job_id, "instruments": batch})
                except AgentInvocationError as exc:
                    out = {"tagged": [], "failed": [{"symbol": i["symbol"], "error": str(exc)} for i in batch]}
                result["tagged"] += out.get("tagged", [])
                result["failed"] += out.get("failed", [])
        return result

    async def run(self) -> dict[str, Any]:
        job = self.db.jobs.get_any(self.job_id)
        assert job is not None
        rows = self.db.positions.portfolio(job["clerk_user_id"])
        tagging = await self.tag_missing(rows)
        if tagging["tagged"]:  # the tagger stored prices: read them
            rows = self.db.positions.portfolio(job["clerk_user_id"])
        held = [r for r in rows if r.get("symbol")]
        total = sum(float(r.get("current_price") or 0) * float(r.get("quantity") or 0) for r in held)
        payload = PlannerInput(
            job_id=self.job_id,
            accounts=len({r["account_id"] for r in rows}),
            positions=len({r["symbol"] for r in held}),
            total_value=round(total, 2),
            tagged=tagging["tagged"],
        ).model_dump()
        run = await run_agent("planner", INSTRUCTIONS, payload, self.job_id, tools=self.tools(), max_turns=10)
        fallbacks = await self.complete_missing()
        audit(
            self.db,
            run,
            job_id=self.job_id,
            agent="planner",
            summary=str(run.output or "")[:500] or "(no final message)",
            guardrails=[
                {"name": "payloads_complete", "passed": not fallbacks, "invoked_by_code": fallbacks},
                {"name": "tagging", "passed": not tagging["failed"], "failed": tagging["failed"][:20]},
            ],
        )
        return {
            "tagged": tagging["tagged"],
            "tagging_failed": [f["symbol"] for f in tagging["failed"]],
            "agents": sorted(self.results),
            "invoked_by_code": fallbacks,
            "model_calls": run.model.calls,
            "model_retries": run.model.retries,
            "planner_message": str(run.output or "")[:500],
        }

    async def complete_missing(self) -> list[str]:
        """Invoke directly each agent whose payload is missing; raise if still missing."""
        job = self.db.jobs.get_any(self.job_id) or {}
        missing = [agent for agent, column in PAYLOADS.items() if not job.get(column)]
        for agent in missing:
            log.warning("payload missing after the planner's run; invoking directly", extra={"target": agent})
            await self.call_agent(agent)
        if missing:
            job = self.db.jobs.get_any(self.job_id) or {}
            still = [a for a, column in PAYLOADS.items() if not job.get(column)]
            if still:
                detail = "; ".join(self.errors.get(a, f"{a} stored nothing") for a in still)
                raise MissingPayloads(f"analysis incomplete: {detail}")
        return missing
