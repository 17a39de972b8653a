"""Alex's database over the RDS Data API: a typed client, repositories, and migrations.

``Database.from_env()`` in a Lambda (or the API) gives one object with a repository per
table. Repositories that hold user data take the user id on every call and put it in
the SQL, so one user's request can never reach another's rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from alex.db.accounts import Accounts, Positions
from alex.db.audit import AuditRecord, AuditTrail, input_hash
from alex.db.client import DataApiClient, DatabaseError, Json, Row
from alex.db.instruments import Instruments
from alex.db.jobs import Jobs
from alex.db.spans import Spans
from alex.db.users import Users


class Database:
    """Every repository over one Data API client."""

    def __init__(self, client: DataApiClient) -> None:
        self.client = client

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, boto_client: Any = None) -> Database:
        return cls(DataApiClient.from_env(environ, boto_client))

    @cached_property
    def users(self) -> Users:
        return Users(self.client)

    @cached_property
    def instruments(self) -> Instruments:
        return Instruments(self.client)

    @cached_property
    def accounts(self) -> Accounts:
        return Accounts(self.client)

    @cached_property
    def positions(self) -> Positions:
        return Positions(self.client)

    @cached_property
    def jobs(self) -> Jobs:
        return Jobs(self.client)

    @cached_property
    def audit(self) -> AuditTrail:
        return AuditTrail(self.client)

    @cached_property
    def spans(self) -> Spans:
        return Spans(self.client)


__all__ = ["AuditRecord", "Database", "DataApiClient", "DatabaseError", "Json", "Row", "input_hash"]
