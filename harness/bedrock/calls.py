"""The scripted model's call log: one record per Converse call, newest last."""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any

MAX_RECORDS = 10_000
PROMPT_CHARS = 32_768  # enough for a 200-position portfolio; what tests check reached the model


@dataclass(frozen=True)
class CallRecord:
    agent: str | None
    model_id: str
    status: int
    fault: str | None
    error_type: str | None
    stop_reason: str | None
    input_tokens: int
    output_tokens: int
    latency_ms: int
    region: str
    timestamp: float  # epoch seconds
    prompt: str = ""  # the first user message's text (the agent's <input>), cut to PROMPT_CHARS

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class CallLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: deque[CallRecord] = deque(maxlen=MAX_RECORDS)

    def add(self, record: CallRecord) -> None:
        with self._lock:
            self._records.append(record)

    def records(self, agent: str | None = None) -> list[CallRecord]:
        with self._lock:
            return [r for r in self._records if agent is None or r.agent == agent]

    def counts(self) -> dict[str, int]:
        """Calls per agent (``unknown`` for prompts of no known agent)."""
        with self._lock:
            return dict(Counter(r.agent or "unknown" for r in self._records))

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
