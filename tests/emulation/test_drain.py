"""Stop means drain: SQS-triggered work in flight finishes before the cloud stops.

On AWS a deployment or scale-in lets a running invocation finish; locally SIGTERM and Ctrl-C call
``LocalCloud.drain(seconds)`` first: pollers receive no more, invocations in flight complete
and their messages are deleted; what cannot finish in time stays on its queue.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from harness.cloud import LocalCloud
from harness.cloud.awslambda.runtime import LambdaRuntime
from harness.cloud.esm.service import EventSourceMappings
from harness.cloud.moto_adapter.server import reset_backends
from tests.lambda_code import create_function

pytestmark = [pytest.mark.emulation]

SLOW = """
import os, time
def handler(event, context):
    with open(os.environ["WITNESS"], "a") as out:
        out.write("start\\n")
    time.sleep(float(os.environ["SLEEP"]))
    with open(os.environ["WITNESS"], "a") as out:
        out.write("end\\n")
"""
ROLE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _cloud_with_slow_consumer(tmp_path: Path, sleep: float) -> tuple[LocalCloud, str, Path]:
    runtime = LambdaRuntime()
    cloud = LocalCloud(components=[runtime, EventSourceMappings(runtime)]).start()
    witness = tmp_path / "witness.txt"
    role = cloud.client("iam").create_role(RoleName="drain-role", AssumeRolePolicyDocument=json.dumps(ROLE))["Role"]["Arn"]
    create_function(
        cloud.client("lambda"),
        role,
        "slow",
        SLOW,
        timeout=30,
        Environment={"Variables": {"WITNESS": str(witness), "SLEEP": str(sleep)}},
    )
    sqs = cloud.client("sqs")
    url = sqs.create_queue(QueueName="drain-q", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    cloud.client("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName="slow", BatchSize=1)
    sqs.send_message(QueueUrl=url, MessageBody="work")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (witness.exists() and "start" in witness.read_text()):
        time.sleep(0.05)
    assert "start" in witness.read_text(), "the invocation never started"
    return cloud, url, witness


def _queue_counts(cloud: LocalCloud, url: str) -> tuple[int, int]:
    attributes = cloud.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_drain_lets_an_invocation_in_flight_finish_and_its_message_be_deleted(tmp_path: Path) -> None:
    """An invocation running when the drain begins completes, and its message is deleted, before stop."""
    reset_backends()
    cloud, url, witness = _cloud_with_slow_consumer(tmp_path, sleep=2)
    try:
        cloud.drain(20)
        assert witness.read_text().split() == ["start", "end"]
        assert _queue_counts(cloud, url) == (0, 0)
    finally:
        cloud.stop()
        reset_backends()


def test_what_cannot_finish_within_the_drain_stays_on_its_queue(tmp_path: Path) -> None:
    """Past the grace period the cloud stops anyway; the unfinished message is not deleted (it comes
    back after its visibility timeout, or after a restart with --data-dir), so nothing is lost."""
    reset_backends()
    cloud, url, witness = _cloud_with_slow_consumer(tmp_path, sleep=20)
    try:
        began = time.monotonic()
        cloud.drain(1)
        assert time.monotonic() - began < 5
        assert witness.read_text().split() == ["start"]
        assert sum(_queue_counts(cloud, url)) == 1
    finally:
        cloud.stop()
        reset_backends()
