"""The scripted model as Alex reaches it: LiteLLM's Bedrock Converse client and the OpenAI Agents SDK."""

from __future__ import annotations

import asyncio
import json
import os

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm  # noqa: E402
from agents import Agent, RunConfig, Runner, function_tool  # noqa: E402
from agents.extensions.models.litellm_model import LitellmModel  # noqa: E402

from alex.guardrails import validate_charts  # noqa: E402
from alex.schemas import PLANNER_TOOLS, InstrumentClassification, input_block, role_line  # noqa: E402
from tests.bedrock.support import CLAUDE, portfolio  # noqa: E402

pytestmark = pytest.mark.emulation

LITELLM_MODEL = "bedrock/us.amazon.nova-pro-v1:0"
NO_TRACING = RunConfig(tracing_disabled=True)


def _message(payload, job_id: str = "job-1") -> str:
    return f"Here is your input for job {job_id}.\n{input_block(payload)}"


def _completion(**kwargs):
    return litellm.completion(model=kwargs.pop("model", LITELLM_MODEL), num_retries=0, aws_region_name="us-west-2", **kwargs)


def test_litellm_sends_converse_to_the_runtime_endpoint(llm_env, model):
    """LiteLLM posts Converse to AWS_BEDROCK_RUNTIME_ENDPOINT, signed for bedrock; the text is the message content."""
    response = _completion(
        messages=[
            {"role": "system", "content": role_line("charter")},
            {"role": "user", "content": _message({"job_id": "j", "portfolio": portfolio()})},
        ]
    )
    assert validate_charts(response.choices[0].message.content).ok
    assert response.usage.prompt_tokens > 0 and response.usage.completion_tokens > 0
    assert [(c.agent, c.region, c.status) for c in model.calls] == [("charter", "us-west-2", 200)]


@pytest.mark.parametrize("model_name", [LITELLM_MODEL, f"bedrock/{CLAUDE}"])
def test_litellm_structured_output(llm_env, model_name):
    """response_format: json_tool_call on Nova, outputConfig.textFormat on Claude 4.5; both give the object as text."""
    response = _completion(
        model=model_name,
        response_format=InstrumentClassification,
        messages=[
            {"role": "system", "content": role_line("tagger")},
            {"role": "user", "content": _message({"symbol": "MSFT", "name": "Microsoft"})},
        ],
    )
    parsed = InstrumentClassification.model_validate_json(response.choices[0].message.content)
    assert parsed.symbol == "MSFT" and parsed.allocation_sectors.technology == 100


def test_litellm_sees_throttling_as_rate_limit(llm_env, model):
    """A ThrottlingException reaches LiteLLM as its RateLimitError (what Alex's retry policy backs off on)."""
    model.add_fault("throttle")
    with pytest.raises(litellm.RateLimitError):
        _completion(
            messages=[
                {"role": "system", "content": role_line("tagger")},
                {"role": "user", "content": _message({"symbol": "MSFT", "name": "Microsoft"})},
            ]
        )


def test_agents_sdk_tagger_structured_answer(llm_env, model):
    """An Agent with output_type=InstrumentClassification gets a validated object from the scripted model."""
    agent = Agent(
        name="Alex Tagger",
        instructions=role_line("tagger"),
        model=LitellmModel(model=LITELLM_MODEL),
        output_type=InstrumentClassification,
    )
    result = asyncio.run(Runner.run(agent, _message({"symbol": "QQQ", "name": "Invesco QQQ"}), run_config=NO_TRACING))
    assert isinstance(result.final_output, InstrumentClassification)
    assert result.final_output.symbol == "QQQ" and result.final_output.instrument_type == "etf"


def test_agents_sdk_planner_tool_loop(llm_env, model):
    """The planner's loop through the Agents SDK: three tool calls in order, then a final text."""
    called: list[str] = []

    def stub(name: str):
        async def run() -> str:
            called.append(name)
            return json.dumps({"ok": True, "tool": name})

        run.__name__ = name
        run.__doc__ = f"Run the {name.removeprefix('invoke_')} agent for this job."
        return function_tool(run)

    agent = Agent(
        name="Alex Planner",
        instructions=role_line("planner"),
        model=LitellmModel(model=LITELLM_MODEL),
        tools=[stub(name) for name in reversed(PLANNER_TOOLS)],
    )
    planner_input = {"job_id": "job-77", "accounts": 1, "positions": 2, "total_value": 10.0, "tagged": []}
    result = asyncio.run(Runner.run(agent, _message(planner_input, "job-77"), max_turns=6, run_config=NO_TRACING))
    assert called == list(PLANNER_TOOLS)
    assert result.final_output == "Analysis complete: report, charts and retirement projections generated."
    assert model.counts() == {"planner": 4}


def test_agents_sdk_runs_the_planners_three_tool_calls_concurrently(llm_env, model):
    """Told the agents are independent, the planner gets one answer with three toolUse blocks (as Bedrock's
    models send independent calls); LiteLLM turns them into three tool calls, the Agents SDK runs them
    concurrently (each stub waits until all three have started) and sends the results back in one turn."""
    from alex.planner.agent import INSTRUCTIONS

    started: list[str] = []
    all_started = asyncio.Event()

    def stub(name: str):
        async def run() -> str:
            started.append(name)
            if len(started) == len(PLANNER_TOOLS):
                all_started.set()
            await asyncio.wait_for(all_started.wait(), timeout=10)  # a sequential run would time out here
            return f"ok: the {name.removeprefix('invoke_')} agent stored its result"

        run.__name__ = name
        run.__doc__ = f"Run the {name.removeprefix('invoke_')} agent for this job."
        return function_tool(run)

    agent = Agent(
        name="Alex Planner",
        instructions=INSTRUCTIONS,
        model=LitellmModel(model=LITELLM_MODEL),
        tools=[stub(name) for name in PLANNER_TOOLS],
    )
    planner_input = {"job_id": "job-78", "accounts": 1, "positions": 2, "total_value": 10.0, "tagged": []}
    result = asyncio.run(Runner.run(agent, _message(planner_input, "job-78"), max_turns=6, run_config=NO_TRACING))
    assert sorted(started) == sorted(PLANNER_TOOLS)
    assert result.final_output == "Analysis complete: report, charts and retirement projections generated."
    assert model.counts() == {"planner": 2}
