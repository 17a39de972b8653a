"""Running ``alex-harness up`` as a real process in tests: start it, read its banner, stop it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def own_basetemp(tmp_path: Path) -> list[str]:
    """Arguments for a pytest run inside this one: its temporary files under this test's directory.

    Left to its default, an inner pytest resets /tmp/pytest-of-<user> to mode 0700; when the suite
    runs as root, an embedded PostgreSQL of the outer run (run as another user) then loses its way to
    its data directory under that tree, and dies or fails initdb with "Permission denied".
    """
    return ["--basetemp", str(tmp_path / "inner-basetemp")]


def read_until(proc: subprocess.Popen[str], marker: str, timeout: float) -> tuple[bool, str]:
    """Read ``proc``'s output line by line until a line holds ``marker`` (True), it ends or time runs out."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            break
        lines.append(line)
        if marker in line:
            return True, "".join(lines)
    return False, "".join(lines)


@dataclass
class UpProcess:
    proc: subprocess.Popen[str]
    output: str  # everything printed up to "Ctrl-C stops it"
    env: dict[str, str]

    def ctrl_c(self) -> tuple[int, str]:
        """Stop it as a user does; its exit code and what it printed on the way out."""
        self.proc.send_signal(signal.SIGINT)
        rest, _ = self.proc.communicate(timeout=30)
        return self.proc.returncode, rest


@contextlib.contextmanager
def running_up(tmp_path: Path, *args: str, timeout: float = 60) -> Iterator[UpProcess]:
    """``alex-harness up`` with its data and issuer keys under ``tmp_path`` (no AWS_* variables
    inherited), once it has printed its banner; killed afterwards if a test did not stop it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness.alexkit.cli",
            "up",
            "--data-dir",
            str(tmp_path / "pg"),
            "--state-dir",
            str(tmp_path / "state"),
            "--api-port",
            "0",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        _, output = read_until(proc, "Ctrl-C stops it", timeout)
        yield UpProcess(proc, output, env)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
