"""An execution environment's process: imports one handler once and serves invokes until killed.

Run as a script (``python worker.py FD PARENT_PID``) with one end of a socketpair on
``FD``, so neither the harness nor boto3 is imported into the environment unless the
handler imports it. Frames are ``multiprocessing.connection`` messages (length-prefixed)
carrying JSON, plus raw payload frames:

    parent -> worker  setup {"code_dir", "handler", "runtime", "layer_path"}
    worker -> parent  {"t": "log", "ts", "msg"}* then {"t": "ready", "init_ms"}
                      or {"t": "init_error", "error", "init_ms"} (and the worker exits)
    parent -> worker  {"id", "arn", "deadline_ms", "client_context"}, payload
    worker -> parent  {"t": "log", ...}* then {"t": "result", "error", "max_memory_mb"}, payload

The worker dies with the server: PR_SET_PDEATHSIG (SIGKILL) where Linux has it, plus a
thread that exits when the parent pid changes, plus EOF on the socket when idle. It leads
its own process group, which the server kills whole on timeout, reset and stop, so
processes a handler starts go with it; only if the server itself is SIGKILLed while
such a grandchild runs can that grandchild outlive it.
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import logging
import os
import resource
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from types import ModuleType
from typing import Any

_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _load_bootstrap() -> ModuleType:
    """bootstrap.py, loaded by path under a name no handler module will collide with."""
    path = Path(__file__).with_name("bootstrap.py")
    spec = importlib.util.spec_from_file_location("_lambda_local_bootstrap", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _max_memory_mb() -> int:
    """Peak resident memory of this process: VmHWM (ru_maxrss would include the forking parent's)."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak / (1024 * 1024 if sys.platform == "darwin" else 1024))


class _Channel:
    """The socket to the parent; handler threads may log while the main thread answers."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._lock = threading.Lock()

    def send(self, message: dict[str, Any], payload: bytes | None = None) -> None:
        data = json.dumps(message).encode()
        with self._lock:
            self._conn.send_bytes(data)
            if payload is not None:
                self._conn.send_bytes(payload)

    def log(self, line: str) -> None:
        try:
            self.send({"t": "log", "ts": int(time.time() * 1000), "msg": line})
        except (OSError, ValueError):
            pass


def main() -> None:
    fd, parent_pid = int(sys.argv[1]), int(sys.argv[2])
    _die_with_parent(parent_pid)
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]  # this script's directory is not the function's
    bootstrap = _load_bootstrap()
    conn = Connection(fd)
    setup = json.loads(conn.recv_bytes())
    sys.path.insert(0, setup["code_dir"])
    sys.path.extend(p for p in setup["layer_path"] if p not in sys.path)

    channel = _Channel(conn)
    request_id = [""]
    stdout, stderr = bootstrap.LineWriter(channel.log), bootstrap.LineWriter(channel.log)
    sys.stdout, sys.stderr = stdout, stderr
    logging.getLogger().addHandler(bootstrap.LambdaLogHandler(channel.log, lambda: request_id[0]))

    began = time.perf_counter()
    try:
        handler = bootstrap.wrap_handler(bootstrap.load_handler(setup["handler"]))
    except Exception as exc:  # noqa: BLE001 - any init failure is reported, then the environment ends
        error = bootstrap.error_from_exception(exc, None)
        stdout.drain()
        stderr.drain()
        channel.log(bootstrap.error_log_message(error))
        channel.send({"t": "init_error", "error": error, "init_ms": (time.perf_counter() - began) * 1000})
        return
    stdout.drain()
    stderr.drain()
    channel.send({"t": "ready", "init_ms": (time.perf_counter() - began) * 1000})

    env = os.environ
    while True:
        try:
            header = json.loads(conn.recv_bytes())
            payload = conn.recv_bytes()
        except (EOFError, OSError):
            return
        request_id[0] = header["id"]
        body, error = b"", None
        try:
            context = bootstrap.LambdaContext(
                aws_request_id=header["id"],
                function_name=env.get("AWS_LAMBDA_FUNCTION_NAME", ""),
                function_version=env.get("AWS_LAMBDA_FUNCTION_VERSION", ""),
                invoked_function_arn=header["arn"],
                memory_limit_in_mb=env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", ""),
                log_group_name=env.get("AWS_LAMBDA_LOG_GROUP_NAME", ""),
                log_stream_name=env.get("AWS_LAMBDA_LOG_STREAM_NAME", ""),
                deadline_ms=header["deadline_ms"],
                client_context=bootstrap.parse_client_context(header.get("client_context")),
            )
            event = bootstrap.unmarshal_event(payload)
            body = bootstrap.marshal_response(handler(event, context), setup["runtime"])
        except Exception as exc:  # noqa: BLE001 - the handler's failure is the invocation's result
            error = bootstrap.error_from_exception(exc, header["id"])
        stdout.drain()
        stderr.drain()
        if error is not None:
            channel.log(bootstrap.error_log_message(error))
        channel.send({"t": "result", "error": error, "max_memory_mb": _max_memory_mb()}, body)


if __name__ == "__main__":
    main()
