"""What every execution environment (worker process or in-process thread) takes and gives back.

Both kinds share these types and the Lambda-defined environment variables, so the
runtime treats them alike and "inprocess" mode returns the same results as "process".
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, UTC
from pathlib import Path
from typing import Any, Literal, Protocol

from harness import FAKE_ACCESS_KEY, FAKE_SECRET_KEY
from harness.cloud.awslambda.functions import FunctionConfig

INIT_TIMEOUT_SECONDS = 10.0  # Lambda's limit on the init phase of an on-demand environment


@dataclass(frozen=True)
class LogLine:
    """One CloudWatch Logs event of an invocation (epoch milliseconds, text)."""

    ts_ms: int
    message: str


@dataclass(frozen=True)
class InvocationRequest:
    """One invocation as an environment receives it."""

    request_id: str
    payload: bytes
    invoked_arn: str
    timeout: float
    deadline_ms: int
    client_context: str | None = None


@dataclass
class InitOutcome:
    """How an environment's init phase (import of the handler module) went."""

    ok: bool
    init_ms: float
    error: dict[str, Any] | None = None
    timed_out: bool = False
    logs: list[LogLine] = field(default_factory=list)
    exited: bool = False  # the runtime process died during init (``returncode`` says how)
    returncode: int | None = None
    full_init: bool = True  # False when restored from a template whose init had already run
    restore_ms: float | None = None  # time to restore (fork) from a template, SnapStart's Restore Duration

    @property
    def init_duration_ms(self) -> float | None:
        """The REPORT line's Init Duration: only where a full init ran."""
        return self.init_ms if self.full_init else None


@dataclass
class InvokeOutcome:
    """How one invocation went; ``payload`` is the response or the error document."""

    status: Literal["ok", "error", "timeout", "crash"]
    payload: bytes
    error: dict[str, Any] | None
    duration_ms: float
    max_memory_mb: int
    logs: list[LogLine] = field(default_factory=list)

    @property
    def reusable(self) -> bool:
        """Timeouts and crashes end the environment; a handler error does not."""
        return self.status in ("ok", "error")


class ExecutionEnvironment(Protocol):
    """A warm-able sandbox for one function version (a worker process, or a thread)."""

    id: str
    fn: FunctionConfig
    log_stream: str
    closed: bool

    def start(self, timeout: float) -> InitOutcome: ...

    def invoke(self, request: InvocationRequest) -> InvokeOutcome: ...

    def kill(self) -> None: ...


def new_log_stream(version: str) -> str:
    """``YYYY/MM/DD/[$LATEST]<32 hex>``: Lambda's log stream name, one per environment."""
    return f"{datetime.now(UTC):%Y/%m/%d}/[{version}]{uuid.uuid4().hex}"


def timeout_error(request_id: str, timeout: float) -> dict[str, Any]:
    """The payload of a timed-out invocation.

    Current wording (python3.12, 2024-): ``{"errorType": "Sandbox.Timedout", "errorMessage":
    "RequestId: <id> Error: Task timed out after 3.00 seconds"}``, as shown by the Lambda
    console and reproduced by LocalStack's lambda-runtime-init (``Sandbox.Timedout``,
    ``RequestId: %s Error: Task timed out after %d.00 seconds``). The older
    ``<timestamp> <id> Task timed out after 3.00 seconds`` form survives as the log line.
    """
    return {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds",
    }


def exit_error(request_id: str, returncode: int | None) -> dict[str, Any]:
    """The payload when the runtime process dies mid-invocation (``Runtime.ExitError``)."""
    if returncode is not None and returncode < 0:
        status = "signal: killed" if returncode == -9 else f"signal: {-returncode}"
    else:
        status = f"exit status {returncode if returncode is not None else 1}"
    return {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: {status}",
    }


def lambda_environment(
    fn: FunctionConfig,
    code_dir: Path,
    log_stream: str,
    endpoint_url: str,
    extensions: Mapping[str, str] | None = None,
    initialization_type: str = "on-demand",
) -> dict[str, str]:
    """The process environment of a function: its Environment.Variables plus Lambda's own.

    Starts clean (as a Lambda sandbox does) rather than from the server's environment,
    so no real credentials leak in. boto3 inside the handler reaches the local cloud via
    AWS_ENDPOINT_URL with fake credentials; the reserved variables win over the
    function's, as Lambda refuses to let a function set them.
    """
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    if "LD_LIBRARY_PATH" in os.environ:
        env["LD_LIBRARY_PATH"] = os.environ["LD_LIBRARY_PATH"]
    env.update(extensions or {})  # harness extensions' variables (a layer's), under the function's own
    env.update(fn.environment)
    # LiteLLM sends Bedrock Converse calls here (the scripted model on the edge) unless the function says otherwise.
    env.setdefault("AWS_BEDROCK_RUNTIME_ENDPOINT", endpoint_url)
    env.update(
        {
            "AWS_REGION": fn.region,
            "AWS_DEFAULT_REGION": fn.region,
            "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY,
            "AWS_LAMBDA_FUNCTION_NAME": fn.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": fn.version,
            "AWS_LAMBDA_INITIALIZATION_TYPE": initialization_type,  # "snap-start" when restored
            "AWS_LAMBDA_LOG_GROUP_NAME": fn.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{fn.runtime}",
            "_HANDLER": fn.handler,
            "LAMBDA_TASK_ROOT": str(code_dir),
        }
    )
    return env
