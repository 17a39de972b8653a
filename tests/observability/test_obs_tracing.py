"""install_tracing / JobTraceProcessor, driven by the Agents SDK's own Runner with a canned model."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import uuid
from typing import Any

import pytest
from agents import Agent, RunConfig, Runner, custom_span, trace
from agents.tracing.processors import BackendSpanExporter, BatchTraceProcessor
from agents.tracing.setup import get_trace_provider

from alex.observability.tracing import JobTraceProcessor, install_tracing
from obs_support import SECRET_MARKER, FakeModel, lookup_price, message, tool_call

pytestmark = pytest.mark.usefixtures("restore_tracing")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Any outbound connection (e.g. to api.openai.com) is recorded and refused."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(BackendSpanExporter, "export", lambda self, items: attempts.append(("openai", items)))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return attempts


def run_job(
    job_id: str, turns: list[Any], *, sensitive: bool = False, name: str = "Alex Planner", metadata: dict[str, Any] | None = None
) -> Any:
    agent = Agent(name=name, instructions=f"Be careful. {SECRET_MARKER}", model=FakeModel(turns), tools=[lookup_price])

    async def go() -> Any:
        with trace("Alex planner", group_id=job_id, metadata=metadata or {"job_id": job_id, "agent": "planner"}):
            return await Runner.run(
                agent, f"Plan for {SECRET_MARKER}", max_turns=5, run_config=RunConfig(trace_include_sensitive_data=sensitive)
            )

    return asyncio.run(go())


TOOL_THEN_ANSWER = [
    [tool_call("lookup_price", json.dumps({"symbol": f"VTI-{SECRET_MARKER}"}))],
    [message(f"All done {SECRET_MARKER}")],
]


def test_install_replaces_the_openai_exporter(no_network: list[Any]) -> None:
    processor = install_tracing(lambda spans: None)
    processors = get_trace_provider()._multi_processor._processors  # type: ignore[attr-defined]
    assert processors == (processor,)
    assert not any(isinstance(p, BatchTraceProcessor) for p in processors)
    assert not get_trace_provider()._disabled  # type: ignore[attr-defined]
    run_job(str(uuid.uuid4()), [[message("ok")]])
    assert no_network == []


def test_spans_of_a_run_are_stored_with_gen_ai_attributes(no_network: list[Any]) -> None:
    stored: list[list[dict[str, Any]]] = []
    exported: list[list[dict[str, Any]]] = []

    class Exporter:
        def export(self, spans: list[dict[str, Any]]) -> None:
            exported.append(spans)

    install_tracing(stored.append, exporters=[Exporter()])
    job_id = str(uuid.uuid4())
    result = run_job(job_id, list(TOOL_THEN_ANSWER), sensitive=True)
    assert SECRET_MARKER in result.final_output
    assert no_network == []

    [spans] = stored
    assert exported == [spans]
    kinds = [s["kind"] for s in spans]
    assert {"agent", "generation", "tool"} <= set(kinds)
    assert kinds.count("generation") == 2
    for span in spans:
        assert span["job_id"] == job_id
        assert span["trace_id"].startswith("trace_")
        assert span["span_id"] and span["started_at"] and span["ended_at"]
        assert isinstance(span["duration_ms"], float) and span["duration_ms"] >= 0
        assert span["error"] is None
        assert span["attributes"]["alex.trace.name"] == "Alex planner"
        if span["kind"] in ("agent", "generation", "tool", "turn"):
            assert span["attributes"]["gen_ai.agent.name"] == "Alex Planner"
        json.dumps(span)  # plain JSON for the attributes column

    agent = next(s for s in spans if s["kind"] == "agent")
    assert agent["name"] == "invoke_agent Alex Planner"
    assert agent["attributes"]["gen_ai.operation.name"] == "invoke_agent"
    assert agent["attributes"]["gen_ai.system"] == "aws.bedrock"
    assert agent["attributes"]["alex.agent.tools"] == ["lookup_price"]
    assert agent["attributes"]["alex.trace.metadata.job_id"] == job_id

    generation = next(s for s in spans if s["kind"] == "generation")
    attrs = generation["attributes"]
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.request.model"] == "us.anthropic.claude-test-v1:0"
    assert attrs["gen_ai.usage.input_tokens"] == 11 and attrs["gen_ai.usage.output_tokens"] == 7
    assert attrs["gen_ai.request.temperature"] == 0.2
    assert generation["name"] == "chat us.anthropic.claude-test-v1:0"

    tool = next(s for s in spans if s["kind"] == "tool")
    assert tool["attributes"]["gen_ai.operation.name"] == "execute_tool"
    assert tool["attributes"]["gen_ai.tool.name"] == "lookup_price"
    by_id = {s["span_id"]: s for s in spans}

    def ancestors(span: dict[str, Any]) -> list[str]:
        kinds = []
        while span.get("parent_id"):
            span = by_id[span["parent_id"]]
            kinds.append(span["kind"])
        return kinds

    assert "agent" in ancestors(tool) and "agent" in ancestors(generation)  # parent links kept

    # Even with trace_include_sensitive_data=True, no prompt, completion or tool text is kept.
    assert SECRET_MARKER not in json.dumps(spans)


def test_job_id_from_metadata_when_group_is_not_a_job() -> None:
    stored: list[list[dict[str, Any]]] = []
    install_tracing(stored.append)
    job_id = str(uuid.uuid4())

    async def go() -> None:
        with trace("batch", group_id="not-a-uuid", metadata={"job_id": job_id}):
            with custom_span(
                "portfolio.load",
                {"positions": 3, "source": "db", "password": "pw-123", "input": "user text", "nested": {"ok": True}},
            ):
                pass

    asyncio.run(go())
    [[span]] = stored
    assert span["job_id"] == job_id and span["kind"] == "custom" and span["name"] == "portfolio.load"
    attrs = span["attributes"]
    assert attrs["alex.positions"] == 3 and attrs["alex.source"] == "db" and attrs["alex.nested.ok"] is True
    assert attrs["alex.password"] == "[REDACTED]"
    assert "alex.input" not in attrs and "pw-123" not in json.dumps(span)


def test_model_error_is_recorded_and_store_still_called() -> None:
    stored: list[list[dict[str, Any]]] = []
    install_tracing(stored.append)
    job_id = str(uuid.uuid4())
    with pytest.raises(RuntimeError, match="throttled"):
        run_job(job_id, [RuntimeError("Bedrock throttled; key AKIAIOSFODNN7EXAMPLE")])
    [spans] = stored
    generation = next(s for s in spans if s["kind"] == "generation")
    assert generation["error"].startswith("Error getting response")
    assert "throttled" in generation["error"] and "AKIAIOSFODNN7EXAMPLE" not in generation["error"]


def test_failures_of_store_and_exporters_are_swallowed() -> None:
    calls: list[str] = []

    def bad_store(spans: list[dict[str, Any]]) -> None:
        calls.append("store")
        raise ConnectionError("database down")

    class BadExporter:
        def export(self, spans: list[dict[str, Any]]) -> None:
            calls.append("bad")
            raise ValueError("exporter broken")

    class GoodExporter:
        def export(self, spans: list[dict[str, Any]]) -> None:
            calls.append("good")

    tracing_log = logging.getLogger("alex.observability.tracing")
    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    # On the logger itself, enabled and at WARNING: whatever an earlier test in this worker did to logging.
    saved = (tracing_log.disabled, tracing_log.level, logging.root.manager.disable)
    tracing_log.disabled = False
    logging.disable(logging.NOTSET)
    tracing_log.setLevel(logging.WARNING)
    tracing_log.addHandler(handler)
    try:
        install_tracing(bad_store, exporters=[BadExporter(), GoodExporter()])
        result = run_job(str(uuid.uuid4()), [[message("fine")]])
    finally:
        tracing_log.removeHandler(handler)
        tracing_log.disabled = saved[0]
        tracing_log.setLevel(saved[1])
        logging.disable(saved[2])
    assert result.final_output == "fine"
    assert calls == ["store", "bad", "good"]
    assert "trace spans not stored" in seen and "trace spans not exported" in seen, seen


def test_processor_never_raises_on_odd_input() -> None:
    processor = JobTraceProcessor(store=None)

    class Odd:
        trace_id = "trace_x"
        name = "odd"

        def __getattr__(self, item: str) -> Any:
            raise RuntimeError("odd object")

    processor.on_trace_start(Odd())  # type: ignore[arg-type]
    processor.on_span_end(Odd())  # type: ignore[arg-type]
    processor.on_trace_end(Odd())  # type: ignore[arg-type]
    processor.force_flush()
    processor.shutdown()


def test_traces_are_kept_apart() -> None:
    stored: list[list[dict[str, Any]]] = []
    install_tracing(stored.append)
    jobs = [str(uuid.uuid4()) for _ in range(3)]

    async def one(job_id: str) -> None:
        agent = Agent(name="Alex Tagger", instructions="tag", model=FakeModel([[message(job_id)]]))
        with trace("Alex tagger", group_id=job_id):
            await Runner.run(agent, "go")

    async def main() -> None:
        await asyncio.gather(*(one(j) for j in jobs))

    asyncio.run(main())
    assert len(stored) == 3
    assert sorted(spans[0]["job_id"] for spans in stored) == sorted(jobs)
    for spans in stored:
        assert len({s["job_id"] for s in spans}) == 1 and len({s["trace_id"] for s in spans}) == 1
