"""Figures from Locust's CSV statistics (``--csv PREFIX`` writes ``PREFIX_stats.csv``).

``read_stats(prefix)`` -> ``LoadStats``: one ``Row`` per request name plus the aggregate,
with count, failures, p50/p95/p99 (ms) and requests per second; ``check_thresholds``
turns the aggregate into pass/fail against a maximum failure ratio and p95.
Standard library only (Locust is never imported outside its own processes).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

AGGREGATED = "Aggregated"


def _number(value: str | None) -> float | None:
    if value is None or value.strip() in ("", "N/A"):
        return None
    return float(value)


@dataclass(frozen=True)
class Row:
    method: str
    name: str
    requests: int
    failures: int
    median_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    rps: float

    @property
    def failure_ratio(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


@dataclass
class LoadStats:
    rows: list[Row] = field(default_factory=list)
    total: Row | None = None

    def row(self, name: str, method: str | None = None) -> Row | None:
        for row in self.rows:
            if row.name == name and (method is None or row.method == method):
                return row
        return None

    def matching(self, prefix: str) -> list[Row]:
        return [row for row in self.rows if row.name.startswith(prefix)]

    def table(self) -> str:
        header = f"{'method':<7} {'name':<44} {'reqs':>7} {'fails':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'req/s':>8}"
        lines = [header, "-" * len(header)]
        for row in self.rows + ([self.total] if self.total else []):
            lines.append(
                f"{row.method[:7]:<7} {row.name[:44]:<44} {row.requests:>7} {row.failures:>6} "
                f"{_ms(row.median_ms):>7} {_ms(row.p95_ms):>7} {_ms(row.p99_ms):>7} {row.rps:>8.1f}"
            )
        return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def read_stats(csv_prefix: str | Path) -> LoadStats:
    """Parse ``<csv_prefix>_stats.csv``; raises FileNotFoundError when Locust wrote none."""
    path = Path(f"{csv_prefix}_stats.csv")
    stats = LoadStats()
    with path.open(newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            row = Row(
                method=record.get("Type") or "",
                name=record.get("Name") or "",
                requests=int(float(record.get("Request Count") or 0)),
                failures=int(float(record.get("Failure Count") or 0)),
                median_ms=_number(record.get("50%")) or _number(record.get("Median Response Time")),
                p95_ms=_number(record.get("95%")),
                p99_ms=_number(record.get("99%")),
                max_ms=_number(record.get("Max Response Time")),
                rps=_number(record.get("Requests/s")) or 0.0,
            )
            if row.name == AGGREGATED and not row.method:
                stats.total = row
            else:
                stats.rows.append(row)
    return stats


@dataclass(frozen=True)
class Thresholds:
    max_failure_ratio: float = 0.01
    max_p95_ms: float = 2000.0
    min_requests: int = 1


def check_thresholds(stats: LoadStats, thresholds: Thresholds) -> list[str]:
    """Breaches of ``thresholds`` by the aggregate (an empty list when it passes)."""
    total = stats.total
    if total is None or total.requests < thresholds.min_requests:
        return [f"too few requests: {0 if total is None else total.requests} (at least {thresholds.min_requests})"]
    breaches = []
    if total.failure_ratio > thresholds.max_failure_ratio:
        breaches.append(f"failure ratio {total.failure_ratio:.2%} > {thresholds.max_failure_ratio:.2%}")
    if total.p95_ms is not None and total.p95_ms > thresholds.max_p95_ms:
        breaches.append(f"p95 {total.p95_ms:.0f} ms > {thresholds.max_p95_ms:.0f} ms")
    return breaches


def headline(stats: LoadStats) -> str:
    """``p50 .. ms, p95 .. ms, p99 .. ms, .. req/s, failures ..%`` of the aggregate."""
    total = stats.total
    if total is None:
        return "no requests recorded"
    return (
        f"p50 {_ms(total.median_ms)} ms, p95 {_ms(total.p95_ms)} ms, p99 {_ms(total.p99_ms)} ms, "
        f"{total.rps:.1f} req/s, {total.requests} requests, failure ratio {total.failure_ratio:.2%}"
    )
