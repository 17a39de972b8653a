"""CloudWatch as moto holds it: which accounts and regions have metric alarms."""

from __future__ import annotations

from harness.cloud.moto_adapter.backends import each_backend


def alarm_accounts() -> list[tuple[str, str]]:
    """(account, region) of every CloudWatch backend holding alarms."""
    from moto.cloudwatch.models import cloudwatch_backends

    return [
        (account_id, region)
        for account_id, region, backend in each_backend(cloudwatch_backends)
        if getattr(backend, "alarms", None)
    ]
