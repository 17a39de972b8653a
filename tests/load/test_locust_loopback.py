"""`locust -f locustfiles/api.py` as the README documents it: its web UI listens on loopback only."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli_support import free_port

pytestmark = pytest.mark.load

LOCUSTFILE = Path(__file__).resolve().parents[2] / "locustfiles" / "api.py"


def test_web_ui_binds_loopback_without_being_told(tmp_path: Path) -> None:
    """Locust's own default is every interface; the locustfile makes it 127.0.0.1 (web UI and distributed master)."""
    port = free_port()
    env = {**os.environ, "ALEX_API_URL": "http://127.0.0.1:9"}
    proc = subprocess.Popen([sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--web-port", str(port)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            lines.append(line)
            if "Starting web interface" in line:
                break
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert any(f"Starting web interface at http://127.0.0.1:{port}" in line for line in lines), "".join(lines)[-2000:]
