"""Concurrent executions, limited as Lambda limits them.

A function with reserved concurrency may run that many invocations at once and no
more; every other function shares the account's unreserved pool (the regional
concurrency quota minus all reservations). Past either limit Invoke is throttled with
TooManyRequestsException, its Reason telling which limit was hit.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

from harness.cloud.awslambda import errors
from harness.cloud.awslambda.functions import FunctionConfig

DEFAULT_ACCOUNT_CONCURRENCY = 1000  # Lambda's default regional quota


@dataclass(frozen=True)
class Slot:
    """One running invocation's claim, released exactly as it was taken."""

    function_key: tuple[str, str, str]
    pool_key: tuple[str, str] | None
    generation: int


class ConcurrencyLimiter:
    """Counts running invocations per function and per account's unreserved pool."""

    def __init__(self, account_limit: int = DEFAULT_ACCOUNT_CONCURRENCY) -> None:
        self.account_limit = account_limit
        self._functions: Counter[tuple[str, str, str]] = Counter()
        self._unreserved: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self._generation = 0

    def acquire(self, fn: FunctionConfig, reserved_elsewhere: int) -> Slot:
        """Claim a slot or raise TooManyRequestsException; ``reserved_elsewhere`` is the
        reservations of the account's other functions (taken out of the unreserved pool)."""
        function_key = (fn.account_id, fn.region, fn.name)
        with self._lock:
            if fn.reserved_concurrency is not None:
                if self._functions[function_key] >= fn.reserved_concurrency:
                    raise errors.too_many_requests("ReservedFunctionConcurrentInvocationLimitExceeded")
                pool_key = None
            else:
                pool_key = (fn.account_id, fn.region)
                if self._unreserved[pool_key] >= self.account_limit - reserved_elsewhere:
                    raise errors.too_many_requests("ConcurrentInvocationLimitExceeded")
                self._unreserved[pool_key] += 1
            self._functions[function_key] += 1
            return Slot(function_key, pool_key, self._generation)

    def release(self, slot: Slot) -> None:
        with self._lock:
            if slot.generation != self._generation:
                return  # taken before a reset: the counters it counted in are gone
            self._functions[slot.function_key] -= 1
            if slot.pool_key is not None:
                self._unreserved[slot.pool_key] -= 1

    def running(self, account_id: str, region: str, function_name: str) -> int:
        with self._lock:
            return self._functions[(account_id, region, function_name)]

    def snapshot(self) -> dict[tuple[str, str, str], int]:
        """Running invocations per (account, region, function), for the ConcurrentExecutions metric."""
        with self._lock:
            return {key: count for key, count in self._functions.items() if count > 0}

    def clear(self) -> None:
        with self._lock:
            self._functions.clear()
            self._unreserved.clear()
            self._generation += 1
