"""SnapStart-like templates: a function version's init phase run once, environments forked from it.

AWS Lambda SnapStart initialises a version once, snapshots it and restores every new
execution environment from the snapshot. Locally the snapshot is a live process (the
template) that has imported the handler module; a new environment is a ``fork`` of it,
sharing its memory copy-on-write, so opening one costs milliseconds and a few MB instead
of seconds of imports and hundreds of MB. A template is keyed by everything its init
could depend on: code, configuration, runtime interpreter and the harness extensions'
variables; new code means a new template, and the old one of that version is retired.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from harness.cloud.awslambda.environment import InitOutcome, LogLine
from harness.cloud.awslambda.functions import FunctionConfig
from harness.cloud.awslambda.import_profile import ImportProfiles
from harness.cloud.awslambda.worker_spawn import spawn_worker

_MAX_PACKET = 1 << 20
_STDERR_TAIL = 2048
_PRELOAD_BATCH = 400  # module names per preload packet (a packet must fit the socket's send buffer)
MAX_TEMPLATES = 16  # least recently used templates beyond this are retired (an Alex one holds ~300 MB)


class TemplateGone(Exception):
    """The template process is no longer there to fork from."""


def template_key(fn: FunctionConfig, interpreter: list[str], extensions: Mapping[str, str]) -> str:
    """What a template's init may depend on: another value needs another template.

    Everything the init can see: code, handler, runtime, its variables, and the configuration
    Lambda puts in the environment (memory size, version, region, account), so a changed
    MemorySize gets a new init, as a changed configuration gets new environments on AWS (and
    a new snapshot with SnapStart). Not the timeout: no variable carries it, an invoke's
    context does.
    """
    material = [
        fn.account_id,
        fn.region,
        fn.name,
        fn.version,
        fn.handler,
        fn.runtime,
        fn.memory_size,
        sorted(fn.environment.items()),
        fn.code_sha256,
        interpreter,
        sorted(extensions.items()),
    ]
    return hashlib.sha256(json.dumps(material).encode()).hexdigest()


class Template:
    """One template process: the init phase of one function version, forked on request."""

    def __init__(
        self,
        key: str,
        fn: FunctionConfig,
        code_dir: Path,
        interpreter: list[str],
        env: dict[str, str],
        scratch: Path,
        profiles: ImportProfiles | None = None,
        profile_key: str = "",
    ) -> None:
        self.key = key
        self.fn = fn
        self.code_dir = code_dir
        self.interpreter = interpreter
        self.last_used = time.monotonic()
        self.init_outcome: InitOutcome | None = None
        self._env = env
        self._stderr_path = scratch / f"template-{uuid.uuid4().hex}.stderr"
        self._proc: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._cond = threading.Condition()
        self._pending: dict[str, Future[int]] = {}
        self._exits: dict[int, int] = {}
        self._closed = False
        self._profiles = profiles
        self._profile_key = profile_key
        self.tainted = False  # a preloaded module started a thread: fork no more from this one
        self.preloaded = 0  # modules imported into it after its init (import_profile.py)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def alive(self) -> bool:
        return not self._closed and not self.tainted and self._proc is not None and self._proc.poll() is None

    def start(self, popen: Any, worker: Path, setup: dict[str, Any], timeout: float) -> InitOutcome:
        """Start the template and run the init phase in it (the only full init of this version)."""
        began = time.perf_counter()
        self._proc, parent = spawn_worker(
            popen,
            self.interpreter,
            worker,
            "template",
            env=self._env,
            cwd=self.code_dir,
            stderr_path=self._stderr_path,
            socket_type=socket.SOCK_SEQPACKET,
        )
        self._sock = parent
        logs: list[LogLine] = []
        message: dict[str, Any] | None
        try:
            parent.sendall(json.dumps(setup).encode())
            message = self._init_message(time.monotonic() + timeout, logs)
        except OSError:
            message = {"t": "exit"}
        init_ms = (time.perf_counter() - began) * 1000
        if message is None:
            outcome = InitOutcome(ok=False, init_ms=init_ms, timed_out=True, logs=logs)
        elif message["t"] == "ready":
            outcome = InitOutcome(ok=True, init_ms=init_ms, logs=logs)
            self._preload_profile(time.monotonic() + timeout)
            threading.Thread(target=self._read, name="lambda-template", daemon=True).start()
        elif message["t"] == "init_error":
            outcome = InitOutcome(ok=False, init_ms=init_ms, error=message["error"], logs=logs)
        else:
            logs.extend(self._stderr_lines())
            outcome = InitOutcome(ok=False, init_ms=init_ms, logs=logs, exited=True, returncode=self._wait(1))
        if not outcome.ok:
            self.kill()
        self.init_outcome = outcome
        return outcome

    def fork(self, env: dict[str, str], fd: int) -> int:
        """A new process forked from the template, serving on ``fd``; its pid."""
        token = uuid.uuid4().hex
        future: Future[int] = Future()
        with self._cond:
            if not self.alive or self._sock is None:
                raise TemplateGone(self.key)
            self._pending[token] = future
        data = json.dumps({"t": "fork", "token": token, "env": env}).encode()
        try:
            with self._send_lock:
                socket.send_fds(self._sock, [data], [fd])
        except OSError as err:
            self._fail_pending()
            raise TemplateGone(self.key) from err
        self.last_used = time.monotonic()
        try:
            return future.result(timeout=30)
        except Exception as err:  # the template died or hung: no environment
            raise TemplateGone(self.key) from err

    def learn(self, imported: list[str]) -> None:
        """An environment's first invocation imported these: import the new ones here too."""
        if self._profiles is None or not self.alive:
            return
        new = self._profiles.learn(self._profile_key, imported)
        if new:
            self._send_preload(new)

    def _preload_profile(self, deadline: float) -> None:
        """Import what the version's earlier environments imported, before the first fork."""
        if self._profiles is None:
            return
        modules = self._profiles.modules(self._profile_key)
        batches = self._send_preload(modules)
        for _ in range(batches):
            message = self._init_message(deadline, [])
            if message is None or message["t"] != "preloaded":
                return  # late answers are read by _read
            self._preloaded(message)

    def _send_preload(self, modules: list[str]) -> int:
        """Send the names in packets; the number of packets sent."""
        sent = 0
        for start in range(0, len(modules), _PRELOAD_BATCH):
            data = json.dumps({"t": "preload", "modules": modules[start : start + _PRELOAD_BATCH]}).encode()
            try:
                with self._send_lock:
                    assert self._sock is not None
                    self._sock.send(data)
            except OSError:
                break
            sent += 1
        return sent

    def _preloaded(self, message: dict[str, Any]) -> None:
        self.preloaded += int(message.get("imported", 0))
        unsafe = message.get("unsafe")
        if unsafe and self._profiles is not None:
            self._profiles.mark_unsafe(self._profile_key, str(unsafe))
            self.tainted = True  # the registry replaces it on its next use

    def returncode(self, pid: int, timeout: float) -> int | None:
        """How a forked environment ended, as the template reaped it (None if unknown)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while pid not in self._exits:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    return None
                self._cond.wait(remaining)
            return self._exits.pop(pid)

    def exited(self, pid: int) -> bool:
        with self._cond:
            return pid in self._exits

    def kill(self) -> None:
        """Kill the template; environments forked from it live on (they watch the server)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                proc.kill()
        self._wait(5)
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._fail_pending()
        self._stderr_path.unlink(missing_ok=True)

    def _read(self) -> None:
        """Dispatch the template's messages: forked pids and reaped environments."""
        sock = self._sock
        assert sock is not None
        while True:
            try:
                data = sock.recv(_MAX_PACKET)
            except OSError:
                data = b""
            if not data:
                break
            message = json.loads(data)
            if message["t"] == "forked":
                with self._cond:
                    future = self._pending.pop(message["token"], None)
                if future is not None:
                    future.set_result(int(message["pid"]))
            elif message["t"] == "preloaded":
                self._preloaded(message)
            elif message["t"] == "exited":
                with self._cond:
                    self._exits[int(message["pid"])] = int(message["returncode"])
                    self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._fail_pending()
        sock.close()

    def _fail_pending(self) -> None:
        with self._cond:
            pending, self._pending = list(self._pending.values()), {}
        for future in pending:
            if not future.done():
                future.set_exception(TemplateGone(self.key))

    def _init_message(self, deadline: float, logs: list[LogLine]) -> dict[str, Any] | None:
        sock = self._sock
        assert sock is not None
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            sock.settimeout(remaining)
            try:
                data = sock.recv(_MAX_PACKET)
            except TimeoutError:
                return None
            finally:
                sock.settimeout(None)
            if not data:
                return {"t": "exit"}
            message: dict[str, Any] = json.loads(data)
            if message["t"] != "log":
                return message
            logs.append(LogLine(message["ts"], message["msg"]))

    def _wait(self, timeout: float) -> int | None:
        if self._proc is None:
            return None
        try:
            return self._proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def _stderr_lines(self) -> list[LogLine]:
        try:
            data = self._stderr_path.read_bytes()[-_STDERR_TAIL:]
        except OSError:
            return []
        now = int(time.time() * 1000)
        return [LogLine(now, line) for line in data.decode("utf-8", "replace").splitlines() if line.strip()]


class TemplateRegistry:
    """The live templates, one per key; one init at a time per key."""

    def __init__(self, profiles: ImportProfiles | None = None) -> None:
        self.profiles = profiles  # learned imports preloaded into templates (None: never)
        self._templates: dict[str, Template] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: str, create: Any) -> tuple[Template | None, InitOutcome | None]:
        """The ready template for ``key``, or a new one from ``create()``.

        Returns (template, None) when it was ready, (template, init) when this call ran
        the init, (None, init) when that init failed (the next call tries again, as a
        failed init on Lambda is retried by the next invocation).
        """
        with self._lock:
            key_lock = self._locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                template = self._templates.get(key)
            if template is not None and template.alive:
                template.last_used = time.monotonic()
                return template, None
            template = create()
            outcome = template.init_outcome
            assert outcome is not None
            if not outcome.ok:
                return None, outcome
            retired: list[Template] = []
            with self._lock:
                for other_key, other in list(self._templates.items()):
                    same_version = other.fn.pool_key == template.fn.pool_key
                    if same_version or not other.alive:
                        retired.append(self._templates.pop(other_key))
                self._templates[key] = template
                if len(self._templates) > MAX_TEMPLATES:
                    oldest = min(self._templates.values(), key=lambda t: t.last_used)
                    retired.append(self._templates.pop(oldest.key))
            for old in retired:
                old.kill()
            return template, outcome

    def forget(self, key: str) -> None:
        with self._lock:
            template = self._templates.pop(key, None)
        if template is not None:
            template.kill()

    def keys(self) -> list[str]:
        with self._lock:
            return [key for key, template in self._templates.items() if template.alive]

    def pids(self) -> list[int]:
        with self._lock:
            return [t.pid for t in self._templates.values() if t.alive and t.pid is not None]

    def kill_all(self) -> None:
        with self._lock:
            templates = list(self._templates.values())
            self._templates.clear()
        for template in templates:
            template.kill()
