"""The scheduled sweeper: every job ends, even when whatever held it is gone.

The ``alex-sweeper`` Lambda runs on an EventBridge rule (``rate(1 minute)``); here the
session cloud's test clock is moved on (``POST /_harness/clock/advance``) to fire it. Leases
and the pending bound are a few real seconds (``LEASE_SECONDS``, ``SWEEP_PENDING_SECONDS``).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from alex.planner.sweeper import SweepSettings, sweep

from harness.alexkit.stack.deployment import AlexDeployment, deploy_alex
from harness.alexkit.stack.fast import fast_alex_stack
from harness.bedrock import ScriptedBedrock
from harness.cloud import LocalCloud
from harness.cloud.awslambda.runtime import LambdaRuntime
from tests.alex.analysis_support import seed_portfolio, submit

LEASE = 3
PENDING = 4


@pytest.fixture(scope="module")
def swept(local_cloud: LocalCloud) -> Iterator[tuple[LocalCloud, AlexDeployment, Any]]:
    local_cloud.reset()
    env = {"LEASE_SECONDS": str(LEASE), "SWEEP_PENDING_SECONDS": str(PENDING)}
    stack = deploy_alex(fast_alex_stack(environment=env), local_cloud.client)
    stack.migrate(local_cloud.client)
    yield local_cloud, stack, stack.database(local_cloud.client)
    local_cloud.reset()


def _tick(cloud: LocalCloud) -> list[dict[str, Any]]:
    """A minute passes on the schedules' clock: the sweeper's rule fires once."""
    fired = httpx.post(f"{cloud.url}/_harness/clock/advance", json={"seconds": 60}).json()["fired"]
    assert [f["name"] for f in fired] == ["alex-sweeper-schedule"]
    return list(fired)


def _sweeper_runs(cloud: LocalCloud) -> int:
    return len(cloud.component(LambdaRuntime).invocations("alex-sweeper"))


def _tick_and_wait(cloud: LocalCloud) -> None:
    before = _sweeper_runs(cloud)
    _tick(cloud)
    deadline = time.monotonic() + 120  # the sweeper's cold start, on a busy machine
    while _sweeper_runs(cloud) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _sweeper_runs(cloud) > before, "the sweeper did not run"


def _wait_for(db: Any, job_id: str, condition: Any, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = db.jobs.get_any(job_id)
        if condition(job):
            return dict(job)
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} never got there: {db.jobs.get_any(job_id)}")


def test_a_pending_job_whose_message_was_lost_is_requeued_and_run(swept: Any) -> None:
    """The API died between writing the job and sending its message: past the bound the scheduled
    sweeper sends a new one, and the planner takes the job up (claims it: attempt 1)."""
    cloud, _, db = swept
    seed_portfolio(db, "sweep_lost", {"VTI": 10})
    job_id = str(db.jobs.create("sweep_lost", {"analysis_type": "portfolio"})["id"])  # written, never queued
    time.sleep(PENDING + 0.5)
    _tick_and_wait(cloud)
    taken = _wait_for(db, job_id, lambda j: int(j["attempts"]) >= 1, timeout=120)
    assert taken["requeues"] == 1 and taken["status"] in ("running", "completed", "pending", "failed")


def test_a_killed_planner_is_retried_after_the_backoff_not_the_visibility_timeout(swept: Any) -> None:
    """kill -9 of the planner's execution environment mid-job: its lease stops being renewed,
    and the next sweep re-queues the job, which completes long before the queue's visibility
    timeout (121 s here, 910 s in production) would have brought the message back: attempt 2
    claims it. (Waiting for it to complete is the analysis tests' business.)"""
    cloud, stack, db = swept
    bedrock = cloud.component(ScriptedBedrock)
    seed_portfolio(db, "sweep_killed", {"SPY": 5})
    bedrock.add_fault("timeout", agent="reporter", always=True, delay_seconds=60)
    try:
        began = time.monotonic()
        job_id = submit(db, stack, cloud.client("sqs"), "sweep_killed")
        deadline = time.monotonic() + 60
        while (db.jobs.get_any(job_id) or {}).get("status") != "running" and time.monotonic() < deadline:
            time.sleep(0.1)
        planners = [e for e in cloud.component(LambdaRuntime).environments("alex-planner") if e.busy and e.pid]
        assert planners, "no planner was running the job"
        for env in planners:
            os.kill(env.pid, signal.SIGKILL)
    finally:
        bedrock.clear()
    time.sleep(LEASE + 0.5)
    assert db.jobs.get_any(job_id)["status"] == "running"  # nobody else can see the attempt died
    _tick_and_wait(cloud)
    retried = _wait_for(db, job_id, lambda j: int(j["attempts"]) == 2, timeout=100)
    assert retried["requeues"] == 1
    assert time.monotonic() - began < 121  # before the visibility timeout could have redelivered it


class _SqsStub:
    """Records what the sweeper sends instead of sending it (for the sweep() unit checks)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_message(self, **kwargs: Any) -> None:
        self.sent.append(kwargs)


def _sqs_stub() -> _SqsStub:
    return _SqsStub()


def test_an_expired_lease_with_no_attempt_left_is_failed_with_its_reason(swept: Any) -> None:
    """The last allowed attempt died: the job is failed, with why, and nothing is re-queued."""
    _, _, db = swept
    seed_portfolio(db, "sweep_spent", {"VTI": 1})
    job = db.jobs.create("sweep_spent", {})
    db.jobs.claim(job["id"], attempt=3, lease_seconds=0)
    sqs = _sqs_stub()
    result = sweep(db, sqs, "queue", SweepSettings(max_attempts=3, pending_seconds=3600, max_requeues=3))
    assert str(job["id"]) in result.failed and sqs.sent == []
    row = db.jobs.get_any(str(job["id"]))
    assert row["status"] == "failed" and "no attempt remains (3 of 3)" in row["error_message"]


def test_requeues_are_bounded_then_the_job_fails(swept: Any) -> None:
    """A job re-queued as often as allowed and still untouched is failed rather than re-queued for ever."""
    _, _, db = swept
    seed_portfolio(db, "sweep_bounded", {"VTI": 1})
    job_id = str(db.jobs.create("sweep_bounded", {})["id"])
    settings = SweepSettings(max_attempts=3, pending_seconds=0, max_requeues=2)
    sqs = _sqs_stub()
    assert job_id in sweep(db, sqs, "queue", settings).requeued
    assert job_id in sweep(db, sqs, "queue", settings).requeued
    assert job_id in sweep(db, sqs, "queue", settings).failed
    assert [m["MessageBody"] for m in sqs.sent if job_id in m["MessageBody"]] == [
        f'{{"job_id": "{job_id}", "previous_attempts": 0}}'
    ] * 2
    row = db.jobs.get_any(job_id)
    assert row["status"] == "failed" and "re-queued 2 times already" in row["error_message"]


def test_a_live_attempt_is_left_alone(swept: Any) -> None:
    """A running job whose lease is still valid (its heartbeat renews it) is not touched."""
    _, _, db = swept
    seed_portfolio(db, "sweep_live", {"VTI": 1})
    job_id = str(db.jobs.create("sweep_live", {})["id"])
    db.jobs.claim(job_id, attempt=1, lease_seconds=60)
    result = sweep(db, _sqs_stub(), "queue", SweepSettings(max_attempts=3, pending_seconds=0, max_requeues=3))
    assert job_id not in result.requeued + result.failed
    assert db.jobs.get_any(job_id)["status"] == "running"


_FIRST_SWEEP = """
import importlib, sys
from harness.alexkit.stack.definition import alex_stack
from alex.planner.sweeper import SweepResult
handler = next(f.handler for f in alex_stack().functions if f.name == "alex-sweeper")
module_name, _, name = handler.rpartition(".")
module = importlib.import_module(module_name)
module.sweep = lambda *args: SweepResult()  # no database here: only what the handler loads is measured
getattr(module, name)({"source": "aws.events"}, None)
print(sorted(m for m in ("agents", "litellm") if m in sys.modules))
"""


def test_the_sweeper_loads_no_agent_libraries() -> None:
    """The sweeper re-queues what a killed process held, so it must start fast after a restart:
    its handler (module import and first call) loads no Agents SDK or LiteLLM (28 s of a first
    sweep on this loaded machine when it did)."""
    import subprocess
    import sys

    env = {
        **os.environ,
        "AWS_DEFAULT_REGION": "us-east-1",
        "SQS_QUEUE_URL": "http://127.0.0.1:9/q",
        "AURORA_CLUSTER_ARN": "arn:aws:rds:us-east-1:123456789012:cluster:c",
        "AURORA_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:s",
    }
    done = subprocess.run([sys.executable, "-c", _FIRST_SWEEP], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
