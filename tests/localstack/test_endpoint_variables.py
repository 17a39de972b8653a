"""The hybrid's routing is boto3's own: a service's endpoint variable wins over the catch-all."""

from __future__ import annotations

import boto3
from alex.api.deps import boto_client

from harness.localstack.endpoints import hybrid_endpoint_env

LOCALSTACK = "http://127.0.0.1:4566"
HARNESS = "http://127.0.0.1:4599"


def test_boto3_sends_each_service_where_its_variable_says(monkeypatch):
    """boto3: AWS_ENDPOINT_URL_<SERVICE_ID> is used for that service, AWS_ENDPOINT_URL for the others."""
    for key, value in hybrid_endpoint_env(LOCALSTACK, HARNESS).items():
        monkeypatch.setenv(key, value)
    endpoints = {
        s: boto3.client(s, region_name="us-east-1").meta.endpoint_url
        for s in ("sqs", "secretsmanager", "lambda", "rds-data", "iam", "logs")
    }
    assert endpoints == {
        "sqs": LOCALSTACK,
        "secretsmanager": LOCALSTACK,
        "lambda": HARNESS,
        "rds-data": HARNESS,
        "iam": HARNESS,
        "logs": HARNESS,
    }


def test_alex_api_clients_follow_the_same_split():
    """Alex's API builds clients from an explicit environment; it honours the per-service variables too."""
    env = {**hybrid_endpoint_env(LOCALSTACK, HARNESS), "AWS_REGION": "us-east-1"}
    assert boto_client("sqs", env).meta.endpoint_url == LOCALSTACK
    assert boto_client("lambda", env).meta.endpoint_url == HARNESS
    assert boto_client("sqs", {"AWS_ENDPOINT_URL": HARNESS, "AWS_REGION": "us-east-1"}).meta.endpoint_url == HARNESS
