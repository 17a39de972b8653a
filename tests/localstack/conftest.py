"""A real LocalStack (host mode, from the harness's cached venv) for the ``localstack`` tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from harness import FAKE_ACCESS_KEY, FAKE_SECRET_KEY
from harness.localstack.process import LocalStackFailed, LocalStackProcess
from tests.localstack.support import free_port, localstack_python

REGION = "us-east-1"


@dataclass
class RunningLocalStack:
    process: LocalStackProcess

    @property
    def url(self) -> str:
        return self.process.url

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=FAKE_ACCESS_KEY,
            aws_secret_access_key=FAKE_SECRET_KEY,
        )


@pytest.fixture(scope="session")
def localstack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLocalStack]:
    python = localstack_python()
    try:
        process = LocalStackProcess.start(python, tmp_path_factory.mktemp("localstack"), port=free_port())
    except LocalStackFailed as err:
        pytest.skip(f"LocalStack did not start: {err}")
    try:
        yield RunningLocalStack(process)
    finally:
        process.stop()
