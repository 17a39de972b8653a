"""An invocation's log: Lambda's START/END/REPORT lines around the handler's output, sent to
CloudWatch Logs (moto's backend, in-process) and tailed for ``LogType=Tail``.
"""

from __future__ import annotations

import base64
import math
import threading
from datetime import datetime, UTC

from harness.cloud.awslambda.environment import LogLine
from harness.cloud.moto_adapter import logs as moto_logs

TAIL_BYTES = 4096  # X-Amz-Log-Result carries the last 4 KB of the invocation's log


def start_line(request_id: str, version: str) -> str:
    return f"START RequestId: {request_id} Version: {version}"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}"


def report_line(
    request_id: str,
    duration_ms: float,
    memory_size: int,
    max_memory_mb: int,
    init_ms: float | None = None,
    status: str | None = None,
    restore_ms: float | None = None,
) -> str:
    """Lambda's REPORT line (tab-separated, trailing tab).

    An environment restored from a snapshot (SnapStart) reports ``Restore Duration`` and
    ``Billed Restore Duration`` instead of ``Init Duration``, e.g. ``Restore Duration:
    474.16 ms	Billed Restore Duration: 190 ms`` (Lambda developer guide, "Monitoring for
    Lambda SnapStart"); here both appear when the restore also had to run the init.

    Billed Duration is rounded up to the millisecond and, since 1 August 2025, includes
    the init phase of on-demand zip functions ("AWS Lambda standardizes billing for INIT
    Phase", AWS Compute Blog).
    """
    billed = math.ceil(duration_ms + (init_ms or 0.0))
    parts = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {billed} ms",
        f"Memory Size: {memory_size} MB",
        f"Max Memory Used: {max_memory_mb} MB",
    ]
    if init_ms is not None:
        parts.append(f"Init Duration: {init_ms:.2f} ms")
    if restore_ms is not None:
        parts.append(f"Restore Duration: {restore_ms:.2f} ms")
        parts.append(f"Billed Restore Duration: {math.ceil(restore_ms)} ms")
    if status is not None:
        parts.append(f"Status: {status}")
    return "\t".join(parts) + "\t"


def timeout_line(request_id: str, timeout: float) -> str:
    """The line Lambda logs when it stops a timed-out invocation."""
    now = datetime.now(UTC)
    return f"{now:%Y-%m-%dT%H:%M:%S}.{now.microsecond // 1000:03d}Z {request_id} Task timed out after {timeout:.2f} seconds"


def tail(lines: list[LogLine]) -> str:
    """base64 of the last 4 KB of the log, as the X-Amz-Log-Result header carries it."""
    text = "".join(line.message + "\n" for line in lines).encode("utf-8")
    return base64.b64encode(text[-TAIL_BYTES:]).decode("ascii")


class CloudWatchLogWriter:
    """Writes log events into moto's CloudWatch Logs backend, creating group and stream on demand."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def write(self, account_id: str, region: str, group: str, stream: str, lines: list[LogLine]) -> None:
        if not lines:
            return
        events = [{"timestamp": line.ts_ms, "message": line.message} for line in sorted(lines, key=lambda line: line.ts_ms)]
        with self._lock:
            moto_logs.put_log_events(account_id, region, group, stream, events)
