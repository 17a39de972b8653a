"""Data API errors, with the codes and HTTP statuses of botocore's rds-data model.

Which exception a SQL error becomes depends on the cluster: Aurora Serverless v1
answered ``BadRequestException`` (botocore now marks it deprecated), while
Serverless v2 and provisioned clusters, the only ones AWS still runs, answer
``DatabaseErrorException``. The message is PostgreSQL's, worded as the Data API
words it: ``ERROR: <message>\\n  Position: <n>; SQLState: <code>``.
"""

from __future__ import annotations

import re
from typing import Any

from harness.cloud.service_model import ServiceError


class DataApiError(ServiceError):
    """An error the Data API answers with (status from the rds-data model, e.g. DatabaseUnavailableException
    504); ``extra`` holds members such as ``dbConnectionId``.

    ``aborts_transaction``: the database failed the statement, which ends the transaction it ran in.
    """

    service = "rds-data"

    def __init__(self, code: str, message: str, *, aborts_transaction: bool = False, **extra: Any) -> None:
        super().__init__(code, message, **extra)
        self.aborts_transaction = aborts_transaction


def bad_request(message: str) -> DataApiError:
    """An error in the call itself (missing or malformed members)."""
    return DataApiError("BadRequestException", message)


def sql_error_code(legacy: bool) -> str:
    """The exception SQL errors come as: Serverless v1 (``legacy``) or v2/provisioned."""
    return "BadRequestException" if legacy else "DatabaseErrorException"


def postgres_message(err: Exception) -> str:
    """PostgreSQL's error as the Data API words it: message, position and SQLState."""
    diag = getattr(err, "diag", None)
    primary = getattr(diag, "message_primary", None)
    if not primary:  # a connection failure: psycopg wraps the server's FATAL in its own text
        text = str(err).strip()
        fatal = re.search(r"\b(FATAL|ERROR):\s+(.*)", text, re.S)
        return f"{fatal.group(1)}: {fatal.group(2).strip()}" if fatal else text
    severity = getattr(diag, "severity_nonlocalized", None) or getattr(diag, "severity", None) or "ERROR"
    text = f"{severity}: {primary}"
    position = getattr(diag, "statement_position", None)
    if position:
        text += f"\n  Position: {position}"
    sqlstate = getattr(diag, "sqlstate", None) or getattr(err, "sqlstate", None)
    if sqlstate:
        text += f"; SQLState: {sqlstate}"
    return text


def from_postgres(err: Exception, legacy: bool = False) -> DataApiError:
    """A PostgreSQL error as the Data API's exception for this kind of cluster."""
    return DataApiError(sql_error_code(legacy), postgres_message(err), aborts_transaction=True)
