"""LambdaRuntime: the Lambda data plane (Invoke) of the local cloud, running code without Docker.

moto stays the control plane (CreateFunction, GetFunction, PutFunctionConcurrency, ...);
this component answers Invoke at the edge and is called in-process by the SQS event
source mapping poller. It reads each function's configuration from moto at invoke
time, runs the handler in a warm execution environment (a worker process, or a thread
in "inprocess" mode), enforces timeouts, concurrency and payload limits, retries
asynchronous invocations, and writes Lambda's logs to CloudWatch Logs.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from harness import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
from harness.cloud.awslambda import errors, logs
from harness.cloud.awslambda.api import InvokeApi, InvokeResult
from harness.cloud.awslambda.async_queue import AsyncEvent, AsyncQueue, AttemptOutcome
from harness.cloud.awslambda.code_cache import CodeCache
from harness.cloud.awslambda.concurrency import DEFAULT_ACCOUNT_CONCURRENCY, ConcurrencyLimiter
from harness.cloud.awslambda.environment import (
    INIT_TIMEOUT_SECONDS,
    ExecutionEnvironment,
    InitOutcome,
    InvocationRequest,
    InvokeOutcome,
    LogLine,
    exit_error,
    timeout_error,
)
from harness.cloud.awslambda.errors import LambdaApiError
from harness.cloud.awslambda.faults import LambdaFault, LambdaFaults
from harness.cloud.watchdog import remove_scratch_dir, scratch_dir
from harness.cloud.awslambda.functions import FunctionConfig, reserved_total, resolve_function
from harness.cloud.awslambda.inprocess import InProcessHost, ThreadEnvironment
from harness.cloud.awslambda.pool import EnvironmentInfo, EnvironmentPool
from harness.cloud.awslambda.provisioned import ProvisionedConcurrency
from harness.cloud.awslambda.process_env import ProcessEnvironment, Spawner
from harness.cloud.awslambda.records import InvocationHistory, InvocationRecord, Listener
from harness.cloud.awslambda.import_profile import ImportProfiles, profile_key
from harness.cloud.awslambda.interpreters import worker_args
from harness.cloud.awslambda.templates import TemplateRegistry

if TYPE_CHECKING:
    from harness.cloud.host import CloudHost

log = logging.getLogger(__name__)

LambdaMode = Literal["process", "inprocess"]
ColdStarts = Literal["template", "full"]
COLD_STARTS_VARIABLE = "HARNESS_LAMBDA_COLD_STARTS"  # "full" turns templates off for the whole harness
OPT_OUT_TAG = "harness:cold-starts"  # a function tagged "full" always runs its whole init (SnapStart off)
INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
MAX_SYNC_PAYLOAD = 6_291_456  # 6 MB: request and response of a synchronous invocation
MAX_EVENT_PAYLOAD = 1_048_576  # 1 MB for Event since October 2025 (256 KB before): Invoke API reference
MAX_RESPONSE_PAYLOAD = 6_291_556  # the figure AWS's Function.ResponseSizeTooLarge message states


@dataclass
class _Execution:
    """One run of the function, before it is shaped into an InvokeResult."""

    payload: bytes
    error: dict[str, Any] | None
    lines: list[LogLine] = field(default_factory=list)


class LambdaRuntime:
    """The Lambda data plane as a CloudComponent of the LocalCloud.

    ``async_retry_delays`` are the waits before each retry of a failed Event invocation
    (one retry per delay; AWS waits about 1 and 2 minutes). Limits are attributes a
    test may change: ``max_sync_payload``, ``max_event_payload``,
    ``max_response_payload``, ``account_concurrency`` and ``idle_timeout``.
    """

    def __init__(
        self,
        mode: LambdaMode = "process",
        async_retry_delays: tuple[float, ...] = (60.0, 120.0),
        *,
        account_concurrency: int = DEFAULT_ACCOUNT_CONCURRENCY,
        idle_timeout: float = 600.0,
        cold_starts: ColdStarts | None = None,
        import_profiles: ImportProfiles | None = None,
    ) -> None:
        if mode not in ("process", "inprocess"):
            raise ValueError(f"mode must be 'process' or 'inprocess', not {mode!r}")
        cold_starts = cold_starts or ("full" if os.environ.get(COLD_STARTS_VARIABLE) == "full" else "template")
        if cold_starts not in ("template", "full"):
            raise ValueError(f"cold_starts must be 'template' or 'full', not {cold_starts!r}")
        self.mode: LambdaMode = mode
        # "template": new environments are forked from a per-version template that ran the init
        # once (SnapStart-like); "full": every new environment runs the whole init phase.
        self.cold_starts: ColdStarts = cold_starts
        # What first invocations import lazily, imported into templates (import_profile.py).
        self._templates = TemplateRegistry(import_profiles or ImportProfiles())
        self.provisioned = ProvisionedConcurrency(self._provision, lambda ids: self._pool.unpin(ids))
        self.async_retry_delays = tuple(async_retry_delays)
        self.max_sync_payload = MAX_SYNC_PAYLOAD
        self.max_event_payload = MAX_EVENT_PAYLOAD
        self.max_response_payload = MAX_RESPONSE_PAYLOAD
        self._limiter = ConcurrencyLimiter(account_concurrency)
        self._pool = EnvironmentPool(self._new_environment, idle_timeout)
        self._history = InvocationHistory()
        self._log_writer = logs.CloudWatchLogWriter()
        self._queue = AsyncQueue(self._run_event, lambda: self.async_retry_delays)
        self._host = InProcessHost()
        self._cloud: CloudHost | None = None
        self._workdir: Path | None = None
        self._code: CodeCache | None = None
        self._spawner: Spawner | None = None
        self._reaper: threading.Thread | None = None
        self._stopping = threading.Event()
        self._generation = 0
        # Variables harness extensions add to every environment (as a Lambda layer's extension
        # would), under the function's own: e.g. the cassette control file (harness.cassettes).
        self.extension_environment: dict[str, str] = {}
        self.faults = LambdaFaults()  # injected timeouts and crashes (harness/cloud/awslambda/faults.py)

    # settings ---------------------------------------------------------------
    @property
    def account_concurrency(self) -> int:
        """The account's regional concurrency quota (AWS default 1000)."""
        return self._limiter.account_limit

    @account_concurrency.setter
    def account_concurrency(self, value: int) -> None:
        self._limiter.account_limit = value

    @property
    def idle_timeout(self) -> float:
        """Seconds an idle warm environment is kept before it is reaped."""
        return self._pool.idle_timeout

    @idle_timeout.setter
    def idle_timeout(self, value: float) -> None:
        self._pool.idle_timeout = value

    # CloudComponent -----------------------------------------------------------
    def attach(self, cloud: CloudHost) -> None:
        self._cloud = cloud
        assert cloud.edge is not None
        cloud.edge.register("lambda", InvokeApi(self))
        cloud.edge.register("lambda", self.provisioned)
        for component in cloud.components:  # the state keeper (with a data directory): queued events are saved soon
            mark_dirty = getattr(component, "mark_dirty", None)
            if callable(mark_dirty):
                self._queue.on_change = mark_dirty

    def start(self) -> None:
        self._workdir = scratch_dir("local-lambda-")  # removed even if the cloud is killed
        (self._workdir / "run").mkdir()
        self._code = CodeCache(self._workdir / "code")
        if self.mode == "process":
            self._spawner = Spawner()
        else:
            self._host.install()
        self._stopping.clear()
        self._queue.start()
        self._reaper = threading.Thread(target=self._reap, name="lambda-reaper", daemon=True)
        self._reaper.start()

    def stop(self) -> None:
        self._generation += 1
        self._stopping.set()
        self._queue.stop()
        self._pool.kill_all()
        self._templates.kill_all()
        if self._reaper is not None:
            self._reaper.join(timeout=5)
        if self._spawner is not None:
            self._spawner.shutdown()
            self._spawner = None
        if self.mode == "inprocess":
            self._host.uninstall(self._workdir)
        if self._workdir is not None:
            remove_scratch_dir(self._workdir)
            self._workdir = None

    def drain(self, deadline: float) -> None:
        """Let running invocations and queued Event invocations finish, until ``deadline`` (monotonic)."""
        while time.monotonic() < deadline and (self._limiter.snapshot() or self._queue.pending()):
            time.sleep(0.05)

    def persist_state(self) -> dict[str, Any]:
        """Queued and running Event invocations: Lambda's internal queue is durable on AWS."""
        return {"async_events": self._queue.persist()}

    def restore_state(self, state: dict[str, Any]) -> None:
        queued = self._queue.restore(state.get("async_events", []))
        if queued:
            log.info("%d queued Event invocation(s) restored", queued)

    def reset(self) -> None:
        """Kill every environment, drop queued events, forget concurrency and records."""
        self._generation += 1
        self._queue.reset()
        self._pool.kill_all()
        self.provisioned.clear()
        self._limiter.clear()
        self._history.clear()
        self.faults.clear()

    # public API ---------------------------------------------------------------
    def invoke(
        self,
        function_name: str,
        payload: bytes,
        *,
        invocation_type: str = "RequestResponse",
        log_type: str = "None",
        qualifier: str | None = None,
        client_context: str | None = None,
        account_id: str = DEFAULT_ACCOUNT_ID,
        region: str = DEFAULT_REGION,
    ) -> InvokeResult:
        """Invoke a function as the Invoke API does; service errors raise LambdaApiError.

        ``function_name`` may be a name, ``name:qualifier``, or a full or partial ARN (an
        ARN's account and region win over the arguments); ``client_context`` is the
        decoded ClientContext JSON.
        """
        if invocation_type not in INVOCATION_TYPES:
            raise errors.invalid_parameter(
                f"1 validation error detected: Value '{invocation_type}' at 'invocationType' failed to satisfy "
                f"constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]"
            )
        if len(payload) > self.max_sync_payload:
            raise errors.request_too_large(self.max_sync_payload)
        if invocation_type == "Event" and len(payload) > self.max_event_payload:
            raise errors.payload_too_large(len(payload), "Event", self.max_event_payload)
        fn = resolve_function(function_name, qualifier, account_id, region)
        payload = _checked_json(payload)
        request_id = self.new_request_id()
        if invocation_type == "DryRun":
            return InvokeResult(204, b"", None, None, fn.version, request_id)
        if invocation_type == "Event":
            event = AsyncEvent(function_name, qualifier, fn.account_id, fn.region, payload, request_id, time.monotonic())
            self._queue.submit(event)
            return InvokeResult(202, b"", None, None, fn.version, request_id)
        execution = self._execute(fn, payload, request_id, "RequestResponse", client_context)
        payload_out, error = execution.payload, execution.error
        if error is None and len(payload_out) > self.max_response_payload:
            error = {
                "errorMessage": f"Response payload size exceeded maximum allowed payload size ({self.max_response_payload} bytes).",
                "errorType": "Function.ResponseSizeTooLarge",
            }
            payload_out = json.dumps(error).encode()
        return InvokeResult(
            status_code=200,
            payload=payload_out,
            function_error="Unhandled" if error is not None else None,
            log_result=logs.tail(execution.lines) if log_type == "Tail" else None,
            executed_version=fn.version,
            request_id=request_id,
        )

    def invocations(self, function_name: str | None = None) -> list[InvocationRecord]:
        """The recent invocation records (of one function, or all, oldest first)."""
        return self._history.records(function_name)

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Metrics hook: ``listener(record)`` after every invocation attempt; returns an unsubscribe function."""
        return self._history.subscribe(listener)

    def concurrent_executions(self) -> dict[tuple[str, str, str], int]:
        """Metrics hook: invocations running now per (account, region, function name)."""
        return self._limiter.snapshot()

    def environments(self, function_name: str | None = None) -> list[EnvironmentInfo]:
        """The live execution environments (warm idle or busy)."""
        return self._pool.environments(function_name)

    def templates(self) -> list[int]:
        """The pids of the live template processes (one per function version in use)."""
        return self._templates.pids()

    def prepare(self, function_name: str, account_id: str = DEFAULT_ACCOUNT_ID, region: str = DEFAULT_REGION) -> bool:
        """Run a function's init in its template now, so its first invoke only forks.

        Like publishing a SnapStart version; True when a template is ready. A no-op (False)
        in "full" and "inprocess" modes, or for a function opted out.
        """
        fn = resolve_function(function_name, None, account_id, region)
        if self.mode != "process" or not self._uses_templates(fn):
            return False
        env = self._new_environment(fn)
        assert isinstance(env, ProcessEnvironment)
        try:
            return env.prepare(max(INIT_TIMEOUT_SECONDS, fn.timeout))
        finally:
            env.kill()

    def import_profile(
        self, function_name: str, account_id: str = DEFAULT_ACCOUNT_ID, region: str = DEFAULT_REGION
    ) -> dict[str, list[str]]:
        """What the function's current code imports into its template after the init (learned
        from first invocations), and what it never will: ``{"modules": [...], "unsafe": [...]}``."""
        fn = resolve_function(function_name, None, account_id, region)
        profiles = self._templates.profiles
        if self._code is None or profiles is None:
            return {"modules": [], "unsafe": []}
        python = worker_args(fn.runtime, self._code.directory(fn.code_sha256, fn.code_bytes))
        return profiles.profile(profile_key(fn, python))

    def open_environments(
        self, function_name: str, count: int, account_id: str = DEFAULT_ACCOUNT_ID, region: str = DEFAULT_REGION
    ) -> list[InitOutcome]:
        """Open ``count`` new environments one after another and leave them warm and idle, as
        provisioned concurrency keeps environments ready; how each one's opening went."""
        return self._open(function_name, count, account_id, region)[0]

    def _provision(self, function_name: str, count: int, account_id: str, region: str) -> tuple[int, list[str], str | None]:
        """Open provisioned environments, pinned warm in the pool: (how many, their ids, why not all)."""
        try:
            outcomes, ids = self._open(function_name, count, account_id, region, pinned=True)
        except Exception as err:  # a config that cannot be applied fails, as on AWS, with a reason
            return 0, [], str(err)
        failed = [o for o in outcomes if not o.ok]
        reason = f"FUNCTION_ERROR_INIT_FAILURE: {failed[0].error}" if failed else None
        return len(ids), ids, reason

    def _open(
        self, function_name: str, count: int, account_id: str, region: str, pinned: bool = False
    ) -> tuple[list[InitOutcome], list[str]]:
        fn = resolve_function(function_name, None, account_id, region)
        outcomes: list[InitOutcome] = []
        ids: list[str] = []
        for _ in range(count):
            env = self._new_environment(fn, provisioned=pinned)
            outcome = env.start(max(INIT_TIMEOUT_SECONDS, fn.timeout))
            outcomes.append(outcome)
            self._pool.adopt(env, idle=outcome.ok, pinned=pinned)
            if outcome.ok:
                ids.append(env.id)
        return outcomes, ids

    def prepare_in_background(
        self, function_names: list[str], account_id: str = DEFAULT_ACCOUNT_ID, region: str = DEFAULT_REGION
    ) -> threading.Thread:
        """``prepare`` each function, one after another, in a daemon thread (e.g. right after deploying)."""

        def run() -> None:
            for name in function_names:
                if self._stopping.is_set():
                    return
                try:
                    self.prepare(name, account_id, region)
                except Exception:
                    log.exception("could not prepare the template of %s", name)

        thread = threading.Thread(target=run, name="lambda-prepare", daemon=True)
        thread.start()
        return thread

    @staticmethod
    def new_request_id() -> str:
        return str(uuid.uuid4())

    # execution ------------------------------------------------------------------
    def _new_environment(self, fn: FunctionConfig, provisioned: bool = False) -> ExecutionEnvironment:
        if self._code is None or self._workdir is None or self._cloud is None:
            raise RuntimeError("the Lambda runtime is not started")
        try:
            code_dir = self._code.directory(fn.code_sha256, fn.code_bytes)
        except zipfile.BadZipFile:
            raise errors.invalid_parameter(
                "Could not unzip uploaded file. Please check your file, then try to upload again."
            ) from None
        extensions = dict(self.extension_environment)  # not part of the function's configuration (its fingerprint)
        if self.mode == "inprocess":
            return ThreadEnvironment(fn, code_dir, self._cloud.url, extensions)
        assert self._spawner is not None
        templates = self._templates if self._uses_templates(fn) else None
        return ProcessEnvironment(
            fn, code_dir, self._cloud.url, self._spawner, self._workdir / "run", extensions, templates, provisioned=provisioned
        )

    def _uses_templates(self, fn: FunctionConfig) -> bool:
        return self.cold_starts == "template" and fn.tags.get(OPT_OUT_TAG) != "full"

    def _execute(
        self,
        fn: FunctionConfig,
        payload: bytes,
        request_id: str,
        invocation_type: str,
        client_context: str | None,
        attempt: int = 1,
    ) -> _Execution:
        """Claim concurrency, get a warm (or cold) environment, run, log and record."""
        generation = self._generation
        reserved = 0 if fn.reserved_concurrency is not None else reserved_total(fn.account_id, fn.region, excluding=fn.name)
        try:
            slot = self._limiter.acquire(fn, reserved)
        except LambdaApiError:
            self._record(generation, fn, request_id, invocation_type, False, 0.0, "TooManyRequestsException", None, attempt)
            raise
        try:
            env, cold = self._pool.acquire(fn)
            lines: list[LogLine] = []
            init_ms: float | None = None
            restore_ms: float | None = None
            try:
                outcome: InvokeOutcome | None = None
                budget = fn.timeout
                if cold:
                    init = env.start(max(INIT_TIMEOUT_SECONDS, fn.timeout))
                    init_ms, restore_ms, lines = init.init_duration_ms, init.restore_ms, list(init.logs)
                    if not init.ok:
                        outcome = _init_failure(request_id, init, fn.timeout)
                    elif init_ms is not None and init_ms > INIT_TIMEOUT_SECONDS * 1000:
                        # Lambda re-runs an init that overran its 10 s inside the first invocation,
                        # under the function's timeout: the init's time is taken from the invocation's.
                        budget = max(0.001, fn.timeout - init_ms / 1000)
                now_ms = int(time.time() * 1000)
                lines.append(LogLine(now_ms, logs.start_line(request_id, fn.version)))
                fault = self.faults.take(fn.name) if outcome is None else None
                if fault is not None:
                    outcome = _injected(fault, env, request_id, fn.timeout)
                if outcome is None:
                    request = InvocationRequest(
                        request_id, payload, fn.invoked_arn, budget, now_ms + int(budget * 1000), client_context
                    )
                    outcome = env.invoke(request)
            except BaseException:
                self._pool.release(env, reusable=False)
                raise
            self._pool.release(env, outcome.reusable)
            lines.extend(outcome.logs)
            status = None
            if outcome.status == "timeout":
                lines.append(LogLine(int(time.time() * 1000), logs.timeout_line(request_id, fn.timeout)))
                status = "timeout"
            end_ms = int(time.time() * 1000)
            lines.append(LogLine(end_ms, logs.end_line(request_id)))
            report = logs.report_line(
                request_id, outcome.duration_ms, fn.memory_size, outcome.max_memory_mb, init_ms, status, restore_ms
            )
            lines.append(LogLine(end_ms, report))
        finally:
            self._limiter.release(slot)
        if generation == self._generation:
            self._write_logs(fn, env.log_stream, lines)
        error_type = outcome.error.get("errorType") if outcome.error else None
        self._record(generation, fn, request_id, invocation_type, cold, outcome.duration_ms, error_type, init_ms, attempt)
        return _Execution(outcome.payload, outcome.error, lines)

    def _run_event(self, event: AsyncEvent) -> AttemptOutcome:
        """One attempt of a queued Event invocation (the function is looked up afresh)."""
        fn = resolve_function(event.function_name, event.qualifier, event.account_id, event.region)
        execution = self._execute(fn, event.payload, event.request_id, "Event", None, attempt=event.attempts + 1)
        event.attempts += 1
        return AttemptOutcome(failed=execution.error is not None, max_retry_attempts=fn.max_retry_attempts)

    def _write_logs(self, fn: FunctionConfig, stream: str, lines: list[LogLine]) -> None:
        try:
            self._log_writer.write(fn.account_id, fn.region, fn.log_group, stream, lines)
        except Exception:  # logging must not fail the invocation
            log.exception("could not write the logs of %s to CloudWatch Logs", fn.name)

    def _record(
        self,
        generation: int,
        fn: FunctionConfig,
        request_id: str,
        invocation_type: str,
        cold: bool,
        duration_ms: float,
        error: str | None,
        init_ms: float | None,
        attempt: int,
    ) -> None:
        if generation != self._generation:
            return  # ran across a reset: belongs to a cloud state that no longer exists
        self._history.add(
            InvocationRecord(
                function_name=fn.name,
                request_id=request_id,
                invocation_type=invocation_type,
                cold_start=cold,
                duration_ms=duration_ms,
                error=error,
                version=fn.version,
                account_id=fn.account_id,
                region=fn.region,
                init_duration_ms=init_ms,
                attempt=attempt,
            )
        )

    def _reap(self) -> None:
        while not self._stopping.wait(min(1.0, max(self.idle_timeout / 2, 0.05))):  # a changed idle_timeout applies within 1 s
            try:
                self._pool.reap()
            except Exception:
                log.exception("reaping idle Lambda environments failed")


def _injected(fault: LambdaFault, env: ExecutionEnvironment, request_id: str, function_timeout: float) -> InvokeOutcome:
    """The outcome of an injected fault: the environment is gone either way."""
    if fault.kind == "timeout":
        time.sleep(fault.delay_seconds)
        env.kill()
        error = timeout_error(request_id, function_timeout)
        return InvokeOutcome("timeout", json.dumps(error).encode(), error, function_timeout * 1000, 0)
    env.kill()
    error = exit_error(request_id, -9)
    return InvokeOutcome("crash", json.dumps(error).encode(), error, 0.0, 0)


def _init_failure(request_id: str, init: InitOutcome, function_timeout: float) -> InvokeOutcome:
    """The invocation's result when its environment failed to initialise (the environment is gone).

    An init still running after 10 s is retried within the invocation under the function's
    timeout, so only an init longer than that timeout times the invocation out.
    """
    if init.timed_out:
        error = timeout_error(request_id, max(INIT_TIMEOUT_SECONDS, function_timeout))
        return InvokeOutcome("timeout", json.dumps(error).encode(), error, 0.0, 0)
    if init.exited or init.error is None:
        error = exit_error(request_id, init.returncode)
    else:
        error = dict(init.error, requestId=request_id)
    return InvokeOutcome("crash", json.dumps(error).encode(), error, 0.0, 0)


def _checked_json(payload: bytes) -> bytes:
    """The payload the function receives: JSON (an empty body is ``{}``), else InvalidRequestContentException."""
    if not payload:
        return b"{}"
    try:
        json.loads(payload)
    except UnicodeDecodeError as err:
        raise errors.invalid_request_content(f"Invalid UTF-8 {err.reason}") from None
    except ValueError as err:
        raise errors.invalid_request_content(str(err)) from None
    return payload
