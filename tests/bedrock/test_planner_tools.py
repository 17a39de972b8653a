"""The planner's scripted tool loop over raw Converse: one tool per turn, then a summary."""

from __future__ import annotations

import pytest

from alex.schemas import PLANNER_TOOLS
from tests.bedrock.support import NOVA, system, text_of, tool_use, user

pytestmark = pytest.mark.emulation

PLANNER_INPUT = {"job_id": "job-9", "accounts": 2, "positions": 4, "total_value": 100_000.0, "tagged": ["VTI"]}


def _tools(required: bool = False) -> dict:
    schema = (
        {
            "type": "object",
            "properties": {"job_id": {"type": "string"}, "note": {"type": "string"}, "depth": {"type": "integer"}},
            "required": ["job_id", "note", "depth"],
        }
        if required
        else {"type": "object", "properties": {}}
    )
    return {"tools": [{"toolSpec": {"name": n, "description": n, "inputSchema": {"json": schema}}} for n in PLANNER_TOOLS]}


def _run_loop(runtime, results: dict[str, dict], required: bool = False) -> tuple[list[dict], str]:
    messages = [user(PLANNER_INPUT, "job-9")]
    uses = []
    for _ in range(5):
        response = runtime.converse(modelId=NOVA, system=system("planner"), messages=messages, toolConfig=_tools(required))
        use = tool_use(response)
        if use is None:
            assert response["stopReason"] == "end_turn"
            return uses, text_of(response)
        assert response["stopReason"] == "tool_use"
        uses.append(use)
        messages.append(response["output"]["message"])
        result = results.get(use["name"], {"content": [{"text": "done"}]})
        messages.append({"role": "user", "content": [{"toolResult": {"toolUseId": use["toolUseId"], **result}}]})
    raise AssertionError("the planner never finished")


def test_planner_calls_each_tool_once_in_order_then_summarises(runtime, model):
    """Tool use as Bedrock does it: toolUse blocks with stopReason tool_use, answered by toolResult user messages."""
    uses, final = _run_loop(runtime, {})
    assert [u["name"] for u in uses] == list(PLANNER_TOOLS)
    assert all(u["input"] == {} for u in uses)
    assert len({u["toolUseId"] for u in uses}) == 3
    assert final == "Analysis complete: report, charts and retirement projections generated."
    assert model.counts() == {"planner": 4}


def test_required_tool_arguments_are_filled(runtime):
    """A tool whose schema requires properties gets them: job_id from the planner input, other strings empty."""
    uses, _ = _run_loop(runtime, {}, required=True)
    assert uses[0]["input"] == {"job_id": "job-9", "note": "", "depth": 0}


def test_summary_names_the_tools_that_reported_errors(runtime):
    """A toolResult with status error, or whose text mentions an error, is reported in the final answer."""
    _, final = _run_loop(
        runtime,
        {
            "invoke_charter": {"content": [{"text": "boom"}], "status": "error"},
            "invoke_retirement": {"content": [{"json": {"error": "Sandbox.Timedout"}}]},
        },
    )
    assert final == ("Analysis complete: report generated. These tools reported errors: invoke_charter, invoke_retirement.")


def test_only_offered_tools_are_called(runtime):
    """The planner calls only the tools it is offered (here none: it answers at once)."""
    response = runtime.converse(modelId=NOVA, system=system("planner"), messages=[user(PLANNER_INPUT)])
    assert tool_use(response) is None and "job-9" not in text_of(
        response
    )  # answers never echo volatile ids (cassettes replay them)


def test_planner_told_the_agents_are_independent_calls_all_three_in_one_message(runtime, model):
    """Bedrock's models put independent tool calls in one assistant message (several toolUse blocks,
    stopReason tool_use); with Alex's planner instructions the three agents are called together, and
    the summary after the three toolResults (sent in one user message) names the one that failed."""
    from alex.planner.agent import INSTRUCTIONS

    messages = [user(PLANNER_INPUT, "job-9")]
    out = runtime.converse(modelId=NOVA, system=[{"text": INSTRUCTIONS}], messages=messages, toolConfig=_tools())
    assert out["stopReason"] == "tool_use"
    uses = [b["toolUse"] for b in out["output"]["message"]["content"]]
    assert [u["name"] for u in uses] == list(PLANNER_TOOLS) and len({u["toolUseId"] for u in uses}) == 3
    failed = {"invoke_charter": {"content": [{"text": "error: the charter agent failed (Sandbox.Timedout)"}], "status": "error"}}
    results = [
        {"toolResult": {"toolUseId": u["toolUseId"], **failed.get(u["name"], {"content": [{"text": "ok"}]})}} for u in uses
    ]
    messages += [out["output"]["message"], {"role": "user", "content": results}]
    final = runtime.converse(modelId=NOVA, system=[{"text": INSTRUCTIONS}], messages=messages, toolConfig=_tools())
    assert final["stopReason"] == "end_turn"
    assert text_of(final) == (
        "Analysis complete: report and retirement projections generated. These tools reported errors: invoke_charter."
    )
    assert model.counts() == {"planner": 2}
