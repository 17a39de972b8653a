"""The scripted model's per-agent rules: which answer each Alex agent gets.

The agent is read from the system prompt's role line and its structured input from the
``<input>`` block of the latest user message that has one (``alex.schemas``, the
contract). A prompt from no known agent, or an input that breaks the contract, is a
ValidationException naming the problem, as a refused Bedrock request would be.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from collections.abc import Callable

from pydantic import BaseModel, ValidationError

from alex.schemas import (
    AGENTS,
    PLANNER_TOOLS,
    CharterInput,
    PlannerInput,
    ReporterInput,
    RetirementInput,
    TaggerInput,
    agent_of,
    parse_input_block,
)
from harness.alexkit.model import charts, reference, reports
from harness.bedrock.answer import Answer, ToolCall
from harness.bedrock.converse_wire import ConverseRequest, validation
from harness.bedrock.prompt import tools_in_parallel

TOOL_PRODUCTS = {"invoke_reporter": "report", "invoke_charter": "charts", "invoke_retirement": "retirement projections"}
_DEFAULTS: dict[str, Any] = {"integer": 0, "number": 0, "boolean": False, "array": [], "object": {}}


def identify(request: ConverseRequest) -> str | None:
    """The Alex agent the request's system prompt belongs to (lower case), or None."""
    return agent_of(request.system_text)


def _input(request: ConverseRequest, agent: str, model: type[BaseModel]) -> Any:
    for text in reversed(request.user_texts()):
        if "<input>" in text:
            try:
                raw = parse_input_block(text)
            except ValueError as exc:
                raise validation(f"scripted model: the {agent} agent's <input> block is not JSON: {exc}") from None
            try:
                return model.model_validate(raw)
            except ValidationError as exc:
                problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors()[:5])
                raise validation(
                    f"scripted model: the {agent} agent's input does not match {model.__name__}: {problems}"
                ) from None
    raise validation(f"scripted model: no <input> block in the {agent} agent's user messages")


def _tool_use_id(request: ConverseRequest, name: str) -> str:
    seed = f"{len(request.messages)}:{name}:{request.system_text[:200]}"
    return "tooluse_" + hashlib.sha256(seed.encode()).hexdigest()[:22]


def _errored(result: dict[str, Any]) -> bool:
    if result.get("status") == "error":
        return True
    return "error" in json.dumps(result.get("content", []), default=str).lower()


def planner(request: ConverseRequest) -> Answer:
    """Call each offered planner tool once, in PLANNER_TOOLS order; then summarise.

    When the instructions say the tools are independent (``tools_in_parallel``), every call
    still to make goes in one answer, as Bedrock's models do; otherwise one call per turn."""
    job_id = _input(request, "planner", PlannerInput).job_id
    offered = [name for name in PLANNER_TOOLS if name in request.tool_names]
    uses = request.tool_uses()
    answered: dict[str, bool] = {}
    for result in request.tool_results():
        name = uses.get(str(result.get("toolUseId")))
        if name is not None:
            answered[name] = answered.get(name, False) or _errored(result)
    calls = [_planner_call(request, name, job_id) for name in offered if name not in answered]
    if calls:
        return Answer(calls=tuple(calls if tools_in_parallel(request.system_text) else calls[:1]))
    made = [TOOL_PRODUCTS.get(n, n) for n in offered if not answered.get(n)]
    failed = [n for n in offered if answered.get(n)]
    if made:
        done = made[0] if len(made) == 1 else ", ".join(made[:-1]) + " and " + made[-1]
        text = f"Analysis complete: {done} generated."
    else:
        text = "Analysis finished: nothing was generated."
    if failed:
        text += f" These tools reported errors: {', '.join(failed)}."
    return Answer(text=text)


def _planner_call(request: ConverseRequest, name: str, job_id: str) -> ToolCall:
    """A call of the planner tool ``name`` with its required arguments (the job id, else empty values)."""
    spec = request.tool(name)
    schema = spec.input_schema if spec else {}
    props = schema.get("properties", {}) if isinstance(schema, dict) else {}
    args: dict[str, Any] = {}
    for prop in schema.get("required", []) if isinstance(schema, dict) else []:
        kind = (props.get(prop) or {}).get("type", "string")
        args[prop] = (job_id if prop == "job_id" else "") if kind == "string" else _DEFAULTS.get(kind, "")
    return ToolCall(name, args, _tool_use_id(request, name))


def tagger(request: ConverseRequest) -> Answer:
    data = _input(request, "tagger", TaggerInput)
    return Answer(data=reference.classify(data.symbol, data.name), tool_use_id=_tool_use_id(request, "json"))


def reporter(request: ConverseRequest) -> Answer:
    data = _input(request, "reporter", ReporterInput)
    return Answer(text=reports.report(data.job_id, data.portfolio))


def charter(request: ConverseRequest) -> Answer:
    data = _input(request, "charter", CharterInput)
    payload = charts.charts(data.portfolio)
    if request.wants_json_tool:
        return Answer(data=payload, tool_use_id=_tool_use_id(request, "json"))
    return Answer(text=json.dumps(payload))


def retirement(request: ConverseRequest) -> Answer:
    return Answer(text=reports.retirement(_input(request, "retirement", RetirementInput)))


RULES: dict[str, Callable[[ConverseRequest], Answer]] = {
    "planner": planner,
    "tagger": tagger,
    "reporter": reporter,
    "charter": charter,
    "retirement": retirement,
}
assert set(RULES) == set(AGENTS)


def answer(request: ConverseRequest, agent: str | None) -> Answer:
    """The scripted answer for ``agent``; ValidationException for a prompt of no known agent."""
    if agent is None:
        raise validation(
            'scripted model: the system prompt names no Alex agent (expected a role line like "You are Alex\'s Tagger agent.")'
        )
    rule = RULES.get(agent)
    if rule is None:
        raise validation(f"scripted model: unknown agent {agent!r} (known: {', '.join(AGENTS)})")
    return rule(request)
