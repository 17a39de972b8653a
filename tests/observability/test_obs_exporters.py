"""exporters_from_env, OtlpExporter and LangfuseExporter against a local OTLP/HTTP receiver."""

from __future__ import annotations

import asyncio
import base64
import uuid
from datetime import datetime, timedelta, UTC
from typing import Any

import pytest
from agents import Agent, Runner, trace

from alex.observability.exporters import (
    LangfuseExporter,
    OtlpExporter,
    exporters_from_env,
    otel_span_id,
    otel_trace_id,
    parse_headers,
)
from alex.observability.tracing import install_tracing
from obs_support import FakeModel, OtlpReceiver, lookup_price, message, otlp_attributes, tool_call

JOB = "5f0c4e1e-2b7a-4c1e-9a55-1234567890ab"
TRACE = "trace_0af7651916cd43dd8448eb211c80319c"


def spans() -> list[dict[str, Any]]:
    t0 = datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)

    def row(
        span_id: str,
        parent: str | None,
        kind: str,
        name: str,
        start_ms: int,
        end_ms: int,
        attrs: dict[str, Any],
        error: str | None = None,
    ) -> dict[str, Any]:
        return {
            "span_id": span_id,
            "job_id": JOB,
            "trace_id": TRACE,
            "parent_id": parent,
            "kind": kind,
            "name": name,
            "started_at": (t0 + timedelta(milliseconds=start_ms)).isoformat(),
            "ended_at": (t0 + timedelta(milliseconds=end_ms)).isoformat(),
            "duration_ms": float(end_ms - start_ms),
            "attributes": attrs,
            "error": error,
        }

    return [
        row(
            "span_agent",
            None,
            "agent",
            "invoke_agent Alex Planner",
            0,
            900,
            {
                "gen_ai.operation.name": "invoke_agent",
                "gen_ai.agent.name": "Alex Planner",
                "alex.agent.tools": ["lookup_price"],
                "alex.trace.name": "Alex planner",
            },
        ),
        row(
            "span_gen",
            "span_agent",
            "generation",
            "chat us.anthropic.claude-test-v1:0",
            10,
            400,
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.system": "aws.bedrock",
                "gen_ai.request.model": "us.anthropic.claude-test-v1:0",
                "gen_ai.usage.input_tokens": 11,
                "gen_ai.usage.output_tokens": 7,
                "gen_ai.agent.name": "Alex Planner",
                "alex.nested": {"a": 1},
            },
        ),
        row(
            "span_tool",
            "span_agent",
            "tool",
            "execute_tool lookup_price",
            400,
            450,
            {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup_price"},
            error="Error running tool",
        ),
    ]


def test_nothing_configured_with_an_empty_env() -> None:
    assert exporters_from_env({}) == []
    assert exporters_from_env({"LANGFUSE_PUBLIC_KEY": "pk", "LANGFUSE_SECRET_KEY": "sk"}) == []  # no host
    assert exporters_from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}) == []
    assert exporters_from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"}) == []


def test_endpoints_follow_the_spec() -> None:
    [base] = exporters_from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"})
    assert base.endpoint == "http://collector:4318/v1/traces"
    [specific] = exporters_from_env(
        {
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://other:9999/custom/path",
            "OTEL_EXPORTER_OTLP_HEADERS": "x-team=alex,x-key=a%3Db",
        }
    )
    assert specific.endpoint == "http://other:9999/custom/path"
    assert specific.headers == {"x-team": "alex", "x-key": "a=b"}
    assert parse_headers("a=1, b = 2 ,junk") == {"a": "1", "b": "2"}
    [langfuse] = exporters_from_env(
        {"LANGFUSE_PUBLIC_KEY": "pk-lf-1", "LANGFUSE_SECRET_KEY": "sk-lf-2", "LANGFUSE_HOST": "https://cloud.langfuse.com/"}
    )
    assert isinstance(langfuse, LangfuseExporter)
    assert langfuse.endpoint == "https://cloud.langfuse.com/api/public/otel/v1/traces"
    assert "sk-lf-2" not in repr(langfuse)


def test_ids_are_deterministic() -> None:
    assert otel_trace_id(TRACE) == 0x0AF7651916CD43DD8448EB211C80319C
    assert otel_trace_id("some-other-id") == otel_trace_id("some-other-id") != 0
    assert otel_span_id("span_a") == otel_span_id("span_a") != otel_span_id("span_b")
    assert 0 < otel_span_id("span_a") < 2**64


def test_otlp_export_reaches_the_receiver() -> None:
    with OtlpReceiver() as receiver:
        [exporter] = exporters_from_env(
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
                "OTEL_SERVICE_NAME": "alex-planner",
                "OTEL_EXPORTER_OTLP_HEADERS": "x-team=alex",
            }
        )
        assert exporter.export(spans()) is True
    [request] = receiver.requests
    assert request["path"] == "/v1/traces"
    assert request["headers"]["x-team"] == "alex"
    assert request["headers"]["content-type"] == "application/x-protobuf"
    resource = {kv.key: kv.value.string_value for kv in request["body"].resource_spans[0].resource.attributes}
    assert resource["service.name"] == "alex-planner"

    got = {s.name: s for s in receiver.spans()}
    assert set(got) == {"invoke_agent Alex Planner", "chat us.anthropic.claude-test-v1:0", "execute_tool lookup_price"}
    agent, gen, tool = (
        got["invoke_agent Alex Planner"],
        got["chat us.anthropic.claude-test-v1:0"],
        got["execute_tool lookup_price"],
    )
    assert {s.trace_id for s in got.values()} == {bytes.fromhex(TRACE[6:])}
    assert gen.parent_span_id == agent.span_id and tool.parent_span_id == agent.span_id
    assert agent.parent_span_id == b""
    assert agent.span_id == otel_span_id("span_agent").to_bytes(8, "big")

    attrs = otlp_attributes(gen)
    assert attrs["gen_ai.operation.name"] == "chat" and attrs["gen_ai.system"] == "aws.bedrock"
    assert attrs["gen_ai.request.model"] == "us.anthropic.claude-test-v1:0"
    assert attrs["gen_ai.usage.input_tokens"] == 11 and attrs["gen_ai.usage.output_tokens"] == 7
    assert attrs["alex.job_id"] == JOB and attrs["alex.nested"] == '{"a": 1}'
    assert otlp_attributes(agent)["alex.agent.tools"] == ["lookup_price"]
    assert otlp_attributes(tool)["gen_ai.tool.name"] == "lookup_price"

    assert gen.end_time_unix_nano - gen.start_time_unix_nano == 390_000_000
    assert gen.start_time_unix_nano == int(datetime(2026, 1, 2, 3, 4, 5, 133456, tzinfo=UTC).timestamp()) * 10**9 + 133456000
    assert tool.status.code == 2 and tool.status.message == "Error running tool"  # STATUS_CODE_ERROR
    assert gen.status.code == 0
    assert gen.kind == 3 and agent.kind == 1  # CLIENT, INTERNAL


def test_langfuse_auth_and_attributes() -> None:
    with OtlpReceiver() as receiver:
        [exporter] = exporters_from_env(
            {"LANGFUSE_PUBLIC_KEY": "pk-lf-1", "LANGFUSE_SECRET_KEY": "sk-lf-2", "LANGFUSE_HOST": receiver.url + "/"}
        )
        assert exporter.export(spans()) is True
    [request] = receiver.requests
    assert request["path"] == "/api/public/otel/v1/traces"
    expected = base64.b64encode(b"pk-lf-1:sk-lf-2").decode()
    assert request["headers"]["authorization"] == f"Basic {expected}"
    got = {s.name: otlp_attributes(s) for s in receiver.spans()}
    assert got["chat us.anthropic.claude-test-v1:0"]["langfuse.observation.type"] == "generation"
    assert got["invoke_agent Alex Planner"]["langfuse.observation.type"] == "agent"
    assert got["execute_tool lookup_price"]["langfuse.observation.level"] == "ERROR"
    assert {a["langfuse.session.id"] for a in got.values()} == {JOB}


def test_export_failures_never_raise() -> None:
    with OtlpReceiver(status=400) as receiver:
        assert OtlpExporter(receiver.url + "/v1/traces", timeout=2).export(spans()) is False
    # Nothing listens on this port: refused at once, no exception.
    dead = OtlpReceiver()
    url = dead.url
    dead.server.server_close()
    assert OtlpExporter(url + "/v1/traces", timeout=1).export(spans()) is False
    assert OtlpExporter("http://127.0.0.1:1/v1/traces").export([]) is True
    assert OtlpExporter("not a url", timeout=1).export([{"span_id": "x"}]) is False


def test_a_run_exported_end_to_end(restore_tracing: None) -> None:
    job_id = str(uuid.uuid4())
    stored: list[list[dict[str, Any]]] = []
    with OtlpReceiver() as receiver:
        install_tracing(stored.append, exporters=exporters_from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url}))
        agent = Agent(
            name="Alex Reporter",
            instructions="report",
            tools=[lookup_price],
            model=FakeModel([[tool_call("lookup_price", '{"symbol": "VTI"}')], [message("done")]]),
        )

        async def go() -> None:
            with trace("Alex reporter", group_id=job_id):
                await Runner.run(agent, "go")

        asyncio.run(go())
    [ours] = stored
    received = receiver.spans()
    assert len(received) == len(ours)
    by_span = {s.span_id: s for s in received}
    for row in ours:
        otel = by_span[otel_span_id(row["span_id"]).to_bytes(8, "big")]
        assert otel.name == row["name"]
        if row["parent_id"]:
            assert otel.parent_span_id == otel_span_id(row["parent_id"]).to_bytes(8, "big")
        assert otlp_attributes(otel)["alex.job_id"] == job_id
    kinds = {otlp_attributes(s)["gen_ai.operation.name"] for s in received if "gen_ai.operation.name" in otlp_attributes(s)}
    assert kinds == {"invoke_agent", "chat", "execute_tool"}


@pytest.mark.parametrize("env", [{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}])
def test_other_protocols_fall_back_to_http(env: dict[str, str]) -> None:
    [exporter] = exporters_from_env(env)
    assert exporter.endpoint == "http://c:4318/v1/traces"
