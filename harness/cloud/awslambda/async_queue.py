"""Asynchronous (``Event``) invocation: Lambda's internal queue, its retries and throttle back-off.

Invoke answers 202 at once and the event is run in the background. A function error
(timeouts included) is retried up to two more times, by default after about one and
two minutes ("Error handling and automatic retries in Lambda"), fewer if the function's
event invoke config sets MaximumRetryAttempts. A throttled attempt is not a retry: the
event goes back on the queue with back-off until MaximumEventAgeInSeconds (6 h).
Retries keep the event's request id, as on AWS.

Durable when asked (``persist``/``restore``, used by the runtime with a data directory): AWS
keeps queued events in its own durable queue, so a restart of the local cloud must not drop
them. What is kept: every event waiting (with the time left before it is due and its age) and
every event whose attempt was running, which comes back as an attempt that failed (its
environment died with the cloud, as AWS counts a crash) and is retried after the usual delay if
retries remain (counted against the two AWS allows; a function whose MaximumRetryAttempts is 0
still gets that one retry, since the function is not looked up while restoring).
``on_change`` is told whenever the queue's contents change, so a snapshot follows soon.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from harness.cloud.awslambda.errors import LambdaApiError

log = logging.getLogger(__name__)

MAX_EVENT_AGE_SECONDS = 21_600.0
THROTTLE_BACKOFF = (0.05, 1.0)


@dataclass
class AsyncEvent:
    """One queued Event invocation; ``attempts`` counts the times the function ran it."""

    function_name: str
    qualifier: str | None
    account_id: str
    region: str
    payload: bytes
    request_id: str
    enqueued_at: float
    attempts: int = 0
    throttles: int = 0


@dataclass(frozen=True)
class AttemptOutcome:
    """What the runtime reports back after running one attempt."""

    failed: bool
    max_retry_attempts: int | None


class AsyncQueue:
    """A due-time heap served by a scheduler thread and a pool of attempt threads."""

    def __init__(
        self, run: Callable[[AsyncEvent], AttemptOutcome], retry_delays: Callable[[], tuple[float, ...]], workers: int = 32
    ) -> None:
        self._run = run
        self._retry_delays = retry_delays
        self._workers = workers
        self._heap: list[tuple[float, int, int, AsyncEvent]] = []
        self._in_flight: dict[int, AsyncEvent] = {}  # id(event) -> event whose attempt is running
        self.on_change: Callable[[], None] = lambda: None
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._generation = 0
        self._running = False
        self._executor: ThreadPoolExecutor | None = None
        self._scheduler: threading.Thread | None = None

    def start(self) -> None:
        with self._cond:
            if self._running:
                return
            self._running = True
            self._executor = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="lambda-async")
        self._scheduler = threading.Thread(target=self._schedule, name="lambda-async-scheduler", daemon=True)
        self._scheduler.start()

    def stop(self) -> None:
        with self._cond:
            self._running = False
            self._heap.clear()
            self._in_flight.clear()
            self._generation += 1
            self._cond.notify_all()
            executor, self._executor = self._executor, None
        if self._scheduler is not None:
            self._scheduler.join(timeout=5)
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def reset(self) -> None:
        """Drop queued events; attempts already running finish but are not retried."""
        with self._cond:
            self._heap.clear()
            self._in_flight.clear()
            self._generation += 1
        self.on_change()

    def submit(self, event: AsyncEvent, delay: float = 0.0) -> None:
        with self._cond:
            self._push(event, delay, self._generation)

    def pending(self) -> int:
        """Events waiting for their attempt (running ones are not counted)."""
        with self._cond:
            return len(self._heap)

    def persist(self) -> list[dict[str, Any]]:
        """Every event not finished, as plain values: waiting ones with their delay, running ones as failed attempts."""
        now, wall = time.monotonic(), time.time()
        with self._cond:
            waiting = [(max(0.0, due - now), event, False) for due, _, _, event in self._heap]
            queued = {id(event) for _, _, _, event in self._heap}  # a retry is queued before its attempt ends
            running = [(0.0, event, True) for key, event in self._in_flight.items() if key not in queued]
        kept = []
        for delay, event, interrupted in sorted(waiting + running, key=lambda item: item[0]):
            fields = asdict(event)
            fields["enqueued_at"] = wall - (now - event.enqueued_at)  # wall clock: the time down counts to its age
            kept.append({"event": fields, "delay": delay, "interrupted": interrupted})
        return kept

    def restore(self, kept: list[dict[str, Any]]) -> int:
        """Queue again what :meth:`persist` kept; returns how many events were queued."""
        now, wall = time.monotonic(), time.time()
        queued = 0
        for item in kept:
            fields = dict(item["event"])
            fields["enqueued_at"] = now - max(0.0, wall - float(fields["enqueued_at"]))
            event = AsyncEvent(**fields)
            if now - event.enqueued_at >= MAX_EVENT_AGE_SECONDS:
                log.info(
                    "async invocation %s of %s dropped after a restart: older than %.0fs",
                    event.request_id,
                    event.function_name,
                    MAX_EVENT_AGE_SECONDS,
                )
                continue
            delay = float(item.get("delay", 0.0))
            if item.get("interrupted"):  # its attempt died with the cloud: a failed attempt, retried if one remains
                event.attempts += 1
                delays = self._retry_delays()
                if event.attempts > len(delays):
                    log.info(
                        "async invocation %s of %s: attempt %d cut short by a stop, no retry remains",
                        event.request_id,
                        event.function_name,
                        event.attempts,
                    )
                    continue
                delay = delays[event.attempts - 1]
            with self._cond:
                self._push(event, delay, self._generation)
            queued += 1
        return queued

    def _push(self, event: AsyncEvent, delay: float, generation: int) -> None:
        if generation != self._generation:
            return
        heapq.heappush(self._heap, (time.monotonic() + delay, next(self._seq), generation, event))
        self._cond.notify_all()
        self.on_change()

    def _schedule(self) -> None:
        with self._cond:
            while self._running:
                if not self._heap:
                    self._cond.wait()
                    continue
                due, _, generation, event = self._heap[0]
                wait = due - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
                if self._executor is not None:
                    self._in_flight[id(event)] = event
                    self._executor.submit(self._attempt, event, generation)
                    self.on_change()

    def _attempt(self, event: AsyncEvent, generation: int) -> None:
        try:
            self._attempt_once(event, generation)
        finally:
            with self._cond:
                self._in_flight.pop(id(event), None)
            self.on_change()

    def _attempt_once(self, event: AsyncEvent, generation: int) -> None:
        try:
            outcome = self._run(event)
        except LambdaApiError as err:
            if err.status == 429 and time.monotonic() - event.enqueued_at < MAX_EVENT_AGE_SECONDS:
                event.throttles += 1
                delay = min(THROTTLE_BACKOFF[0] * 2 ** (event.throttles - 1), THROTTLE_BACKOFF[1])
                with self._cond:
                    self._push(event, delay, generation)
            else:
                log.info("async invocation %s of %s dropped: %s", event.request_id, event.function_name, err)
            return
        except Exception:
            log.exception("async invocation %s of %s failed in the runtime", event.request_id, event.function_name)
            return
        if not outcome.failed:
            return
        delays = self._retry_delays()
        retries = len(delays) if outcome.max_retry_attempts is None else min(outcome.max_retry_attempts, len(delays))
        if event.attempts > retries:
            log.info("async invocation %s of %s failed after %d attempts", event.request_id, event.function_name, event.attempts)
            return
        with self._cond:
            self._push(event, delays[event.attempts - 1], generation)
