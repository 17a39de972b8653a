"""Fault injection for Lambda invocations, as AWS FIS's Lambda actions do it.

A queued fault replaces the next invocations of a function: ``timeout`` answers what
Lambda answers when a handler overruns (``Sandbox.Timedout`` naming the function's
timeout, the environment replaced) after ``delay_seconds`` of wall time, so a scenario
sees a timeout without waiting minutes; ``crash`` kills the environment's runtime
process (``Runtime.ExitError``, ``signal: killed``), as an out-of-memory kill would.
The handler does not run: the fault is the runtime's, not the function's.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["timeout", "crash"]
KINDS: tuple[str, ...] = ("timeout", "crash")


@dataclass
class LambdaFault:
    function: str
    kind: FaultKind
    remaining: int = 1
    delay_seconds: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.remaining < 1:
            raise ValueError("count must be >= 1")
        if not 0 <= self.delay_seconds <= 60:
            raise ValueError("delay_seconds must be between 0 and 60")


class LambdaFaults:
    """Faults queued per function name, taken one invocation at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[LambdaFault] = []

    def add(self, function: str, kind: str, count: int = 1, delay_seconds: float = 1.0) -> LambdaFault:
        fault = LambdaFault(function, kind, count, delay_seconds)  # type: ignore[arg-type]
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, function: str) -> LambdaFault | None:
        with self._lock:
            for fault in self._faults:
                if fault.function == function:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
