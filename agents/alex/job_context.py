"""What an analysis agent loads for its job: the job, its owner, and the portfolio view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alex.db import Database
from alex.portfolio import FindingLog, build_portfolio
from alex.schemas import PortfolioView


class JobNotFound(LookupError):
    pass


@dataclass
class JobContext:
    job: dict[str, Any]
    user: dict[str, Any]
    portfolio: PortfolioView
    findings: FindingLog

    @property
    def job_id(self) -> str:
        return str(self.job["id"])

    def input_guardrails(self) -> list[dict[str, Any]]:
        """The sanitiser's signal on the stored texts that went into the prompt (as data)."""
        return [
            {
                "name": "input_sanitise",
                "passed": not self.findings.items,
                "suspect": self.findings.items,
                "passed_as_data": not self.findings.refused,
            }
        ]

    def symbols(self) -> set[str]:
        """The symbols the user holds."""
        return {p.symbol for a in self.portfolio.accounts for p in a.positions}


def load_job_context(db: Database, job_id: str) -> JobContext:
    job = db.jobs.get_any(job_id)
    if job is None:
        raise JobNotFound(f"job {job_id} does not exist")
    user_id = job["clerk_user_id"]
    user = db.users.get(user_id) or {"clerk_user_id": user_id}
    findings = FindingLog()
    view = build_portfolio(db.positions.portfolio(user_id), user, findings)
    return JobContext(job, user, view, findings)


def require_job_id(event: Any) -> str:
    """The ``job_id`` of an agent's invocation event; a clear error when it is missing."""
    if not isinstance(event, dict) or not isinstance(event.get("job_id"), str) or not event["job_id"]:
        raise ValueError("event must be a JSON object with a non-empty string 'job_id'")
    return event["job_id"]
