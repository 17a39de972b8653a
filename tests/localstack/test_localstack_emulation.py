"""Black-box tests on a real LocalStack: the AWS behaviours Alex relies on from the services it serves."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.localstack


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_sqs_redrive_moves_message_to_dlq_after_max_receive_count(localstack):
    """AWS SQS: with a RedrivePolicy, a message received maxReceiveCount times without being deleted
    is moved to the dead-letter queue instead of being delivered again, body unchanged."""
    sqs = localstack.client("sqs")
    dlq_url = sqs.create_queue(QueueName=_name("dlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue_url = sqs.create_queue(
        QueueName=_name("jobs"), Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})}
    )["QueueUrl"]
    assert queue_url.startswith(localstack.url), "queue URLs must name the loopback endpoint, not a public DNS name"
    sqs.send_message(QueueUrl=queue_url, MessageBody='{"job_id": "j1"}')

    for _ in range(2):
        got = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"]
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=got[0]["ReceiptHandle"], VisibilityTimeout=0)
    assert sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", []) == []

    dead = sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in dead] == ['{"job_id": "j1"}']


def test_sqs_dlq_lists_its_source_queues(localstack):
    """AWS SQS: ListDeadLetterSourceQueues names each queue whose RedrivePolicy targets the DLQ."""
    sqs = localstack.client("sqs")
    dlq_url = sqs.create_queue(QueueName=_name("dlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    source = sqs.create_queue(
        QueueName=_name("src"), Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})}
    )["QueueUrl"]
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq_url)["queueUrls"] == [source]


def test_secret_versions_move_awscurrent_and_awsprevious(localstack):
    """AWS Secrets Manager: PutSecretValue makes the new version AWSCURRENT and the old one
    AWSPREVIOUS; GetSecretValue returns AWSCURRENT unless a stage is named."""
    sm = localstack.client("secretsmanager")
    name = _name("alex/db")
    arn = sm.create_secret(Name=name, SecretString='{"password": "one"}')["ARN"]
    sm.put_secret_value(SecretId=arn, SecretString='{"password": "two"}')
    assert sm.get_secret_value(SecretId=name)["SecretString"] == '{"password": "two"}'
    previous = sm.get_secret_value(SecretId=arn, VersionStage="AWSPREVIOUS")
    assert previous["SecretString"] == '{"password": "one"}'


def test_missing_secret_is_resource_not_found(localstack):
    """AWS Secrets Manager: GetSecretValue on an unknown id is ResourceNotFoundException (HTTP 400)."""
    sm = localstack.client("secretsmanager")
    with pytest.raises(ClientError) as err:
        sm.get_secret_value(SecretId=_name("absent"))
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
