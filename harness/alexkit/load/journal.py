"""The load run's journal: what the Locust processes saw, for the checks after the load.

Every Locust process (the single local one, or each worker in distributed mode) appends
JSON lines to its own file in the directory named by ``$ALEX_LOAD_JOURNAL``, so no two
processes write one file. Kinds of line:

- ``{"kind": "submitted", "job_id", "user", "status": 202|503, "t"}``: an accepted (or
  refused, 503) ``POST /api/analyze``, with the job id the API answered
- ``{"kind": "job_end", "job_id", "status", "seconds"}``: a job a user saw end while polling
- ``{"kind": "burst", "requests", "ok", "throttled", "other", "seconds"}``: one burst of the
  throttling scenario's hammering user
- ``{"kind": "polite", "requests": 1, "throttled": 0|1}``: one request of a polite user
- ``{"kind": "job_timeout", "job_id", "seconds"}``: a job an analyst stopped polling

Written with the standard library only, so the locustfile can import it under gevent.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JOURNAL_VARIABLE = "ALEX_LOAD_JOURNAL"
RUN_ID_VARIABLE = "ALEX_LOAD_RUN_ID"


class Journal:
    """Appends lines to ``<dir>/journal-<host>-<pid>.jsonl``; a no-op without a directory."""

    def __init__(self, directory: str | os.PathLike[str] | None) -> None:
        self.directory = Path(directory) if directory else None
        self._lock = threading.Lock()
        self._handle: Any = None

    @classmethod
    def from_env(cls) -> Journal:
        return cls(os.environ.get(JOURNAL_VARIABLE) or None)

    def write(self, kind: str, **fields: Any) -> None:
        if self.directory is None:
            return
        line = json.dumps({"kind": kind, "t": time.time(), **fields}, separators=(",", ":")) + "\n"
        with self._lock:
            if self._handle is None:
                self.directory.mkdir(parents=True, exist_ok=True)
                path = self.directory / f"journal-{socket.gethostname()}-{os.getpid()}.jsonl"
                self._handle = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - kept open
            self._handle.write(line)

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None


def read_lines(directory: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Every line every process wrote (a line cut short by a killed process is skipped)."""
    for path in sorted(Path(directory).glob("journal-*.jsonl")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            try:
                yield json.loads(raw)
            except json.JSONDecodeError:
                continue


@dataclass
class JournalSummary:
    submitted: dict[str, dict[str, Any]] = field(default_factory=dict)  # job id -> submitted line
    refused: dict[str, dict[str, Any]] = field(default_factory=dict)  # 503: the API failed the job itself
    ends_seen: dict[str, dict[str, Any]] = field(default_factory=dict)  # job id -> job_end line
    bursts: list[dict[str, Any]] = field(default_factory=list)
    polite: list[dict[str, Any]] = field(default_factory=list)

    @property
    def hammer_requests(self) -> int:
        return sum(int(b["requests"]) for b in self.bursts)

    @property
    def hammer_throttled(self) -> int:
        return sum(int(b["throttled"]) for b in self.bursts)

    @property
    def hammer_ok(self) -> int:
        return sum(int(b["ok"]) for b in self.bursts)

    @property
    def hammer_rate(self) -> float:
        """The hammering user's request rate over its bursts (requests per second)."""
        seconds = sum(float(b["seconds"]) for b in self.bursts)
        return self.hammer_requests / seconds if seconds > 0 else 0.0

    @property
    def polite_requests(self) -> int:
        return sum(int(p["requests"]) for p in self.polite)

    @property
    def polite_throttled(self) -> int:
        return sum(int(p["throttled"]) for p in self.polite)


def summarise(directory: str | os.PathLike[str]) -> JournalSummary:
    summary = JournalSummary()
    for line in read_lines(directory):
        kind = line.get("kind")
        if kind == "submitted":
            target = summary.submitted if line.get("status") == 202 else summary.refused
            target[str(line["job_id"])] = line
        elif kind == "job_end":
            summary.ends_seen[str(line["job_id"])] = line
        elif kind == "burst":
            summary.bursts.append(line)
        elif kind == "polite":
            summary.polite.append(line)
    return summary
