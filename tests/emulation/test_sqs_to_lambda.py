"""SQS -> Lambda through an event source mapping, black-box through boto3.

Each test names the behaviour of Lambda's SQS poller it mirrors ("Using Lambda with
Amazon SQS" and "Handling errors for an SQS event source in Lambda" in the Lambda
developer guide). Handlers leave a witness line per invocation in a file the test reads.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.lambda_code import zip_source

pytestmark = [pytest.mark.emulation, pytest.mark.slow]

HANDLER = """
import json, os, time

def handler(event, context):
    failures = []
    for record in event["Records"]:
        body = json.loads(record["body"])
        with open(os.environ["WITNESS"], "a") as out:
            out.write(json.dumps({"id": record["messageId"], "body": body, "at": time.time(),
                                  "receive_count": record["attributes"]["ApproximateReceiveCount"],
                                  "first_receive": int(record["attributes"]["ApproximateFirstReceiveTimestamp"]),
                                  "batch": len(event["Records"])}) + "\\n")
        if body.get("sleep"):
            time.sleep(body["sleep"])
        mode = body.get("mode", "ok")
        if mode == "raise":
            raise RuntimeError("always failing")
        if mode == "fail-first" and record["attributes"]["ApproximateReceiveCount"] == "1":
            raise RuntimeError("first delivery fails")
        if mode == "partial-fail":
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
"""


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


class Pipeline:
    """A queue with a DLQ feeding a function; the witness file records every invocation."""

    def __init__(
        self,
        cloud: Any,
        role: str,
        witness: Path,
        *,
        visibility: int = 2,
        max_receive: int = 3,
        batch_size: int = 1,
        window: int = 0,
        reserved: int | None = None,
        max_concurrency: int | None = None,
        timeout: int = 2,
    ) -> None:
        self.sqs, self.lam, self.witness = cloud.client("sqs"), cloud.client("lambda"), witness
        witness.touch()
        self.dlq_url = self.sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
        dlq_arn = self._arn(self.dlq_url)
        self.url = self.sqs.create_queue(
            QueueName="jobs",
            Attributes={
                "VisibilityTimeout": str(visibility),
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive}),
            },
        )["QueueUrl"]
        self.lam.create_function(
            FunctionName="consumer",
            Runtime="python3.12",
            Role=role,
            Handler="consumer.handler",
            Code={"ZipFile": zip_source(HANDLER, module="consumer")},
            Timeout=timeout,
            Environment={"Variables": {"WITNESS": str(witness)}},
        )
        if reserved is not None:
            self.lam.put_function_concurrency(FunctionName="consumer", ReservedConcurrentExecutions=reserved)
        mapping: dict[str, Any] = {
            "BatchSize": batch_size,
            "MaximumBatchingWindowInSeconds": window,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        }
        if max_concurrency:
            mapping["ScalingConfig"] = {"MaximumConcurrency": max_concurrency}
        self.lam.create_event_source_mapping(EventSourceArn=self._arn(self.url), FunctionName="consumer", **mapping)

    def _arn(self, url: str) -> str:
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def send(self, **body: Any) -> str:
        return str(self.sqs.send_message(QueueUrl=self.url, MessageBody=json.dumps(body))["MessageId"])

    def calls(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.witness.read_text().splitlines() if line]

    def depth(self, url: str) -> int:
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])

    def dlq_bodies(self) -> list[dict[str, Any]]:
        got = self.sqs.receive_message(QueueUrl=self.dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        return [json.loads(m["Body"]) for m in got.get("Messages", [])]


@pytest.fixture
def pipeline(cloud, lambda_role, tmp_path) -> Callable[..., Pipeline]:
    return lambda **kw: Pipeline(cloud, lambda_role, tmp_path / "witness.jsonl", **kw)


def test_success_deletes_the_message(pipeline):
    """A batch the function processes without error is deleted from the queue."""
    p = pipeline()
    message_id = p.send(mode="ok", n=1)
    wait_until(lambda: p.calls(), 10)
    wait_until(lambda: p.depth(p.url) == 0, 10)
    (call,) = p.calls()
    assert call["id"] == message_id and call["body"] == {"mode": "ok", "n": 1}
    time.sleep(2.5)  # past the visibility timeout: a deleted message never comes back
    assert len(p.calls()) == 1


def test_failed_message_reappears_after_visibility_timeout(pipeline):
    """On a function error Lambda leaves the message; it is delivered again once its visibility timeout ends."""
    p = pipeline(visibility=2)
    p.send(mode="fail-first")
    calls = wait_until(lambda: (c := p.calls()) and len(c) >= 2 and c, 15)
    assert [c["receive_count"] for c in calls[:2]] == ["1", "2"]
    # Measured from the first receive (what the timeout counts from), not from when the first call began,
    # which a slow environment start can push towards the second receive; 0.1 s of clock slack.
    assert calls[0]["first_receive"] == calls[1]["first_receive"]
    assert calls[1]["at"] - calls[1]["first_receive"] / 1000 >= 1.9
    wait_until(lambda: p.depth(p.url) == 0, 10)
    assert p.dlq_bodies() == []


def test_message_failing_max_receive_count_times_moves_to_dlq(pipeline):
    """After maxReceiveCount (3) failed receives, the redrive policy moves the message to the DLQ."""
    p = pipeline(visibility=1, timeout=1, max_receive=3)
    p.send(mode="raise", job="j-1")
    wait_until(lambda: p.dlq_bodies(), 20, interval=0.25)
    assert [c["receive_count"] for c in p.calls()] == ["1", "2", "3"]
    assert p.depth(p.url) == 0


def test_handler_timeout_counts_as_failure(pipeline):
    """A function that times out fails the batch: the message is redelivered and finally dead-lettered."""
    p = pipeline(visibility=1, timeout=1, max_receive=2)
    p.send(mode="ok", sleep=3)
    wait_until(lambda: p.dlq_bodies(), 25, interval=0.25)
    assert len(p.calls()) == 2


def test_report_batch_item_failures_returns_only_failed_items(pipeline):
    """With ReportBatchItemFailures, only the itemIdentifiers the function names return to the queue."""
    # A visibility timeout well above batching window + invoke: a batch outliving it is redelivered whole
    # (as on AWS), which is not what this test is about.
    p = pipeline(batch_size=10, window=1, visibility=6, max_receive=2)
    ok_ids = {p.send(mode="ok", n=i) for i in range(3)}
    bad_id = p.send(mode="partial-fail")
    wait_until(lambda: p.dlq_bodies(), 40, interval=0.25)
    calls = p.calls()
    assert {c["id"] for c in calls if c["id"] in ok_ids} == ok_ids
    assert sum(1 for c in calls if c["id"] in ok_ids) == 3  # succeeded items were deleted, never redelivered
    assert sum(1 for c in calls if c["id"] == bad_id) == 2
    assert p.dlq_bodies() == [{"mode": "partial-fail"}]


def test_throttled_invokes_are_retried_not_dead_lettered(pipeline):
    """Invocations throttled by reserved concurrency are retried by the poller; no message is lost."""
    p = pipeline(reserved=1, max_concurrency=3, visibility=10, timeout=5)
    ids = {p.send(mode="ok", sleep=0.3, n=i) for i in range(6)}
    wait_until(lambda: {c["id"] for c in p.calls()} == ids, 30, interval=0.2)
    wait_until(lambda: p.depth(p.url) == 0, 10)
    assert p.dlq_bodies() == []
    assert max(c["batch"] for c in p.calls()) == 1
