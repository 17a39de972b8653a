"""Schedules: EventBridge rules and Scheduler schedules fire their Lambda targets, as AWS does.

moto stores rules (``PutRule`` with a ``ScheduleExpression``, ``PutTargets``) and
Scheduler schedules (``CreateSchedule``) but never fires them. This component reads them
from moto on every tick, keeps each one's next firing time, and when it is due invokes
each Lambda target asynchronously (``Event``, so the Lambda runtime's async retries
apply, as for EventBridge) with the payload AWS sends: the target's ``Input`` when set,
otherwise, for a rule, the ``Scheduled Event`` document. A rate fires first one period
after it is first seen; missed firings while the cloud was down are not replayed beyond
one (EventBridge does not catch up either). Non-Lambda targets are skipped with a log line.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from harness.cloud.events.clock import Clock, TestClock
from harness.cloud.events.expressions import InvalidExpression, Schedule, parse
from harness.cloud.moto_adapter import events as moto_events
from harness.cloud.moto_adapter import scheduler as moto_scheduler
from harness.cloud.moto_adapter.events import MotoSchedule
from harness.cloud.routes import Route, json_body, json_error, json_response

if TYPE_CHECKING:
    from harness.cloud.esm.poller import Invoker
    from harness.cloud.host import CloudHost

log = logging.getLogger(__name__)
MAX_CATCH_UP = 60  # firings of one schedule per tick, when a test clock jumps far ahead


@dataclass(frozen=True)
class Due:
    """One schedule as read from moto: its key, expression and Lambda targets (arn, payload or None)."""

    key: str
    name: str
    expression: str
    targets: tuple[tuple[str, str | None], ...]
    resource: str
    account: str
    region: str
    kind: str  # "rule" | "schedule"


@dataclass(frozen=True)
class Firing:
    name: str
    kind: str
    scheduled_for: str
    target: str
    request_id: str


def _due(found: MotoSchedule, kind: str) -> Due:
    return Due(found.arn, found.name, found.expression, found.targets, found.arn, found.account_id, found.region, kind)


class Schedules:
    """The scheduler beside moto; ``clock`` is the wall clock unless a test clock is given."""

    def __init__(self, invoker: Invoker, clock: Clock | None = None, tick: float = 1.0) -> None:
        self._invoker = invoker
        self.clock = clock or Clock()
        self._tick = tick
        self._next: dict[str, datetime | None] = {}
        self._parsed: dict[str, Schedule] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.fired: list[Firing] = []

    # CloudComponent -----------------------------------------------------------------
    def attach(self, cloud: CloudHost) -> None:
        assert cloud.edge is not None
        cloud.edge.add_routes(self.routes())

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="schedules", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if isinstance(self.clock, TestClock):
            self.clock.changed.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def drain(self, deadline: float) -> None:
        """Fire nothing more (draining): a schedule due later runs after the restart."""
        self.stop()

    def reset(self) -> None:
        with self._lock:
            self._next.clear()
            self.fired.clear()

    def persist_state(self) -> dict[str, Any]:
        """The next firings, and a test clock's time: they are in that clock's time, not the wall's."""
        with self._lock:
            driven = self.clock.now() if isinstance(self.clock, TestClock) else None
            return {"next": dict(self._next), "test_clock": driven}

    def restore_state(self, state: dict[str, Any]) -> None:
        with self._lock:
            self._next.update(state.get("next", {}))
            saved = state.get("test_clock")
            if saved is not None and isinstance(self.clock, TestClock):
                self.clock.resume_at(saved)

    # firing -------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.run_due()
            except Exception:  # one bad schedule must not stop the others for good
                log.exception("schedules tick failed")
            if isinstance(self.clock, TestClock):
                self.clock.changed.wait(self._tick)
                self.clock.changed.clear()
            else:
                self._stopping.wait(self._tick)

    def _current(self) -> list[Due]:
        return [
            *(_due(rule, "rule") for rule in moto_events.scheduled_rules()),
            *(_due(schedule, "schedule") for schedule in moto_scheduler.schedules()),
        ]

    def _parse(self, due: Due) -> Schedule | None:
        cache_key = due.key + "\n" + due.expression
        if cache_key not in self._parsed:
            try:
                self._parsed[cache_key] = parse(due.expression)
            except InvalidExpression as err:
                log.warning("schedule %s is not run: %s", due.name, err)
                return None
        return self._parsed[cache_key]

    def run_due(self) -> list[Firing]:
        """Fire every schedule due by the clock's now; returns what fired."""
        fired: list[Firing] = []
        with self._lock:
            now = self.clock.now()
            current = self._current()
            live = {d.key + "\n" + d.expression for d in current}
            for key in [k for k in self._next if k not in live]:
                del self._next[key]
            for due in current:
                schedule = self._parse(due)
                if schedule is None:
                    continue
                key = due.key + "\n" + due.expression
                if key not in self._next:
                    self._next[key] = schedule.next_after(now)
                for _ in range(MAX_CATCH_UP):
                    moment = self._next[key]
                    if moment is None or moment > now:
                        break
                    fired.extend(self._fire(due, moment))
                    self._next[key] = schedule.next_after(moment)
                else:  # far behind (a long stop): skip to the next future firing
                    self._next[key] = schedule.next_after(now)
            self.fired.extend(fired)
            del self.fired[:-1000]
        return fired

    def _fire(self, due: Due, moment: datetime) -> list[Firing]:
        out = []
        for arn, payload in due.targets:
            if ":lambda:" not in arn:
                log.info("schedule %s: target %s is not a Lambda function; skipped", due.name, arn)
                continue
            body = payload if payload is not None else json.dumps(_scheduled_event(due, moment))
            try:
                result = self._invoker.invoke(
                    arn, body.encode(), invocation_type="Event", account_id=due.account, region=due.region
                )
                request_id = str(getattr(result, "request_id", ""))
            except Exception as err:  # noqa: BLE001 - a missing function is the target's problem, as on AWS
                log.warning("schedule %s could not invoke %s: %s", due.name, arn, err)
                request_id = ""
            out.append(Firing(due.name, due.kind, moment.isoformat(), arn, request_id))
        return out

    # control API --------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [
            Route("GET", "clock", self._clock_now),
            Route("POST", "clock/advance", self._clock_advance),
            Route("GET", "schedules", self._schedules_api),
        ]

    def _clock_now(self, request: Request) -> Response:
        return json_response({"now": self.clock.now().isoformat(), "driven": self.clock.driven})

    def _clock_advance(self, request: Request) -> Response:
        try:
            seconds = float(json_body(request).get("seconds", 0))
            self.clock.advance(seconds)
        except RuntimeError as err:
            return json_error(409, str(err))
        except (ValueError, TypeError, AttributeError) as err:
            return json_error(400, f'body must be JSON like {{"seconds": 60}}: {err}')
        fired = self.run_due()
        return json_response({"now": self.clock.now().isoformat(), "fired": [f.__dict__ for f in fired]})

    def _schedules_api(self, request: Request) -> Response:
        with self._lock:
            history = [f.__dict__ for f in self.fired]
            upcoming = {k.split("\n")[0]: (v.isoformat() if v else None) for k, v in self._next.items()}
        return json_response({"now": self.clock.now().isoformat(), "next": upcoming, "fired": history})


def _scheduled_event(due: Due, moment: datetime) -> dict[str, Any]:
    """The document EventBridge sends a rule's target when no Input is set."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": due.account,
        "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": due.region,
        "resources": [due.resource],
        "detail": {},
    }
