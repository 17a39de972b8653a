"""AWS/Lambda and AWS/SQS metrics published by the local cloud, as the AWS services publish them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, UTC

import pytest
from botocore.config import Config

from harness.monitoring import LambdaMetrics, SqsMetrics
from tests.lambda_code import create_function

pytestmark = pytest.mark.emulation

SOURCE = """
def handler(event, context):
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"ok": True}
"""


def _stat(cloudwatch, namespace, metric, dims, statistic="Sum"):
    now = datetime.now(UTC)
    points = cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        StartTime=now - timedelta(minutes=5),
        EndTime=now + timedelta(minutes=1),
        Period=600,
        Statistics=[statistic],
    )["Datapoints"]
    return points[0][statistic] if points else None


def test_lambda_publishes_invocations_errors_duration_throttles_and_concurrency(cloud, lambda_role) -> None:
    """Lambda's metrics (namespace AWS/Lambda, dimension FunctionName): Invocations counts every run,
    Errors the function errors, Throttles the refused invocations, which are not Invocations."""
    lam = cloud.client("lambda", config=Config(retries={"total_max_attempts": 1}))  # one throttled call, no SDK retry
    create_function(lam, lambda_role, "metered", SOURCE)
    for event in ({}, {}, {"fail": True}):
        lam.invoke(FunctionName="metered", Payload=json.dumps(event).encode())
    create_function(lam, lambda_role, "throttled", SOURCE)
    lam.put_function_concurrency(FunctionName="throttled", ReservedConcurrentExecutions=0)
    with pytest.raises(lam.exceptions.TooManyRequestsException):
        lam.invoke(FunctionName="throttled", Payload=b"{}")
    assert cloud.component(LambdaMetrics).flush() > 0

    cw = cloud.client("cloudwatch")
    assert _stat(cw, "AWS/Lambda", "Invocations", {"FunctionName": "metered"}) == 3
    assert _stat(cw, "AWS/Lambda", "Errors", {"FunctionName": "metered"}) == 1
    assert _stat(cw, "AWS/Lambda", "Duration", {"FunctionName": "metered"}, "Maximum") > 0
    assert _stat(cw, "AWS/Lambda", "ConcurrentExecutions", {"FunctionName": "metered"}, "Maximum") >= 1
    assert _stat(cw, "AWS/Lambda", "ConcurrentExecutions", {}, "Maximum") >= 1  # account-wide, no dimension
    assert _stat(cw, "AWS/Lambda", "Throttles", {"FunctionName": "throttled"}) == 1
    assert _stat(cw, "AWS/Lambda", "Invocations", {"FunctionName": "throttled"}) is None
    units = {m["MetricName"] for m in cw.list_metrics(Namespace="AWS/Lambda")["Metrics"]}
    assert units == {"Invocations", "Errors", "Duration", "Throttles", "ConcurrentExecutions"}


def test_sqs_publishes_visible_in_flight_and_age_for_every_queue_and_dlq(cloud) -> None:
    """SQS's metrics (namespace AWS/SQS, dimension QueueName) for each queue, the DLQ included,
    read without receiving anything."""
    sqs = cloud.client("sqs")
    dlq = sqs.create_queue(QueueName="metered-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(
        QueueName="metered", Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})}
    )["QueueUrl"]
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=60)
    assert cloud.component(SqsMetrics).publish() > 0

    cw = cloud.client("cloudwatch")
    assert _stat(cw, "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": "metered"}, "Maximum") == 2
    assert _stat(cw, "AWS/SQS", "ApproximateNumberOfMessagesNotVisible", {"QueueName": "metered"}, "Maximum") == 1
    assert _stat(cw, "AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": "metered"}, "Maximum") >= 0
    assert _stat(cw, "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": "metered-dlq"}, "Maximum") == 0
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "2"  # publishing changed nothing


def test_metrics_are_published_in_the_background(cloud, fast_monitoring, lambda_role) -> None:
    """Nobody flushes: the components' own threads publish within their intervals."""
    import time

    lam = cloud.client("lambda")
    create_function(lam, lambda_role, "background", SOURCE)
    lam.invoke(FunctionName="background", Payload=b"{}")
    cloud.client("sqs").create_queue(QueueName="background-queue")
    cw = cloud.client("cloudwatch")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lam_points = _stat(cw, "AWS/Lambda", "Invocations", {"FunctionName": "background"})
        sqs_points = _stat(cw, "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": "background-queue"}, "Maximum")
        if lam_points and sqs_points is not None:
            break
        time.sleep(0.3)
    assert lam_points == 1 and sqs_points == 0


def test_a_paused_ticker_does_no_work_and_resumes_after() -> None:
    """Tests that evaluate alarms themselves hold the schedule off; it starts again when they are done."""
    import threading

    from harness.monitoring.clients import Ticker

    ticks = threading.Semaphore(0)
    ticker = Ticker("test-ticker", ticks.release, lambda: 0.05)
    ticker.start()
    try:
        assert ticks.acquire(timeout=5)
        with ticker.paused():
            assert not ticker.running
            while ticks.acquire(timeout=0):  # drain ticks counted before the pause
                pass
            assert not ticks.acquire(timeout=0.3)
        assert ticker.running and ticks.acquire(timeout=5)
    finally:
        ticker.stop()
