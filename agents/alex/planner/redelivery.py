"""When SQS shows a failed delivery again: exponential backoff instead of the full visibility timeout.

The queue's visibility timeout must exceed the planner's timeout (Lambda requires it), so
a failed attempt would otherwise wait up to 15 minutes for its retry. Changing the
message's visibility through its receipt handle, as AWS recommends for SQS-triggered
retries, brings the retry forward: ``base × 2^(attempt-1)`` seconds, capped. The attempt
that failed the job uses 0, so the message reaches the DLQ at once.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from typing import Any

import boto3

log = logging.getLogger("alex.planner")
MAX_BACKOFF_SECONDS = 900


def backoff_seconds(attempt: int, base: float | None = None) -> int:
    base = float(os.environ.get("RETRY_BACKOFF_SECONDS", "30")) if base is None else base
    return int(min(MAX_BACKOFF_SECONDS, base * 2 ** max(0, attempt - 1)))


@lru_cache(maxsize=8)
def _queue_url(queue_arn: str) -> str:
    _, _, _, region, account, name = queue_arn.split(":", 5)
    configured = os.environ.get("SQS_QUEUE_URL", "")
    if configured.rstrip("/").endswith("/" + name):
        return configured
    return str(boto3.client("sqs", region_name=region).get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"])


def schedule_retry(record: dict[str, Any], seconds: int) -> None:
    """Make the message visible again in ``seconds``; best effort (the visibility timeout still applies)."""
    try:
        boto3.client("sqs").change_message_visibility(
            QueueUrl=_queue_url(record["eventSourceARN"]), ReceiptHandle=record["receiptHandle"], VisibilityTimeout=seconds
        )
    except Exception:  # the message still returns after the queue's visibility timeout
        log.warning("could not shorten the retry delay", exc_info=True)
