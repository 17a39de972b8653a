"""CloudWatch as moto holds it: which accounts and regions have metric alarms."""

from __future__ import annotations


def alarm_accounts() -> list[tuple[str, str]]:
    """(account, region) of every CloudWatch backend holding alarms."""
    from moto.cloudwatch.models import cloudwatch_backends

    found = []
    for account_id, regions in list(cloudwatch_backends.items()):
        for region, backend in list(regions.items()):
            if getattr(backend, "alarms", None):
                found.append((account_id, region))
    return found
