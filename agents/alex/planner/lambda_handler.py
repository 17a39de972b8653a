"""Planner Lambda, triggered by the analysis queue with ``ReportBatchItemFailures``.

Each record is one job (``{"job_id": ...}``); the response lists the deliveries SQS
must retry (see :mod:`alex.planner.jobs_queue` for the rules).
"""

from __future__ import annotations

import logging
from typing import Any

from alex.lambda_support import bind, database, lambda_entry
from alex.planner.invoke import LambdaInvoker
from alex.planner.jobs_queue import Delivery, max_receive_count, process
from alex.planner.reaper import reap
from alex.planner.redelivery import backoff_seconds, schedule_retry

log = logging.getLogger("alex.planner")
_invoker: LambdaInvoker | None = None
# "busy" is not retried: the attempt holding the job keeps its own message in flight until it ends
# (and SQS returns that message if it dies), so a duplicate adds nothing; retried with the backoff
# below it reached the DLQ whenever the job outlasted the backoffs (see alex.planner.jobs_queue).
RETRY_OUTCOMES = frozenset({"retry", "failed", "invalid"})


@lambda_entry("planner")
def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    global _invoker
    _invoker = _invoker or LambdaInvoker()
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise ValueError("the planner expects an SQS event with 'Records'")
    reap(database(), max_receive_count())
    failures = []
    for record in records:
        delivery = Delivery.from_record(record)
        with bind(job_id=delivery.job_id, message_id=delivery.message_id, attempt=delivery.attempt):
            outcome = process(database(), delivery, context, _invoker)
            log.info("delivery processed", extra={"outcome": outcome})
        if outcome in RETRY_OUTCOMES:
            failures.append({"itemIdentifier": delivery.message_id})
            schedule_retry(record, 0 if outcome == "failed" else backoff_seconds(delivery.attempt))
    return {"batchItemFailures": failures}
