"""A real browser on another loopback origin cannot drive the local cloud (issue 18, part 4).

Debian's headless Chromium loads a page served from ``http://localhost:<page>`` whose script
does what a malicious site would: ``fetch('http://127.0.0.1:<cloud>/moto-api/reset',
{method: 'POST', mode: 'no-cors'})``. A no-cors request is sent even though its answer is
unreadable, so only the server can stop it. moto's control API is switched on here, so what
stops the reset is the origin allow-list, and the secret must survive.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from harness.cloud import LocalCloud
from harness.hardening import LocalAccessPolicy
from harness.serving import ServingThread
from tests.monitoring.conftest import CHROMIUM, run_chromium

PAGE = """<!doctype html><html><body><p id="result">pending</p><script>
fetch("http://127.0.0.1:%(cloud)d/moto-api/reset", {method: "POST", mode: "no-cors",
      headers: {"Content-Type": "text/plain"}, body: "wipe"})
  .then(() => { document.getElementById("result").textContent = "sent"; },
        (err) => { document.getElementById("result").textContent = "blocked " + err; });
</script></body></html>"""


class RecordingPolicy(LocalAccessPolicy):
    """The default policy, remembering what it refused (proof the browser's request arrived)."""

    refused: ClassVar[list[tuple[str | None, str]]] = []

    def refusal(self, headers: Any, own_port: int, method: str = "GET") -> str | None:
        why = super().refusal(headers, own_port, method)
        if why:
            self.refused.append((headers.get("origin"), why))
        return why


@pytest.fixture
def chromium_binary() -> str:
    if not CHROMIUM.exists():
        pytest.skip(f"no {CHROMIUM}: the browser test needs Debian's chromium package (apt-get install chromium)")
    return str(CHROMIUM)


@pytest.fixture
def page_server() -> Iterator[tuple[ServingThread, dict[str, bytes]]]:
    pages: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path, b"not found")
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    serving = ServingThread(ThreadingHTTPServer(("127.0.0.1", 0), Handler), "evil-page")
    try:
        yield serving, pages
    finally:
        serving.stop()


def test_page_on_another_origin_cannot_reset_the_cloud(chromium_binary: str, page_server: Any, tmp_path: Path) -> None:
    """AWS has no endpoint a web page can wipe; the local cloud refuses the cross-origin reset with 403."""
    serving, pages = page_server
    RecordingPolicy.refused = []
    with LocalCloud(moto_api=True, access_policy=RecordingPolicy()) as cloud:
        secrets = cloud.client("secretsmanager")
        arn = secrets.create_secret(Name="edgesec-browser", SecretString="kept")["ARN"]
        pages["/"] = (PAGE % {"cloud": cloud.port}).encode()
        dom = run_chromium(chromium_binary, f"http://localhost:{serving.port}/", tmp_path / "profile", budget_ms=5000)
        assert 'id="result">sent<' in dom or 'id="result">blocked' in dom, dom[-2000:]
        assert secrets.get_secret_value(SecretId=arn)["SecretString"] == "kept"
    page_origin = f"http://localhost:{serving.port}"
    assert any(origin == page_origin for origin, _ in RecordingPolicy.refused), RecordingPolicy.refused
