"""SQS as moto holds it: queues and their messages, read in process without receiving anything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.cloud.moto_adapter.backends import each_backend


@dataclass(frozen=True)
class MotoQueue:
    """A queue in moto's backend; ``messages`` reads its messages' states when called."""

    account_id: str
    region: str
    name: str
    queue: Any  # moto's Queue, read only through this module

    def messages(self) -> list[MessageState]:
        """A snapshot of the queue's messages (not deleted): delayed, visible, and when each was sent."""
        return [
            MessageState(
                delayed=bool(getattr(message, "delayed", False)),
                visible=bool(getattr(message, "visible", True)),
                sent_timestamp=getattr(message, "sent_timestamp", None),
            )
            for message in list(getattr(self.queue, "_messages", []))
        ]


@dataclass(frozen=True)
class MessageState:
    delayed: bool
    visible: bool
    sent_timestamp: int | None  # epoch milliseconds


def queues() -> list[MotoQueue]:
    """Every queue moto holds, in every account and region."""
    from moto.sqs.models import sqs_backends

    return [
        MotoQueue(account_id, region, name, queue)
        for account_id, region, backend in each_backend(sqs_backends)
        for name, queue in list(backend.queues.items())
    ]


def visibility_timeout(account_id: str, region: str, name: str) -> int | None:
    """The queue's VisibilityTimeout in seconds, or None when it does not exist."""
    from moto.sqs.exceptions import QueueDoesNotExist
    from moto.sqs.models import sqs_backends

    try:
        queue = sqs_backends[account_id][region].get_queue(name)
    except QueueDoesNotExist:
        return None
    return int(queue.visibility_timeout)  # type: ignore[attr-defined]  # set by moto from attributes
