"""`alex-harness up` as a user runs it: a real process, printed exports, clean stop on Ctrl-C."""

from __future__ import annotations

import base64
import re
import socket
import subprocess
import sys

import boto3
import psutil
import pytest

from tests.cli_support import free_port, read_until, running_up

pytestmark = pytest.mark.slow


def test_up_prints_exports_serves_boto3_and_stops_cleanly_on_ctrl_c(tmp_path):
    port = free_port()
    with running_up(tmp_path, "--port", str(port)) as up:
        output = up.output
        assert f"export AWS_ENDPOINT_URL=http://127.0.0.1:{port}" in output, output
        assert "export AWS_ACCESS_KEY_ID=testing" in output
        assert re.search(r"endpoint ready in \d+\.\d+s", output)
        exports = dict(re.findall(r"^export (\w+)=(\S+)$", output, re.M))
        sqs = boto3.client(
            "sqs",
            endpoint_url=exports["AWS_ENDPOINT_URL"],
            region_name=exports["AWS_DEFAULT_REGION"],
            aws_access_key_id=exports["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"],
        )
        assert any(url.endswith("/alex-analysis-jobs") for url in sqs.list_queues()["QueueUrls"])
        children = psutil.Process(up.proc.pid).children(recursive=True)
        returncode, rest = up.ctrl_c()
        assert returncode == 0, rest
        assert "local cloud stopped" in rest
        gone, alive = psutil.wait_procs(children, timeout=10)
        assert alive == [], f"left running after Ctrl-C: {[p.pid for p in alive]}"


def test_up_says_when_lambda_templates_are_ready_and_then_a_new_environment_is_a_restore(tmp_path):
    """As a published SnapStart version is ready before its first invoke: once ``up`` says its
    templates are ready, a function's first environment is restored (REPORT ``Restore
    Duration``), with no ``Init Duration`` (no init runs in the invocation's path)."""
    with running_up(tmp_path, "--port", str(free_port())) as up:
        ready, output = read_until(up.proc, "Lambda templates ready", 600)
        assert ready, up.output + output
        assert "6 functions prepared" in output, output
        exports = dict(re.findall(r"^export (\w+)=(\S+)$", up.output, re.M))
        lam = boto3.client(
            "lambda",
            endpoint_url=exports["AWS_ENDPOINT_URL"],
            region_name=exports["AWS_DEFAULT_REGION"],
            aws_access_key_id=exports["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"],
        )
        tagger = next(f["FunctionName"] for f in lam.list_functions()["Functions"] if f["FunctionName"].endswith("-tagger"))
        result = lam.invoke(FunctionName=tagger, Payload=b"{}", LogType="Tail")  # no job id: a handler error
        tail = base64.b64decode(result["LogResult"]).decode()
        report = next(line for line in tail.splitlines() if line.startswith("REPORT"))
        assert "Restore Duration" in report and "Init Duration" not in report, report
        returncode, rest = up.ctrl_c()
        assert returncode == 0, rest


def test_up_on_a_busy_port_is_a_clear_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "harness.alexkit.cli", "up", "--port", str(port)], capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
