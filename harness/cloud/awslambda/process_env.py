"""Execution environments as worker processes: real isolation, real timeouts (the process is killed)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from harness.cloud.awslambda.environment import (
    InitOutcome,
    InvocationRequest,
    InvokeOutcome,
    LogLine,
    exit_error,
    lambda_environment,
    new_log_stream,
    timeout_error,
)
from harness.cloud.awslambda.functions import FunctionConfig
from harness.cloud.awslambda.import_profile import preload_enabled, profile_key
from harness.cloud.awslambda.interpreters import (
    InterpreterNotFound,
    layer_path,
    worker_args,
)
from harness.cloud.awslambda.worker_spawn import spawn_worker
from harness.cloud.awslambda.templates import (
    Template,
    TemplateGone,
    TemplateRegistry,
    template_key,
)

WORKER = Path(__file__).with_name("worker.py")
_STDERR_TAIL = 2048


class Spawner:
    """Forks every worker from one long-lived thread.

    PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, not the
    process; request threads come and go, so they must not be the ones forking.
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lambda-spawner")

    def popen(self, args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        return self._executor.submit(subprocess.Popen, args, **kwargs).result()  # type: ignore[arg-type,return-value]

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)


class ProcessEnvironment:
    """One worker process running one function version; warm between invokes until killed.

    With ``templates`` the process is forked from the version's template (created on
    first need, running the init phase once); without, it is a new interpreter that runs
    the whole init itself (a full cold start). ``provisioned``: opened for provisioned
    concurrency (AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency).
    """

    def __init__(
        self,
        fn: FunctionConfig,
        code_dir: Path,
        endpoint_url: str,
        spawner: Spawner,
        scratch: Path,
        extensions: Mapping[str, str] | None = None,
        templates: TemplateRegistry | None = None,
        provisioned: bool = False,
    ) -> None:
        self.id = uuid.uuid4().hex
        self.fn = fn
        self.code_dir = code_dir
        self.log_stream = new_log_stream(fn.version)
        self.closed = False
        self._extensions = dict(extensions or {})
        self._endpoint_url = endpoint_url
        self._templates = templates
        # As AWS names it: a provisioned environment says so even when restored from a snapshot.
        kind = "provisioned-concurrency" if provisioned else "snap-start" if templates is not None else "on-demand"
        self._env = lambda_environment(fn, code_dir, self.log_stream, endpoint_url, extensions, kind)
        self._spawner = spawner
        self._scratch = scratch
        self._stderr_path = scratch / f"{self.id}.stderr"
        self._proc: subprocess.Popen[bytes] | None = None
        self._forked_pid: int | None = None
        self._template: Template | None = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()
        self._in_use = False  # a start/invoke is reading the socket: only that thread may close it

    @property
    def pid(self) -> int | None:
        if self._forked_pid is not None:
            return self._forked_pid
        return self._proc.pid if self._proc else None

    @property
    def template_pid(self) -> int | None:
        """The template this environment was forked from (None for a full cold start)."""
        return self._template.pid if self._template is not None else None

    def start(self, timeout: float) -> InitOutcome:
        """Open the environment: restore it from a template, or run a full init."""
        if self._templates is not None:
            return self._restore(timeout)
        return self._cold_start(timeout)

    def prepare(self, timeout: float) -> bool:
        """Make sure the version's template exists (running its init now if needed), fork nothing."""
        if self._templates is None:
            return False
        try:
            template, _ = self._template_for(timeout)
        except InterpreterNotFound:
            return False
        return template is not None

    def _template_for(self, timeout: float) -> tuple[Template | None, InitOutcome | None]:
        assert self._templates is not None
        python = worker_args(self.fn.runtime, self.code_dir)  # may raise InterpreterNotFound
        key = template_key(self.fn, python, self._extensions)
        return self._templates.get(key, lambda: self._new_template(key, python, timeout))

    def _restore(self, timeout: float) -> InitOutcome:
        """Fork from the version's template (running its init first if there is none yet)."""
        assert self._templates is not None
        try:
            template, init = self._template_for(timeout)
        except InterpreterNotFound as exc:
            return InitOutcome(ok=False, init_ms=0.0, error=exc.error)
        if template is None:
            assert init is not None
            return init
        began = time.perf_counter()
        parent, child = socket.socketpair()
        try:
            self._forked_pid = template.fork(self._env, child.fileno())
        except TemplateGone:
            self._templates.forget(template.key)
            parent.close()
            return InitOutcome(ok=False, init_ms=0.0, exited=True, full_init=False)
        finally:
            child.close()
        self._template = template
        self._conn = Connection(parent.detach())
        if self.closed:
            self.kill()
        logs: list[LogLine] = list(init.logs) if init is not None else []
        with self._using():
            message = self._next_message(time.monotonic() + timeout, logs)
        restore_ms = (time.perf_counter() - began) * 1000
        init_ms = init.init_ms if init is not None else 0.0
        if message is not None and message["t"] == "ready":
            return InitOutcome(ok=True, init_ms=init_ms, logs=logs, full_init=init is not None, restore_ms=restore_ms)
        self.kill()
        return InitOutcome(
            ok=False,
            init_ms=init_ms,
            logs=logs,
            timed_out=message is None,
            exited=message is not None,
            full_init=init is not None,
            restore_ms=restore_ms,
        )

    def _new_template(self, key: str, python: list[str], timeout: float) -> Template:
        env = lambda_environment(self.fn, self.code_dir, "template", self._endpoint_url, self._extensions, "snap-start")
        assert self._templates is not None
        profiles = self._templates.profiles if preload_enabled(self.fn) else None
        template = Template(key, self.fn, self.code_dir, python, env, self._scratch, profiles, profile_key(self.fn, python))
        template.start(self._spawner.popen, WORKER, self._setup(), timeout)
        return template

    def _setup(self) -> dict[str, Any]:
        return {
            "code_dir": str(self.code_dir),
            "handler": self.fn.handler,
            "runtime": self.fn.runtime,
            "layer_path": layer_path(self.code_dir),
        }

    def _cold_start(self, timeout: float) -> InitOutcome:
        """Spawn the worker and wait for it to import the handler (the init phase)."""
        began = time.perf_counter()
        try:  # the interpreter the function's Runtime names (interpreters.py)
            python = worker_args(self.fn.runtime, self.code_dir)
        except InterpreterNotFound as exc:
            return InitOutcome(ok=False, init_ms=0.0, error=exc.error)
        self._proc, parent = spawn_worker(
            self._spawner.popen, python, WORKER, env=self._env, cwd=self.code_dir, stderr_path=self._stderr_path
        )
        self._conn = Connection(parent.detach())
        if self.closed:  # killed (a reset) while spawning
            self.kill()
        logs: list[LogLine] = []
        with self._using():
            try:
                self._conn.send_bytes(json.dumps(self._setup()).encode())
            except OSError:
                pass
            message = self._next_message(time.monotonic() + timeout, logs)
        init_ms = (time.perf_counter() - began) * 1000
        if message is None:
            self.kill()
            return InitOutcome(ok=False, init_ms=init_ms, timed_out=True, logs=logs)
        if message["t"] == "ready":
            return InitOutcome(ok=True, init_ms=init_ms, logs=logs)
        if message["t"] == "init_error":
            self.kill()
            return InitOutcome(ok=False, init_ms=init_ms, error=message["error"], logs=logs)
        returncode = self._returncode()
        logs.extend(self._stderr_lines())
        self.kill()
        return InitOutcome(ok=False, init_ms=init_ms, logs=logs, exited=True, returncode=returncode)

    def invoke(self, request: InvocationRequest) -> InvokeOutcome:
        """Run one invocation; past the function's timeout the worker is killed."""
        began = time.perf_counter()
        logs: list[LogLine] = []
        header = {
            "id": request.request_id,
            "arn": request.invoked_arn,
            "deadline_ms": request.deadline_ms,
            "client_context": request.client_context,
        }
        with self._using():
            try:
                if self._conn is None:
                    raise OSError("the environment was killed")
                self._conn.send_bytes(json.dumps(header).encode())
                self._conn.send_bytes(request.payload)
                message = self._next_message(time.monotonic() + request.timeout, logs)
                body = self._conn.recv_bytes() if message and message["t"] == "result" else b""
            except (EOFError, OSError):
                message, body = {"t": "exit"}, b""
        duration_ms = (time.perf_counter() - began) * 1000
        if message is None:
            self.kill()
            error = timeout_error(request.request_id, request.timeout)
            return InvokeOutcome("timeout", json.dumps(error).encode(), error, duration_ms, 0, logs)
        if message["t"] != "result":
            error = exit_error(request.request_id, self._returncode())
            logs.extend(self._stderr_lines())
            self.kill()
            return InvokeOutcome("crash", json.dumps(error).encode(), error, duration_ms, 0, logs)
        if message.get("imported") and self._template is not None:
            self._template.learn(message["imported"])
        error = message["error"]
        if error is not None:
            return InvokeOutcome("error", json.dumps(error).encode(), error, duration_ms, message["max_memory_mb"], logs)
        return InvokeOutcome("ok", body, None, duration_ms, message["max_memory_mb"], logs)

    def kill(self) -> None:
        """Kill the worker's whole process group (its own children too) and reap it."""
        self.closed = True
        if self._forked_pid is not None:
            self._kill_forked(self._forked_pid)
        proc = self._proc
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                proc.kill()
        if proc is not None:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        with self._lock:
            if not self._in_use:
                self._close_conn()
        self._stderr_path.unlink(missing_ok=True)

    def _kill_forked(self, pid: int) -> None:
        """Kill a forked environment's process group, unless its template already reaped it."""
        template = self._template
        if template is not None and template.exited(pid):
            return
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        except PermissionError:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if template is not None:
            template.returncode(pid, 1)  # reaped by the template; forget it

    @contextmanager
    def _using(self) -> Iterator[None]:
        """Mark the socket in use; a kill meanwhile leaves closing it to this thread, so a
        reader never touches a closed (and possibly reused) file descriptor."""
        with self._lock:
            self._in_use = True
        try:
            yield
        finally:
            with self._lock:
                self._in_use = False
                if self.closed:
                    self._close_conn()

    def _close_conn(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _next_message(self, deadline: float, logs: list[LogLine]) -> dict[str, Any] | None:
        """The worker's next non-log message; None at the deadline; ``{"t": "exit"}`` if it is gone."""
        conn = self._conn
        assert conn is not None
        while True:
            remaining = deadline - time.monotonic()
            try:
                if remaining <= 0 or not conn.poll(remaining):
                    return None
                message: dict[str, Any] = json.loads(conn.recv_bytes())
            except (EOFError, OSError):
                return {"t": "exit"}
            if message["t"] != "log":
                return message
            logs.append(LogLine(message["ts"], message["msg"]))

    def _returncode(self) -> int | None:
        if self._forked_pid is not None:
            return self._template.returncode(self._forked_pid, 1) if self._template is not None else None
        if self._proc is None:
            return None
        try:
            return self._proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return None

    def _stderr_lines(self) -> list[LogLine]:
        """What the process wrote to its real stderr (native code, a broken bootstrap)."""
        try:
            data = self._stderr_path.read_bytes()[-_STDERR_TAIL:]
        except OSError:
            return []
        now = int(time.time() * 1000)
        return [LogLine(now, line) for line in data.decode("utf-8", "replace").splitlines() if line.strip()]
