"""Execution environments as threads of the server process ("inprocess" mode, for fast unit tests).

Same API and results as worker processes, with the limits of sharing one interpreter:

* A timed-out handler is reported as ``Sandbox.Timedout`` and its environment is
  discarded, but the thread cannot be killed: it runs on until the handler returns.
* The handler module is loaded privately per environment (module state is per
  environment, as in process mode) when it is a top-level ``.py`` file of the code;
  modules it imports, and package handlers (``pkg.mod.fn``), are shared through
  ``sys.modules`` by every function in the process.
* The function's environment variables live in a per-thread overlay of ``os.environ``;
  threads the handler starts see the server's environment, and subprocesses the real one.
* stdout/stderr and root-logger records of the environment's thread go to the
  function's log; other threads' output is untouched.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import json
import logging
import os
import queue
import resource
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from harness.cloud.awslambda import bootstrap
from harness.cloud.awslambda.environment import (
    InitOutcome,
    InvocationRequest,
    InvokeOutcome,
    LogLine,
    lambda_environment,
    new_log_stream,
    timeout_error,
)
from harness.cloud.awslambda.functions import FunctionConfig

_local = threading.local()
_import_lock = threading.RLock()


class ThreadLocalEnviron(MutableMapping[str, str]):
    """``os.environ`` as each thread sees it: a bound environment thread sees only its own variables."""

    def __init__(self, real: MutableMapping[str, str]) -> None:
        self.real = real

    def _target(self) -> MutableMapping[str, str]:
        bound: dict[str, str] | None = getattr(_local, "environ", None)
        return self.real if bound is None else bound

    def __getitem__(self, key: str) -> str:
        return self._target()[key]

    def __setitem__(self, key: str, value: str) -> None:
        self._target()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._target()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._target()))

    def __len__(self) -> int:
        return len(self._target())

    def copy(self) -> dict[str, str]:
        return dict(self._target())


class _RoutedStream(io.TextIOBase):
    """sys.stdout/stderr: an environment thread's writes go to its log, others' to the real stream."""

    def __init__(self, fallback: Any, which: str) -> None:
        super().__init__()
        self.fallback = fallback
        self._which = which

    def _writer(self) -> Any:
        return getattr(_local, self._which, None) or self.fallback

    def write(self, text: str) -> int:
        return int(self._writer().write(text))

    def flush(self) -> None:
        self._writer().flush()

    def writable(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fallback, name)


class _ThreadFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(_local, "log", None) is not None


def _route_output() -> None:
    """(Re)install the routing streams; pytest and others may have swapped sys.stdout since."""
    if not isinstance(sys.stdout, _RoutedStream):
        sys.stdout = _RoutedStream(sys.stdout, "stdout")
    if not isinstance(sys.stderr, _RoutedStream):
        sys.stderr = _RoutedStream(sys.stderr, "stderr")


class InProcessHost:
    """Process-wide plumbing shared by thread environments; installed on start, removed on stop."""

    def __init__(self) -> None:
        self._handler: logging.Handler | None = None

    def install(self) -> None:
        if not isinstance(os.environ, ThreadLocalEnviron):
            os.environ = ThreadLocalEnviron(os.environ)  # type: ignore[assignment]  # noqa: B003 (replaced on purpose, per thread)
        handler = bootstrap.LambdaLogHandler(lambda line: _local.log(line), lambda: getattr(_local, "request_id", ""))
        handler.addFilter(_ThreadFilter())
        logging.getLogger().addHandler(handler)
        self._handler = handler

    def uninstall(self, code_root: Path | None = None) -> None:
        """Undo ``install``; code directories under ``code_root`` leave ``sys.path`` too."""
        if code_root is not None:
            sys.path[:] = [p for p in sys.path if not p.startswith(str(code_root))]
        if isinstance(os.environ, ThreadLocalEnviron):
            os.environ = os.environ.real  # type: ignore[assignment]  # noqa: B003
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if isinstance(stream, _RoutedStream):
                setattr(sys, name, stream.fallback)
        if self._handler is not None:
            logging.getLogger().removeHandler(self._handler)
            self._handler = None


@contextmanager
def _code_first(code_dir: Path) -> Iterator[None]:
    """Imports during init resolve from the function's code first, then the server's path."""
    path = str(code_dir)
    with _import_lock:
        sys.path.insert(0, path)
        try:
            yield
        finally:
            sys.path.remove(path)
            if path not in sys.path:
                sys.path.append(path)  # later lazy imports of the handler still find its modules


class ThreadEnvironment:
    """One environment as a dedicated thread of the server; jobs are handed over through a queue."""

    def __init__(
        self, fn: FunctionConfig, code_dir: Path, endpoint_url: str, extensions: Mapping[str, str] | None = None
    ) -> None:
        self.id = uuid.uuid4().hex
        self.fn = fn
        self.code_dir = code_dir
        self.log_stream = new_log_stream(fn.version)
        self.closed = False
        self.pid = os.getpid()
        self._env = lambda_environment(fn, code_dir, self.log_stream, endpoint_url, extensions)
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        self._private_modules: list[str] = []
        self._handler: Callable[..., Any] | None = None
        self._logs: list[LogLine] = []
        self._thread = threading.Thread(target=self._serve, name=f"lambda-{fn.name}-{self.id[:8]}", daemon=True)
        self._thread.start()

    def start(self, timeout: float) -> InitOutcome:
        began = time.perf_counter()
        done = self._submit(self._init)
        try:
            error = done.result(timeout)
        except TimeoutError:
            self.kill()
            return InitOutcome(ok=False, init_ms=(time.perf_counter() - began) * 1000, timed_out=True, logs=self._take_logs())
        init_ms = (time.perf_counter() - began) * 1000
        if error is not None:
            self.kill()
            return InitOutcome(ok=False, init_ms=init_ms, error=error, logs=self._take_logs())
        return InitOutcome(ok=True, init_ms=init_ms, logs=self._take_logs())

    def invoke(self, request: InvocationRequest) -> InvokeOutcome:
        began = time.perf_counter()
        done = self._submit(lambda: self._run(request))
        try:
            body, error = done.result(request.timeout)
        except TimeoutError:
            self.kill()
            error = timeout_error(request.request_id, request.timeout)
            return InvokeOutcome("timeout", _json(error), error, (time.perf_counter() - began) * 1000, 0, self._take_logs())
        duration_ms = (time.perf_counter() - began) * 1000
        memory = _max_memory_mb()
        if error is not None:
            return InvokeOutcome("error", _json(error), error, duration_ms, memory, self._take_logs())
        return InvokeOutcome("ok", body, None, duration_ms, memory, self._take_logs())

    def kill(self) -> None:
        """Discard the environment; a handler still running keeps its thread until it returns."""
        if self.closed:
            return
        self.closed = True
        self._jobs.put(None)
        for name in self._private_modules:
            sys.modules.pop(name, None)

    # the environment's own thread -------------------------------------------
    def _submit(self, job: Callable[[], Any]) -> Future[Any]:
        done: Future[Any] = Future()
        self._jobs.put((job, done))
        return done

    def _serve(self) -> None:
        _local.environ = dict(self._env)
        _local.request_id = ""
        _local.log = self._log
        _local.stdout = bootstrap.LineWriter(self._log)
        _local.stderr = bootstrap.LineWriter(self._log)
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, done = item
            try:
                done.set_result(job())
            except BaseException as exc:  # noqa: BLE001 - delivered to the waiting caller
                done.set_exception(exc)
            if self.closed:
                return

    def _log(self, line: str) -> None:
        self._logs.append(LogLine(int(time.time() * 1000), line))

    def _take_logs(self) -> list[LogLine]:
        logs, self._logs = self._logs, []
        return logs

    def _drain(self) -> None:
        _local.stdout.drain()
        _local.stderr.drain()

    def _init(self) -> dict[str, Any] | None:
        _route_output()
        try:
            self._handler = bootstrap.wrap_handler(bootstrap.load_handler(self.fn.handler, self._import))
        except Exception as exc:  # noqa: BLE001
            error = bootstrap.error_from_exception(exc, None)
            self._drain()
            self._log(bootstrap.error_log_message(error))
            return error
        self._drain()
        return None

    def _import(self, module_name: str) -> ModuleType:
        """A top-level module file is loaded privately for this environment; anything else normally."""
        path = self.code_dir / f"{module_name}.py"
        with _code_first(self.code_dir):
            if "." not in module_name and path.is_file():
                private = f"_lambda_env_{self.id}_{module_name}"
                spec = importlib.util.spec_from_file_location(private, path)
                assert spec is not None and spec.loader is not None
                module = importlib.util.module_from_spec(spec)
                sys.modules[private] = module
                self._private_modules.append(private)
                spec.loader.exec_module(module)
                return module
            return importlib.import_module(module_name)

    def _run(self, request: InvocationRequest) -> tuple[bytes, dict[str, Any] | None]:
        _route_output()
        _local.request_id = request.request_id
        assert self._handler is not None
        body, error = b"", None
        try:
            context = bootstrap.LambdaContext(
                aws_request_id=request.request_id,
                function_name=self.fn.name,
                function_version=self.fn.version,
                invoked_function_arn=request.invoked_arn,
                memory_limit_in_mb=str(self.fn.memory_size),
                log_group_name=self.fn.log_group,
                log_stream_name=self.log_stream,
                deadline_ms=request.deadline_ms,
                client_context=bootstrap.parse_client_context(request.client_context),
            )
            event = bootstrap.unmarshal_event(request.payload)
            body = bootstrap.marshal_response(self._handler(event, context), self.fn.runtime)
        except Exception as exc:  # noqa: BLE001
            error = bootstrap.error_from_exception(exc, request.request_id)
        self._drain()
        if error is not None:
            self._log(bootstrap.error_log_message(error))
        return body, error


def _json(error: dict[str, Any]) -> bytes:
    return json.dumps(error).encode()


def _max_memory_mb() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024))
