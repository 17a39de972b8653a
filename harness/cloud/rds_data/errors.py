"""Data API errors, with the codes and HTTP statuses of botocore's rds-data model."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from harness.cloud.edge import aws_json_error

STATUS = {
    "BadRequestException": 400,
    "DatabaseResumingException": 400,
    "HttpEndpointNotEnabledException": 400,
    "SecretsErrorException": 400,
    "StatementTimeoutException": 400,
    "NotFoundException": 404,
    "TransactionNotFoundException": 404,
    "ServiceUnavailableError": 503,
}


class DataApiError(Exception):
    """An error the Data API answers with; ``extra`` holds members such as ``dbConnectionId``."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.extra = code, message, extra

    def response(self) -> Response:
        return aws_json_error(STATUS[self.code], self.code, self.message, **self.extra)


def bad_request(message: str) -> DataApiError:
    return DataApiError("BadRequestException", message)


def from_postgres(err: Exception) -> DataApiError:
    """PostgreSQL's error as the Data API words it: message, position and SQLState."""
    diag = getattr(err, "diag", None)
    primary = getattr(diag, "message_primary", None) or str(err).strip()
    severity = getattr(diag, "severity", None) or "ERROR"
    text = f"{severity}: {primary}"
    position = getattr(diag, "statement_position", None)
    if position:
        text += f"\n  Position: {position}"
    sqlstate = getattr(diag, "sqlstate", None) or getattr(err, "sqlstate", None)
    if sqlstate:
        text += f"; SQLState: {sqlstate}"
    return bad_request(text)
