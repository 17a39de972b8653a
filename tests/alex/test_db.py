"""Alex's repositories against the deployed stack's Aurora Data API (a real PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from alex.db import AuditRecord, Database, DatabaseError, input_hash


def test_users_are_created_on_first_use_and_updated(alex_db: Database) -> None:
    row = alex_db.users.ensure("user_a", "Ada")
    assert row["display_name"] == "Ada" and row["asset_class_targets"] == {"equity": 70, "fixed_income": 30}
    updated = alex_db.users.update(
        "user_a", {"years_until_retirement": 25, "region_targets": {"north_america": 60, "international": 40}}
    )
    assert updated["years_until_retirement"] == 25
    assert updated["region_targets"] == {"north_america": 60, "international": 40}


def test_accounts_and_positions_are_invisible_to_other_users(alex_db: Database) -> None:
    for user in ("owner", "intruder"):
        alex_db.users.ensure(user)
    account = alex_db.accounts.create("owner", {"account_name": "401k", "cash_balance": Decimal("100.50")})
    alex_db.instruments.ensure_placeholder("SPY")
    position = alex_db.positions.upsert("owner", account["id"], "SPY", Decimal("10"))
    assert position is not None and Decimal(position["quantity"]) == 10
    assert alex_db.accounts.get("intruder", account["id"]) is None
    assert alex_db.positions.upsert("intruder", account["id"], "SPY", Decimal("1")) is None
    assert alex_db.positions.update("intruder", position["id"], Decimal("99")) is None
    assert not alex_db.positions.delete("intruder", position["id"])
    assert not alex_db.accounts.delete("intruder", account["id"])
    assert alex_db.accounts.update("intruder", account["id"], {"account_name": "mine"}) is None
    assert [p["symbol"] for p in alex_db.positions.list("owner", account["id"])] == ["SPY"]
    assert alex_db.positions.list("intruder", account["id"]) == []


def test_constraint_violation_is_a_database_error(alex_db: Database) -> None:
    alex_db.users.ensure("u")
    account = alex_db.accounts.create("u", {"account_name": "a"})
    with pytest.raises(DatabaseError):
        alex_db.positions.upsert("u", account["id"], "NOPE", Decimal("1"))  # unknown instrument


def test_unclassified_lists_symbols_without_allocations(alex_db: Database) -> None:
    alex_db.instruments.ensure_placeholder("AAA")
    alex_db.instruments.upsert(
        {
            "symbol": "BBB",
            "name": "B",
            "instrument_type": "etf",
            "current_price": 10,
            "allocation_asset_class": {"equity": 100},
            "allocation_regions": {"north_america": 100},
            "allocation_sectors": {"technology": 100},
        }
    )
    assert alex_db.instruments.unclassified(["BBB", "AAA", "CCC"]) == ["AAA", "CCC"]


def test_job_claim_is_exclusive_and_terminal_states_stick(alex_db: Database) -> None:
    alex_db.users.ensure("u")
    job = alex_db.jobs.create("u", {"analysis_type": "portfolio"})
    assert alex_db.jobs.claim(job["id"], attempt=1, lease_seconds=60)["status"] == "running"
    assert alex_db.jobs.claim(job["id"], attempt=2, lease_seconds=60) is None  # leased by a live attempt
    assert alex_db.jobs.release(job["id"], "attempt 1 failed: boom")
    assert alex_db.jobs.claim(job["id"], attempt=2, lease_seconds=0)["attempts"] == 2
    assert alex_db.jobs.expired_leases()[0]["id"] == job["id"]
    assert alex_db.jobs.claim(job["id"], attempt=3, lease_seconds=60) is not None  # expired lease: taken over
    assert alex_db.jobs.complete(job["id"], {"ok": True})
    assert not alex_db.jobs.fail(job["id"], "late failure")
    assert alex_db.jobs.claim(job["id"], attempt=4, lease_seconds=60) is None
    assert alex_db.jobs.get("u", job["id"])["status"] == "completed"
    assert alex_db.jobs.get("someone-else", job["id"]) is None


def test_audit_records_and_spans_are_stored_per_job(alex_db: Database) -> None:
    alex_db.users.ensure("u")
    job = alex_db.jobs.create("u", {})
    alex_db.audit.add(
        AuditRecord(
            job_id=job["id"],
            agent="tagger",
            model="m",
            input_hash=input_hash({"a": 1}),
            output_summary="ok",
            duration_ms=12,
            guardrails=[{"name": "sanitise", "passed": True}],
        )
    )
    alex_db.spans.add_many(
        [
            {
                "span_id": "s1",
                "job_id": job["id"],
                "trace_id": "t",
                "kind": "agent",
                "name": "Tagger",
                "started_at": "2026-01-01T00:00:00Z",
                "ended_at": "2026-01-01T00:00:01Z",
                "duration_ms": 1000,
                "attributes": {"gen_ai.agent.name": "Tagger"},
            }
        ]
        * 2
    )
    [record] = alex_db.audit.for_job(job["id"])
    assert record["guardrails"] == [{"name": "sanitise", "passed": True}] and record["input_hash"] == input_hash({"a": 1})
    [span] = alex_db.spans.for_job(job["id"])
    assert span["attributes"] == {"gen_ai.agent.name": "Tagger"}


def test_reaper_fails_jobs_whose_last_attempt_died_and_jobs_never_started(alex_db: Database) -> None:
    """No job is left running or pending for ever: a crashed final attempt (expired lease, attempts
    used up) and a job whose message never ran it are failed with their reasons; others are left alone."""
    from alex.planner.reaper import reap

    alex_db.users.ensure("u")
    crashed = alex_db.jobs.create("u", {})
    alex_db.jobs.claim(crashed["id"], attempt=3, lease_seconds=0)
    retrying = alex_db.jobs.create("u", {})
    alex_db.jobs.claim(retrying["id"], attempt=1, lease_seconds=0)  # SQS will redeliver it
    live = alex_db.jobs.create("u", {})
    alex_db.jobs.claim(live["id"], attempt=3, lease_seconds=600)
    assert reap(alex_db, max_attempts=3, stale_pending_seconds=3600) == [str(crashed["id"])]
    assert "no retry remains" in alex_db.jobs.get_any(crashed["id"])["error_message"]
    assert alex_db.jobs.get_any(retrying["id"])["status"] == "running"
    assert alex_db.jobs.get_any(live["id"])["status"] == "running"
    never = alex_db.jobs.create("u", {})
    assert reap(alex_db, max_attempts=3, stale_pending_seconds=0) == [str(never["id"])]
    assert alex_db.jobs.get_any(never["id"])["error_message"].startswith("never started")
