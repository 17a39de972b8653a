"""pytest fixtures for the local cloud, in the style of moto's and pytest plugins' fixtures.

``local_cloud`` is one running cloud per test session (start-up cost paid once);
``cloud`` hands each test that cloud with fresh state, as a new account would be.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from alex.db import Database
from alex.db.migrate import migrate

from harness.cloud import LocalCloud
from harness.cloud.components import default_components
from harness.stack.definition import alex_stack
from harness.stack.provision import ProvisionedStack, provision
from harness.hypothesis_profiles import register as register_hypothesis_profiles

register_hypothesis_profiles()


@pytest.fixture(scope="session")
def local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    """The session's local cloud on a free loopback port, with every harness service."""
    data_dir = tmp_path_factory.mktemp("local-cloud")
    cloud = LocalCloud(components=default_components(data_dir=data_dir, postgres_dsn=os.environ.get("ALEX_POSTGRES_DSN")))
    cloud.start()
    try:
        yield cloud
    finally:
        cloud.stop()


@pytest.fixture
def cloud(local_cloud: LocalCloud) -> Iterator[LocalCloud]:
    """The local cloud with fresh state for this test."""
    local_cloud.reset()
    yield local_cloud
    local_cloud.reset()


@pytest.fixture
def aws_env(cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point every boto3 client the test (or code under test) makes at the local cloud."""
    env = cloud.client_env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def lambda_role(cloud: LocalCloud) -> str:
    """ARN of an IAM role Lambda may assume (moto, like AWS, refuses a function without one)."""
    import json

    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    created = cloud.client("iam").create_role(RoleName="test-lambda-role", AssumeRolePolicyDocument=json.dumps(policy))
    return str(created["Role"]["Arn"])


@pytest.fixture
def alex_deployed(cloud: LocalCloud, aws_env: dict[str, str]) -> ProvisionedStack:
    """Alex's whole stack provisioned on a fresh local cloud with its schema migrated."""
    stack = provision(alex_stack(), cloud.client)
    migrate(cloud.client("rds-data"), stack.cluster_arn, stack.secret_arn, stack.spec.database.database_name)
    return stack


@pytest.fixture
def alex_db(cloud: LocalCloud, alex_deployed: ProvisionedStack) -> Database:
    """Alex's repositories over the Data API of the deployed stack."""
    return Database.from_env(alex_deployed.runtime_environment() | {"DATABASE_NAME": "alex"}, cloud.client("rds-data"))
