"""AgentMetrics: CloudWatch metrics per agent (and model) from a trace's spans, read back from moto."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, UTC
from typing import Any

import boto3
import pytest
from agents import Agent, Runner, trace
from moto import mock_aws

from alex.observability.metrics import AgentMetrics, agent_dimension, metric_data
from alex.observability.tracing import install_tracing
from obs_support import FakeModel, lookup_price, message, tool_call

MODEL = "us.anthropic.claude-test-v1:0"


def span(
    kind: str, agent: str = "Alex Planner", duration: float = 100.0, error: str | None = None, **attrs: Any
) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "span_id": f"span_{uuid.uuid4().hex[:24]}",
        "job_id": str(uuid.uuid4()),
        "trace_id": "trace_1",
        "parent_id": None,
        "kind": kind,
        "name": kind,
        "started_at": (now - timedelta(milliseconds=duration)).isoformat(),
        "ended_at": now.isoformat(),
        "duration_ms": duration,
        "error": error,
        "attributes": {"gen_ai.agent.name": agent, **attrs},
    }


def generation(agent: str = "Alex Planner", error: str | None = None, duration: float = 250.0) -> dict[str, Any]:
    return span(
        "generation",
        agent,
        duration,
        error,
        **{"gen_ai.request.model": MODEL, "gen_ai.usage.input_tokens": 120, "gen_ai.usage.output_tokens": 30},
    )


def stat(cw: Any, name: str, dims: dict[str, str], statistic: str = "Sum") -> float:
    now = datetime.now(UTC)
    points = cw.get_metric_statistics(
        Namespace="Alex/Agents",
        MetricName=name,
        Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        StartTime=now - timedelta(hours=1),
        EndTime=now + timedelta(hours=1),
        Period=3600,
        Statistics=[statistic],
    )["Datapoints"]
    return sum(p[statistic] for p in points)


def test_agent_dimension() -> None:
    assert agent_dimension("Alex Planner") == "planner"
    assert agent_dimension("alex tagger") == "tagger"
    assert agent_dimension("Reporter") == "reporter"
    assert agent_dimension(None) == "unknown"


def test_metric_data_shapes() -> None:
    data = metric_data(
        [
            generation(),
            generation(error="Error getting response"),
            span("agent", duration=900.0),
            span("tool"),
            span("custom"),
            span("task"),
        ]
    )
    names = [d["MetricName"] for d in data]
    assert names.count("ModelInvocations") == 2 and names.count("ModelErrors") == 1
    assert names.count("InputTokens") == 2 and names.count("ModelLatency") == 2
    assert names.count("AgentDuration") == 1 and names.count("ToolCalls") == 1
    invocation = next(d for d in data if d["MetricName"] == "ModelInvocations")
    assert invocation["Dimensions"] == [{"Name": "Agent", "Value": "planner"}, {"Name": "ModelId", "Value": MODEL}]
    assert next(d for d in data if d["MetricName"] == "ModelLatency")["Unit"] == "Milliseconds"
    assert next(d for d in data if d["MetricName"] == "ToolCalls")["Dimensions"] == [{"Name": "Agent", "Value": "planner"}]


def test_metrics_reach_cloudwatch(aws_env: None) -> None:
    with mock_aws():
        metrics = AgentMetrics()  # the client is created lazily, inside the mock
        sent = metrics.export(
            [
                generation(),
                generation(),
                generation(error="boom"),
                span("agent", duration=1500.0),
                span("tool"),
                span("tool"),
                generation(agent="Alex Tagger"),
            ]
        )
        assert sent > 0
        cw = boto3.client("cloudwatch")
        listed = {
            (m["MetricName"], tuple(sorted((d["Name"], d["Value"]) for d in m["Dimensions"])))
            for m in cw.list_metrics(Namespace="Alex/Agents")["Metrics"]
        }
        planner_model = (("Agent", "planner"), ("ModelId", MODEL))
        for name in ("ModelInvocations", "ModelErrors", "InputTokens", "OutputTokens", "ModelLatency"):
            assert (name, planner_model) in listed
        assert ("AgentDuration", (("Agent", "planner"),)) in listed
        assert ("ToolCalls", (("Agent", "planner"),)) in listed
        assert ("ModelInvocations", (("Agent", "tagger"), ("ModelId", MODEL))) in listed

        model_dims = {"Agent": "planner", "ModelId": MODEL}
        assert stat(cw, "ModelInvocations", model_dims) == 3
        assert stat(cw, "ModelErrors", model_dims) == 1
        assert stat(cw, "InputTokens", model_dims) == 360
        assert stat(cw, "OutputTokens", model_dims) == 90
        assert stat(cw, "ModelLatency", model_dims, "Average") == pytest.approx(250.0)
        assert stat(cw, "AgentDuration", {"Agent": "planner"}, "Maximum") == pytest.approx(1500.0)
        assert stat(cw, "ToolCalls", {"Agent": "planner"}) == 2


def test_metrics_from_a_real_run(aws_env: None, restore_tracing: None) -> None:
    with mock_aws():
        install_tracing(None, exporters=[AgentMetrics()])
        agent = Agent(
            name="Alex Charter",
            instructions="chart",
            tools=[lookup_price],
            model=FakeModel([[tool_call("lookup_price", '{"symbol": "VTI"}')], [message("done")]]),
        )

        async def go() -> None:
            with trace("Alex charter", group_id=str(uuid.uuid4())):
                await Runner.run(agent, "go")

        asyncio.run(go())
        cw = boto3.client("cloudwatch")
        model_dims = {"Agent": "charter", "ModelId": MODEL}
        assert stat(cw, "ModelInvocations", model_dims) == 2
        assert stat(cw, "InputTokens", model_dims) == 22
        assert stat(cw, "ToolCalls", {"Agent": "charter"}) == 1
        assert stat(cw, "AgentDuration", {"Agent": "charter"}, "SampleCount") == 1


def test_batches_of_at_most_1000() -> None:
    calls: list[int] = []

    class Client:
        def put_metric_data(self, Namespace: str, MetricData: list[dict[str, Any]]) -> None:  # noqa: N803
            assert Namespace == "Alex/Agents"
            calls.append(len(MetricData))

    spans = [generation() for _ in range(600)]  # 4 data each
    assert AgentMetrics(client=Client()).export(spans) == 2400
    assert calls == [1000, 1000, 400]


def test_never_raises(caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        def put_metric_data(self, **kwargs: Any) -> None:
            raise ConnectionError("cloudwatch unreachable")

    assert AgentMetrics(client=Broken()).export([generation()]) == 0
    assert "metrics not sent" in caplog.text
    assert AgentMetrics(client=Broken()).export([{"kind": "generation", "attributes": None}]) == 0
    assert AgentMetrics(client=Broken()).export([]) == 0
