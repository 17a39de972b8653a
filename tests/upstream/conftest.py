"""Fixtures for running the course repository's Alex, unchanged, on a bare local cloud."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.upstream import support

pytestmark = pytest.mark.upstream


def _needs_upstream() -> None:
    reason = support.upstream_missing_reason()
    if reason:
        pytest.skip(reason)


def _needs_runtime_interpreter() -> None:
    """Upstream's zips hold CPython 3.12 wheels: they run only where python3.12 functions get a 3.12 interpreter."""
    from harness.cloud.awslambda.interpreters import (
        InterpreterNotFound,
        interpreter_for,
    )

    try:
        interpreter_for(support.RUNTIME)
    except InterpreterNotFound as err:
        pytest.skip(str(err))


@pytest.fixture(scope="session")
def upstream_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of ../shared/upstream-alex, as a user's clone (zips and Terraform state land in it)."""
    _needs_upstream()
    return support.writable_copy(tmp_path_factory.mktemp("clone") / "alex")


@pytest.fixture(scope="session")
def lambda_zips(upstream_clone: Path) -> dict[str, Path]:
    """The five agents packaged from their folders (dependencies from the user's cache when warm)."""
    from harness.deploy.package import build_lambda_zip

    zips = {}
    for agent in support.AGENTS:
        began = time.perf_counter()
        result = build_lambda_zip(upstream_clone / "backend" / agent, runtime=support.RUNTIME, exclude=("pyperclip",))
        print(
            f"packaged {agent}: {result.size_bytes / 1e6:.0f} MB in {time.perf_counter() - began:.1f}s "
            f"(dependencies {'cached' if result.dependencies_cached else 'resolved'})"
        )
        zips[agent] = result.zip_path
    return zips


@dataclass
class Deployment:
    """A bare local cloud with Part 5's database, upstream's schema and seed data, and the agents deployed."""

    how: str
    cloud: Any
    cluster_arn: str
    secret_arn: str
    queue_url: str
    migrations: Any
    seed: Any
    timings: dict[str, float] = field(default_factory=dict)

    def client(self, service: str, **kwargs: Any) -> Any:
        return self.cloud.client(service, **kwargs)

    @property
    def db(self) -> support.DataApi:
        return support.DataApi(self.cloud.client, self.cluster_arn, self.secret_arn)


def _deploy_with_terraform(cloud: Any, clone: Path, cluster_arn: str, secret_arn: str) -> str:
    from harness.deploy.terraform import TerraformError, run_terraform, terraform_binary

    try:
        terraform_binary()
    except TerraformError as err:
        pytest.skip(str(err))
    module = clone / "terraform" / "6_agents"
    (module / "terraform.tfvars").write_text(support.tfvars(cluster_arn, secret_arn, cloud.region))
    for args in (["init", "-input=false", "-no-color"], ["apply", "-auto-approve", "-input=false", "-no-color"]):
        run = run_terraform(args, endpoint=cloud.url, cwd=module, echo=False)
        assert run.returncode == 0, f"terraform {args[0]} failed:\n{run.output[-6000:]}"
    return cloud.client("sqs").get_queue_url(QueueName="alex-analysis-jobs")["QueueUrl"]


@pytest.fixture(scope="module")
def bare_cloud() -> Iterator[Any]:
    """One bare local cloud for both deployments (each starts from a reset: a fresh account)."""
    _needs_upstream()
    _needs_runtime_interpreter()
    from harness.deploy.bare import start_bare_cloud

    cloud = start_bare_cloud()
    try:
        yield cloud
    finally:
        began = time.perf_counter()
        cloud.stop()
        print(f"bare cloud stopped in {time.perf_counter() - began:.1f}s")


@pytest.fixture(scope="module", params=["terraform", "boto3"])
def deployment(
    request: pytest.FixtureRequest, bare_cloud: Any, upstream_clone: Path, lambda_zips: dict[str, Path]
) -> Iterator[Deployment]:
    timings: dict[str, float] = {}
    began = time.perf_counter()
    cloud = bare_cloud
    cloud.reset()
    try:
        cluster_arn, secret_arn = support.create_part5_database(cloud.client)
        env = support.database_env(cloud.client_env(), cluster_arn, secret_arn)
        backend = upstream_clone / "backend"
        migrations = support.run_database_script(backend, "run_migrations.py", env)
        seed = support.run_database_script(backend, "seed_data.py", env)
        timings["database"] = time.perf_counter() - began
        if request.param == "terraform":
            queue_url = _deploy_with_terraform(cloud, upstream_clone, cluster_arn, secret_arn)
        else:
            queue_url = support.deploy_with_boto3(cloud.client, lambda_zips, cluster_arn, secret_arn, cloud.region)
        timings["deploy"] = time.perf_counter() - began - timings["database"]
        yield Deployment(request.param, cloud, cluster_arn, secret_arn, queue_url, migrations, seed, timings)
    finally:
        ended = time.perf_counter()
        cloud.reset()  # stops this deployment's pollers and execution environments
        print(f"[{request.param}] reset in {time.perf_counter() - ended:.1f}s")
        module = upstream_clone / "terraform" / "6_agents"
        for state in module.glob("terraform.tfstate*"):  # the next deployment is a fresh account
            state.unlink()
