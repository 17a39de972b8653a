"""Rate limits as AWS applies them at the edge: per-user token buckets and a per-IP WAF rate rule.

- ``TokenBucketLimiter`` is API Gateway's usage-plan throttle: each caller has a bucket of
  ``burst`` tokens refilled at ``rate`` per second; a request takes one token or is
  answered 429. Alex keys it by the verified user (``sub``), so one user's burst never
  eats another's capacity.
- ``WindowRateRule`` is a WAF rate-based rule aggregated by IP: requests in the trailing
  evaluation window (5 minutes by default) are counted per address and, above the limit,
  answered 403. Every request is counted, blocked or not, so a client that keeps
  hammering stays blocked until it slows down.

Both are thread-safe (one lock each; the work under it is a few arithmetic operations),
take an injectable clock so tests control time, and bound their memory: state that a
fresh key would have anyway (a full bucket, an empty window) is dropped when idle, and
beyond ``max_keys`` the least recently seen key is evicted.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True)
class Decision:
    """The answer for one request: allowed, or blocked with a whole-second Retry-After hint."""

    allowed: bool
    retry_after: int = 0


class ThrottledError(Exception):
    """A caller exceeded its usage-plan rate; the API answers 429 Too Many Requests."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"throttled; retry after {retry_after}s")
        self.retry_after = retry_after


class TokenBucketLimiter:
    """Per-key token buckets: ``rate`` tokens per second, at most ``burst`` saved up."""

    def __init__(self, rate: float, burst: int, *, clock: Clock = time.monotonic, max_keys: int = 100_000) -> None:
        if rate <= 0 or burst < 1 or max_keys < 1:
            raise ValueError("rate must be positive, burst and max_keys at least 1")
        self.rate = float(rate)
        self.burst = float(burst)
        self.max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        # key -> (tokens, time of last update); ordered by last use, least recent first
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._full_after = self.burst / self.rate  # an idle bucket is full again after this

    def acquire(self, key: str, cost: float = 1.0) -> Decision:
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + max(0.0, now - last) * self.rate)
            if tokens >= cost:
                tokens -= cost
                decision = Decision(True)
            else:
                decision = Decision(False, max(1, math.ceil((cost - tokens) / self.rate)))
            self._buckets[key] = (tokens, now)
            self._evict(now)
            return decision

    def _evict(self, now: float) -> None:
        # Least recently used first: once one is not idle long enough, none after it is.
        while self._buckets:
            _, (_, last) = next(iter(self._buckets.items()))
            if now - last < self._full_after and len(self._buckets) <= self.max_keys:
                break
            self._buckets.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._buckets)


class WindowRateRule:
    """Per-key request counts over a trailing window, kept in ``slots`` sub-windows per key.

    The count is exact to one slot (window/slots seconds), as WAF's own counting is
    approximate; memory per key is at most ``slots`` small counters.
    """

    def __init__(
        self,
        limit: int,
        window_seconds: float,
        *,
        clock: Clock = time.monotonic,
        slots: int = 30,
        max_keys: int = 100_000,
    ) -> None:
        if limit < 1 or window_seconds <= 0 or slots < 1 or max_keys < 1:
            raise ValueError("limit, window_seconds, slots and max_keys must be positive")
        self.limit = limit
        self.window = float(window_seconds)
        self.max_keys = max_keys
        self._slots = slots
        self._slot_width = self.window / slots
        self._clock = clock
        self._lock = threading.Lock()
        # key -> deque of [slot index, count], oldest first; ordered by last use
        self._counts: OrderedDict[str, deque[list[int]]] = OrderedDict()

    def acquire(self, key: str) -> Decision:
        with self._lock:
            now = self._clock()
            slot = math.floor(now / self._slot_width)
            counts = self._counts.pop(key, None) or deque()
            while counts and counts[0][0] <= slot - self._slots:
                counts.popleft()
            if counts and counts[-1][0] == slot:
                counts[-1][1] += 1
            else:
                counts.append([slot, 1])
            total = sum(count for _, count in counts)
            self._counts[key] = counts
            self._evict(slot)
            # WAF's block carries no Retry-After, so none is computed here.
            return Decision(total <= self.limit)

    def _evict(self, slot: int) -> None:
        while self._counts:
            _, counts = next(iter(self._counts.items()))
            idle = not counts or counts[-1][0] <= slot - self._slots
            if not idle and len(self._counts) <= self.max_keys:
                break
            self._counts.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._counts)
