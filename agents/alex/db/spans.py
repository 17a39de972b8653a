"""Trace spans stored per job, so a job's timeline survives the Lambda that made it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from alex.db.client import DataApiClient, Json, Row


class Spans:
    def __init__(self, db: DataApiClient) -> None:
        self.db = db

    def add_many(self, spans: Sequence[dict[str, Any]]) -> None:
        """Store spans (dicts with the ``trace_spans`` columns); a re-sent span is ignored."""
        if not spans:
            return
        self.db.execute_many(
            """INSERT INTO trace_spans (span_id, job_id, trace_id, parent_id, kind, name, started_at,
                   ended_at, duration_ms, attributes, error)
               VALUES (:span_id, CAST(:job_id AS uuid), :trace_id, :parent_id, :kind, :name,
                   CAST(:started_at AS timestamptz), CAST(:ended_at AS timestamptz), :duration_ms, :attributes, :error)
               ON CONFLICT (span_id) DO NOTHING""",
            [
                {
                    "span_id": s["span_id"],
                    "job_id": s["job_id"],
                    "trace_id": s["trace_id"],
                    "parent_id": s.get("parent_id"),
                    "kind": s["kind"],
                    "name": s["name"][:255],
                    "started_at": s["started_at"],
                    "ended_at": s.get("ended_at"),
                    "duration_ms": float(s["duration_ms"]) if s.get("duration_ms") is not None else None,
                    "attributes": Json(s.get("attributes") or {}),
                    "error": s.get("error"),
                }
                for s in spans
            ],
        )

    def for_job(self, job_id: str) -> list[Row]:
        return self.db.query(
            "SELECT * FROM trace_spans WHERE job_id = CAST(:id AS uuid) ORDER BY started_at, span_id", {"id": str(job_id)}
        )
