"""EventBridge Scheduler as moto holds it: the enabled schedules and their target.

Read only once a request has loaded the service's models, as ``events`` reads rules.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from harness.cloud.moto_adapter.backends import each_backend
from harness.cloud.moto_adapter.events import MotoSchedule


def schedules() -> Iterator[MotoSchedule]:
    """EventBridge Scheduler schedules in every group (a schedule's Input defaults to ``{}``)."""
    if "moto.scheduler.models" not in sys.modules:
        return
    from moto.scheduler.models import scheduler_backends

    for account, region, backend in each_backend(scheduler_backends):
        for group in list(backend.schedule_groups.values()):
            for item in list(group.schedules.values()):
                if item.state == "ENABLED":
                    target = item.target or {}
                    yield MotoSchedule(
                        item.arn,
                        item.name,
                        item.schedule_expression,
                        ((target.get("Arn", ""), target.get("Input") or "{}"),),
                        account,
                        region,
                    )
