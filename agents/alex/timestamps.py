"""Timestamps as the Data API and the Agents SDK write them, read back as aware UTC datetimes.

The Data API returns ``2026-12-01 21:58:06.550957`` (UTC, no zone); trace spans carry ISO 8601
with an offset. Every reader of either goes through :func:`parse_utc`.
"""

from __future__ import annotations

from datetime import datetime, UTC
from typing import Any


def parse_utc(value: Any) -> datetime | None:
    """``value`` (a datetime or an ISO 8601 string, zone optional: UTC assumed) as an aware
    datetime; None when it is empty or not a timestamp."""
    if not value:
        return None
    if isinstance(value, datetime):
        stamp = value
    else:
        try:
            stamp = datetime.fromisoformat(str(value))
        except ValueError:
            return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
