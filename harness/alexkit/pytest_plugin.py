"""Alex's pytest fixtures, on top of the local cloud's plugin (``harness.pytest_plugin``).

``alex_deployed`` is Alex's stack on a fresh cloud, ``alex_db`` its repositories,
``alex_issuer`` and ``alex_api`` its token issuer and API on loopback. Loaded by the
project's root ``conftest.py``; the Hypothesis profiles its property tests share are
registered when pytest configures, not at import.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from alex.db import Database

from harness.alexkit.hypothesis_profiles import register as register_hypothesis_profiles
from harness.alexkit.stack.definition import alex_stack
from harness.alexkit.local_alex import LocalAlex, start_local_alex
from harness.alexkit.stack.deployment import AlexDeployment, deploy_alex
from harness.auth import LocalIssuer
from harness.cloud import LocalCloud


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Register the ``ci``/``deep`` profiles before Hypothesis's plugin loads ``--hypothesis-profile``."""
    register_hypothesis_profiles()


# The suffix moto gives Alex's database secret in this test session (AWS adds six random letters).
STABLE_SECRET_SUFFIX = "TstArn"


@pytest.fixture(scope="session", autouse=True)
def _stable_alex_secret_arn() -> None:
    """Alex's secret keeps one ARN across the cloud's resets in a test session.

    Every function's environment names the secret's ARN, and a Lambda template is keyed by
    the environment (its init may read it). With a new random suffix after every reset, each
    module that deploys Alex again paid a full init of all six functions (importing LiteLLM and
    the Agents SDK: 30-280 s of setup per module on a loaded 2-core machine); with one ARN the
    templates made by the first deployment in a worker are forked by every later one. Only
    the stack's own secret names are pinned (moto's custom ids; its reset keeps them).
    """
    from harness import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
    from harness.cloud.moto_adapter.secretsmanager import pin_secret_suffix

    pin_secret_suffix(DEFAULT_ACCOUNT_ID, DEFAULT_REGION, alex_stack().database.secret.name, STABLE_SECRET_SUFFIX)


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


AlexApi = LocalAlex  # what ``alex_api`` yields: ``url``, ``client(user_id)`` (with a fresh Bearer token), ``issuer``, ``env``


@contextlib.contextmanager
def serve_alex_api(cloud: LocalCloud, stack: AlexDeployment, issuer: LocalIssuer, **security: Any) -> Iterator[LocalAlex]:
    """Alex's API served on loopback against ``stack``, trusting ``issuer``'s tokens;
    ``security`` overrides edge settings (``waf_ip_rate_limit=0`` for long runs from one address)."""
    with start_local_alex(cloud=cloud, stack=stack, issuer=issuer, security=security) as alex:
        yield alex


@pytest.fixture
def alex_api(cloud: LocalCloud, alex_deployed: AlexDeployment, alex_issuer: LocalIssuer) -> Iterator[LocalAlex]:
    """Alex's API (``alex.api.app``) served by uvicorn on loopback against the deployed stack,
    trusting ``alex_issuer``'s tokens; its boto3 clients talk to the local cloud."""
    with serve_alex_api(cloud, alex_deployed, alex_issuer) as api:
        yield api
