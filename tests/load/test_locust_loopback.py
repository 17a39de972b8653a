"""`locust -f locustfiles/api.py` as the README documents it: its web UI listens on loopback only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_support import free_port, read_until

pytestmark = pytest.mark.load

LOCUSTFILE = Path(__file__).resolve().parents[2] / "locustfiles" / "api.py"


def test_web_ui_binds_loopback_without_being_told(tmp_path: Path) -> None:
    """Locust's own default is every interface; the locustfile makes it 127.0.0.1 (web UI and distributed master)."""
    port = free_port()
    env = {**os.environ, "ALEX_API_URL": "http://127.0.0.1:9"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--web-port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _, output = read_until(proc, "Starting web interface", 60)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert f"Starting web interface at http://127.0.0.1:{port}" in output, output[-2000:]
