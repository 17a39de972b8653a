"""Fixtures of the scripted Bedrock model's tests: one local cloud running only that model."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # before anything imports litellm

from harness import FAKE_ACCESS_KEY, FAKE_SECRET_KEY  # noqa: E402
from harness.bedrock import ScriptedBedrock  # noqa: E402
from harness.cloud import LocalCloud  # noqa: E402

REGION = "us-west-2"
ALEX_SCRIPT = "harness.alexkit.model"  # the bundled Alex's rules, loaded as any user's script is


@pytest.fixture(scope="session")
def bedrock_cloud() -> Iterator[LocalCloud]:
    """A local cloud with the scripted model and nothing else (moto's CloudWatch included)."""
    with LocalCloud(components=[ScriptedBedrock(scripts=[ALEX_SCRIPT])]) as cloud:
        yield cloud


@pytest.fixture
def model(bedrock_cloud: LocalCloud) -> Iterator[ScriptedBedrock]:
    """The scripted model with no faults and an empty call log."""
    bedrock_cloud.reset()
    yield bedrock_cloud.component(ScriptedBedrock)
    bedrock_cloud.reset()


@pytest.fixture
def runtime(bedrock_cloud: LocalCloud, model: ScriptedBedrock) -> Any:
    """boto3's bedrock-runtime client on the local cloud, with no retries (each fault is seen once)."""
    return bedrock_cloud.client(
        "bedrock-runtime",
        region_name=REGION,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=20),
    )


@pytest.fixture
def llm_env(bedrock_cloud: LocalCloud, model: ScriptedBedrock, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment LiteLLM reads: the Bedrock endpoint on the edge and fake credentials."""
    env = {
        "AWS_BEDROCK_RUNTIME_ENDPOINT": bedrock_cloud.url,
        "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY,
        "AWS_REGION_NAME": REGION,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env
