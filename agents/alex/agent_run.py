"""Run one agent for one job: traced under the job, audited, its guardrail results kept.

Every model decision leaves an audit record (agent, job, model, input hash, output
summary, duration, guardrail results, outcome) so a person can later ask "why did Alex
say this?" and get the input's fingerprint, the rationale and what the guardrails did.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import contextlib

from agents import Agent, RunConfig, Runner, get_current_trace, trace

from alex.db import AuditRecord, Database, input_hash
from alex.guardrails.framing import new_canary, with_data_rule
from alex.guardrails.tools import policy_for
from alex.llm import ModelConfig, RetryingBedrockModel, bedrock_model
from alex.schemas import input_block

log = logging.getLogger("alex.agent_run")


@dataclass
class AgentRun:
    """The outcome of :func:`run_agent`: the output, and what the audit record needs."""

    output: Any
    model: RetryingBedrockModel
    duration_ms: int
    input_hash: str
    canary: str = ""
    instructions: str = ""


def build_agent(name: str, instructions: str, model: RetryingBedrockModel, config: ModelConfig, **kwargs: Any) -> Agent[Any]:
    return Agent(
        name=f"Alex {name.capitalize()}", instructions=instructions, model=model, model_settings=config.settings(), **kwargs
    )


async def run_agent(
    agent_name: str,
    instructions: str,
    payload: Any,
    job_id: str,
    *,
    max_turns: int = 10,
    model: RetryingBedrockModel | None = None,
    **agent_kwargs: Any,
) -> AgentRun:
    """Run the agent on ``payload`` (sent as an escaped ``<input>`` data section) inside the
    job's trace, with the data rule and a fresh canary in its instructions and its role's
    tool policy on the model's answers."""
    config = ModelConfig.from_env()
    model = model or bedrock_model(config)
    model.tool_policy = policy_for(agent_name)
    canary = new_canary()
    instructions = with_data_rule(instructions, canary)
    agent = build_agent(agent_name, instructions, model, config, **agent_kwargs)
    message = f"Here is your input for job {job_id}.\n{input_block(payload)}"
    started = time.perf_counter()
    scope = (
        contextlib.nullcontext()
        if get_current_trace() is not None  # inside the planner's trace already
        else trace(f"Alex {agent_name}", group_id=job_id, metadata={"job_id": job_id, "agent": agent_name})
    )
    with scope:
        result = await Runner.run(agent, message, max_turns=max_turns, run_config=RunConfig(trace_include_sensitive_data=False))
    duration = int((time.perf_counter() - started) * 1000)
    log.info(
        "agent finished",
        extra={"agent": agent_name, "duration_ms": duration, "model_calls": model.calls, "model_retries": model.retries},
    )
    return AgentRun(result.final_output, model, duration, input_hash(payload), canary, instructions)


def audit(
    db: Database,
    run: AgentRun | None,
    *,
    job_id: str,
    agent: str,
    summary: str,
    guardrails: list[dict[str, Any]],
    outcome: str = "ok",
    rationale: str | None = None,
    payload: Any = None,
    duration_ms: int | None = None,
) -> None:
    """Store the audit record of one model decision (or of a failed one, with ``run=None``)."""
    db.audit.add(
        AuditRecord(
            job_id=job_id,
            agent=agent,
            model=run.model.config.model_id if run else ModelConfig.from_env().model_id,
            input_hash=run.input_hash if run else input_hash(payload),
            output_summary=summary,
            duration_ms=run.duration_ms if run else (duration_ms or 0),
            guardrails=guardrails
            + ([{"name": "model_retries", "passed": True, "retries": run.model.retries, "calls": run.model.calls}] if run else [])
            + ([run.model.tool_policy.audit()] if run and run.model.tool_policy else []),
            rationale=rationale,
            outcome=outcome,
        )
    )
