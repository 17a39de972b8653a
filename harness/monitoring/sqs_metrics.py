"""SQS's CloudWatch metrics for every queue of the local cloud, the DLQs included.

Namespace ``AWS/SQS``, dimension ``QueueName``, published every ``interval`` seconds (SQS
publishes every minute) for each queue in moto's backends:

* ``ApproximateNumberOfMessagesVisible``: messages available to receive
* ``ApproximateNumberOfMessagesNotVisible``: messages in flight (received, not deleted)
* ``ApproximateNumberOfMessagesDelayed``: messages not yet visible because of a delay
* ``ApproximateAgeOfOldestMessage`` (Seconds): age of the oldest message not deleted

The queues are read in process (moto's backend, as the Lambda log writer does), without
receiving anything, so the metrics never change what the queue holds. A cloud whose queues live
elsewhere (the LocalStack hybrid) replaces ``SqsMetrics.source`` with its own reader.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, UTC
from collections.abc import Callable

from harness.cloud.moto_adapter import sqs as moto_sqs
from harness.cloud.moto_adapter.sqs import MotoQueue
from harness.monitoring.clients import CloudClients, MetricBuffer, Ticker, TickingComponent

log = logging.getLogger(__name__)
NAMESPACE = "AWS/SQS"


def queue_figures(queue: MotoQueue, now_ms: int) -> dict[str, float]:
    """The metric values of one moto Queue, read from a snapshot of its messages."""
    visible = not_visible = delayed = 0
    oldest: int | None = None
    for message in queue.messages():
        if message.delayed:
            delayed += 1
        elif message.visible:
            visible += 1
        else:
            not_visible += 1
        sent = message.sent_timestamp
        if sent is not None and (oldest is None or sent < oldest):
            oldest = sent
    return {
        "ApproximateNumberOfMessagesVisible": visible,
        "ApproximateNumberOfMessagesNotVisible": not_visible,
        "ApproximateNumberOfMessagesDelayed": delayed,
        "ApproximateAgeOfOldestMessage": max(0, (now_ms - oldest) // 1000) if oldest is not None else 0,
    }


# (account, region, queue name, {metric: value}) for each queue, at a time in epoch milliseconds
QueueFigures = list[tuple[str, str, str, dict[str, float]]]


def moto_queue_figures(now_ms: int) -> QueueFigures:
    """The figures of every queue moto holds; a queue that changes under us is skipped this time."""
    out = []
    for queue in moto_sqs.queues():
        try:
            out.append((queue.account_id, queue.region, queue.name, queue_figures(queue, now_ms)))
        except Exception:  # noqa: BLE001 - a queue changing under us: skip it this time
            log.debug("could not read queue %s", queue.name, exc_info=True)
    return out


class SqsMetrics(TickingComponent):
    """CloudComponent publishing AWS/SQS queue metrics periodically."""

    def __init__(self, interval: float = 5.0) -> None:
        self.interval = interval
        self._clients = CloudClients()
        self._buffer = MetricBuffer(lambda account, region: self._clients.get("cloudwatch", account, region), "SQS")
        self._ticker = Ticker("sqs-metrics", self.publish, lambda: self.interval)
        self.source: Callable[[int], QueueFigures] = moto_queue_figures

    def reset(self) -> None:
        self._buffer.discard()

    def publish(self) -> int:
        """Read every queue now and send its figures; the number of data points sent."""
        now_ms = int(time.time() * 1000)
        when = datetime.fromtimestamp(now_ms / 1000, UTC)
        for account_id, region, name, figures in self.source(now_ms):
            unit = {"ApproximateAgeOfOldestMessage": "Seconds"}
            points = [
                {
                    "MetricName": metric,
                    "Dimensions": [{"Name": "QueueName", "Value": name}],
                    "Timestamp": when,
                    "Value": float(value),
                    "Unit": unit.get(metric, "Count"),
                }
                for metric, value in figures.items()
            ]
            self._buffer.add(account_id, region, NAMESPACE, points)
        return self._buffer.flush()
