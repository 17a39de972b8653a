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
import gc
import importlib
import importlib.util
import json
import logging
import os
import resource
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from types import ModuleType
from typing import Any

_PR_SET_PDEATHSIG = 1
_MAX_LOG_CHARS = 256 * 1024  # CloudWatch Logs' limit on one event
_MAX_TEMPLATE_LOG_CHARS = 32 * 1024  # an init log packet must fit the template socket's buffer


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
    """The socket to the parent; handler threads may log while the main thread answers.

    ``rebind`` points it (and so every LineWriter and log handler built on it) at a new
    socket: an environment forked from a template talks on its own connection.
    """

    def __init__(self, send: Callable[[bytes], object], max_log_chars: int = _MAX_LOG_CHARS) -> None:
        self._send = send
        self._lock = threading.Lock()
        self._max_log_chars = max_log_chars

    def rebind(self, send: Callable[[bytes], None]) -> None:
        self._send = send
        self._lock = threading.Lock()
        self._max_log_chars = _MAX_LOG_CHARS

    def send(self, message: dict[str, Any], payload: bytes | None = None) -> None:
        data = json.dumps(message).encode()
        with self._lock:
            self._send(data)
            if payload is not None:
                self._send(payload)

    def log(self, line: str) -> None:
        try:
            self.send({"t": "log", "ts": int(time.time() * 1000), "msg": line[: self._max_log_chars]})
        except (OSError, ValueError):
            pass


class _Runtime:
    """The handler and the runtime's plumbing around it (stdout/stderr, logging, request id)."""

    def __init__(self, bootstrap: ModuleType, channel: _Channel, setup: dict[str, Any]) -> None:
        self.bootstrap = bootstrap
        self.channel = channel
        self.setup = setup
        self.request_id = [""]
        self.stdout, self.stderr = bootstrap.LineWriter(channel.log), bootstrap.LineWriter(channel.log)
        sys.stdout, sys.stderr = self.stdout, self.stderr
        logging.getLogger().addHandler(bootstrap.LambdaLogHandler(channel.log, lambda: self.request_id[0]))
        self.handler: Callable[..., Any] | None = None
        # Set in an environment restored from a template: the modules it had then, so the
        # first result can say what the first invocation imported (import_profile.py).
        self.modules_at_restore: set[str] | None = None

    def init(self) -> bool:
        """The init phase: import the handler module; reports ready or init_error."""
        bootstrap = self.bootstrap
        began = time.perf_counter()
        try:
            self.handler = bootstrap.wrap_handler(bootstrap.load_handler(self.setup["handler"]))
        except Exception as exc:  # noqa: BLE001 - any init failure is reported, then the environment ends
            error = bootstrap.error_from_exception(exc, None)
            self.drain()
            self.channel.log(bootstrap.error_log_message(error))
            self.channel.send({"t": "init_error", "error": error, "init_ms": (time.perf_counter() - began) * 1000})
            return False
        self.drain()
        self.channel.send({"t": "ready", "init_ms": (time.perf_counter() - began) * 1000})
        return True

    def drain(self) -> None:
        self.stdout.drain()
        self.stderr.drain()

    def serve(self, conn: Connection) -> None:
        """Answer invocations until the parent closes the socket."""
        bootstrap, channel, handler = self.bootstrap, self.channel, self.handler
        assert handler is not None
        env = os.environ
        while True:
            try:
                header = json.loads(conn.recv_bytes())
                payload = conn.recv_bytes()
            except (EOFError, OSError):
                return
            self.request_id[0] = header["id"]
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
                body = bootstrap.marshal_response(handler(event, context), self.setup["runtime"])
            except Exception as exc:  # noqa: BLE001 - the handler's failure is the invocation's result
                error = bootstrap.error_from_exception(exc, header["id"])
            self.drain()
            if error is not None:
                channel.log(bootstrap.error_log_message(error))
            result: dict[str, Any] = {"t": "result", "error": error, "max_memory_mb": _max_memory_mb()}
            if self.modules_at_restore is not None:
                result["imported"] = [name for name in list(sys.modules) if name not in self.modules_at_restore]
                self.modules_at_restore = None
            channel.send(result, body)


def _prepare_path(setup: dict[str, Any]) -> None:
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]  # this script's directory is not the function's
    sys.path.insert(0, setup["code_dir"])
    sys.path.extend(p for p in setup["layer_path"] if p not in sys.path)


def main() -> None:
    fd, parent_pid = int(sys.argv[1]), int(sys.argv[2])
    if len(sys.argv) > 3 and sys.argv[3] == "template":
        _template_main(fd, parent_pid)
        return
    _die_with_parent(parent_pid)
    bootstrap = _load_bootstrap()
    conn = Connection(fd)
    setup = json.loads(conn.recv_bytes())
    _prepare_path(setup)
    runtime = _Runtime(bootstrap, _Channel(conn.send_bytes), setup)
    if runtime.init():
        runtime.serve(conn)


# Template mode ----------------------------------------------------------------------------
# A template runs the init phase once, then forks one execution environment per request
# (SnapStart's restore, as copy-on-write). It keeps no thread, so a fork copies a
# consistent process. Control messages travel on a SOCK_SEQPACKET socket, one JSON
# document per packet; a fork request carries the new environment's socket as SCM_RIGHTS:
#
#   parent -> template  setup (as above)
#   template -> parent  {"t": "log"}* then {"t": "ready"} or {"t": "init_error"} (then it exits)
#   parent -> template  {"t": "preload", "modules"}: import them now (between forks)
#   template -> parent  {"t": "preloaded", "imported", "failed", "unsafe"}
#   parent -> template  {"t": "fork", "token", "env"} + fd
#   template -> parent  {"t": "forked", "token", "pid"}; later {"t": "exited", "pid", "returncode"}
#   environment -> parent (on its own socket)  {"t": "ready"}, then the protocol above

_MAX_PACKET = 1 << 20


def _template_main(fd: int, parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:
        os._exit(1)
    ctrl = socket.socket(fileno=fd)
    bootstrap = _load_bootstrap()
    setup = json.loads(ctrl.recv(_MAX_PACKET))
    _prepare_path(setup)
    runtime = _Runtime(bootstrap, _Channel(ctrl.send, _MAX_TEMPLATE_LOG_CHARS), setup)
    if not runtime.init():
        return
    _complete_pydantic_models()
    gc.freeze()  # what the init made is never collected in a child, so a collection copies none of it
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w)
    while True:
        ready, _, _ = select.select([ctrl, wake_r], [], [])  # type: ignore[type-var]  # a socket and an fd
        if wake_r in ready:
            _drain(wake_r)
            _reap_children(runtime.channel)
        if ctrl not in ready:
            continue
        data, fds, _, _ = socket.recv_fds(ctrl, _MAX_PACKET, 4)
        if not data:
            return  # the server closed the template (or died)
        request = json.loads(data)
        if request.get("t") == "preload":
            for extra in fds:
                os.close(extra)
            runtime.channel.send(_preload(runtime, request.get("modules", [])))
            continue
        if request.get("t") != "fork" or len(fds) != 1:
            for extra in fds:
                os.close(extra)
            continue
        pid = os.fork()
        if pid == 0:
            try:
                ctrl.close()
                for own in (wake_r, wake_w):
                    os.close(own)
                _restore(runtime, fds[0], request["env"], parent_pid)
            finally:
                os._exit(0)
        os.close(fds[0])
        runtime.channel.send({"t": "forked", "token": request["token"], "pid": pid})


def _thread_count() -> int:
    """Threads of this process, native ones included (a fork copies only the calling thread)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def _preload(runtime: _Runtime, names: list[str]) -> dict[str, Any]:
    """Import what earlier environments' first invocations imported, so later forks have it.

    A module that fails to import here is simply not preloaded (the environment imports it,
    or fails, as before). One that starts a thread ends the preload: the server retires
    this template and never preloads that module again.
    """
    threads = _thread_count()
    imported, failed, unsafe = 0, 0, None
    for name in names:
        if name in sys.modules:
            continue
        try:
            importlib.import_module(name)
            imported += 1
        except (Exception, SystemExit):  # noqa: BLE001 - see the docstring
            failed += 1
        if _thread_count() > threads:
            unsafe = name
            break
    _complete_pydantic_models()
    runtime.drain()
    gc.freeze()
    return {"t": "preloaded", "imported": imported, "failed": failed, "unsafe": unsafe}


def _complete_pydantic_models() -> int:
    """Build the validators of pydantic models that deferred it, as their first use would.

    Libraries define models with forward references that pydantic completes on first use
    (LiteLLM's response and router types: ~0.3 s in a first call); done in the template,
    every fork starts with them built. Models that cannot be completed yet stay as they
    were. Only if the function itself imported pydantic.
    """
    pydantic = sys.modules.get("pydantic")
    base = getattr(pydantic, "BaseModel", None)
    if not isinstance(base, type):
        return 0
    completed, seen, pending = 0, set[type](), [base]
    while pending:
        cls: Any
        for cls in type.__subclasses__(pending.pop()):
            if cls in seen:
                continue
            seen.add(cls)
            pending.append(cls)
            if getattr(cls, "__pydantic_complete__", True) is False:
                try:
                    if cls.model_rebuild(raise_errors=False):
                        completed += 1
                except Exception:  # noqa: BLE001 - left for its first use, as without a template
                    pass
    return completed


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def _reap_children(channel: _Channel) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        channel.send({"t": "exited", "pid": pid, "returncode": os.waitstatus_to_exitcode(status)})


def _restore(runtime: _Runtime, fd: int, env: dict[str, str], server_pid: int) -> None:
    """In the forked child: become a fresh execution environment, then serve it."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()  # its own process group, which the server kills whole
    os.environ.clear()
    os.environ.update(env)  # this environment's variables (its log stream), not the template's
    time.tzset()
    _watch_server(server_pid)
    conn = Connection(fd)
    runtime.channel.rebind(conn.send_bytes)
    runtime.request_id[0] = ""
    runtime.modules_at_restore = set(sys.modules)
    runtime.channel.send({"t": "ready", "init_ms": 0.0})
    runtime.serve(conn)


def _watch_server(server_pid: int) -> None:
    """Exit when the server does: the template, not the server, is this process's parent."""
    try:
        pidfd = os.pidfd_open(server_pid)
    except (AttributeError, OSError):
        pidfd = None

    def watch() -> None:
        if pidfd is not None:
            select.select([pidfd], [], [])
            os._exit(1)
        while True:
            time.sleep(0.5)
            try:
                os.kill(server_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass

    threading.Thread(target=watch, name="server-watch", daemon=True).start()


if __name__ == "__main__":
    main()
