"""The hybrid: LocalStack's SQS and Secrets Manager, the harness's Lambda and event source mapping.

Black-box through boto3 with the per-service endpoint variables a user would export.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from harness import DEFAULT_REGION
from harness.cloud import LocalCloud
from harness.cloud.awslambda.runtime import LambdaRuntime
from harness.cloud.esm.service import EventSourceMappings
from harness.localstack.hybrid import LocalStackServices
from tests.lambda_code import create_function

pytestmark = [pytest.mark.localstack, pytest.mark.slow]

CONSUMER = """
import json, os, boto3

def handler(event, context):
    secret = boto3.client("secretsmanager").get_secret_value(SecretId=os.environ["SECRET_ID"])["SecretString"]
    sqs = boto3.client("sqs")
    for record in event["Records"]:
        body = json.loads(record["body"])
        if body.get("fail"):
            raise RuntimeError("this job always fails")
        sqs.send_message(QueueUrl=os.environ["DONE_URL"],
                         MessageBody=json.dumps({"job": body["job"], "secret": json.loads(secret)["k"]}))
"""


@pytest.fixture
def hybrid(localstack, monkeypatch) -> Iterator[Callable[[str], Any]]:
    """A harness cloud re-pointed at LocalStack, and boto3 clients configured only by the environment."""
    runtime = LambdaRuntime()
    services = LocalStackServices(localstack.url)
    cloud = LocalCloud(components=[runtime, EventSourceMappings(runtime), services]).start()
    try:
        for key, value in services.client_env(cloud).items():
            monkeypatch.setenv(key, value)
        yield lambda service: boto3.client(service, region_name=DEFAULT_REGION)
    finally:
        cloud.stop()


def _wait(predicate: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout}s")


def test_harness_lambda_consumes_localstack_queue_and_failures_reach_its_dlq(hybrid, localstack):
    """AWS: an SQS event source mapping invokes the function with each message and deletes it on
    success; a message whose invocation fails is received again after the visibility timeout and,
    after maxReceiveCount receives, SQS moves it to the DLQ. Here SQS (and the redrive) is
    LocalStack's, the poller and the function are the harness's, and the function's own boto3
    calls reach LocalStack's Secrets Manager and SQS through the endpoint variables."""
    sqs, sm, lam, iam = hybrid("sqs"), hybrid("secretsmanager"), hybrid("lambda"), hybrid("iam")
    assert sqs.meta.endpoint_url == localstack.url and lam.meta.endpoint_url != localstack.url
    dlq = sqs.create_queue(QueueName=f"hy-dlq-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    jobs = sqs.create_queue(
        QueueName=f"hy-jobs-{uuid.uuid4().hex[:8]}",
        Attributes={
            "VisibilityTimeout": "5",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}),
        },
    )
    jobs_url = jobs["QueueUrl"]
    jobs_arn = sqs.get_queue_attributes(QueueUrl=jobs_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    done = sqs.create_queue(QueueName=f"hy-done-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    secret_arn = sm.create_secret(Name=f"hy/secret-{uuid.uuid4().hex[:8]}", SecretString='{"k": "from-localstack"}')["ARN"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    suffix = uuid.uuid4().hex[:8]  # moto's state outlives one LocalCloud in this process, LocalStack's this session
    role = iam.create_role(RoleName=f"hy-role-{suffix}", AssumeRolePolicyDocument=json.dumps(policy))["Role"]["Arn"]
    create_function(
        lam,
        role,
        f"hy-consumer-{suffix}",
        CONSUMER,
        timeout=5,
        Environment={"Variables": {"SECRET_ID": secret_arn, "DONE_URL": done}},
    )
    lam.create_event_source_mapping(EventSourceArn=jobs_arn, FunctionName=f"hy-consumer-{suffix}", BatchSize=1)

    sqs.send_message(QueueUrl=jobs_url, MessageBody=json.dumps({"job": "ok-1"}))
    sqs.send_message(QueueUrl=jobs_url, MessageBody=json.dumps({"job": "bad-1", "fail": True}))

    got = _wait(lambda: sqs.receive_message(QueueUrl=done, WaitTimeSeconds=1).get("Messages"), 60)
    assert json.loads(got[0]["Body"]) == {"job": "ok-1", "secret": "from-localstack"}
    dead = _wait(lambda: sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1).get("Messages"), 60)
    assert json.loads(dead[0]["Body"]) == {"job": "bad-1", "fail": True}


def test_mapping_to_a_queue_localstack_lacks_is_rejected(hybrid):
    """AWS Lambda: CreateEventSourceMapping for a queue that does not exist is an
    InvalidParameterValueException naming NonExistentQueue; in the hybrid the queue is looked up in
    LocalStack, so a queue only the harness's own SQS has does not count."""
    lam, iam = hybrid("lambda"), hybrid("iam")
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    suffix = uuid.uuid4().hex[:8]
    role = iam.create_role(RoleName=f"hy-role-{suffix}", AssumeRolePolicyDocument=json.dumps(policy))["Role"]["Arn"]
    create_function(lam, role, f"hy-fn-{suffix}", "def handler(event, context):\n    return None\n")
    with pytest.raises(ClientError) as err:
        lam.create_event_source_mapping(
            EventSourceArn="arn:aws:sqs:us-east-1:000000000000:absent", FunctionName=f"hy-fn-{suffix}"
        )
    assert err.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "NonExistentQueue" in err.value.response["Error"]["Message"]
