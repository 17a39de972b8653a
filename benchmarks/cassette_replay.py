"""Replay overhead per model call: a full analysis replayed from cassettes vs an in-memory model.

The analysis is the happy_path scenario's: the planner (4 model calls, 3 tool calls), the tagger,
the reporter, the charter and the retirement agent, 8 model calls in all, each agent built by
``alex.agent_run.build_agent`` exactly as the Lambdas build it, fed the prompts its cassette
recorded. Two variants, run alternately in one process:

* replay: ``RetryingBedrockModel`` (LiteLLM, Bedrock Converse over httpx) with vcrpy playing
  ``cassettes/happy_path/alex-<agent>.yaml`` (record mode none, connections beyond loopback refused);
* in memory: the Agents SDK with a ``Model`` that hands back the ``ModelResponse`` objects the
  replay produced (no LiteLLM, no HTTP): the floor any model client sits on.

Prints the median of each over ``--rounds`` full analyses and the difference per model call.

    python benchmarks/cassette_replay.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
os.environ.update({
    "LITELLM_LOCAL_MODEL_COST_MAP": "True", "DISABLE_AIOHTTP_TRANSPORT": "True",
    "AWS_BEDROCK_RUNTIME_ENDPOINT": "http://127.0.0.1:9",  # never connected: the cassette answers
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-west-2",
    "OPENAI_AGENTS_DISABLE_TRACING": "1",
})

import yaml  # noqa: E402
from agents import Runner, function_tool  # noqa: E402
from agents.models.interface import Model  # noqa: E402

from alex.agent_run import build_agent  # noqa: E402
from alex.llm import ModelConfig, bedrock_model  # noqa: E402
from alex.schemas import PLANNER_TOOLS, InstrumentClassification  # noqa: E402
from harness.cassettes.network_guard import loopback_only  # noqa: E402
from harness.cassettes.recorder import use_cassette  # noqa: E402

AGENTS = ("tagger", "planner", "reporter", "charter", "retirement")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def recorded_inputs(cassettes: Path) -> dict[str, tuple[str, str, str]]:
    """Per agent: (its cassette, its instructions, its first user message) as recorded."""
    out = {}
    for agent in AGENTS:
        path = cassettes / f"alex-{agent}.yaml"
        body = json.loads(yaml.safe_load(path.read_text())["interactions"][0]["request"]["body"])
        out[agent] = (str(path), body["system"][0]["text"], body["messages"][0]["content"][0]["text"])
    return out


def agent_kwargs(agent: str) -> dict[str, Any]:
    if agent == "tagger":
        return {"output_type": InstrumentClassification}
    if agent == "planner":
        def tool(name: str) -> Any:
            target = name.removeprefix("invoke_")

            async def invoke_agent() -> str:
                return f"ok: the {target} agent stored its result"

            return function_tool(invoke_agent, name_override=name,
                                 description_override=f"Run the {target} agent for this job; it stores its own result.")
        return {"tools": [tool(n) for n in PLANNER_TOOLS]}
    return {}


def new_job(message: str) -> str:
    """The message as another job would send it (a new job id), so no request is one seen before."""
    return _UUID.sub(lambda _: str(uuid.uuid4()), message)


class CannedModel(Model):
    """The Agents SDK's side of a model with no client at all: canned responses in order."""

    def __init__(self, responses: list[Any]) -> None:
        self.responses = responses
        self.index = 0

    async def get_response(self, *args: Any, **kwargs: Any) -> Any:
        response = self.responses[self.index % len(self.responses)]
        self.index += 1
        return response

    def stream_response(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError


async def replay_once(inputs: dict[str, tuple[str, str, str]], captured: dict[str, list[Any]] | None) -> int:
    calls = 0
    config = ModelConfig.from_env()
    for agent, (cassette, instructions, message) in inputs.items():
        model = bedrock_model(config)
        if captured is not None:
            original = model.get_response

            async def capture(*a: Any, _orig: Any = original, _agent: str = agent, **k: Any) -> Any:
                response = await _orig(*a, **k)
                captured.setdefault(_agent, []).append(response)
                return response

            model.get_response = capture  # type: ignore[method-assign]
        with use_cassette(cassette, "none") as active, loopback_only():
            await Runner.run(build_agent(agent, instructions, model, config, **agent_kwargs(agent)), new_job(message),
                             max_turns=10)
        if active.misses:
            raise SystemExit(f"cassette miss: {active.misses[0].message}")
        calls += model.calls
    return calls


async def in_memory_once(inputs: dict[str, tuple[str, str, str]], captured: dict[str, list[Any]]) -> None:
    config = ModelConfig.from_env()
    for agent, (_, instructions, message) in inputs.items():
        model = CannedModel(captured[agent])
        await Runner.run(build_agent(agent, instructions, model, config, **agent_kwargs(agent)),  # type: ignore[arg-type]
                         new_job(message), max_turns=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--cassettes", type=Path, default=ROOT / "cassettes" / "happy_path")
    args = parser.parse_args(argv)
    inputs = recorded_inputs(args.cassettes)
    captured: dict[str, list[Any]] = {}
    calls = asyncio.run(replay_once(inputs, captured))  # warm-up, and the responses the in-memory model hands back
    replay, memory = [], []
    for _ in range(args.rounds):
        began = time.perf_counter()
        asyncio.run(replay_once(inputs, None))
        replay.append(time.perf_counter() - began)
        began = time.perf_counter()
        asyncio.run(in_memory_once(inputs, captured))
        memory.append(time.perf_counter() - began)
    r, m = statistics.median(replay) * 1000, statistics.median(memory) * 1000
    print(f"full analysis (planner + 4 agents, {calls} model calls), median of {args.rounds} rounds, one process:")
    print(f"  replayed from cassettes (LiteLLM + vcrpy): {r:8.1f} ms")
    print(f"  in-memory model (Agents SDK only):         {m:8.1f} ms")
    print(f"  replay overhead per model call:            {(r - m) / calls:8.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
