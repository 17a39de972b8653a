"""Bedrock's runtime metrics, published into the local cloud's CloudWatch (best effort).

Namespace ``AWS/Bedrock``, dimension ``ModelId``, as Bedrock publishes them:
Invocations, InvocationLatency, InputTokenCount and OutputTokenCount for successful
calls; InvocationClientErrors (4xx other than 429 and 408), InvocationServerErrors
(5xx and the 408 ModelTimeoutException) and InvocationThrottles (429) for failed ones.
Data points are queued and sent by a background thread every second, and on
:meth:`MetricsPublisher.flush`; a failure to publish is logged and dropped, never
raised into a model call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, UTC
from typing import Any

from harness import DEFAULT_ACCOUNT_ID
from harness.bedrock.calls import CallRecord
from harness.monitoring.clients import MetricBuffer, Ticker

NAMESPACE = "AWS/Bedrock"
INTERVAL_SECONDS = 1.0


def datums(record: CallRecord) -> list[dict[str, Any]]:
    """The metric data points one call produces."""
    when = datetime.fromtimestamp(record.timestamp, UTC)
    dims = [{"Name": "ModelId", "Value": record.model_id}]

    def point(name: str, value: float, unit: str = "Count") -> dict[str, Any]:
        return {"MetricName": name, "Dimensions": dims, "Timestamp": when, "Value": float(value), "Unit": unit}

    if record.status == 200:
        return [
            point("Invocations", 1),
            point("InvocationLatency", record.latency_ms, "Milliseconds"),
            point("InputTokenCount", record.input_tokens),
            point("OutputTokenCount", record.output_tokens),
        ]
    if record.status == 429:
        return [point("InvocationThrottles", 1)]
    if record.status >= 500 or record.status == 408:
        return [point("InvocationServerErrors", 1)]
    return [point("InvocationClientErrors", 1)]


class MetricsPublisher:
    """The scripted model's data points, queued on a :class:`MetricBuffer` (the one the
    monitoring components publish through) and flushed by a :class:`Ticker` every second."""

    def __init__(self, client_for: Callable[[str, str], Any]) -> None:
        """``client_for(account_id, region)``: a CloudWatch client of the local cloud."""
        self._buffer = MetricBuffer(client_for, "Bedrock")
        self._ticker = Ticker("bedrock-metrics", self.flush, lambda: INTERVAL_SECONDS)

    def record(self, record: CallRecord) -> None:
        self._buffer.add(DEFAULT_ACCOUNT_ID, record.region, NAMESPACE, datums(record))

    def start(self) -> None:
        self._ticker.start()

    def stop(self) -> None:
        self._ticker.stop()
        self.flush()

    def discard(self) -> None:
        self._buffer.discard()

    def flush(self) -> None:
        """Send every queued data point now (in the caller's thread)."""
        self._buffer.flush()
