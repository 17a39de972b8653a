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

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from harness.bedrock.calls import CallRecord

log = logging.getLogger(__name__)

NAMESPACE = "AWS/Bedrock"
BATCH = 500
INTERVAL_SECONDS = 1.0


def datums(record: CallRecord) -> list[dict[str, Any]]:
    """The metric data points one call produces."""
    when = datetime.fromtimestamp(record.timestamp, timezone.utc)
    dims = [{"Name": "ModelId", "Value": record.model_id}]

    def point(name: str, value: float, unit: str = "Count") -> dict[str, Any]:
        return {"MetricName": name, "Dimensions": dims, "Timestamp": when, "Value": float(value), "Unit": unit}

    if record.status == 200:
        return [point("Invocations", 1), point("InvocationLatency", record.latency_ms, "Milliseconds"),
                point("InputTokenCount", record.input_tokens), point("OutputTokenCount", record.output_tokens)]
    if record.status == 429:
        return [point("InvocationThrottles", 1)]
    if record.status >= 500 or record.status == 408:
        return [point("InvocationServerErrors", 1)]
    return [point("InvocationClientErrors", 1)]


class MetricsPublisher:
    """Queues data points per region and sends them with ``client_for(region)``'s put_metric_data."""

    def __init__(self, client_for: Callable[[str], Any]) -> None:
        self._client_for = client_for
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._pending: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(self, record: CallRecord) -> None:
        with self._lock:
            self._pending[record.region].extend(datums(record))

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="bedrock-metrics", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.flush()

    def discard(self) -> None:
        with self._lock:
            self._pending.clear()

    def flush(self) -> None:
        """Send every queued data point now (in the caller's thread)."""
        with self._send_lock:
            with self._lock:
                pending, self._pending = self._pending, defaultdict(list)
            for region, points in pending.items():
                for start in range(0, len(points), BATCH):
                    try:
                        client = self._clients.get(region) or self._clients.setdefault(region, self._client_for(region))
                        client.put_metric_data(Namespace=NAMESPACE, MetricData=points[start : start + BATCH])
                    except Exception:  # noqa: BLE001 - metrics are best effort, never a model call's failure
                        log.warning("could not publish %d Bedrock metric points", len(points[start:start + BATCH]),
                                    exc_info=True)

    def _run(self) -> None:
        while not self._stop.wait(INTERVAL_SECONDS):
            self.flush()
