"""The audit trail: one durable record per model decision, queryable per job."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from alex.db.client import DataApiClient, Json, Row


def input_hash(value: Any) -> str:
    """SHA-256 of the model input, canonical JSON for structures, so equal inputs match."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditRecord:
    job_id: str
    agent: str
    model: str
    input_hash: str
    output_summary: str
    duration_ms: int
    guardrails: list[dict[str, Any]] = field(default_factory=list)
    rationale: str | None = None
    outcome: str = "ok"


class AuditTrail:
    def __init__(self, db: DataApiClient) -> None:
        self.db = db

    def add(self, record: AuditRecord) -> None:
        data = asdict(record)
        data["guardrails"] = Json(record.guardrails)
        data["output_summary"] = record.output_summary[:4000]
        data["duration_ms"] = max(0, int(record.duration_ms))
        self.db.execute(
            """INSERT INTO audit_records (job_id, agent, model, input_hash, output_summary, duration_ms,
                   guardrails, rationale, outcome)
               VALUES (CAST(:job_id AS uuid), :agent, :model, :input_hash, :output_summary, :duration_ms,
                   :guardrails, :rationale, :outcome)""",
            data,
        )

    def for_job(self, job_id: str) -> list[Row]:
        return self.db.query(
            "SELECT * FROM audit_records WHERE job_id = CAST(:id AS uuid) ORDER BY created_at, id", {"id": str(job_id)}
        )
