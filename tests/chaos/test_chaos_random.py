"""Chaos at random points: with analyses in flight, one fault per seed, then every job ends.

``alex-harness up --data-dir D --test-clocks`` runs as a real process for the whole module. Each
seed submits ``JOBS`` analyses, waits a delay drawn from the seed, and applies the seed's fault
(``harness.cloud.chaos``): kill -9 of ``up``, SIGTERM of ``up`` (it drains, then stops), kill -9
of a busy planner or reporter execution environment, or kill -9 of the cluster's PostgreSQL.
``up`` is started again on D when the fault stopped it. Then the schedules' test clock is moved
on (the sweeper runs every clock minute) until every job the user has ends, ``completed`` or
``failed`` with a reason, within ``BOUND_SECONDS``; none is stuck and none appears twice.

Default: seeds 1..3 (kill -9 of ``up``, of a Lambda environment, of PostgreSQL), to keep the
suite's cost down; ``CHAOS_SEEDS=4`` adds SIGTERM, ``CHAOS_SEEDS=20`` runs seeds 1..20 (five of
each kind, at other delays); ``CHAOS_SEED=7`` replays seed 7, ``CHAOS_SEED=2,3,4,2,3,4`` runs
those seeds in that order. Every failure message starts with the seed, the fault and the delay. A seed runs on the cloud the seeds before it left (as a user's
cloud would be), so a replay of one seed alone reproduces its fault and timing, not its history.
Before a first seed that does not restart the cloud, one analysis runs to its end (the templates
``up`` initialises after its start are then ready). Figures (jobs, ends, seconds per seed) go to the test's output and to
``chaos-figures.jsonl`` in the module's temporary directory, with ``up``'s output (``up-N.log``) and
the functions' CloudWatch logs of each seed (``lambda-<run>-seed<N>.log``), which a failure message names.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from harness.auth import mint_token_from_state
from harness.cloud import chaos
from tests.cli_support import free_port, read_until

DEFAULT_SEEDS = 3  # kill -9 of up, of a Lambda environment, of PostgreSQL; more with CHAOS_SEEDS
SEEDS = chaos.seeds(DEFAULT_SEEDS)
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
USER = "chaos_user"
JOBS = 3
MAX_DELAY = 8.0  # a restart-free job takes about 5-15 s here: the fault lands before, during or after its attempts
BUSY_TIMEOUT = 120.0  # after a restart a function's environments first wait on its template's init (37 s seen)
BUSY_WINDOW = 1.0  # a Lambda kill lands 0-1 s into a busy spell (a warm planner's is about 2 s at low load)
# Lease 5 s + pending bound 10 s + sweeps + up to 3 attempts each, counted from the restart when the fault
# stopped the cloud: a restarted cloud initialises each function's template again before jobs run on it (one
# after another, 15-50 s each at load average 8-9 here: 192 s from restart to the last job's end once).
BOUND_SECONDS = 300
WARM_UP_SECONDS = 300  # the first analysis after `up`, before the seeds: it waits on every template's init
TERMINAL = ("completed", "failed")
TARGETS = ("alex-planner", "alex-reporter")


class ChaosCloud:
    """One ``up`` process on one data directory, started again after a fault stopped it."""

    def __init__(self, root: Path) -> None:
        self.data, self.state = root / "data", root / "state"
        self.figures = root / "chaos-figures.jsonl"
        self.port, self.api_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[str] | None = None
        self.starts = 0
        self.seeds_run = 0

    def start(self) -> float:
        """Start ``up`` and wait for its banner; how long that took."""
        began = time.monotonic()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "harness.alexkit.cli",
                "up",
                "--data-dir",
                str(self.data),
                "--state-dir",
                str(self.state),
                "--port",
                str(self.port),
                "--api-port",
                str(self.api_port),
                "--test-clocks",
                "--drain-seconds",
                "5",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        started, output = read_until(proc, "Ctrl-C stops it", 180)
        if not started:
            proc.kill()
            proc.wait()
            raise AssertionError(f"up did not start (start {self.starts + 1}):\n{output}")
        self.proc = proc
        self.starts += 1
        log = self.data.parent / f"up-{self.starts}.log"
        log.write_text(output)
        # read its output from here on: a pipe nobody reads fills up and blocks up's logging, then up itself
        threading.Thread(target=_copy, args=(proc, log), name="up-output", daemon=True).start()
        return time.monotonic() - began

    def api(self) -> httpx.Client:
        token = mint_token_from_state(self.state, USER)
        return httpx.Client(
            base_url=f"http://127.0.0.1:{self.api_port}", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def advance_clock(self) -> None:
        httpx.post(f"{self.url}/_harness/clock/advance", json={"seconds": 60}, timeout=30).raise_for_status()

    def wait_stopped(self, timeout: float) -> tuple[int | None, str]:
        """The stopped ``up``'s exit code and what it printed after its banner."""
        assert self.proc is not None
        try:
            code: int | None = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = None
        time.sleep(0.5)  # the copying thread reaches the end of the output
        return code, (self.data.parent / f"up-{self.starts}.log").read_text()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _copy(proc: subprocess.Popen[str], log: Path) -> None:
    assert proc.stdout is not None
    with log.open("a") as out:
        for line in proc.stdout:
            out.write(line)
            out.flush()


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChaosCloud]:
    made = ChaosCloud(tmp_path_factory.mktemp("chaos"))
    made.start()
    try:
        with made.api() as api:
            account = api.post("/api/accounts", json={"account_name": "ISA", "cash_balance": "1000"})
            assert account.status_code == 201, account.text
            api.post(
                "/api/positions", json={"account_id": account.json()["id"], "symbol": "VTI", "quantity": "10"}
            ).raise_for_status()
        if not chaos.plan(SEEDS[0]).restarts:  # a first seed that restarts the cloud meets cold templates anyway
            _warm_up(made)
        yield made
    finally:
        made.stop()
        deadline = time.monotonic() + 30
        while chaos.postmasters(made.data) and time.monotonic() < deadline:
            time.sleep(0.2)


def _warm_up(cloud: ChaosCloud) -> None:
    """One analysis to its end before any fault, so the first seed's jobs do not wait on the templates
    ``up`` initialises after its start (the seeds measure faults, not the first cold start)."""
    began = time.monotonic()
    accepted, _ = _submit(cloud, 1)
    ended, listed = _wait_all_end(cloud, WARM_UP_SECONDS)
    assert accepted and set(accepted) <= set(ended), f"the warm-up analysis did not end: {listed}"
    with cloud.figures.open("a") as out:
        out.write(json.dumps({"warm_up_seconds": round(time.monotonic() - began, 1)}) + "\n")


def _save_function_logs(cloud: ChaosCloud, seed: int, since: float) -> Path:
    """The functions' CloudWatch log events since ``since`` (epoch seconds), one file per seed, read
    through the cloud's Logs API as a user would: what each attempt, sweep and agent did."""
    cloud.seeds_run += 1
    path = cloud.data.parent / f"lambda-{cloud.seeds_run}-seed{seed}.log"  # a seed may run more than once
    logs = boto3.client(
        "logs", endpoint_url=cloud.url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    lines = []
    try:
        for group in logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]:
            name = group["logGroupName"]
            kwargs: dict[str, Any] = {"logGroupName": name, "startTime": int(since * 1000)}
            while True:
                page = logs.filter_log_events(**kwargs)
                lines += [(e["timestamp"], name.rsplit("/", 1)[-1], e["message"].rstrip()) for e in page["events"]]
                if not page.get("nextToken"):
                    break
                kwargs["nextToken"] = page["nextToken"]
    except Exception as err:  # diagnosis only: a cloud that cannot answer must not hide the test's own result
        lines.append((0, "chaos-test", f"could not read the logs: {err}"))
    stamp = lambda ms: time.strftime("%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}"  # noqa: E731
    path.write_text("".join(f"{stamp(t)} {fn} {msg}\n" for t, fn, msg in sorted(lines)))
    return path


def _jobs(api: httpx.Client) -> list[dict[str, Any]]:
    response = api.get("/api/jobs", params={"limit": 100})
    response.raise_for_status()
    return list(response.json()["jobs"])


def _submit(cloud: ChaosCloud, count: int) -> tuple[list[str], int]:
    """Submit ``count`` analyses; the ids accepted, and how many requests got no answer."""
    accepted, unanswered = [], 0
    with cloud.api() as api:
        for _ in range(count):
            try:
                response = api.post("/api/analyze")
            except httpx.HTTPError:
                unanswered += 1
                continue
            assert response.status_code == 202, response.text
            accepted.append(response.json()["job_id"])
    return accepted, unanswered


def _wait_all_end(cloud: ChaosCloud, bound: float) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Move the test clock on until every job of the user has ended or ``bound`` passes: the ended
    jobs by id, and the whole list as last read."""
    deadline = time.monotonic() + bound
    listed: list[dict[str, Any]] = []
    while True:
        try:
            cloud.advance_clock()
            with cloud.api() as api:
                listed = _jobs(api)
        except httpx.HTTPError:  # the API or the cloud answered nothing this once (a restart settling)
            listed = listed or []
        ended = {j["id"]: j for j in listed if j["status"] in TERMINAL}
        if (listed and len(ended) == len(listed)) or time.monotonic() > deadline:
            return ended, listed
        time.sleep(2)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_fault_at_a_random_point_every_job_ends(cloud: ChaosCloud, seed: int) -> None:
    """SQS, Lambda's async queue and the job table are durable on AWS, Aurora restarts a failed
    writer, and the scheduled sweeper re-queues or fails what nobody works on: whatever the fault
    and whenever it lands, every job the API accepted ends, with a reason if it failed, once."""
    plan = chaos.plan(seed, max_delay=MAX_DELAY, functions=TARGETS, busy_window=BUSY_WINDOW)
    say = plan.describe()
    began, began_epoch = time.monotonic(), time.time()
    accepted, unanswered = _submit(cloud, JOBS)
    assert accepted, f"{say}: no analysis was accepted before the fault"
    time.sleep(plan.wait_before)
    outcome = chaos.inject(
        plan,
        up=cloud.proc,
        cloud_url=cloud.url,
        data_dir=cloud.data,  # type: ignore[arg-type]
        busy_timeout=BUSY_TIMEOUT,
    )
    fault_at = time.monotonic() - began
    restart_seconds = 0.0
    if plan.restarts:
        code, out = cloud.wait_stopped(timeout=60)
        if plan.fault == "term-up":
            assert code == 0 and "drained in" in out and "local cloud stopped" in out, f"{say}: drain failed\n{out}"
        deadline = time.monotonic() + 30
        while chaos.postmasters(cloud.data) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert chaos.postmasters(cloud.data) == [], f"{say}: the stopped up left PostgreSQL running"
        restart_seconds = cloud.start()
    ended, listed = _wait_all_end(cloud, BOUND_SECONDS)
    took = time.monotonic() - began
    ids = [j["id"] for j in listed]
    figures = {
        "seed": seed,
        "fault": plan.fault,
        "delay": plan.delay,
        "target": plan.target,
        "landed": outcome.landed,
        "note": outcome.note,
        "submitted": JOBS,
        "accepted": len(accepted),
        "unanswered": unanswered,
        "jobs_ended_now": len([j for j in accepted if j in ended]),
        "completed": len([j for j in accepted if ended.get(j, {}).get("status") == "completed"]),
        "failed": len([j for j in accepted if ended.get(j, {}).get("status") == "failed"]),
        "fault_at_seconds": round(fault_at, 1),
        "restart_seconds": round(restart_seconds, 1),
        "seconds": round(took, 1),
    }
    with cloud.figures.open("a") as record:
        record.write(json.dumps(figures) + "\n")
    print("chaos", json.dumps(figures))
    logs = _save_function_logs(cloud, seed, began_epoch - 5)
    say += f" [functions' logs: {logs}; up's output: {cloud.data.parent}/up-*.log]"
    assert len(ids) == len(set(ids)), f"{say}: a job is listed twice: {ids}"
    missing = [j for j in accepted if j not in ids]
    assert not missing, f"{say}: accepted jobs are gone: {missing}"
    stuck = {j["id"]: (j["status"], j.get("attempts"), j.get("error_message")) for j in listed if j["id"] not in ended}
    assert not stuck, f"{say}: jobs still open {BOUND_SECONDS}s after the fault (or the restart): {stuck}"
    for job in ended.values():
        assert job["status"] == "completed" or job.get("error_message"), f"{say}: failed without a reason: {job}"
        assert int(job.get("attempts") or 0) <= 3, f"{say}: more attempts than the queue allows: {job}"
