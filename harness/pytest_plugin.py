"""pytest plugin of the local cloud, for any project (registered as the ``local_cloud`` pytest11 entry point).

Fixtures in the style of moto's: ``local_cloud`` is one running cloud per test session
(its start-up paid once), ``cloud`` hands each test that cloud with fresh state, as a new
account would be, ``aws_env`` points every boto3 client at it, ``lambda_role`` is a role
functions may be created with. A project chooses what runs in the cloud by overriding the
session fixture ``local_cloud_components`` in its conftest (as pytest-recording's
``vcr_config`` is overridden). Nothing heavy is imported before a fixture asks for it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from harness.cloud import LocalCloud
    from harness.cloud.host import CloudComponent

POSTGRES_DSN_VARIABLE = "LOCAL_CLOUD_POSTGRES_DSN"
_LEGACY_POSTGRES_DSN_VARIABLE = "ALEX_POSTGRES_DSN"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("local-cloud", "the local AWS cloud (moto + harness services)")
    group.addoption(
        "--lambda-mode",
        choices=("process", "inprocess"),
        default="process",
        help="how Lambda functions run: 'process' (a worker process per execution environment, as on AWS) "
        "or 'inprocess' (threads of the test process, for debugging). Default: process.",
    )
    group.addoption(
        "--postgres-dsn",
        default=None,
        help="run the Aurora Data API on this PostgreSQL instead of the embedded one "
        f"(default: ${POSTGRES_DSN_VARIABLE}, else the embedded server).",
    )
    group.addoption(
        "--bedrock-script",
        action="append",
        default=[],
        dest="bedrock_scripts",
        help="a script of rules for the scripted Bedrock model (module path, .py or YAML file); repeatable. "
        "Tried before the ini option bedrock_scripts and $HARNESS_BEDROCK_SCRIPTS.",
    )
    parser.addini(
        "bedrock_scripts", "scripts of rules for the scripted Bedrock model (module paths or files)", type="linelist", default=[]
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "emulation: black-box conformance tests of emulated AWS services, each naming the AWS behaviour it mirrors"
    )


@pytest.fixture(scope="session")
def local_cloud_components(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> list[CloudComponent]:
    """The services the session's cloud runs beside moto; override in a conftest to choose others."""
    from harness.cloud.components import default_components
    from harness.cloud.events.clock import TestClock

    dsn = (
        request.config.getoption("--postgres-dsn")
        or os.environ.get(POSTGRES_DSN_VARIABLE)
        or os.environ.get(_LEGACY_POSTGRES_DSN_VARIABLE)
    )
    return default_components(
        lambda_mode=request.config.getoption("--lambda-mode"),
        postgres_dsn=dsn,
        data_dir=Path(tmp_path_factory.mktemp("local-cloud")),
        bedrock_scripts=bedrock_scripts(request.config),
        clock=TestClock(),  # schedules run on time, and a test may move time on (POST /_harness/clock/advance)
    )


def bedrock_scripts(config: pytest.Config) -> list[str]:
    """The scripted model's scripts this session names: ``--bedrock-script``, then ini ``bedrock_scripts``."""
    root = Path(str(config.rootpath))
    out = []
    for spec in [*config.getoption("bedrock_scripts"), *config.getini("bedrock_scripts")]:
        path = root / spec
        out.append(str(path) if spec.endswith((".py", ".yaml", ".yml")) and path.is_file() else spec)
    return out


@pytest.fixture(scope="session")
def local_cloud(local_cloud_components: list[CloudComponent]) -> Iterator[LocalCloud]:
    """The session's local cloud on a free loopback port, running ``local_cloud_components``."""
    from harness.cloud import LocalCloud

    cloud = LocalCloud(components=local_cloud_components)
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
    policy: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    created = cloud.client("iam").create_role(RoleName="test-lambda-role", AssumeRolePolicyDocument=json.dumps(policy))
    return str(created["Role"]["Arn"])
