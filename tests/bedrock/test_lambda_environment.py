"""Lambda functions reach the scripted model: AWS_BEDROCK_RUNTIME_ENDPOINT in their environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cloud.awslambda.environment import lambda_environment
from harness.cloud.awslambda.functions import FunctionConfig

pytestmark = pytest.mark.emulation


def _fn(environment: dict[str, str]) -> FunctionConfig:
    return FunctionConfig(
        account_id="123456789012",
        region="us-east-1",
        name="alex-tagger",
        arn="arn:aws:lambda:us-east-1:123456789012:function:alex-tagger",
        version="$LATEST",
        invoked_arn="arn:aws:lambda:us-east-1:123456789012:function:alex-tagger",
        handler="h.handler",
        runtime="python3.12",
        timeout=3.0,
        memory_size=128,
        environment=environment,
        code_sha256="x",
        reserved_concurrency=None,
        max_retry_attempts=None,
        code_bytes=b"",
    )


def test_bedrock_endpoint_defaults_to_the_edge():
    """LiteLLM in a handler sends Converse to the local cloud, as boto3 goes to AWS_ENDPOINT_URL."""
    env = lambda_environment(_fn({}), Path("/code"), "stream", "http://127.0.0.1:4566")
    assert env["AWS_BEDROCK_RUNTIME_ENDPOINT"] == "http://127.0.0.1:4566"


def test_function_environment_wins():
    """A function that names its own Bedrock endpoint keeps it."""
    env = lambda_environment(
        _fn({"AWS_BEDROCK_RUNTIME_ENDPOINT": "http://elsewhere:1"}), Path("/code"), "s", "http://127.0.0.1:4566"
    )
    assert env["AWS_BEDROCK_RUNTIME_ENDPOINT"] == "http://elsewhere:1"
