"""Replay overhead per model call: a full analysis replayed from cassettes vs an in-memory model.

The analysis is the happy_path scenario's: the planner (4 model calls, 3 tool calls), the tagger,
the reporter, the charter and the retirement agent, 8 model calls in all, each agent built by
``alex.agent_run.build_agent`` exactly as the Lambdas build it, fed the prompts its cassette
recorded (with fresh job ids, as another job would send them). Three variants, run in turn in
each round, in one process:

* replay: ``RetryingBedrockModel`` (LiteLLM, Bedrock Converse over httpx) with vcrpy playing
  ``cassettes/happy_path/alex-<agent>.yaml`` (record mode none, connections beyond loopback
  refused), exactly as the harness's Lambda wrapper replays;
* LiteLLM from memory: the same model client, with the recorded answers handed back in order by
  an in-memory httpx transport (no vcrpy, no matching): what the model client itself costs;
* in memory: the Agents SDK with a ``Model`` that hands back the ``ModelResponse`` objects the
  replay produced (no LiteLLM, no HTTP): the floor any model client sits on.

Prints the median of each and, per model call, the medians of the paired per-round differences:
replay against the in-memory model (the issue's figure), split into what cassette replay adds
over LiteLLM answering from memory, and what the LiteLLM client adds over the bare SDK.

    python benchmarks/cassette_replay.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import re
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
os.environ.update(
    {
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "DISABLE_AIOHTTP_TRANSPORT": "True",
        "AWS_BEDROCK_RUNTIME_ENDPOINT": "http://127.0.0.1:9",  # never connected: the cassette answers
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-west-2",
        "OPENAI_AGENTS_DISABLE_TRACING": "1",
    }
)

import httpx  # noqa: E402
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


@functools.cache
def interactions(cassette: str) -> list[dict[str, Any]]:
    """A cassette's recorded interactions, read once."""
    return yaml.safe_load(Path(cassette).read_text())["interactions"]


def recorded_inputs(cassettes: Path) -> dict[str, tuple[str, str, str]]:
    """Per agent: (its cassette, its instructions, its first user message) as recorded."""
    out = {}
    for agent in AGENTS:
        path = cassettes / f"alex-{agent}.yaml"
        body = json.loads(interactions(str(path))[0]["request"]["body"])
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

            return function_tool(
                invoke_agent,
                name_override=name,
                description_override=f"Run the {target} agent for this job; it stores its own result.",
            )

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
            await Runner.run(
                build_agent(agent, instructions, model, config, **agent_kwargs(agent)), new_job(message), max_turns=10
            )
        if active.misses:
            raise SystemExit(f"cassette miss: {active.misses[0].message}")
        calls += model.calls
    return calls


async def in_memory_once(inputs: dict[str, tuple[str, str, str]], captured: dict[str, list[Any]]) -> None:
    config = ModelConfig.from_env()
    for agent, (_, instructions, message) in inputs.items():
        model = CannedModel(captured[agent])
        await Runner.run(
            build_agent(agent, instructions, model, config, **agent_kwargs(agent)),  # type: ignore[arg-type]
            new_job(message),
            max_turns=10,
        )


def recorded_answers(inputs: dict[str, tuple[str, str, str]]) -> dict[str, list[dict[str, Any]]]:
    """Per agent: the responses its cassette holds, in order."""
    return {agent: [i["response"] for i in interactions(cassette)] for agent, (cassette, _, _) in inputs.items()}


@contextmanager
def answers_from_memory(queue: list[dict[str, Any]]) -> Iterator[None]:
    """Every httpx request answered with the next recorded response, in memory."""

    async def answer(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        await request.aread()
        response = queue.pop(0)
        body = response["body"]["string"]
        return httpx.Response(
            response["status"]["code"],
            headers={"content-type": "application/json"},
            content=body.encode() if isinstance(body, str) else body,
        )

    with mock.patch.object(httpx.AsyncHTTPTransport, "handle_async_request", answer):
        yield


async def litellm_from_memory_once(inputs: dict[str, tuple[str, str, str]], answers: dict[str, list[dict[str, Any]]]) -> None:
    config = ModelConfig.from_env()
    for agent, (_, instructions, message) in inputs.items():
        queue = list(answers[agent])
        model = bedrock_model(config)
        with answers_from_memory(queue):
            await Runner.run(
                build_agent(agent, instructions, model, config, **agent_kwargs(agent)), new_job(message), max_turns=10
            )
        if queue:
            raise SystemExit(f"the {agent} agent made {len(answers[agent]) - len(queue)} calls, not {len(answers[agent])}")


def timed(run: Any) -> float:
    began = time.perf_counter()
    asyncio.run(run)
    return (time.perf_counter() - began) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--cassettes", type=Path, default=ROOT / "cassettes" / "happy_path")
    args = parser.parse_args(argv)
    inputs = recorded_inputs(args.cassettes)
    answers = recorded_answers(inputs)
    captured: dict[str, list[Any]] = {}
    calls = asyncio.run(replay_once(inputs, captured))  # warm-up, and the responses the in-memory model hands back
    asyncio.run(litellm_from_memory_once(inputs, answers))  # warm-up
    replay, litellm, memory = [], [], []
    for _ in range(args.rounds):
        replay.append(timed(replay_once(inputs, None)))
        litellm.append(timed(litellm_from_memory_once(inputs, answers)))
        memory.append(timed(in_memory_once(inputs, captured)))

    def per_call(a: list[float], b: list[float]) -> float:
        return statistics.median(x - y for x, y in zip(a, b)) / calls

    print(f"full analysis (planner + 4 agents, {calls} model calls), median of {args.rounds} rounds, one process:")
    print(f"  replayed from cassettes (LiteLLM + vcrpy):     {statistics.median(replay):8.1f} ms")
    print(f"  LiteLLM, answers from memory (no vcrpy):       {statistics.median(litellm):8.1f} ms")
    print(f"  in-memory model (Agents SDK only):             {statistics.median(memory):8.1f} ms")
    print("per model call (median of the paired differences):")
    print(f"  replay overhead against the in-memory model:   {per_call(replay, memory):8.2f} ms")
    print(f"    of which cassette replay (vcrpy, matching):  {per_call(replay, litellm):8.2f} ms")
    print(f"    of which the LiteLLM client:                 {per_call(litellm, memory):8.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
