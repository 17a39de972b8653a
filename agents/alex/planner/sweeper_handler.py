"""The ``alex-sweeper`` Lambda's handler (the sweep itself is :mod:`alex.planner.sweeper`).

The sweeper only runs a few SQL statements and sends SQS messages, so it loads only that: JSON
logs and the Data API's and SQS's service models, loaded at import (in the init phase, so in the
template). It used ``alex.lambda_support``, which brings the Agents SDK and LiteLLM for the
agents' tracing and audit: on this loaded machine the first sweep after a start spent 28 s on
those imports while the jobs a killed process held waited for it to re-queue them.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import boto3

from alex.db import Database
from alex.observability.logging import bind, configure_logging
from alex.planner.sweeper import SweepSettings, sweep
from alex.warmup import load_service_models

log = logging.getLogger("alex.planner.sweeper")
configure_logging("sweeper")
_clients: dict[str, Any] = {}


def _database() -> Database:
    if "db" not in _clients:
        _clients["db"] = Database.from_env()
    return _clients["db"]  # type: ignore[no-any-return]


def _sqs() -> Any:
    if "sqs" not in _clients:
        _clients["sqs"] = boto3.client("sqs")
    return _clients["sqs"]


load_service_models("rds-data", "sqs")  # the clients' service models, loaded in the init phase (alex/warmup.py)


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Invoked by the sweeper's EventBridge rule, every minute."""
    with bind(request_id=getattr(context, "aws_request_id", None), agent="sweeper"):
        return sweep(_database(), _sqs(), os.environ["SQS_QUEUE_URL"], SweepSettings.from_env()).as_dict()
