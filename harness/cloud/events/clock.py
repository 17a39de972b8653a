"""The clock schedules run by: the wall clock, or a test clock a test moves forward.

A rule ``rate(1 minute)`` cannot make a test wait a minute; with a test clock the test
says "a minute passed" (``clock.advance(60)`` or ``POST /_harness/clock/advance``) and
every schedule due by then fires at once, in order.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    """Wall-clock time in UTC; ``advance`` is refused (see :class:`TestClock`)."""

    driven = False

    def now(self) -> datetime:
        return datetime.now(UTC)

    def advance(self, seconds: float) -> datetime:
        raise RuntimeError("the wall clock cannot be advanced; start the cloud with a test clock (--test-clocks)")


class TestClock(Clock):
    """Stopped at its creation time; only ``advance(seconds)`` moves it, so nothing scheduled
    fires in a test (or under ``up --test-clocks``) unless the test says time has passed."""

    __test__ = False  # not a pytest test class
    driven = True

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)
        self._lock = threading.Lock()
        self.changed = threading.Event()  # set by advance, so a scheduler wakes at once

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def resume_at(self, moment: datetime) -> None:
        """Continue from ``moment`` if it is later (a restart of a cloud whose test clock had been moved
        on: its schedules' next firings were kept in that clock's time, so it must not go back)."""
        with self._lock:
            self._now = max(self._now, moment)

    def advance(self, seconds: float) -> datetime:
        if not 0 <= seconds <= 366 * 86400:
            raise ValueError("seconds must be between 0 and a year")
        with self._lock:
            self._now += timedelta(seconds=seconds)
        self.changed.set()
        return self.now()
