"""The SQS behaviours Alex's planner relies on, run the same way on moto (the harness) and on LocalStack.

Each test states the AWS behaviour and asserts it on both backends, so a difference between them
shows as one failing parameter. Found so far: none in these semantics (the hybrid's scenario failures
were timing and leftover state, see README "On LocalStack")."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.localstack


@pytest.fixture(params=["moto", "localstack"])
def sqs(request: pytest.FixtureRequest) -> Any:
    if request.param == "moto":
        return request.getfixturevalue("cloud").client("sqs")
    return request.getfixturevalue("localstack").client("sqs")


def _queue_with_dlq(sqs: Any, max_receive_count: int, visibility: int = 121) -> tuple[str, str]:
    suffix = uuid.uuid4().hex[:8]
    dlq_url = sqs.create_queue(QueueName=f"dlq-{suffix}")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=f"jobs-{suffix}", Attributes={
        "VisibilityTimeout": str(visibility),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count})})["QueueUrl"]
    return url, dlq_url


def test_failed_deliveries_with_shortened_visibility_reach_the_dlq_after_max_receive_count(sqs):
    """AWS SQS: ChangeMessageVisibility on an in-flight message makes it visible again after the new
    timeout (not the queue's 121 s); each receive raises ApproximateReceiveCount by one, and the receive
    after the maxReceiveCount-th moves the message to the DLQ instead of delivering it. This is the life
    of a delivery the planner refuses with a backoff of 1, 2, 4 s: dead-lettered about 7 s after its
    first receive, on both backends alike."""
    url, dlq_url = _queue_with_dlq(sqs, max_receive_count=3)
    sqs.send_message(QueueUrl=url, MessageBody='{"job_id": "j1"}')
    counts, began = [], time.monotonic()
    for backoff in (1, 2, 4):
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10, AttributeNames=["All"])["Messages"]
        counts.append(int(got[0]["Attributes"]["ApproximateReceiveCount"]))
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"], VisibilityTimeout=backoff)
    assert counts == [1, 2, 3]
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=8).get("Messages", []) == []
    elapsed = time.monotonic() - began
    assert 6.5 <= elapsed <= 20, f"dead-lettered after {elapsed:.1f} s"
    dead = sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=2)["Messages"]
    assert [m["Body"] for m in dead] == ['{"job_id": "j1"}']


def test_an_in_flight_message_stays_hidden_for_the_queue_visibility_timeout(sqs):
    """AWS SQS: a received message that is neither deleted nor changed stays invisible for the queue's
    VisibilityTimeout; it counts as ApproximateNumberOfMessagesNotVisible meanwhile."""
    url, _ = _queue_with_dlq(sqs, max_receive_count=3, visibility=30)
    sqs.send_message(QueueUrl=url, MessageBody="m")
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2).get("Messages", []) == []
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"]) == ("0", "1")


def test_delete_queue_then_recreate_starts_empty(sqs):
    """AWS SQS: a deleted queue's messages (visible or in flight) are gone; a queue created again with
    the same name starts empty. (AWS asks 60 s between the two; moto and LocalStack do not.)"""
    url, _ = _queue_with_dlq(sqs, max_receive_count=3)
    name = url.rsplit("/", 1)[-1]
    sqs.send_message(QueueUrl=url, MessageBody="old-visible")
    sqs.send_message(QueueUrl=url, MessageBody="old-in-flight")
    sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)
    sqs.delete_queue(QueueUrl=url)
    again = sqs.create_queue(QueueName=name)["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=again, AttributeNames=["All"])["Attributes"]
    assert (attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"]) == ("0", "0")
