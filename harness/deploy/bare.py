"""A bare local cloud: every service served, nothing provisioned.

For users who bring their own system (the course repository's Alex, deployed with its own
Terraform or scripts): the bundled stack would already own their names (``alex-tagger``,
``alex-analysis-jobs``), so here the account starts empty, as a fresh AWS account does.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from harness import DEFAULT_REGION
from harness.cloud.server import LocalCloud


def start_bare_cloud(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    region: str | None = None,
    postgres_dsn: str | None = None,
    data_dir: Path | None = None,
) -> LocalCloud:
    """Start the local cloud with the default components and no stack (the caller stops it)."""
    from harness.cloud.components import default_components

    cloud = LocalCloud(
        host=host,
        port=port,
        region=region or DEFAULT_REGION,
        components=default_components(lambda_mode="process", postgres_dsn=postgres_dsn, data_dir=data_dir),
    )
    return cloud.start()


def serve_bare_cloud(
    *,
    host: str,
    port: int,
    region: str,
    postgres_dsn: str | None,
    data_dir: Path | None,
    exit_after_start: bool,
    wait: Callable[[], None],
) -> int:
    """``alex-harness up --no-stack``: serve until ``wait`` returns, printing the exports first."""
    began = time.perf_counter()
    try:
        cloud = start_bare_cloud(host=host, port=port, region=region, postgres_dsn=postgres_dsn, data_dir=data_dir)
    except OSError as err:
        print(f"cannot listen on {host}:{port}: {err.strerror} (choose another --port)", file=sys.stderr)
        return 1
    try:
        print(
            f"local cloud (moto) listening on {cloud.url}: ready in {time.perf_counter() - began:.2f}s, "
            "nothing provisioned (--no-stack)"
        )
        print("# deploy your own system into it, e.g.:")
        print("#   alex-harness package backend/tagger                      # a Lambda zip from a uv project, no Docker")
        print("#   alex-harness terraform -chdir=terraform/6_agents apply   # your Terraform, endpoints overridden")
        print("# paste into another shell to point boto3 and the AWS CLI at it:")
        for key, value in cloud.client_env().items():
            print(f"export {key}={value}")
        print("# Ctrl-C stops it", flush=True)
        if not exit_after_start:
            wait()
        return 0
    finally:
        cloud.stop()
        print("local cloud stopped", flush=True)
