"""A bounded in-memory record of invocations per function, and a hook for metrics.

Tests and tools read what ran (cold or warm, how long, which error) without parsing
logs; a listener (later: CloudWatch metrics such as Invocations, Errors, Throttles,
Duration) is called with every record as it is made.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InvocationRecord:
    """One invocation attempt (an async retry is a record of its own, with the same request id).

    ``error`` is the errorType of a failed invocation (``Sandbox.Timedout`` for a timeout)
    or ``TooManyRequestsException`` when it was throttled and never ran.
    """

    function_name: str
    request_id: str
    invocation_type: str
    cold_start: bool
    duration_ms: float
    error: str | None
    version: str = "$LATEST"
    account_id: str = ""
    region: str = ""
    init_duration_ms: float | None = None
    attempt: int = 1
    timestamp: float = field(default_factory=time.time)

    @property
    def throttled(self) -> bool:
        return self.error == "TooManyRequestsException"


Listener = Callable[[InvocationRecord], None]


class InvocationHistory:
    """The last ``per_function`` records of each function, plus listeners."""

    def __init__(self, per_function: int = 1000) -> None:
        self._per_function = per_function
        self._records: dict[str, deque[InvocationRecord]] = {}
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def add(self, record: InvocationRecord) -> None:
        with self._lock:
            self._records.setdefault(record.function_name, deque(maxlen=self._per_function)).append(record)
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(record)
            except Exception:  # a broken listener must not fail an invocation
                log.exception("invocation listener %r failed", listener)

    def records(self, function_name: str | None = None) -> list[InvocationRecord]:
        with self._lock:
            if function_name is not None:
                return list(self._records.get(function_name, ()))
            return sorted((r for records in self._records.values() for r in records), key=lambda r: r.timestamp)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every new record; returns a function that unsubscribes it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def clear(self) -> None:
        """Forget the records (listeners stay: they belong to the code that registered them)."""
        with self._lock:
            self._records.clear()
