"""SNS as moto holds it: what each topic was sent (moto keeps every published message)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from harness.cloud.moto_adapter.backends import each_backend


@dataclass(frozen=True)
class SentNotification:
    topic_arn: str
    account_id: str
    region: str
    message_id: str
    subject: str | None
    message: str


def sent_notifications(topic_arn: str | None = None) -> Iterator[SentNotification]:
    """Every message moto's SNS topics were sent (of one topic, or all), oldest first per topic."""
    from moto.sns.models import sns_backends

    for account_id, region, backend in each_backend(sns_backends):
        for arn, topic in list(backend.topics.items()):
            if topic_arn is not None and arn != topic_arn:
                continue
            for message_id, message, subject, _attributes, _group in list(topic.sent_notifications):
                yield SentNotification(arn, account_id, region, message_id, subject, message)
