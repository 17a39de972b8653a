"""Fixtures of the emulation tests: the RDS Data API conformance ones (``aurora``, ``aurora_v1``), a Lambda client and the Lambda runtime."""

import pytest

from tests.emulation.rds_data_support import aurora, aurora_v1  # noqa: F401


@pytest.fixture
def lam(cloud):
    """A Lambda client on the local cloud (modules may define their own)."""
    return cloud.client("lambda")


@pytest.fixture
def runtime(cloud):
    """The local cloud's Lambda runtime component, for what boto3 cannot show (templates, profiles)."""
    from harness.cloud.awslambda import LambdaRuntime

    return cloud.component(LambdaRuntime)
