"""Alex's pytest fixtures, on top of the local cloud's plugin (``harness.pytest_plugin``).

``alex_deployed`` is Alex's stack on a fresh cloud, ``alex_db`` its repositories,
``alex_issuer`` and ``alex_api`` its token issuer and API on loopback. Loaded by the
project's root ``conftest.py``; the Hypothesis profiles its property tests share are
registered when pytest configures, not at import.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from alex.api.security import SecuritySettings
from alex.db import Database

from harness.alexkit.api_server import ApiServer, settings_for_issuer
from harness.alexkit.hypothesis_profiles import register as register_hypothesis_profiles
from harness.alexkit.stack.definition import alex_stack
from harness.alexkit.stack.deployment import AlexDeployment, deploy_alex
from harness.auth import LocalIssuer
from harness.cloud import LocalCloud


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Register the ``ci``/``deep`` profiles before Hypothesis's plugin loads ``--hypothesis-profile``."""
    register_hypothesis_profiles()


@pytest.fixture
def alex_deployed(cloud: LocalCloud, aws_env: dict[str, str]) -> AlexDeployment:
    """Alex's whole stack provisioned on a fresh local cloud with its schema migrated."""
    stack = deploy_alex(alex_stack(), cloud.client)
    stack.migrate(cloud.client)
    return stack


@pytest.fixture
def alex_db(cloud: LocalCloud, alex_deployed: AlexDeployment) -> Database:
    """Alex's repositories over the Data API of the deployed stack."""
    return alex_deployed.database(cloud.client)


# -- Alex's API: the local issuer and the API served on loopback --------------------------


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
def serve_alex_api(cloud: LocalCloud, stack: AlexDeployment, issuer: LocalIssuer, **security: Any) -> Iterator[AlexApi]:
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
def alex_api(cloud: LocalCloud, alex_deployed: AlexDeployment, alex_issuer: LocalIssuer) -> Iterator[AlexApi]:
    """Alex's API (``alex.api.app``) served by uvicorn on loopback against the deployed stack,
    trusting ``alex_issuer``'s tokens; its boto3 clients talk to the local cloud."""
    with serve_alex_api(cloud, alex_deployed, alex_issuer) as api:
        yield api
