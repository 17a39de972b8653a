"""CloudWatch metrics from a trace's spans: model calls, tokens, latency, agent time, tool calls.

``AgentMetrics`` is a span exporter (``export(spans)``, as :mod:`alex.observability.tracing`
calls it at the end of each trace) that puts, per agent (dimension ``Agent``, e.g. "planner")
and, for model metrics, per model (dimension ``ModelId``):

=================  ==============  ==========================================
metric             unit            from
=================  ==============  ==========================================
ModelInvocations   Count           each generation span
ModelErrors        Count           each generation span with an error
InputTokens        Count           gen_ai.usage.input_tokens
OutputTokens       Count           gen_ai.usage.output_tokens
ModelLatency       Milliseconds    generation span duration
AgentDuration      Milliseconds    agent span duration
ToolCalls          Count           each tool (function) span
=================  ==============  ==========================================

The CloudWatch client is created on first use with ``boto3.client("cloudwatch")`` (in the
Lambdas, ``AWS_ENDPOINT_URL`` points it at the local cloud). Nothing here raises.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, UTC
from typing import Any

from alex.timestamps import parse_utc

__all__ = ["AgentMetrics", "agent_dimension", "metric_data"]

log = logging.getLogger("alex.observability.metrics")

NAMESPACE = "Alex/Agents"
MAX_DATA_PER_CALL = 1000
UNKNOWN = "unknown"


def agent_dimension(name: Any) -> str:
    """ "Alex Planner" -> "planner"; None -> "unknown"."""
    text = str(name or "").strip()
    if text.lower().startswith("alex "):
        text = text[5:]
    return text.strip().lower()[:255] or UNKNOWN


def _timestamp(span: dict[str, Any]) -> datetime:
    for key in ("ended_at", "started_at"):
        stamp = parse_utc(span.get(key))
        if stamp is not None:
            return stamp
    return datetime.now(UTC)


def _datum(name: str, value: float, unit: str, dims: list[dict[str, str]], when: datetime) -> dict[str, Any]:
    return {"MetricName": name, "Dimensions": dims, "Value": float(value), "Unit": unit, "Timestamp": when}


def metric_data(spans: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``MetricData`` entries for ``spans`` (one datum per span and metric)."""
    data: list[dict[str, Any]] = []
    for span in spans:
        attrs = span.get("attributes") or {}
        kind = span.get("kind")
        agent = agent_dimension(attrs.get("gen_ai.agent.name") or attrs.get("alex.trace.metadata.agent"))
        dims = [{"Name": "Agent", "Value": agent}]
        when = _timestamp(span)
        duration = span.get("duration_ms")
        if kind == "generation":
            model = str(attrs.get("gen_ai.request.model") or UNKNOWN)[:255]
            model_dims = [*dims, {"Name": "ModelId", "Value": model}]
            data.append(_datum("ModelInvocations", 1, "Count", model_dims, when))
            if span.get("error"):
                data.append(_datum("ModelErrors", 1, "Count", model_dims, when))
            for attr, metric in (("gen_ai.usage.input_tokens", "InputTokens"), ("gen_ai.usage.output_tokens", "OutputTokens")):
                tokens = attrs.get(attr)
                if isinstance(tokens, (int, float)) and not isinstance(tokens, bool):
                    data.append(_datum(metric, tokens, "Count", model_dims, when))
            if isinstance(duration, (int, float)):
                data.append(_datum("ModelLatency", duration, "Milliseconds", model_dims, when))
        elif kind == "agent":
            if isinstance(duration, (int, float)):
                data.append(_datum("AgentDuration", duration, "Milliseconds", dims, when))
        elif kind == "tool":
            data.append(_datum("ToolCalls", 1, "Count", dims, when))
    return data


class AgentMetrics:
    """Puts the metrics of each trace's spans to CloudWatch (a span exporter)."""

    def __init__(self, namespace: str = NAMESPACE, client: Any = None) -> None:
        self.namespace = namespace
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("cloudwatch")
        return self._client

    def export(self, spans: list[dict[str, Any]]) -> int:
        """Put the metrics of ``spans``; returns how many data were sent (0 on failure)."""
        try:
            data = metric_data(spans)
        except Exception:  # noqa: BLE001
            log.warning("metrics not computed", exc_info=True)
            return 0
        sent = 0
        for start in range(0, len(data), MAX_DATA_PER_CALL):
            batch = data[start : start + MAX_DATA_PER_CALL]
            try:
                self.client.put_metric_data(Namespace=self.namespace, MetricData=batch)
                sent += len(batch)
            except Exception:  # noqa: BLE001
                log.warning("metrics not sent", exc_info=True, extra={"metric_data": len(batch)})
                break
        return sent

    def shutdown(self) -> None:
        return None
