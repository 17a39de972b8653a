"""Lambda's CloudWatch metrics for the local cloud's functions.

Namespace ``AWS/Lambda``, dimension ``FunctionName``, as Lambda publishes them:

* ``Invocations`` (Count): every invocation that ran, successful or not; throttled ones are not counted
* ``Errors`` (Count): invocations that ended in a function error (raised, timed out, crashed); 0 otherwise
* ``Duration`` (Milliseconds): the handler's run time
* ``Throttles`` (Count): invocations refused with TooManyRequestsException
* ``ConcurrentExecutions`` (Count, read as Maximum): invocations running at once, also account-wide
  (no dimension)

The runtime calls :meth:`LambdaMetrics.record` (its invocation listener) when each attempt
finishes; that only queues data points. A background thread samples concurrency and sends
the queue every ``interval`` seconds, so publishing never slows or fails an invocation.
"""

from __future__ import annotations

import threading
from datetime import datetime, UTC
from typing import TYPE_CHECKING, Any

from harness.cloud.awslambda.records import InvocationRecord
from harness.monitoring.clients import CloudClients, MetricBuffer, Ticker

if TYPE_CHECKING:
    from harness.cloud.awslambda.runtime import LambdaRuntime
    from harness.cloud.host import CloudHost

NAMESPACE = "AWS/Lambda"


def _point(name: str, value: float, unit: str, when: datetime, function: str | None) -> dict[str, Any]:
    dims = [{"Name": "FunctionName", "Value": function}] if function else []
    return {"MetricName": name, "Dimensions": dims, "Timestamp": when, "Value": float(value), "Unit": unit}


def invocation_points(record: InvocationRecord) -> list[dict[str, Any]]:
    """The data points one invocation attempt produces."""
    when = datetime.fromtimestamp(record.timestamp, UTC)
    fn = record.function_name
    if record.throttled:
        return [_point("Throttles", 1, "Count", when, fn)]
    return [
        _point("Invocations", 1, "Count", when, fn),
        _point("Errors", 1 if record.error else 0, "Count", when, fn),
        _point("Duration", record.duration_ms, "Milliseconds", when, fn),
    ]


class LambdaMetrics:
    """CloudComponent publishing AWS/Lambda metrics for the runtime's invocations."""

    def __init__(self, runtime: LambdaRuntime, interval: float = 1.0) -> None:
        self.runtime = runtime
        self.interval = interval
        self._clients = CloudClients()
        self._buffer = MetricBuffer(lambda account, region: self._clients.get("cloudwatch", account, region), "Lambda")
        self._ticker = Ticker("lambda-metrics", self.flush, lambda: self.interval)
        self._ran: set[tuple[str, str, str]] = set()  # functions that finished an attempt since the last sample
        self._lock = threading.Lock()
        self._unsubscribe: Any = None

    # CloudComponent -----------------------------------------------------------
    def attach(self, cloud: CloudHost) -> None:
        self._clients.attach(cloud)
        if self._unsubscribe is None:
            self._unsubscribe = self.runtime.add_listener(self.record)

    def start(self) -> None:
        self._ticker.start()

    def stop(self) -> None:
        self._ticker.stop()
        self.flush()

    def reset(self) -> None:
        self._buffer.discard()
        with self._lock:
            self._ran.clear()

    # the listener and the flush -------------------------------------------------
    def record(self, record: InvocationRecord) -> None:
        """Queue one attempt's data points (called by the runtime; never raises, never blocks on I/O)."""
        if not record.account_id or not record.region:
            return
        self._buffer.add(record.account_id, record.region, NAMESPACE, invocation_points(record))
        if not record.throttled:
            with self._lock:
                self._ran.add((record.account_id, record.region, record.function_name))

    def sample_concurrency(self) -> None:
        """Queue ConcurrentExecutions for every function running now or since the last sample."""
        running = self.runtime.concurrent_executions()
        with self._lock:
            ran, self._ran = self._ran, set()
        keys = set(running) | ran
        if not keys:
            return
        when = datetime.now(UTC)
        totals: dict[tuple[str, str], int] = {}
        for account, region, fn in keys:
            count = max(running.get((account, region, fn), 0), 1)
            self._buffer.add(account, region, NAMESPACE, [_point("ConcurrentExecutions", count, "Count", when, fn)])
            totals[(account, region)] = totals.get((account, region), 0) + count
        for (account, region), total in totals.items():
            self._buffer.add(account, region, NAMESPACE, [_point("ConcurrentExecutions", total, "Count", when, None)])

    def flush(self) -> int:
        """Sample concurrency and send every queued point now; the number sent."""
        self.sample_concurrency()
        return self._buffer.flush()
