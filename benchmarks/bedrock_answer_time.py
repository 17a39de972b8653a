"""Median answer time of the scripted Bedrock model, in process (no HTTP), per kind of request.

    python benchmarks/bedrock_answer_time.py [--rounds 200]

Kinds: ``structured`` (a forced json_tool_call with a nested schema: objects, arrays, enums,
bounds), ``tool call`` (three offered tools, instructions naming them), ``text`` (a prompt
listing report sections), ``alex script`` (the bundled Alex's tagger rule). Each round is
one full decision: parse the body, pick the agent, answer, validate, render. Every round
asks a slightly different request (a counter in the user text), so no answer is reused.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.bedrock.answer import render  # noqa: E402
from harness.bedrock.converse_wire import parse_request  # noqa: E402
from harness.bedrock.model import ScriptedModel  # noqa: E402
from harness.bedrock.scripts import load  # noqa: E402

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["title", "risk", "score", "items", "owner"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 5, "maxLength": 80},
        "risk": {"enum": ["low", "medium", "high"]},
        "score": {"type": "number", "minimum": 0, "maximum": 10},
        "owner": {
            "type": "object",
            "required": ["name", "email"],
            "properties": {"name": {"type": "string"}, "email": {"type": "string", "format": "email"}},
        },
        "items": {
            "type": "array",
            "minItems": 2,
            "maxItems": 6,
            "items": {
                "type": "object",
                "required": ["label", "percent"],
                "properties": {"label": {"type": "string"}, "percent": {"type": "number", "minimum": 0, "maximum": 100}},
            },
        },
    },
}
TOOL_SCHEMA = {
    "type": "object",
    "required": ["symbol"],
    "properties": {"symbol": {"type": "string"}, "days": {"type": "integer", "minimum": 1, "maximum": 30}},
}


def _user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": [{"text": text}]}]


def structured(n: int) -> dict[str, Any]:
    return {
        "system": [{"text": "You are a Risk Reviewer. Review the plan and record the result."}],
        "messages": _user(f"Plan {n}: Owner: Dana\nThe percentages must sum to exactly 100."),
        "toolConfig": {
            "tools": [{"toolSpec": {"name": "json_tool_call", "inputSchema": {"json": SCHEMA}}}],
            "toolChoice": {"tool": {"name": "json_tool_call"}},
        },
    }


def tool_call(n: int) -> dict[str, Any]:
    tools = [
        {"toolSpec": {"name": name, "inputSchema": {"json": TOOL_SCHEMA}}} for name in ("get_news", "get_prices", "save_note")
    ]
    return {
        "system": [{"text": "You are a Market Researcher. Call get_prices, then get_news, then save_note."}],
        "messages": _user(f"Request {n}. Symbol: SPY"),
        "toolConfig": {"tools": tools},
    }


def text(n: int) -> dict[str, Any]:
    return {
        "system": [
            {
                "text": "You are a Report Writer. Your report must include:\n- Executive Summary\n"
                "- Portfolio Analysis\n- Recommendations (3-5 items)\nKeep it under 400 words."
            }
        ],
        "messages": _user(f"Write report {n}. Total value: 125,000\nCash: 4,000"),
    }


def alex(n: int) -> dict[str, Any]:
    from alex.schemas import input_block, role_line

    payload = {"symbol": ["VTI", "BND", "SPY", "QQQ"][n % 4], "name": f"Fund {n}"}
    return {
        "system": [{"text": role_line("tagger") + "\nFollow the contract."}],
        "messages": _user(f"Here is your input for job {n}.\n{input_block(payload)}"),
        "toolConfig": {
            "tools": [{"toolSpec": {"name": "json_tool_call", "inputSchema": {"json": {"type": "object", "properties": {}}}}}],
            "toolChoice": {"tool": {"name": "json_tool_call"}},
        },
    }


def measure(model: ScriptedModel, make: Any, rounds: int) -> list[float]:
    """Milliseconds per in-process answer (parse, decide, answer, validate, render)."""
    times = []
    for n in range(rounds):
        raw = json.dumps(make(n)).encode()
        began = time.perf_counter()
        request = parse_request("us.amazon.nova-pro-v1:0", raw)
        reply = render(model.answer(request, model.decide(request)), request)
        times.append((time.perf_counter() - began) * 1000)
        assert reply.content, reply
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    model = ScriptedModel([load("harness.alexkit.model")])
    print(f"scripted model answer time, in process, {args.rounds} rounds each (median / p95 ms)")
    for label, make in (("structured", structured), ("tool call", tool_call), ("text", text), ("alex script", alex)):
        measure(model, make, 5)  # warm-up: imports, regex compilation
        times = sorted(measure(model, make, args.rounds))
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"  {label:<12} median {statistics.median(times):7.2f}   p95 {p95:7.2f}")


if __name__ == "__main__":
    main()
