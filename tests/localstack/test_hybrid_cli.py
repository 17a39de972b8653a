"""``alex-harness up --backend hybrid``: Alex's stack split between LocalStack and the harness."""

from __future__ import annotations

import time

import pytest

from harness.alexkit.cli import main
from tests.cli_support import free_port, running_up


def test_hybrid_without_a_localstack_says_how_to_start_one(capsys):
    """No LocalStack at --localstack-url: exit 1 with the command that starts one, nothing half-started."""
    url = f"http://127.0.0.1:{free_port()}"
    assert main(["up", "--backend", "hybrid", "--localstack-url", url, "--port", str(free_port())]) == 1
    assert "alex-harness localstack start" in capsys.readouterr().err


@pytest.mark.localstack
@pytest.mark.slow
def test_up_hybrid_puts_queues_and_secret_on_localstack(localstack, tmp_path):
    """The banner names LocalStack's queue URLs and exports its per-service endpoint variables;
    Ctrl-C stops the harness side cleanly (LocalStack keeps running: it was started separately)."""
    with running_up(
        tmp_path, "--backend", "hybrid", "--localstack-url", localstack.url, "--port", str(free_port()), timeout=240
    ) as up:
        assert "Ctrl-C stops it" in up.output, up.output
        assert f"jobs queue   {localstack.url}/queue/" in up.output
        assert f"export AWS_ENDPOINT_URL_SQS={localstack.url}" in up.output
        assert f"export AWS_ENDPOINT_URL_SECRETS_MANAGER={localstack.url}" in up.output
        time.sleep(1.0)  # the banner's last line is printed just before `up` installs its SIGINT handler
        code, rest = up.ctrl_c()
    assert code == 0, rest
    assert localstack.client("sqs").list_queues(QueueNamePrefix="alex-analysis-jobs").get("QueueUrls")
