"""Chaos: the whole local cloud is killed with jobs in flight, restarted on its data directory,
and every accepted job still ends, completed or failed with a reason, none twice.

``alex-harness up --data-dir D --test-clocks`` runs as a real process. Jobs are submitted
through the API while Bedrock makes the reporter hang (so attempts are mid-flight), then
``up`` gets SIGKILL: its watchdog must stop its PostgreSQL servers. The same command starts
again: the queue and its messages come back from D, the schedules' test clock is moved on
so the sweeper runs, and every job must end within the bound. Last, SIGTERM drains and stops.
PostgreSQL's pid files are found under D as the code lays them out (no fixed path).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from harness.auth import mint_token_from_state
from harness.cloud.watchdog import _alive
from tests.cli_support import free_port, read_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
USER = "chaos_user"
JOBS = 3
BOUND_SECONDS = 150  # lease 5 s + pending bound 10 s + sweeps + three analyses on a busy 2-core machine


def _start(data: Path, state: Path, port: int, api_port: int) -> tuple[subprocess.Popen[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.alexkit.cli", "up", "--data-dir", str(data), "--state-dir", str(state),
         "--port", str(port), "--api-port", str(api_port), "--test-clocks", "--drain-seconds", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    started, output = read_until(proc, "Ctrl-C stops it", 120)
    if started:
        return proc, output
    proc.kill()
    raise AssertionError("up did not start:\n" + output)


def _postmasters(data: Path) -> list[int]:
    pids = []
    for pid_file in data.rglob("postmaster.pid"):
        try:
            pids.append(int(pid_file.read_text().split()[0]))
        except (OSError, ValueError, IndexError):
            continue
    return [pid for pid in pids if _alive(pid)]


def _api(state: Path, api_port: int) -> httpx.Client:
    token = mint_token_from_state(state, USER)
    return httpx.Client(base_url=f"http://127.0.0.1:{api_port}", headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_kill_9_with_jobs_in_flight_then_restart_every_job_ends(tmp_path: Path) -> None:
    """SQS and the job table are durable on AWS, and a scheduled sweeper re-queues what nobody works
    on: after kill -9 and a restart, every job the API accepted ends, with a reason if it failed."""
    data, state = tmp_path / "data", tmp_path / "state"
    port, api_port = free_port(), free_port()
    cloud = f"http://127.0.0.1:{port}"
    proc, _ = _start(data, state, port, api_port)
    try:
        httpx.post(f"{cloud}/_harness/bedrock/faults",
                   json={"kind": "timeout", "agent": "reporter", "always": True, "delay_seconds": 300}).raise_for_status()
        with _api(state, api_port) as api:
            account = api.post("/api/accounts", json={"account_name": "ISA", "cash_balance": "1000"}).json()
            api.post("/api/positions", json={"account_id": account["id"], "symbol": "VTI", "quantity": "10"}).raise_for_status()
            accepted = []
            for _ in range(JOBS):
                response = api.post("/api/analyze")
                assert response.status_code == 202, response.text
                accepted.append(response.json()["job_id"])
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                statuses = [api.get(f"/api/jobs/{j}").json()["status"] for j in accepted]
                if "running" in statuses:
                    break
                time.sleep(0.5)
            assert "running" in statuses, f"no job started before the kill: {statuses}"
        servers = _postmasters(data)
        assert servers, "no PostgreSQL found under the data directory"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 30
    while _postmasters(data) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _postmasters(data) == [], "a killed up left PostgreSQL running"

    proc, _ = _start(data, state, port, api_port)
    try:
        began = time.monotonic()
        with _api(state, api_port) as api:
            ended: dict[str, dict] = {}
            while time.monotonic() - began < BOUND_SECONDS and len(ended) < len(accepted):
                httpx.post(f"{cloud}/_harness/clock/advance", json={"seconds": 60}).raise_for_status()
                for job_id in accepted:
                    job = api.get(f"/api/jobs/{job_id}").json()
                    if job["status"] in ("completed", "failed"):
                        ended[job_id] = job
                time.sleep(2)
            assert set(ended) == set(accepted), f"jobs still open after {BOUND_SECONDS}s: {set(accepted) - set(ended)}"
            for job in ended.values():
                assert job["status"] == "completed" or job["error_message"], job
                assert job["attempts"] <= 3
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0 and "drained in" in out and "local cloud stopped" in out, out
        assert _postmasters(data) == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
