"""What a scenario run produced: the checks, the jobs and their timelines, the counts.

Plain dataclasses so the report writers (table, JUnit XML, HTML) depend on nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Check:
    """One expectation and whether it held."""

    name: str
    passed: bool
    detail: str = ""


@dataclass
class TimelineEvent:
    """A bar on a job's timeline: offsets in milliseconds from the scenario's start."""

    lane: str  # "api", "queue", "planner", "tagger", "reporter", "charter", "retirement"
    label: str  # e.g. "POST /api/analyze", "waiting in SQS", "chat us.amazon.nova-pro-v1:0"
    kind: str  # "request" | "queue" | "agent" | "generation" | "tool" | "retry" | "custom"
    start_ms: float
    end_ms: float
    error: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)  # tokens, model, attempt...


@dataclass
class JobOutcome:
    job_id: str
    user: str
    status: str
    error: str | None
    attempts: int
    timeline: list[TimelineEvent] = field(default_factory=list)


@dataclass
class ScenarioResult:
    name: str
    description: str
    passed: bool
    duration_s: float
    checks: list[Check] = field(default_factory=list)
    jobs: list[JobOutcome] = field(default_factory=list)
    model_calls: int = 0
    model_retries: int = 0
    dlq_messages: int = 0
    cassette_misses: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None  # the run itself broke (not an expectation)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]
