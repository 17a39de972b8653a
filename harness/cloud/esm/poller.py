"""The SQS poller behind an event source mapping, run beside the endpoint as AWS runs it.

Each mapping gets up to ``concurrency`` poller threads. A poller long-polls the queue,
invokes the function synchronously with a batch, deletes the batch on success, and
on failure leaves the messages alone: they reappear after the visibility timeout and,
after ``maxReceiveCount`` receives, SQS's redrive policy moves them to the DLQ. A
function that opts into ``ReportBatchItemFailures`` gets partial-batch semantics as
documented in "Handling errors for an SQS event source in Lambda".
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from harness.cloud.awslambda.api import Invoker
from harness.cloud.esm.models import EventSourceMapping

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 5
POLL_WAIT_SECONDS = 1
THROTTLE_BACKOFF = (0.05, 1.0)


@dataclass
class BatchOutcome:
    """What happened to one batch: which receipt handles to delete, and why."""

    delete: list[dict[str, str]]
    result: str


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The Lambda event for a batch of SQS messages, as the SQS event source sends it."""
    region = queue_arn.split(":")[3]
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": dict(m.get("Attributes", {})),
                "messageAttributes": {
                    name: _lambda_message_attribute(attr) for name, attr in m.get("MessageAttributes", {}).items()
                },
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


def _lambda_message_attribute(attr: dict[str, Any]) -> dict[str, Any]:
    """SQS's MessageAttributeValue in the camelCase form Lambda events use."""
    out: dict[str, Any] = {"stringListValues": [], "binaryListValues": [], "dataType": attr["DataType"]}
    if "StringValue" in attr:
        out["stringValue"] = attr["StringValue"]
    if "BinaryValue" in attr:
        out["binaryValue"] = base64.b64encode(attr["BinaryValue"]).decode()
    return out


def batch_outcome(
    messages: list[dict[str, Any]], function_error: str | None, payload: bytes, report_failures: bool
) -> BatchOutcome:
    """Decide which messages of a batch are done, per Lambda's SQS error-handling rules."""
    handles = {m["MessageId"]: m["ReceiptHandle"] for m in messages}
    everything = [{"Id": str(i), "ReceiptHandle": h} for i, h in enumerate(handles.values())]
    if function_error:
        return BatchOutcome([], f"PROBLEM: Function call failed ({function_error})")
    if not report_failures:
        return BatchOutcome(everything, "OK")
    try:
        response = json.loads(payload) if payload.strip() else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return BatchOutcome([], "PROBLEM: Function response is not valid JSON")
    failures = response.get("batchItemFailures") if isinstance(response, dict) else None
    if not failures:
        return BatchOutcome(everything, "OK")
    failed_ids: set[str] = set()
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not identifier or identifier not in handles:
            return BatchOutcome([], "PROBLEM: Invalid batchItemFailures in function response")
        failed_ids.add(identifier)
    keep = [{"Id": str(i), "ReceiptHandle": handles[mid]} for i, mid in enumerate(handles) if mid not in failed_ids]
    return BatchOutcome(keep, "OK")


class MappingPoller:
    """The poller threads of one mapping; they stop when the mapping is disabled or deleted."""

    def __init__(self, mapping: EventSourceMapping, invoker: Invoker, sqs_client: Any, is_active: Any) -> None:
        self.mapping = mapping
        self._invoker = invoker
        self._sqs = sqs_client
        self._is_active = is_active
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._queue_url: str | None = None
        self.concurrency = mapping.maximum_concurrency or DEFAULT_CONCURRENCY
        self.batches = 0

    def start(self) -> None:
        for index in range(self.concurrency):
            thread = threading.Thread(target=self._run, name=f"esm-{self.mapping.uuid[:8]}-{index}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def stop(self, wait: float = 5.0) -> None:
        self._stop.set()
        deadline = time.monotonic() + wait
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))

    @property
    def alive(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def _running(self) -> bool:
        return not self._stop.is_set() and self._is_active(self.mapping)

    def _run(self) -> None:
        while self._running():
            try:
                messages = self._receive()
                if messages and self._running():
                    self._process(messages)
            except Exception as err:  # a poller never dies of one bad poll; it backs off
                if self._running():
                    log.warning("event source mapping %s poll failed: %s", self.mapping.uuid, err)
                    self.mapping.last_processing_result = f"PROBLEM: {type(err).__name__}"
                    self._stop.wait(1.0)

    def _url(self) -> str:
        if self._queue_url is None:
            self._queue_url = self._sqs.get_queue_url(
                QueueName=self.mapping.queue_name, QueueOwnerAWSAccountId=self.mapping.queue_account
            )["QueueUrl"]
        return self._queue_url

    def _receive(self) -> list[dict[str, Any]]:
        """Long-poll for up to BatchSize messages, honouring the batching window."""
        wanted = self.mapping.batch_size
        messages = self._receive_once(wanted, POLL_WAIT_SECONDS)
        window_ends = time.monotonic() + self.mapping.maximum_batching_window
        while messages and len(messages) < wanted and self._running():
            remaining = window_ends - time.monotonic()
            if remaining <= 0:
                break
            messages.extend(self._receive_once(wanted - len(messages), POLL_WAIT_SECONDS))
        return messages

    def _receive_once(self, count: int, wait_seconds: int) -> list[dict[str, Any]]:
        response = self._sqs.receive_message(
            QueueUrl=self._url(),
            MaxNumberOfMessages=min(10, count),
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return list(response.get("Messages", []))

    def _process(self, messages: list[dict[str, Any]]) -> None:
        payload = json.dumps(sqs_event(messages, self.mapping.event_source_arn)).encode()
        result = self._invoke_until_not_throttled(payload, messages)
        if result is None:
            return
        outcome = batch_outcome(messages, result.function_error, result.payload, self.mapping.reports_batch_item_failures)
        self.mapping.last_processing_result = outcome.result
        self.batches += 1
        if outcome.delete:
            self._sqs.delete_message_batch(QueueUrl=self._url(), Entries=outcome.delete)

    def _invoke_until_not_throttled(self, payload: bytes, messages: list[dict[str, Any]]) -> Any:
        """Invoke; on throttling retry with backoff while the batch is still ours (visible to us)."""
        visibility = int(
            self._sqs.get_queue_attributes(QueueUrl=self._url(), AttributeNames=["VisibilityTimeout"])["Attributes"][
                "VisibilityTimeout"
            ]
        )
        deadline = time.monotonic() + visibility
        delay = THROTTLE_BACKOFF[0]
        while self._running():
            try:
                return self._invoker.invoke(self.mapping.function_arn, payload)
            except Exception as err:
                status = getattr(err, "status", None)
                code = getattr(err, "error_type", type(err).__name__)
                self.mapping.last_processing_result = f"PROBLEM: {code}"
                if status != 429 or time.monotonic() + delay >= deadline:
                    log.info("event source mapping %s: invoke failed (%s); batch left to reappear", self.mapping.uuid, code)
                    return None
                self._stop.wait(delay)
                delay = min(delay * 2, THROTTLE_BACKOFF[1])
        return None
