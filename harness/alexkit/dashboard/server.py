"""The dashboard's HTTP server on loopback: the page, Plotly (from the ``plotly`` package,
no CDN) and ``/api/state``, the JSON the page redraws from every few seconds."""

from __future__ import annotations

import json
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from harness.alexkit.dashboard.data import DashboardSource
from harness.alexkit.dashboard.page import render_page
from harness.hardening.http_server import hardened
from harness.serving import ServingThread, require_loopback

log = logging.getLogger(__name__)


def plotly_js() -> Path:
    """plotly.min.js as the plotly package ships it."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"plotly.min.js is not in the plotly package ({path})")
    return path


class DashboardServer:
    """Serves the dashboard of ``source`` on ``http://host:port/`` (port 0: a free one)."""

    def __init__(self, source: DashboardSource, host: str = "127.0.0.1", port: int = 8050, refresh_seconds: float = 5.0) -> None:
        self.source = source
        self.host = require_loopback(host, "the dashboard")
        self.refresh_seconds = refresh_seconds
        self._requested_port = port
        self._serving: ServingThread | None = None
        self._page = render_page(refresh_seconds).encode("utf-8")
        self._plotly = plotly_js().read_bytes()

    @property
    def port(self) -> int:
        if self._serving is None:
            raise RuntimeError("the dashboard is not started")
        return self._serving.port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> DashboardServer:
        handler = hardened(_handler_for(self))  # origin/Host allow-list, read deadlines, framing
        self._serving = ServingThread(ThreadingHTTPServer((self.host, self._requested_port), handler), "dashboard")
        return self

    def stop(self) -> None:
        if self._serving is not None:
            self._serving.stop()
            self._serving = None
        self.source.close()

    def __enter__(self) -> DashboardServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def state(self, query: dict[str, list[str]]) -> dict[str, Any]:
        job = (query.get("job") or [""])[0]
        return self.source.snapshot(job or None)


def _handler_for(server: DashboardServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            parts = urlsplit(self.path)
            if parts.path in ("/", "/index.html"):
                self._send(200, "text/html; charset=utf-8", server._page)
            elif parts.path == "/static/plotly.min.js":
                self._send(200, "application/javascript", server._plotly, cache=True)
            elif parts.path == "/api/state":
                try:
                    body = json.dumps(server.state(parse_qs(parts.query)), default=str).encode()
                    self._send(200, "application/json", body)
                except Exception as err:  # noqa: BLE001 - the page shows the error and keeps refreshing
                    log.exception("dashboard state failed")
                    self._send(500, "application/json", json.dumps({"error": f"{type(err).__name__}: {err}"}).encode())
            elif parts.path == "/healthz":
                self._send(200, "text/plain", b"ok")
            else:
                self._send(404, "text/plain", b"not found")

        def _send(self, status: int, content_type: str, body: bytes, cache: bool = False) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "max-age=3600" if cache else "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet, as werkzeug is held at WARNING
            log.debug("dashboard: " + format, *args)

    return Handler
