"""EventBridge as moto holds it: the enabled rules with a schedule, and their targets.

Read only once a request has loaded the service's models (moto loads a service's models on its
first call): before that no schedule can exist, and importing them costs time on every tick.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass

from harness.cloud.moto_adapter.backends import each_backend


@dataclass(frozen=True)
class MotoSchedule:
    """An enabled rule with a ScheduleExpression, or an enabled Scheduler schedule, and its targets."""

    arn: str
    name: str
    expression: str
    targets: tuple[tuple[str, str | None], ...]  # (target ARN, Input or None)
    account_id: str
    region: str


def scheduled_rules() -> Iterator[MotoSchedule]:
    """EventBridge rules with a schedule expression, on every bus, in every account and region."""
    if "moto.events.models" not in sys.modules:
        return
    from moto.events.models import events_backends

    for account, region, backend in each_backend(events_backends):
        for bus in list(backend.event_buses.values()):
            for rule in list(bus.rules.values()):
                if rule.scheduled_expression and rule.state == "ENABLED":
                    targets = tuple((t["Arn"], t.get("Input")) for t in rule.targets)
                    yield MotoSchedule(rule.arn, rule.name, rule.scheduled_expression, targets, account, region)
