"""Run LocalStack in host mode (no Docker) from its venv, on loopback only, and stop it cleanly.

LocalStack's default gateway (Twisted) listens on 0.0.0.0 whatever host GATEWAY_LISTEN names; the
Hypercorn gateway honours it, so that one is chosen. Nothing it would fetch from the internet is
left on: analytics events, the TLS certificate download and its DNS server are turned off, and
queue URLs use the path strategy on 127.0.0.1 (the default names ``*.localhost.localstack.cloud``,
which only public DNS resolves).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from harness.serving import require_loopback

DEFAULT_PORT = 4566
# What LocalStack serves well without Docker; the harness serves the rest (Lambda, Data API, Bedrock).
DEFAULT_SERVICES = ("sqs", "secretsmanager", "iam", "sts", "cloudwatch", "logs")
HEALTH_PATH = "/_localstack/health"


class LocalStackFailed(RuntimeError):
    """LocalStack exited or did not become healthy in time; the message quotes its log's tail."""


def localstack_env(host: str, port: int, data_dir: Path, services: tuple[str, ...] = DEFAULT_SERVICES) -> dict[str, str]:
    """The environment that makes LocalStack loopback-only and offline."""
    require_loopback(host, "LocalStack")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALSTACK_"))}
    env.update(
        {
            "GATEWAY_SERVER": "hypercorn",  # the Twisted gateway binds 0.0.0.0 regardless of GATEWAY_LISTEN
            "GATEWAY_LISTEN": f"{host}:{port}",
            "LOCALSTACK_HOST": f"{host}:{port}",
            "SQS_ENDPOINT_STRATEGY": "path",
            "SERVICES": ",".join(services),
            "LOCALSTACK_VOLUME_DIR": str(data_dir),
            "TMPDIR": str(data_dir / "tmp"),
            "DISABLE_EVENTS": "1",
            "SKIP_SSL_CERT_DOWNLOAD": "1",
            "DNS_ADDRESS": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


# No proxy from the environment (http_proxy): LocalStack is asked on loopback, never through another host.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def health(url: str, timeout: float = 1.0) -> dict | None:
    """LocalStack's health document, or None when nothing answers there."""
    try:
        with _DIRECT.open(url + HEALTH_PATH, timeout=timeout) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


@dataclass
class LocalStackProcess:
    """One LocalStack runtime in its own process group."""

    pid: int
    url: str
    log_path: Path

    @classmethod
    def start(
        cls,
        python: Path,
        data_dir: Path,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        services: tuple[str, ...] = DEFAULT_SERVICES,
        timeout: float = 120.0,
    ) -> LocalStackProcess:
        """Start it and wait until every requested service is available."""
        url = f"http://{host}:{port}"
        if health(url) is not None:
            raise LocalStackFailed(f"something already answers on {url}; stop it or pick another --port")
        (data_dir / "tmp").mkdir(parents=True, exist_ok=True)
        log_path = data_dir / "localstack.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [str(python), "-m", "localstack.runtime.main"],
                env=localstack_env(host, port, data_dir, services),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        started = cls(pid=proc.pid, url=url, log_path=log_path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise LocalStackFailed(f"LocalStack exited with {proc.returncode}:\n{started.log_tail()}")
            doc = health(url)
            if doc and all(doc.get("services", {}).get(s) in {"available", "running"} for s in services):
                return started
            time.sleep(0.1)
        started.stop()
        raise LocalStackFailed(f"LocalStack was not healthy after {timeout:.0f}s:\n{started.log_tail()}")

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return _not_zombie(self.pid)

    def stop(self, grace: float = 10.0) -> str:
        """SIGTERM (LocalStack's own shutdown), then SIGKILL for the group if it hangs; says which."""
        try:
            os.killpg(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            return "not running"
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if not self.alive():
                _reap(self.pid)
                return "stopped"
            time.sleep(0.1)
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _reap(self.pid)
        return f"killed (did not exit {grace:.0f}s after SIGTERM)"

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def rss_bytes(self) -> int:
        """Resident memory of its process group (the runtime and any helper it spawned)."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == self.pid:  # pgrp
                    total += int((stat.parent / "statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue
        return total


def _not_zombie(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _reap(pid: int) -> None:
    """Collect the exit status when we are its parent, so no zombie is left behind."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
