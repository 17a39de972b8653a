"""CloudWatch Logs as moto holds it: events written in process, creating group and stream on demand."""

from __future__ import annotations

from typing import Any


def put_log_events(account_id: str, region: str, group: str, stream: str, events: list[dict[str, Any]]) -> None:
    """Append ``events`` (``{"timestamp": ms, "message": str}``, oldest first) to ``group``/``stream``."""
    from moto.logs.models import logs_backends

    backend = logs_backends[account_id][region]
    backend.ensure_log_group(group)
    backend.ensure_log_stream(group, stream)
    backend.put_log_events(group, stream, events)
