"""What routes depend on: the database, the jobs queue, the request id, and row serialisation.

The database and the SQS client are made on first use (not at import or cold start), from
the environment the app was built with, and kept on ``app.state`` for the warm container.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, UTC
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import boto3
from fastapi import Depends, Request

from alex.api.errors import DATABASE_UNAVAILABLE, ServiceUnavailable
from alex.db import Database

# -- runtime: what the app was built with ------------------------------------------------


@dataclass
class ApiRuntime:
    """Per-app dependencies, created lazily and thread-safely (routes run in a thread pool)."""

    environ: Mapping[str, str] | None = None  # None: os.environ, read when needed
    database: Database | None = None
    sqs_client: Any = None
    queue_url: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def env(self) -> Mapping[str, str]:
        return os.environ if self.environ is None else self.environ

    def get_database(self) -> Database:
        if self.database is None:
            with self._lock:
                if self.database is None:
                    try:
                        self.database = Database.from_env(self.env(), boto_client("rds-data", self.environ))
                    except RuntimeError as err:  # AURORA_* not set
                        raise ServiceUnavailable(DATABASE_UNAVAILABLE, str(err)) from None
        return self.database

    def get_sqs(self) -> Any:
        if self.sqs_client is None:
            with self._lock:
                if self.sqs_client is None:
                    self.sqs_client = boto_client("sqs", self.environ)
        return self.sqs_client

    def get_queue_url(self) -> str:
        return self.queue_url or self.env().get("SQS_QUEUE_URL", "")


def _service_id(service: str) -> str:
    """``sqs`` -> ``SQS``, ``secretsmanager`` -> ``SECRETS_MANAGER``: the suffix of its endpoint variable."""
    import botocore.session

    model = botocore.session.get_session().get_service_model(service)
    return str(model.service_id).upper().replace(" ", "_")


def boto_client(service: str, environ: Mapping[str, str] | None) -> Any:
    """A boto3 client; from an explicit environment (endpoint, region, keys) when one is given.

    With ``environ=None`` it is plain ``boto3.client(service)``: on Lambda the runtime's
    variables (and ``AWS_ENDPOINT_URL`` in the local cloud) configure it.
    """
    if environ is None:
        return boto3.client(service)
    kwargs: dict[str, Any] = {}
    endpoint = environ.get(f"AWS_ENDPOINT_URL_{_service_id(service)}") or environ.get("AWS_ENDPOINT_URL")
    if endpoint:  # the service's own endpoint variable wins over the catch-all, as boto3's lookup does
        kwargs["endpoint_url"] = endpoint
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    if region:
        kwargs["region_name"] = region
    if environ.get("AWS_ACCESS_KEY_ID") and environ.get("AWS_SECRET_ACCESS_KEY"):
        kwargs["aws_access_key_id"] = environ["AWS_ACCESS_KEY_ID"]
        kwargs["aws_secret_access_key"] = environ["AWS_SECRET_ACCESS_KEY"]
        if environ.get("AWS_SESSION_TOKEN"):
            kwargs["aws_session_token"] = environ["AWS_SESSION_TOKEN"]
    return boto3.client(service, **kwargs)


def runtime(request: Request) -> ApiRuntime:
    return request.app.state.alex_runtime  # type: ignore[no-any-return]


def get_database(request: Request) -> Database:
    return runtime(request).get_database()


def get_request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "") or "")


Db = Annotated[Database, Depends(get_database)]
RequestId = Annotated[str, Depends(get_request_id)]

# -- rows as JSON -------------------------------------------------------------------------

# The Data API gives TIMESTAMPTZ as "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC; the API answers ISO 8601 with Z.
_DATA_API_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?")


def jsonable(value: Any, key: str | None = None) -> Any:
    """A row (or list of rows) as plain JSON values.

    Money and quantities stay exact: a ``Decimal`` becomes its decimal string ("100.50"),
    as the Data API itself returns NUMERIC, never a float. Datetimes are ISO 8601 in UTC
    (``...Z``), UUIDs their canonical string.
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, str):
        if key is not None and key.endswith("_at") and _DATA_API_TIMESTAMP.fullmatch(value):
            return value.replace(" ", "T") + "Z"
        return value
    return str(value)
