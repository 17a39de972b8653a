"""Killing the local cloud with SIGKILL leaves no PostgreSQL running and no scratch directory behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from harness.cloud.watchdog import OWNER_FILE, _alive, clean_orphans, mark_owned

CHILD = r"""
import json, sys, time
from harness.cloud.awslambda.runtime import LambdaRuntime
from harness.cloud.rds_data.postgres import Postgres
pg = Postgres()
pg.start()
pg.wait_ready()
runtime = LambdaRuntime()
runtime.start()
pid = int((pg._pgdata / "postmaster.pid").read_text().split()[0])
print(json.dumps({"pgdata": str(pg._pgdata), "postmaster": pid, "owned": str(pg._owned_dir),
                  "lambda": str(runtime._workdir)}), flush=True)
time.sleep(600)
"""


def _wait_until(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_sigkill_of_the_cloud_stops_its_postgres_and_removes_its_scratch_dirs() -> None:
    """A process holding an embedded PostgreSQL and a Lambda scratch directory is killed with
    SIGKILL; its watchdog stops the server and removes both directories within seconds."""
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        started = json.loads(child.stdout.readline())
        assert _alive(started["postmaster"])
        assert Path(started["lambda"]).is_dir() and Path(started["owned"]).is_dir()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert _wait_until(lambda: not _alive(started["postmaster"]), 30), "PostgreSQL outlived the killed cloud"
    assert _wait_until(lambda: not Path(started["lambda"]).exists() and not Path(started["owned"]).exists(), 15)


def test_next_start_removes_scratch_dirs_whose_owner_is_gone(tmp_path: Path) -> None:
    """When the watchdog was killed as well, the next start removes directories whose owner
    process is gone, and keeps those of a live process and those not marked as the harness's."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    orphan = tmp_path / "local-lambda-orphan"
    orphan.mkdir()
    (orphan / OWNER_FILE).write_text(f"{int(dead.stdout)} 1\n")
    alive = tmp_path / "local-lambda-alive"
    alive.mkdir()
    mark_owned(alive)
    foreign = tmp_path / "local-lambda-foreign"
    foreign.mkdir()
    assert clean_orphans(tmp_path) == [orphan]
    assert not orphan.exists() and alive.exists() and foreign.exists()


@pytest.mark.parametrize("prefix", ["alex-pg-", "alex-cloud-"])
def test_clean_orphans_ignores_other_names(tmp_path: Path, prefix: str) -> None:
    """Only the harness's own scratch names are considered, never anything else in the temp dir."""
    other = tmp_path / ("x" + prefix)
    other.mkdir()
    (other / OWNER_FILE).write_text("999999999 1\n")
    assert clean_orphans(tmp_path) == []
    assert other.exists() and tempfile.gettempdir()
