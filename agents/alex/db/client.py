"""A small typed client for the RDS Data API: named parameters in, rows as dicts out.

Why a client of our own: boto3's ``rds-data`` wants every parameter as a tagged Field
(``{"stringValue": ...}`` plus a ``typeHint`` for UUID, JSON, DECIMAL, DATE and
TIMESTAMP) and returns rows as lists of Fields. Every repository would repeat that
conversion. Rows are read with ``formatRecordsAs=JSON`` so they arrive as dicts keyed by
column name. An Aurora Serverless cluster that is resuming from zero capacity answers
``DatabaseResumingException``; that is retried with backoff, as AWS advises. So is
``DatabaseUnavailableException`` (HTTP 504, "the writer instance isn't available"): a writer
restarting after a crash comes back within seconds, and the statement never ran.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import boto3
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

Row = dict[str, Any]
# Every json/jsonb column of Alex's schema (migrations 001, 002).
JSON_COLUMNS = frozenset(
    {
        "asset_class_targets",
        "region_targets",
        "allocation_regions",
        "allocation_sectors",
        "allocation_asset_class",
        "request_payload",
        "report_payload",
        "charts_payload",
        "retirement_payload",
        "summary_payload",
        "guardrails",
        "attributes",
    }
)


class DatabaseError(RuntimeError):
    """A statement the database refused (constraint, syntax), with the Data API's message."""


class Json:
    """Marks a value to be sent as JSON (``typeHint: JSON``), e.g. ``Json({"equity": 70})``."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def to_field(value: Any) -> tuple[dict[str, Any], str | None]:
    """A Python value as a Data API Field and its typeHint."""
    if value is None:
        return {"isNull": True}, None
    if isinstance(value, bool):
        return {"booleanValue": value}, None
    if isinstance(value, int):
        return {"longValue": value}, None
    if isinstance(value, float):
        return {"doubleValue": value}, None
    if isinstance(value, Decimal):
        return {"stringValue": str(value)}, "DECIMAL"
    if isinstance(value, uuid.UUID):
        return {"stringValue": str(value)}, "UUID"
    if isinstance(value, Json):
        return {"stringValue": json.dumps(value.value, default=str)}, "JSON"
    if isinstance(value, datetime):
        return {"stringValue": value.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]}, "TIMESTAMP"
    if isinstance(value, date):
        return {"stringValue": value.isoformat()}, "DATE"
    if isinstance(value, bytes):
        return {"blobValue": value}, None
    if isinstance(value, str):
        return {"stringValue": value}, None
    raise TypeError(f"cannot send {type(value).__name__} to the Data API")


def to_parameters(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, value in params.items():
        fld, hint = to_field(value)
        entry: dict[str, Any] = {"name": name, "value": fld}
        if hint:
            entry["typeHint"] = hint
        out.append(entry)
    return out


def _is_resuming(exc: BaseException) -> bool:
    code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
    return code in ("DatabaseResumingException", "DatabaseUnavailableException")


_resuming_retry = retry(
    retry=retry_if_exception(_is_resuming),
    wait=wait_exponential(multiplier=0.25, max=5),
    stop=stop_after_attempt(8),
    reraise=True,
)


@dataclass
class DataApiClient:
    """Statements against one Aurora database, optionally inside a Data API transaction."""

    cluster_arn: str
    secret_arn: str
    database: str
    client: Any = field(default=None, repr=False)
    transaction_id: str | None = None

    def __post_init__(self) -> None:
        if self.client is None:
            self.client = boto3.client("rds-data")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, client: Any = None) -> DataApiClient:
        """From the variables the stack gives every function (AURORA_CLUSTER_ARN, ...)."""
        env = os.environ if environ is None else environ
        missing = [k for k in ("AURORA_CLUSTER_ARN", "AURORA_SECRET_ARN") if not env.get(k)]
        if missing:
            raise RuntimeError(f"database not configured: set {', '.join(missing)}")
        return cls(env["AURORA_CLUSTER_ARN"], env["AURORA_SECRET_ARN"], env.get("DATABASE_NAME", "alex"), client)

    def _target(self) -> dict[str, Any]:
        target = {"resourceArn": self.cluster_arn, "secretArn": self.secret_arn, "database": self.database}
        if self.transaction_id:
            target["transactionId"] = self.transaction_id
        return target

    @_resuming_retry
    def _call(self, sql: str, params: Mapping[str, Any] | None, as_json: bool) -> dict[str, Any]:
        request = {"sql": sql, **self._target()}
        if params:
            request["parameters"] = to_parameters(params)
        if as_json:
            request["formatRecordsAs"] = "JSON"
        try:
            return self.client.execute_statement(**request)
        except self.client.exceptions.DatabaseErrorException as exc:
            raise DatabaseError(exc.response["Error"].get("Message", str(exc))) from exc
        except self.client.exceptions.BadRequestException as exc:
            raise DatabaseError(exc.response["Error"].get("Message", str(exc))) from exc

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Rows of a SELECT (or ``... RETURNING``) as dicts."""
        response = self._call(sql, params, as_json=True)
        rows: list[Row] = json.loads(response.get("formattedRecords") or "[]")
        # JSON records carry json/jsonb columns as strings and no column metadata, so the
        # schema's JSON columns are decoded by name.
        for row in rows:
            for column in JSON_COLUMNS.intersection(row):
                if isinstance(row[column], str):
                    row[column] = json.loads(row[column])
        return rows

    def one(self, sql: str, params: Mapping[str, Any] | None = None) -> Row | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        """Run a statement; the number of rows it changed."""
        return int(self._call(sql, params, as_json=False).get("numberOfRecordsUpdated", 0))

    def execute_many(self, sql: str, param_sets: Sequence[Mapping[str, Any]]) -> None:
        """One statement for many parameter sets (BatchExecuteStatement), atomically."""
        if not param_sets:
            return
        self.client.batch_execute_statement(sql=sql, parameterSets=[to_parameters(p) for p in param_sets], **self._target())

    @contextmanager
    def transaction(self) -> Iterator[DataApiClient]:
        """A client bound to a new transaction, committed on success and rolled back on error."""
        target = {"resourceArn": self.cluster_arn, "secretArn": self.secret_arn}
        tx = _resuming_retry(self.client.begin_transaction)(database=self.database, **target)["transactionId"]
        bound = DataApiClient(self.cluster_arn, self.secret_arn, self.database, self.client, tx)
        try:
            yield bound
        except BaseException:
            try:
                self.client.rollback_transaction(transactionId=tx, **target)
            except self.client.exceptions.TransactionNotFoundException:
                pass
            raise
        self.client.commit_transaction(transactionId=tx, **target)
