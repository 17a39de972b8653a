"""The SQS behaviours Alex's planner relies on, run the same way on moto (the harness) and on LocalStack.

Each test states the AWS behaviour and asserts it on both backends, so a difference between them
shows as one failing parameter. Found: only the PurgeQueue rate limit differs; redrive, visibility and
receive counts agree (the hybrid's scenario failures were timing and leftover state, see README
"On LocalStack")."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

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
    url = sqs.create_queue(
        QueueName=f"jobs-{suffix}",
        Attributes={
            "VisibilityTimeout": str(visibility),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count}),
        },
    )["QueueUrl"]
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


def test_purge_queue_deletes_in_flight_messages_too(sqs):
    """AWS SQS: PurgeQueue deletes the queue's messages, in-flight ones included, so a message whose
    consumer is still working never returns. (The harness's scenario reset relies on it.)"""
    url, _ = _queue_with_dlq(sqs, max_receive_count=3, visibility=2)
    sqs.send_message(QueueUrl=url, MessageBody="in-flight")
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
    sqs.purge_queue(QueueUrl=url)
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=4).get("Messages", []) == []


def test_a_second_purge_within_60_seconds_is_refused_on_moto_as_on_aws_but_not_on_localstack(sqs, request):
    """Difference: AWS refuses a second PurgeQueue on a queue within 60 s (PurgeQueueInProgress), and
    so does moto; LocalStack 2026.3.0 accepts it (its SQS_DELAY_PURGE_RETRY is off by default). The
    scenario reset therefore drains first and purges only leftovers, and waits out a refusal."""
    url, _ = _queue_with_dlq(sqs, max_receive_count=3)
    sqs.purge_queue(QueueUrl=url)
    if request.node.callspec.params["sqs"] == "moto":
        with pytest.raises(ClientError) as err:
            sqs.purge_queue(QueueUrl=url)
        assert "PurgeQueueInProgress" in err.value.response["Error"]["Code"]
    else:
        sqs.purge_queue(QueueUrl=url)


def test_the_scenario_reset_removes_a_previous_attempts_in_flight_message(sqs):
    """The scenario reset (ScenarioStack.fresh) drains visible messages and then purges a queue that
    still holds in-flight ones (an attempt that outlasted its scenario), so that message cannot come
    back mid-way through the next scenario and end in its DLQ; on both backends."""
    from types import SimpleNamespace

    from harness.alexkit.scenarios.environment import ScenarioStack

    url, _ = _queue_with_dlq(sqs, max_receive_count=3, visibility=2)
    sqs.send_message(QueueUrl=url, MessageBody="previous scenario's job")
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
    stack = SimpleNamespace(sqs=sqs)
    assert ScenarioStack.drain(stack, url) == 0  # type: ignore[arg-type]
    ScenarioStack.purge_in_flight(stack, url)  # type: ignore[arg-type]
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=4).get("Messages", []) == []
