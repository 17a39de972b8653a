"""After the load: every analysis submitted is accounted for.

The rules (``account``, a pure function, and ``check_jobs``, which gathers its inputs):

- every job the API acknowledged (202, noted in the journal by the Locust users) is in the
  database: none **lost**;
- every job of the run (the journal's, and any other of the run's users, e.g. a 202 the
  client never read because the run stopped) ends ``completed`` or ``failed``: none
  **stuck** ``pending``/``running`` once the queue has drained (``drain_timeout``);
- every failed job carries its reason (``error_message``);
- the DLQ holds exactly the failed jobs that went through the queue: no failed job missing
  from it, no completed job in it. Jobs the API failed itself because the queue refused the
  message (503, "could not queue the analysis") never had a message, so are not expected.

Run after ``alex-harness load`` by the CLI, or by hand against ``alex-harness up``:
``python -m harness.alexkit.load.accounting --journal DIR`` (reads ``AWS_ENDPOINT_URL``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, UTC
from pathlib import Path
from typing import Any

from alex.db.jobs import TERMINAL

from harness.alexkit.load.journal import JournalSummary, summarise

QUEUE_REFUSED = "could not queue the analysis"
_COLUMNS = "id, clerk_user_id, status, error_message, attempts, created_at, started_at, completed_at"


@dataclass
class JobAccount:
    """The verdict on one run's jobs; ``ok`` when nothing is lost, stuck, unexplained or misfiled."""

    acknowledged: int = 0  # 202s noted in the journal
    refused: int = 0  # 503s: the API could not queue, and failed the job itself
    jobs: int = 0  # the run's jobs in the database
    completed: int = 0
    failed: int = 0
    lost: list[str] = field(default_factory=list)
    stuck: list[tuple[str, str]] = field(default_factory=list)
    stuck_details: dict[str, str] = field(default_factory=dict)  # job id -> attempts and last error
    failed_without_reason: list[str] = field(default_factory=list)
    missing_from_dlq: list[str] = field(default_factory=list)
    unexpected_in_dlq: list[str] = field(default_factory=list)
    unacknowledged: list[str] = field(default_factory=list)  # in the DB, no 202 read by a client: fine if ended
    foreign_in_dlq: int = 0  # DLQ messages of other runs (a long-lived ``up``): noted, not judged
    dlq_messages: int = 0
    drain_seconds: float = 0.0
    jobs_per_minute: float | None = None  # completed, between the first submission and the last completion
    latency_p50: float | None = None  # seconds from creation to completion
    latency_p95: float | None = None
    failure_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems()

    def problems(self) -> list[str]:
        out = []
        if self.lost:
            out.append(f"{len(self.lost)} acknowledged job(s) not in the database (lost): {self.lost[:5]}")
        if self.stuck:
            details = "; ".join(f"{job_id} {status} ({self.stuck_details.get(job_id, '')})" for job_id, status in self.stuck[:5])
            out.append(f"{len(self.stuck)} job(s) stuck after the drain: {details}")
        if self.failed_without_reason:
            out.append(f"{len(self.failed_without_reason)} failed job(s) without a reason: {self.failed_without_reason[:5]}")
        if self.missing_from_dlq:
            out.append(f"{len(self.missing_from_dlq)} failed job(s) not in the DLQ: {self.missing_from_dlq[:5]}")
        if self.unexpected_in_dlq:
            out.append(f"{len(self.unexpected_in_dlq)} DLQ message(s) for jobs that did not fail: {self.unexpected_in_dlq[:5]}")
        return out

    def summary_lines(self) -> list[str]:
        lines = [
            f"jobs: {self.acknowledged} acknowledged (202), {self.refused} refused (503), {self.jobs} in the database: "
            f"{self.completed} completed, {self.failed} failed, {len(self.stuck)} stuck, {len(self.lost)} lost",
            f"DLQ: {self.dlq_messages} message(s), {len(self.missing_from_dlq)} failed job(s) missing, "
            f"{len(self.unexpected_in_dlq)} unexpected"
            + (f", {self.foreign_in_dlq} from other runs" if self.foreign_in_dlq else ""),
        ]
        if self.jobs_per_minute is not None:
            lines.append(
                f"analysis throughput: {self.jobs_per_minute:.1f} jobs/min completed; job latency "
                f"p50 {self.latency_p50:.1f} s, p95 {self.latency_p95:.1f} s (drain {self.drain_seconds:.1f} s)"
            )
        for reason, count in sorted(self.failure_reasons.items(), key=lambda kv: -kv[1])[:5]:
            lines.append(f"  failed x{count}: {reason}")
        lines.append("accounting: OK" if self.ok else "accounting: FAILED")
        lines.extend(f"  - {problem}" for problem in self.problems())
        return lines

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items()}
        data["ok"] = self.ok
        data["problems"] = self.problems()
        return data


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]


def account(
    rows: Iterable[dict[str, Any]], journal: JournalSummary, dlq_job_ids: Iterable[str], *, drain_seconds: float = 0.0
) -> JobAccount:
    """Judge the run's job ``rows`` (from the database) against the journal and the DLQ's job ids."""
    by_id = {str(row["id"]): row for row in rows}
    result = JobAccount(
        acknowledged=len(journal.submitted), refused=len(journal.refused), jobs=len(by_id), drain_seconds=drain_seconds
    )
    result.lost = sorted(job_id for job_id in list(journal.submitted) + list(journal.refused) if job_id not in by_id)
    result.unacknowledged = sorted(j for j in by_id if j not in journal.submitted and j not in journal.refused)
    expected_in_dlq: set[str] = set()
    latencies: list[float] = []
    first_created: datetime | None = None
    last_completed: datetime | None = None
    for job_id, row in by_id.items():
        status = row["status"]
        created = _time(row.get("created_at"))
        if created and (first_created is None or created < first_created):
            first_created = created
        if status not in TERMINAL:
            result.stuck.append((job_id, status))
            result.stuck_details[job_id] = (
                f"attempts {row.get('attempts')}, created {row.get('created_at')}, "
                f"started {row.get('started_at')}, last error {row.get('error_message')!r}"
            )
        elif status == "completed":
            result.completed += 1
            done = _time(row.get("completed_at"))
            if created and done:
                latencies.append((done - created).total_seconds())
                if last_completed is None or done > last_completed:
                    last_completed = done
        else:
            result.failed += 1
            reason = (row.get("error_message") or "").strip()
            if not reason:
                result.failed_without_reason.append(job_id)
            result.failure_reasons[reason[:120] or "(no reason)"] = (
                result.failure_reasons.get(reason[:120] or "(no reason)", 0) + 1
            )
            if not reason.startswith(QUEUE_REFUSED):
                expected_in_dlq.add(job_id)
    dlq = [str(j) for j in dlq_job_ids]
    result.dlq_messages = len(dlq)
    in_dlq = set(dlq)
    result.missing_from_dlq = sorted(expected_in_dlq - in_dlq)
    result.unexpected_in_dlq = sorted(j for j in in_dlq if j in by_id and j not in expected_in_dlq)
    result.foreign_in_dlq = len([j for j in in_dlq if j not in by_id])
    if latencies:
        result.latency_p50 = _percentile(latencies, 50)
        result.latency_p95 = _percentile(latencies, 95)
    if result.completed and first_created and last_completed and last_completed > first_created:
        result.jobs_per_minute = result.completed / ((last_completed - first_created).total_seconds() / 60.0)
    return result


# -- gathering the inputs from a running stack ---------------------------------------------------


def run_jobs(db: Any, journal: JournalSummary, user_prefix: str | None) -> list[dict[str, Any]]:
    """The run's jobs: the journal's, and every job of users whose id starts with ``user_prefix``."""
    client = db.jobs.db  # alex.db.client.DataApiClient
    rows: dict[str, dict[str, Any]] = {}
    if user_prefix:
        for row in client.query(
            f"SELECT {_COLUMNS} FROM jobs WHERE clerk_user_id LIKE :prefix",
            {"prefix": user_prefix.replace("%", r"\%").replace("_", r"\_") + "%"},
        ):
            rows[str(row["id"])] = row
    ids = [j for j in list(journal.submitted) + list(journal.refused) if j not in rows]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in client.query(
            f"SELECT {_COLUMNS} FROM jobs WHERE id = ANY(CAST(:ids AS uuid[]))", {"ids": "{" + ",".join(chunk) + "}"}
        ):
            rows[str(row["id"])] = row
    return list(rows.values())


def read_dlq(sqs: Any, dlq_url: str, *, visibility: int = 60) -> list[str]:
    """Job ids of every message in the DLQ (received, hidden for ``visibility`` s, not deleted)."""
    seen: dict[str, str] = {}
    empty = 0
    while empty < 2:
        got = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=visibility).get(
            "Messages", []
        )
        if not got:
            empty += 1
            continue
        empty = 0
        for message in got:
            try:
                seen[message["MessageId"]] = str(json.loads(message["Body"])["job_id"])
            except (ValueError, KeyError, TypeError):
                seen[message["MessageId"]] = f"(unreadable: {message['Body'][:60]!r})"
    return list(seen.values())


def _dlq_depth(sqs: Any, dlq_url: str) -> int:
    attrs = sqs.get_queue_attributes(
        QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])


def check_jobs(
    db: Any,
    sqs: Any,
    dlq_url: str,
    journal_dir: Path,
    *,
    user_prefix: str | None = None,
    drain_timeout: float = 180.0,
    dlq_settle: float = 15.0,
    progress: Any = None,
) -> JobAccount:
    """Wait for the run's jobs to end (up to ``drain_timeout``), then for the DLQ to receive the
    failed ones (up to ``dlq_settle``), then judge. ``progress(text)`` hears about the wait."""
    journal = summarise(journal_dir) if Path(journal_dir).exists() else JournalSummary()
    began = time.monotonic()
    last_note = 0.0
    while True:
        rows = run_jobs(db, journal, user_prefix)
        open_jobs = [r for r in rows if r["status"] not in TERMINAL]
        if not open_jobs or time.monotonic() - began > drain_timeout:
            break
        if progress and time.monotonic() - last_note > 5:
            progress(f"waiting for {len(open_jobs)} of {len(rows)} job(s) to end...")
            last_note = time.monotonic()
        time.sleep(0.5)
    drained = time.monotonic() - began
    expected = len(
        [r for r in rows if r["status"] == "failed" and not str(r.get("error_message") or "").startswith(QUEUE_REFUSED)]
    )
    settle_until = time.monotonic() + dlq_settle
    while expected and _dlq_depth(sqs, dlq_url) < expected and time.monotonic() < settle_until:
        time.sleep(0.5)
    return account(rows, journal, read_dlq(sqs, dlq_url), drain_seconds=drained)


def main(argv: list[str] | None = None) -> int:
    """Check a run made by hand against ``alex-harness up`` (boto3 reads AWS_ENDPOINT_URL)."""
    parser = argparse.ArgumentParser(prog="python -m harness.alexkit.load.accounting", description=__doc__.split("\n\n")[0])
    parser.add_argument("--journal", type=Path, required=True, help="the directory $ALEX_LOAD_JOURNAL named")
    parser.add_argument("--run-id", default=None, help="$ALEX_LOAD_RUN_ID of the run (also counts jobs no client read)")
    parser.add_argument("--drain-timeout", type=float, default=180.0)
    args = parser.parse_args(argv)
    import boto3
    from alex.db import Database

    from harness.alexkit.stack.definition import alex_stack

    spec = alex_stack()
    sqs = boto3.client("sqs")
    dlq_url = sqs.get_queue_url(QueueName=f"{spec.prefix}-analysis-jobs-dlq")["QueueUrl"]
    cluster = boto3.client("rds").describe_db_clusters(DBClusterIdentifier=spec.database.cluster_identifier)
    secret = boto3.client("secretsmanager").describe_secret(SecretId=spec.database.secret.name)
    db = Database.from_env(
        {
            "AURORA_CLUSTER_ARN": cluster["DBClusters"][0]["DBClusterArn"],
            "AURORA_SECRET_ARN": secret["ARN"],
            "DATABASE_NAME": spec.database.database_name,
        },
        boto3.client("rds-data"),
    )
    result = check_jobs(
        db,
        sqs,
        dlq_url,
        args.journal,
        user_prefix=f"load-{args.run_id}-" if args.run_id else None,
        drain_timeout=args.drain_timeout,
        progress=lambda text: print(text, flush=True),
    )
    print("\n".join(result.summary_lines()))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
