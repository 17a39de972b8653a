"""Seeding and waiting for the analysis tests: a portfolio in the database, a job to its end."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from alex.db import Database

from harness.alexkit.scenarios.runner import wait_for_jobs
from harness.alexkit.stack.deployment import AlexDeployment


def seed_portfolio(
    db: Database, user: str, holdings: dict[str, float], *, cash: str = "5000", account_name: str = "Retirement 401k"
) -> dict[str, Any]:
    """A user with one account holding ``holdings``; unknown instruments are placeholders (the tagger's work)."""
    db.users.update(user, {"years_until_retirement": 25, "target_retirement_income": Decimal("80000")})
    account = db.accounts.create(user, {"account_name": account_name, "cash_balance": Decimal(cash)})
    for symbol, quantity in holdings.items():
        db.instruments.ensure_placeholder(symbol)
        db.positions.upsert(user, account["id"], symbol, Decimal(str(quantity)))
    return account


def submit(db: Database, stack: AlexDeployment, sqs: Any, user: str, seed: int | None = None) -> str:
    """What ``POST /api/analyze`` does: a pending job, and its message on the queue."""
    job = db.jobs.create(user, {"analysis_type": "portfolio", **({"seed": seed} if seed is not None else {})})
    sqs.send_message(QueueUrl=stack.jobs_queue_url, MessageBody=json.dumps({"job_id": str(job["id"])}))
    return str(job["id"])


def wait_for_job(db: Database, job_id: str, timeout: float = 90.0) -> dict[str, Any]:
    return wait_for_jobs(db, [job_id], timeout)[job_id]


def forget_classification(db: Database, symbols: list[str]) -> None:
    """Make instruments placeholders again, so the next analysis tags them as the first one did."""
    db.client.execute(
        "UPDATE instruments SET name = symbol, instrument_type = NULL, current_price = NULL, "
        "allocation_asset_class = CAST('{}' AS jsonb), allocation_regions = CAST('{}' AS jsonb), "
        "allocation_sectors = CAST('{}' AS jsonb) WHERE symbol = ANY(string_to_array(:symbols, ','))",
        {"symbols": ",".join(symbols)},
    )
