"""``alex-harness watch``: live, colour-coded logs of every Alex agent from CloudWatch Logs.

Like the design's watch script: every ``interval`` seconds it asks CloudWatch Logs
(``filter_log_events``) for what each function's log group ``/aws/lambda/<prefix>-<agent>``
received since the last look, starting ``lookback`` minutes back, and prints the events
of all agents merged in time order, one colour per agent. Alex's JSON log lines are shown
as level, message and job id (then the other fields); Lambda's START/END/REPORT lines dimmed.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, UTC
from typing import IO, Any

from harness.alexkit.facts import AGENTS

COLOURS = {"planner": "\033[94m", "tagger": "\033[95m", "reporter": "\033[92m", "charter": "\033[93m", "retirement": "\033[96m"}
LEVEL_COLOURS = {"ERROR": "\033[91m", "CRITICAL": "\033[91m", "WARNING": "\033[33m", "DEBUG": "\033[90m"}
RESET, DIM, BOLD = "\033[0m", "\033[2m", "\033[1m"
SHOWN_FIRST = ("timestamp", "level", "logger", "message", "service", "job_id", "agent", "request_id", "exception")
PLATFORM_PREFIXES = ("START RequestId:", "END RequestId:", "REPORT RequestId:", "INIT_START")


@dataclass(frozen=True)
class LogEvent:
    agent: str
    timestamp_ms: int
    message: str
    event_id: str


def format_event(event: LogEvent, *, colour: bool = True, width: int = 10) -> str:
    """One printable line (or a few, for an exception) for a log event."""

    def paint(code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if colour else text

    when = datetime.fromtimestamp(event.timestamp_ms / 1000, UTC).astimezone().strftime("%H:%M:%S.%f")[:-3]
    tag = paint(COLOURS.get(event.agent, ""), f"[{event.agent:<{width}}]")
    text = event.message.rstrip("\n")
    try:
        record = json.loads(text) if text.startswith("{") else None
    except ValueError:
        record = None
    if isinstance(record, dict) and "message" in record:
        level = str(record.get("level", "INFO")).upper()
        level_text = paint(LEVEL_COLOURS.get(level, ""), f"{level:<7}")
        job = record.get("job_id")
        extras = {k: v for k, v in record.items() if k not in SHOWN_FIRST and v not in (None, "", [], {})}
        line = f"{when} {tag} {level_text} {record['message']}"
        if job:
            line += " " + paint(DIM, f"job={str(job)[:8]}")
        if extras:
            line += " " + paint(DIM, " ".join(f"{k}={_short(v)}" for k, v in extras.items()))
        if record.get("exception"):
            last = str(record["exception"]).strip().splitlines()[-1:]
            line += "\n" + " " * 13 + paint(LEVEL_COLOURS["ERROR"], "↳ " + (last[0] if last else ""))
        return line
    if text.startswith(PLATFORM_PREFIXES):
        return f"{when} {tag} {paint(DIM, text.replace(chr(9), '  ').strip())}"
    return f"{when} {tag} {text}"


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class LogWatcher:
    """Fetches new events of the agents' log groups since the last call (de-duplicated)."""

    def __init__(
        self, logs_client: Any, prefix: str = "alex", agents: Iterable[str] = AGENTS, lookback_minutes: float = 5.0
    ) -> None:
        self.logs = logs_client
        self.groups = {agent: f"/aws/lambda/{prefix}-{agent}" for agent in agents}
        self.since_ms = int((time.time() - lookback_minutes * 60) * 1000)
        self._seen: dict[str, dict[str, int]] = {agent: {} for agent in self.groups}  # event id -> timestamp
        self._last: dict[str, int] = {agent: self.since_ms for agent in self.groups}

    def poll(self) -> list[LogEvent]:
        """New events of every agent, oldest first."""
        found: list[LogEvent] = []
        for agent, group in self.groups.items():
            found.extend(self._poll_group(agent, group))
        found.sort(key=lambda e: (e.timestamp_ms, e.agent))
        return found

    def _poll_group(self, agent: str, group: str) -> list[LogEvent]:
        start = self._last[agent]
        kwargs: dict[str, Any] = {"logGroupName": group, "startTime": start}
        events: list[LogEvent] = []
        try:
            while True:
                page = self.logs.filter_log_events(**kwargs)
                for raw in page.get("events", []):
                    event_id = str(raw.get("eventId") or f"{raw.get('logStreamName')}:{raw['timestamp']}:{raw['message']}")
                    if event_id in self._seen[agent]:
                        continue
                    self._seen[agent][event_id] = int(raw["timestamp"])
                    events.append(LogEvent(agent, int(raw["timestamp"]), str(raw.get("message", "")), event_id))
                token = page.get("nextToken")
                if not token or token == kwargs.get("nextToken"):
                    break
                kwargs["nextToken"] = token
        except self.logs.exceptions.ResourceNotFoundException:
            return []  # the function has not logged yet
        if events:
            newest = max(e.timestamp_ms for e in events)
            self._last[agent] = newest  # the next query starts at this millisecond again (inclusive)...
            self._seen[agent] = {k: t for k, t in self._seen[agent].items() if t >= newest}  # ...and skips what it saw
        return events


def watch(
    logs_client: Any,
    *,
    prefix: str = "alex",
    agents: Iterable[str] = AGENTS,
    lookback_minutes: float = 5.0,
    interval: float = 2.0,
    colour: bool = True,
    out: IO[str] | None = None,
    iterations: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Print the agents' logs as they arrive (``iterations`` polls, or until interrupted); events printed."""
    out = out or sys.stdout
    watcher = LogWatcher(logs_client, prefix, agents, lookback_minutes)
    width = max(len(a) for a in watcher.groups) if watcher.groups else 10
    legend = "  ".join((f"{COLOURS.get(a, '')}{a}{RESET}" if colour else a) for a in watcher.groups)
    print(
        f"watching {len(watcher.groups)} log groups ({legend}) from {lookback_minutes:g} min back, "
        f"every {interval:g} s; Ctrl-C stops",
        file=out,
        flush=True,
    )
    printed = done = 0
    try:
        while iterations is None or done < iterations:
            for event in watcher.poll():
                print(format_event(event, colour=colour, width=width), file=out, flush=True)
                printed += 1
            done += 1
            if iterations is None or done < iterations:
                sleep(interval)
    except KeyboardInterrupt:
        pass
    return printed
