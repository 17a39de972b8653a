"""Nothing the local cloud starts outlives it, even when it is killed with SIGKILL.

A killed process runs no cleanup, and two things it starts are not its children: the
embedded PostgreSQL servers (``pg_ctl`` daemonises them) and the scratch directories
(``local-lambda-*``, ``alex-pg-*``, ...). So the first time a process registers one, a
small watchdog process is started beside it (``python -m harness.cloud.watchdog``, in
its own session so a Ctrl-C to the terminal does not reach it). The parent tells it,
over a pipe, what to stop and remove; when the pipe reaches end of file (the parent
exited, however it died), the watchdog stops each PostgreSQL still registered (fast
shutdown: SIGINT, then SIGQUIT, then SIGKILL) and removes each directory, then exits.
Lambda workers need none of this: they die with their parent (PR_SET_PDEATHSIG).

Should the watchdog die too (``kill -9`` of the whole process group), the next start
cleans up: every scratch directory carries an owner file (pid and process start time),
and :func:`clean_orphans` stops the servers in, and removes, those whose owner is gone.
A PostgreSQL left running in a kept ``--data-dir`` is adopted by the next start.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)
OWNER_FILE = ".harness-owner"
TEMP_PREFIXES = ("local-lambda-", "alex-pg-", "alex-cloud-", "alex-issuer-")


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc), which tells a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _alive(pid: int, start: str | None = None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if Path(f"/proc/{pid}/stat").exists():
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "Z":
            return False
    return start is None or _start_time(pid) in (None, start)


def process_alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie is not)."""
    return _alive(pid)


def stop_postmaster(pgdata: Path, grace: float = 10.0) -> bool:
    """Stop the PostgreSQL whose ``postmaster.pid`` is in ``pgdata``; True if one was running."""
    try:
        pid = int((Path(pgdata) / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return False
    try:
        if b"postgres" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            return False
    except OSError:
        return False
    for sig, wait in ((signal.SIGINT, grace), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _alive(pid):
                return True
            time.sleep(0.05)
    return True


def mark_owned(path: Path) -> None:
    """Write the owner file into a scratch directory this process made."""
    pid = os.getpid()
    (Path(path) / OWNER_FILE).write_text(f"{pid} {_start_time(pid) or ''}\n")


def _owner_gone(path: Path) -> bool:
    try:
        fields = (path / OWNER_FILE).read_text().split()
    except OSError:
        return False  # not ours (or not marked): never touched
    return not _alive(int(fields[0]), fields[1] if len(fields) > 1 else None)


def clean_orphans(root: Path | None = None) -> list[Path]:
    """Stop the servers in, and remove, every scratch directory whose owner process is gone."""
    root = Path(root or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIXES) or not entry.is_dir() or not _owner_gone(entry):
            continue
        for pid_file in [
            *entry.glob("postmaster.pid"),
            *entry.glob("*/postmaster.pid"),
            *entry.glob("*/*/postmaster.pid"),
            *entry.glob("*/*/*/postmaster.pid"),
        ]:
            stop_postmaster(pid_file.parent)
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
        log.info("removed %s, left by a process that was killed", entry)
    return removed


class Watchdog:
    """The parent's side: starts the watchdog process on first use and tells it what to clean."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def _send(self, verb: str, path: Path) -> None:
        line = (json.dumps({"verb": verb, "path": str(path)}) + "\n").encode()
        with self._lock:
            try:
                if self._proc is None or self._proc.poll() is not None:
                    self._proc = subprocess.Popen(
                        [sys.executable, "-m", "harness.cloud.watchdog", str(os.getpid())],
                        stdin=subprocess.PIPE,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                        start_new_session=True,
                        close_fds=True,
                    )
                assert self._proc.stdin is not None
                self._proc.stdin.write(line)
                self._proc.stdin.flush()
            except OSError:  # best effort: clean_orphans at the next start still covers it
                log.warning("the watchdog could not be told to %s %s", verb, path, exc_info=True)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def watch_postgres(self, pgdata: Path) -> None:
        self._send("postgres", pgdata)

    def forget_postgres(self, pgdata: Path) -> None:
        self._send("forget-postgres", pgdata)

    def watch_dir(self, path: Path) -> None:
        mark_owned(path)
        self._send("remove", path)

    def forget_dir(self, path: Path) -> None:
        self._send("forget-remove", path)


WATCHDOG = Watchdog()


def scratch_dir(prefix: str) -> Path:
    """A new temporary directory that is removed even if this process is killed."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    WATCHDOG.watch_dir(path)
    return path


def remove_scratch_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    WATCHDOG.forget_dir(path)


def main(argv: list[str]) -> int:
    """The watchdog process: read commands until the parent is gone, then clean up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    servers: dict[str, None] = {}
    dirs: dict[str, None] = {}
    for raw in sys.stdin.buffer:
        try:
            command = json.loads(raw)
        except ValueError:
            continue
        verb, path = command.get("verb"), str(command.get("path"))
        if verb == "postgres":
            servers[path] = None
        elif verb == "forget-postgres":
            servers.pop(path, None)
        elif verb == "remove":
            dirs[path] = None
        elif verb == "forget-remove":
            dirs.pop(path, None)
    for pgdata in servers:
        stop_postmaster(Path(pgdata))
    for path in dirs:
        for pid_file in Path(path).glob("**/postmaster.pid"):
            stop_postmaster(pid_file.parent)
        shutil.rmtree(path, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
