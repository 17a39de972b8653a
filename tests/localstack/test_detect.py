"""Finding a LocalStack the user already runs: its health endpoint on loopback, SQS and Secrets Manager up."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from harness.alexkit.cli import main
from harness.localstack import detect
from harness.localstack.process import LocalStackFailed, LocalStackProcess, health
from tests.localstack.support import free_port, localstack_python


@pytest.fixture
def fake_localstack() -> Iterator[tuple[str, dict]]:
    """A loopback server answering /_localstack/health with a document the test sets."""
    doc: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = json.dumps(doc).encode()
            self.send_response(200 if self.path == detect.HEALTH_PATH else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", doc
    finally:
        server.shutdown()
        server.server_close()


def test_only_loopback_is_asked():
    with pytest.raises(ValueError, match="loopback"):
        detect.detect("http://192.0.2.1:4566")


def test_a_localstack_without_secretsmanager_is_named_unusable(fake_localstack, monkeypatch, capsys, tmp_path):
    """Its health says secretsmanager is disabled: `up --backend hybrid` names it and exits 1, starting nothing."""
    url, doc = fake_localstack
    doc.update({"version": "4.0.0", "services": {"sqs": "running", "secretsmanager": "disabled"}})
    found = detect.detect(url)
    assert found.running and not found.usable and found.missing == {"secretsmanager": "disabled"}
    monkeypatch.setattr(detect, "DEFAULT_URL", url)
    monkeypatch.setenv("ALEX_HARNESS_STATE_DIR", str(tmp_path))
    assert main(["up", "--backend", "hybrid", "--port", str(free_port())]) == 1
    err = capsys.readouterr().err
    assert "secretsmanager disabled" in err and "alex-harness localstack start" in err


def test_nothing_running_is_said_with_how_to_start_one(monkeypatch, capsys, tmp_path):
    """No --localstack-url and nothing at the default place: the message names it and `localstack start`."""
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setattr(detect, "DEFAULT_URL", url)
    monkeypatch.setenv("ALEX_HARNESS_STATE_DIR", str(tmp_path))
    assert main(["up", "--backend", "hybrid", "--port", str(free_port())]) == 1
    err = capsys.readouterr().err
    assert url in err and "alex-harness localstack start" in err
    assert main(["localstack", "status"]) == 3
    assert "alex-harness localstack start" in capsys.readouterr().out


@pytest.mark.localstack
def test_status_reports_a_localstack_started_elsewhere(localstack, monkeypatch, capsys, tmp_path):
    """A LocalStack not started by `alex-harness localstack start` (no state file) is found at the default
    place (here moved to the session's LocalStack on a free port), reported by status, and not stopped."""
    monkeypatch.setattr(detect, "DEFAULT_URL", localstack.url)
    monkeypatch.setenv("ALEX_HARNESS_STATE_DIR", str(tmp_path))
    found = detect.detect()
    assert found.usable, found.doc
    assert main(["localstack", "status"]) == 0
    out = capsys.readouterr().out
    assert f"on {localstack.url} (started outside alex-harness)" in out and "uses it" in out
    assert main(["localstack", "stop"]) == 1
    assert health(localstack.url) is not None


@pytest.mark.localstack
@pytest.mark.slow
def test_one_on_4566_is_found_without_any_setting(monkeypatch, capsys, tmp_path):
    """LocalStack's default port, as a user's `localstack start` or Docker would use: only when 4566 is free."""
    python = localstack_python()
    if health(detect.DEFAULT_URL) is not None or not _free(4566):
        pytest.skip("port 4566 is in use on this machine")
    try:
        process = LocalStackProcess.start(python, tmp_path / "ls", port=4566)
    except LocalStackFailed as err:
        pytest.skip(f"LocalStack did not start on 4566: {err}")
    try:
        monkeypatch.setenv("ALEX_HARNESS_STATE_DIR", str(tmp_path / "state"))
        assert detect.detect().usable
        assert main(["localstack", "status"]) == 0
        assert "http://localhost:4566 (started outside alex-harness)" in capsys.readouterr().out
    finally:
        process.stop()


def _free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
