"""Where the stack is provisioned: the embedded moto cloud, a running LocalStack, or AWS.

Each backend is just a factory of boto3 clients, so one provisioning code path
serves all three.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlparse

import boto3

from harness import FAKE_ACCESS_KEY, FAKE_SECRET_KEY
from harness.stack.provision import ClientFactory

Backend = Literal["moto", "localstack", "aws"]
LOCALSTACK_DEFAULT_URL = "http://localhost:4566"


def localstack_clients(url: str, region: str) -> ClientFactory:
    """Clients for a running LocalStack, built with localstack-client as its docs advise."""
    from localstack_client.session import Session

    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ValueError(f"--localstack-url must look like http://localhost:4566, not {url!r}")
    session = Session(
        aws_access_key_id=FAKE_ACCESS_KEY,
        aws_secret_access_key=FAKE_SECRET_KEY,
        region_name=region,
        localstack_host=f"{parsed.hostname}:{parsed.port or 4566}",
    )

    def client(service: str) -> Any:
        return session.client(service)

    return client


def aws_clients(region: str) -> ClientFactory:
    """Clients for real AWS with the user's own credential chain (profile, env, SSO)."""
    session = boto3.session.Session(region_name=region)

    def client(service: str) -> Any:
        return session.client(service)

    return client
