"""Upstream Alex's own schema migration (backend/database/migrations/001_schema.sql) through the Data API."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from harness.cloud.rds_data.params import parse

pytestmark = [pytest.mark.emulation, pytest.mark.upstream]

# ../shared/upstream-alex relative to the repository root; ALEX_UPSTREAM_DIR points elsewhere (e.g. from a worktree)
UPSTREAM = Path(os.environ.get("ALEX_UPSTREAM_DIR") or Path(__file__).resolve().parents[2].parent / "shared" / "upstream-alex")
SCHEMA = UPSTREAM / "backend" / "database" / "migrations" / "001_schema.sql"


def _statements(sql: str) -> list[str]:
    """Split at top-level semicolons (not inside $$ bodies), as the Data API runs one statement a call."""
    out, current = [], []
    for line in sql.splitlines(keepends=True):
        current.append(line)
        text = "".join(current)
        if text.rstrip().endswith(";") and parse(text).statements >= 1 and text.count("$$") % 2 == 0:
            out.append(text.strip().rstrip(";"))
            current = []
    tail = "".join(current).strip()
    if tail and parse(tail).statements:
        out.append(tail)
    return [s for s in out if parse(s).statements]


@pytest.mark.skipif(not SCHEMA.exists(), reason=f"upstream Alex is not checked out at {UPSTREAM}")
def test_upstream_schema_runs_whole_through_the_data_api(aurora):
    """Aurora PostgreSQL runs upstream's 001_schema.sql, uuid-ossp included, every statement succeeding."""
    statements = _statements(SCHEMA.read_text())
    assert len(statements) == 17
    failures = {}
    for statement in statements:
        try:
            aurora.run(statement)
        except Exception as err:  # collected, so the assertion names every failing statement
            failures[statement.splitlines()[0]] = str(err)
    assert failures == {}
    aurora.run("INSERT INTO users (clerk_user_id, display_name) VALUES ('u1', 'Upstream user')")
    account = aurora.scalar("INSERT INTO accounts (clerk_user_id, account_name) VALUES ('u1', '401k') RETURNING id::text")
    assert uuid.UUID(account).version == 4
