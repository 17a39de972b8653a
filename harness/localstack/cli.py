"""``alex-harness localstack start|stop|status``: LocalStack in host mode, run in the background.

``start`` installs LocalStack on first use, starts it on loopback, waits for health and leaves it
running; its pid, URL and log live in the state dir so ``status`` and ``stop`` find it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from harness.localstack import detect
from harness.localstack.endpoints import hybrid_endpoint_env
from harness.localstack.install import InstallFailed, NoSuitablePython, ensure_installed
from harness.localstack.process import (
    DEFAULT_PORT,
    LocalStackFailed,
    LocalStackProcess,
    health,
)

STATE_FILE = "localstack.json"


def default_state_dir() -> Path:
    base = os.environ.get("ALEX_HARNESS_STATE_DIR") or Path.home() / ".alex-harness"
    return Path(base) / "localstack"


def _load(state_dir: Path) -> LocalStackProcess | None:
    try:
        state = json.loads((state_dir / STATE_FILE).read_text())
        return LocalStackProcess(pid=int(state["pid"]), url=state["url"], log_path=Path(state["log"]))
    except (OSError, ValueError, KeyError):
        return None


def cmd_start(args: argparse.Namespace) -> int:
    state_dir: Path = args.state_dir or default_state_dir()
    running = _load(state_dir)
    if running and running.alive():
        print(f"LocalStack already runs on {running.url} (pid {running.pid})")
        return 0
    try:
        python = ensure_installed(log=lambda m: print(m, flush=True))
        began = time.monotonic()
        proc = LocalStackProcess.start(python, state_dir, host=args.host, port=args.port)
    except (NoSuitablePython, InstallFailed, LocalStackFailed, ValueError) as err:
        print(err, file=sys.stderr)
        return 1
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / STATE_FILE).write_text(json.dumps({"pid": proc.pid, "url": proc.url, "log": str(proc.log_path)}))
    print(f"LocalStack healthy on {proc.url} in {time.monotonic() - began:.1f}s (pid {proc.pid}, log {proc.log_path})")
    print("# paste into another shell: LocalStack's services to it, the rest to the harness edge")
    for key, value in hybrid_endpoint_env(proc.url, args.harness_url).items():
        print(f"export {key}={value}")
    return 0


def running_url(state_dir: Path | None = None) -> str | None:
    """The URL of the LocalStack ``start`` left running (per the state dir), if it still runs."""
    proc = _load(state_dir or default_state_dir())
    return proc.url if proc is not None and proc.alive() else None


def find_localstack(url: str | None = None, state_dir: Path | None = None) -> detect.Detected:
    """The LocalStack the hybrid uses: ``url`` if given, else the one ``start`` left running, else
    whatever runs on localhost:4566 (loopback only; what it serves is read from its health endpoint)."""
    return detect.detect(url or running_url(state_dir) or detect.DEFAULT_URL)


def cmd_stop(args: argparse.Namespace) -> int:
    state_dir: Path = args.state_dir or default_state_dir()
    proc = _load(state_dir)
    if proc is None or not proc.alive():
        (state_dir / STATE_FILE).unlink(missing_ok=True)
        found = detect.detect()
        if found.running:
            print(
                f"LocalStack {found.version} on {found.url} was not started by `alex-harness localstack start`: "
                "stop it the way it was started (docker stop, `localstack stop`)"
            )
            return 1
        print("LocalStack is not running")
        return 0
    outcome = proc.stop()
    (state_dir / STATE_FILE).unlink(missing_ok=True)
    print(f"LocalStack {outcome}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    proc = _load(args.state_dir or default_state_dir())
    if proc is None or not proc.alive():
        return _status_of_another()
    doc = health(proc.url) or {}
    services = {k: v for k, v in doc.get("services", {}).items() if v != "disabled"}
    print(f"LocalStack {doc.get('version', '?')} on {proc.url} (pid {proc.pid}): {services or 'not answering'}")
    return 0 if doc else 1


def _status_of_another() -> int:
    """No LocalStack of ours runs: report one the user runs on localhost:4566, if any."""
    found = detect.detect()
    if not found.running:
        print(
            f"LocalStack is not running (none of ours, and nothing answers at {found.url}): "
            "`alex-harness localstack start` starts one"
        )
        return 3
    print(f"LocalStack {found.version} on {found.url} (started outside alex-harness): {found.services}")
    if found.usable:
        print("# `alex-harness up --backend hybrid` uses it")
    else:
        print(f"# {found.problem()}")
    return 0


def add_localstack_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``localstack start|stop|status`` under an existing CLI."""
    parser = sub.add_parser(
        "localstack",
        help="install, start and stop LocalStack in host mode (no Docker)",
        description="install, start and stop LocalStack in host mode (no Docker), on loopback",
    )
    actions = parser.add_subparsers(dest="localstack_command", required=True)
    for name, func, text in (
        ("start", cmd_start, "install on first use, start on loopback, wait for health"),
        ("stop", cmd_stop, "stop the LocalStack that start left running"),
        ("status", cmd_status, "whether it runs, and its services"),
    ):
        action = actions.add_parser(name, help=text, description=text)
        action.add_argument(
            "--state-dir",
            type=Path,
            default=None,
            help="its pid file, data and log (default $ALEX_HARNESS_STATE_DIR/localstack or ~/.alex-harness/localstack)",
        )
        if name == "start":
            action.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
            action.add_argument(
                "--port", type=int, default=DEFAULT_PORT, help=f"LocalStack's gateway port (default {DEFAULT_PORT})"
            )
            action.add_argument(
                "--harness-url",
                default=None,
                help="the harness edge (alex-harness up) for the services LocalStack leaves out "
                "(default: none, only LocalStack's own services are exported)",
            )
        action.set_defaults(func=func)
