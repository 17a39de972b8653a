"""`alex-harness up` as a user runs it: a real process, printed exports, clean stop on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import boto3
import psutil
import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_up_prints_exports_serves_boto3_and_stops_cleanly_on_ctrl_c(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "up", "--port", str(port), "--data-dir", str(tmp_path / "pg"),
         "--state-dir", str(tmp_path / "issuer"), "--api-port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            lines.append(line)
            if "Ctrl-C stops it" in line:
                break
        output = "".join(lines)
        assert f"export AWS_ENDPOINT_URL=http://127.0.0.1:{port}" in output, output
        assert "export AWS_ACCESS_KEY_ID=testing" in output
        assert re.search(r"endpoint ready in \d+\.\d+s", output)
        exports = dict(re.findall(r"^export (\w+)=(\S+)$", output, re.M))
        sqs = boto3.client(
            "sqs", endpoint_url=exports["AWS_ENDPOINT_URL"], region_name=exports["AWS_DEFAULT_REGION"],
            aws_access_key_id=exports["AWS_ACCESS_KEY_ID"], aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"],
        )
        assert any(url.endswith("/alex-analysis-jobs") for url in sqs.list_queues()["QueueUrls"])
        children = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0, rest
        assert "local cloud stopped" in rest
        gone, alive = psutil.wait_procs(children, timeout=10)
        assert alive == [], f"left running after Ctrl-C: {[p.pid for p in alive]}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_up_on_a_busy_port_is_a_clear_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "harness.cli", "up", "--port", str(port)], capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
