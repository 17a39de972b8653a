"""pytest fixtures for the local cloud, in the style of moto's and pytest plugins' fixtures.

``local_cloud`` is one running cloud per test session (start-up cost paid once);
``cloud`` hands each test that cloud with fresh state, as a new account would be.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest

from alex.db import Database

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
    stack.migrate(cloud.client)
    return stack


@pytest.fixture
def alex_db(cloud: LocalCloud, alex_deployed: ProvisionedStack) -> Database:
    """Alex's repositories over the Data API of the deployed stack."""
    return alex_deployed.database(cloud.client)


# -- Alex's API: the local issuer and the API served on loopback --------------------------

from dataclasses import dataclass, field  # noqa: E402  (this section is appended; its imports live here)
from typing import Any  # noqa: E402

import httpx  # noqa: E402
from alex.api.security import SecuritySettings  # noqa: E402

from harness.api_server import ApiServer, settings_for_issuer  # noqa: E402
from harness.auth import LocalIssuer  # noqa: E402


@pytest.fixture(scope="session")
def alex_issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIssuer]:
    """One local Clerk stand-in for the session: RS256 tokens, its JWKS over HTTP on loopback."""
    with LocalIssuer(tmp_path_factory.mktemp("alex-issuer")) as issuer:
        yield issuer


@dataclass
class AlexApi:
    """The API of ``alex_api``: ``url``, ``client(user_id)`` (carries a fresh Bearer token), ``issuer``."""

    url: str
    issuer: LocalIssuer
    server: ApiServer
    settings: SecuritySettings
    env: dict[str, str]
    _clients: list[httpx.Client] = field(default_factory=list)

    def token(self, user_id: str, **mint: Any) -> str:
        return self.issuer.mint(user_id, **mint)

    def client(self, user_id: str | None = None, **mint: Any) -> httpx.Client:
        """An HTTP client for the API; signed in as ``user_id`` (``mint`` goes to ``issuer.mint``), or anonymous."""
        headers = {"Authorization": f"Bearer {self.token(user_id, **mint)}"} if user_id is not None else {}
        client = httpx.Client(base_url=self.url, headers=headers, timeout=15)
        self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()


@contextlib.contextmanager
def serve_alex_api(cloud: LocalCloud, stack: ProvisionedStack, issuer: LocalIssuer, **security: Any) -> Iterator[AlexApi]:
    """Alex's API served on loopback against ``stack``, trusting ``issuer``'s tokens;
    ``security`` overrides edge settings (``waf_ip_rate_limit=0`` for long runs from one address)."""
    env = cloud.client_env() | stack.runtime_environment()
    settings = settings_for_issuer(issuer, **security)
    server = ApiServer(settings, env).start()
    api = AlexApi(url=server.url, issuer=issuer, server=server, settings=settings, env=env)
    try:
        yield api
    finally:
        api.close()
        server.stop()


@pytest.fixture
def alex_api(cloud: LocalCloud, alex_deployed: ProvisionedStack, alex_issuer: LocalIssuer) -> Iterator[AlexApi]:
    """Alex's API (``alex.api.app``) served by uvicorn on loopback against the deployed stack,
    trusting ``alex_issuer``'s tokens; its boto3 clients talk to the local cloud."""
    with serve_alex_api(cloud, alex_deployed, alex_issuer) as api:
        yield api
