"""Retries for model calls: back off on throttling, give up fast on mistakes.

Bedrock throttles (``ThrottlingException``, HTTP 429) under load and has the odd 5xx;
both go away if you wait, and a fleet of Lambdas that retries immediately makes them
worse. A 400 (bad request, context window exceeded, content policy), 401/403 or 404
never goes away, and retrying it only burns the Lambda's time and the user's quota.

* :func:`is_retryable` classifies an exception: litellm's exception classes (which
  carry ``status_code``), the OpenAI SDK's (which litellm's subclass), botocore's
  ``ClientError`` by error code and HTTP status, botocore/httpx connection and timeout
  errors, and the builtin ``TimeoutError``/``ConnectionError``. Unknown exceptions are
  *not* retried: a bug does not get better the third time.
* :func:`model_retry` builds a tenacity decorator: exponential backoff with "equal
  jitter" — attempt *n* waits a random time in ``[cap/2, cap]`` where
  ``cap = min(max_wait, base * 2**(n-1))`` — so waits grow exponentially, never exceed
  ``max_wait``, and a thundering herd spreads out. ``sleep`` and ``rng`` can be
  injected, so tests record the waits instead of sleeping.

litellm is never imported here: if an exception is a litellm exception, litellm is
already in ``sys.modules``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import random
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
)
from tenacity.wait import wait_base

__all__ = [
    "is_retryable",
    "model_retry",
    "EqualJitterBackoff",
    "RETRYABLE_STATUS",
    "RETRYABLE_AWS_CODES",
    "DEFAULT_ATTEMPTS",
]

_log = logging.getLogger("alex.guardrails.retries")

DEFAULT_ATTEMPTS: Final = 4
# 4xx are final except 429 (throttled) and 408 (request timeout: litellm.Timeout uses it).
RETRYABLE_STATUS: Final = frozenset({408, 429})
RETRYABLE_AWS_CODES: Final = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
        "SlowDown",
        "ServiceUnavailableException",
        "ServiceUnavailable",
        "InternalServerException",
        "InternalServerError",
        "InternalFailure",
        "ModelNotReadyException",
        "RequestTimeout",
        "RequestTimeoutException",
        "ModelTimeoutException",
        "ServiceQuotaExceededException",
        "BandwidthLimitExceeded",
        "EC2ThrottledException",
        "PriorRequestNotComplete",
        "TransactionInProgressException",
    }
)
# Names of transport-level failures in botocore, httpx, openai and aiohttp.
_TRANSIENT_CLASS_NAMES: Final = frozenset(
    {
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ConnectionClosedError",
        "ResponseStreamingError",
        "IncompleteReadError",
        "ProxyConnectionError",
        "TimeoutException",
        "ConnectTimeout",
        "ReadTimeout",
        "WriteTimeout",
        "PoolTimeout",
        "ConnectError",
        "ReadError",
        "WriteError",
        "RemoteProtocolError",
        "NetworkError",
        "APITimeoutError",
        "APIConnectionError",
        "ServerDisconnectedError",
        "ClientConnectionError",
    }
)
# Marker strings some wrappers leave only in the message (litellm maps most of these
# to RateLimitError already; this catches exceptions that lost their type on the way).
_THROTTLE_MARKERS: Final = ("ThrottlingException", "TooManyRequestsException", "Too many requests", "Rate exceeded")


def _status_of(exc: BaseException) -> int | None:
    for attr in ("status_code", "status", "http_status"):
        value = getattr(exc, attr, None)
        if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599:
            return value
    response = getattr(exc, "response", None)
    value = getattr(response, "status_code", None)
    if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599:
        return value
    return None


def _litellm_verdict(exc: BaseException) -> bool | None:
    litellm = sys.modules.get("litellm")
    if litellm is None:
        return None
    retry_types = tuple(
        t
        for t in (
            getattr(litellm, name, None)
            for name in (
                "RateLimitError",
                "ServiceUnavailableError",
                "InternalServerError",
                "Timeout",
                "APIConnectionError",
                "BadGatewayError",
            )
        )
        if isinstance(t, type)
    )
    final_types = tuple(
        t
        for t in (
            getattr(litellm, name, None)
            for name in (
                "BadRequestError",
                "AuthenticationError",
                "PermissionDeniedError",
                "NotFoundError",
                "UnprocessableEntityError",
                "ContextWindowExceededError",
                "ContentPolicyViolationError",
                "UnsupportedParamsError",
                "BudgetExceededError",
                "InvalidRequestError",
                "JSONSchemaValidationError",
                "APIResponseValidationError",
            )
        )
        if isinstance(t, type)
    )
    if final_types and isinstance(exc, final_types):
        return False
    if retry_types and isinstance(exc, retry_types):
        return True
    return None


def _botocore_verdict(exc: BaseException) -> bool | None:
    response = getattr(exc, "response", None)
    if type(exc).__name__ != "ClientError" and not (isinstance(response, dict) and "Error" in response):
        return None
    if not isinstance(response, dict):
        return None
    error = response.get("Error") or {}
    code = str(error.get("Code", "")) if isinstance(error, dict) else ""
    if code in RETRYABLE_AWS_CODES:
        return True
    meta = response.get("ResponseMetadata") or {}
    status = meta.get("HTTPStatusCode") if isinstance(meta, dict) else None
    if isinstance(status, int) and not isinstance(status, bool):
        return status in RETRYABLE_STATUS or status >= 500
    return False  # a ClientError without a status: a malformed error is not transient


def is_retryable(exc: BaseException) -> bool:
    """True if ``exc`` is transient (throttling, 5xx, timeout, connection), else False."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 5:
        seen.add(id(current))
        verdict = _classify(current)
        if verdict is not None:
            return verdict
        # an unknown wrapper ("raise AgentError(...) from exc"): judge by what it wraps
        current = current.__cause__
    return False


def _classify(exc: BaseException) -> bool | None:
    verdict = _litellm_verdict(exc)
    if verdict is not None:
        return verdict
    verdict = _botocore_verdict(exc)
    if verdict is not None:
        return verdict
    status = _status_of(exc)
    if status is not None:
        return status in RETRYABLE_STATUS or status >= 500
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & _TRANSIENT_CLASS_NAMES:
        return True
    if isinstance(exc, (TimeoutError, ConnectionError)):
        return True
    message = str(exc) if isinstance(exc, Exception) else ""
    if any(marker in message for marker in _THROTTLE_MARKERS):
        return True
    return None


class EqualJitterBackoff(wait_base):
    """Exponential backoff with equal jitter: a random wait in ``[cap/2, cap]``.

    ``cap = min(max_wait, base * 2**(attempt - 1))``; ``rng`` defaults to
    :func:`random.random` and may be replaced for reproducible tests.
    """

    def __init__(self, base: float, max_wait: float, rng: Callable[[], float] | None = None) -> None:
        if base <= 0 or max_wait <= 0:
            raise ValueError("base and max_wait must be > 0")
        self.base = float(base)
        self.max_wait = float(max_wait)
        self.rng = rng or random.random

    def cap(self, attempt: int) -> float:
        exponent = min(max(attempt - 1, 0), 62)
        return min(self.max_wait, self.base * float(2**exponent))

    def __call__(self, retry_state: RetryCallState) -> float:
        cap = self.cap(retry_state.attempt_number)
        jitter = min(max(float(self.rng()), 0.0), 1.0)
        return cap / 2 + (cap / 2) * jitter


F = TypeVar("F", bound=Callable[..., Any])


def _log_retry(retry_state: RetryCallState) -> None:
    outcome = retry_state.outcome
    exc = outcome.exception() if outcome is not None else None
    wait = retry_state.upcoming_sleep
    _log.warning(
        "model call %s failed (attempt %d): %s; retrying in %.2fs",
        getattr(retry_state.fn, "__qualname__", "?"),
        retry_state.attempt_number,
        type(exc).__name__ if exc else "?",
        wait,
    )


def model_retry(
    attempts: int = DEFAULT_ATTEMPTS,
    base: float = 1.0,
    max_wait: float = 30.0,
    sleep: Callable[[float], Any] | None = None,
    *,
    rng: Callable[[], float] | None = None,
    retryable: Callable[[BaseException], bool] = is_retryable,
) -> Callable[[F], F]:
    """Decorator retrying a sync or async model call on transient errors.

    ``attempts`` counts calls (``attempts=1`` means no retry). ``sleep`` replaces the
    real sleep — a plain function for sync code; for ``async def`` functions it may be
    a plain function or a coroutine function. After the last attempt, or on an error
    that is not retryable, the original exception propagates (not a ``RetryError``).
    """
    if attempts < 1:
        raise ValueError("attempts must be >= 1")
    wait = EqualJitterBackoff(base, max_wait, rng)

    def decorate(fn: F) -> F:
        common: dict[str, Any] = {
            "stop": stop_after_attempt(attempts),
            "wait": wait,
            "retry": retry_if_exception(retryable),
            "reraise": True,
            "before_sleep": _log_retry,
        }
        if inspect.iscoroutinefunction(fn):
            async_sleep: Callable[[float], Awaitable[Any]]
            if sleep is None:
                async_sleep = asyncio.sleep
            elif inspect.iscoroutinefunction(sleep):
                async_sleep = sleep
            else:
                sync_sleep = sleep

                async def async_sleep(seconds: float) -> None:
                    sync_sleep(seconds)

            return AsyncRetrying(sleep=async_sleep, **common).wraps(fn)  # type: ignore[return-value]

        return Retrying(sleep=sleep or time.sleep, **common).wraps(fn)  # type: ignore[return-value]

    return decorate
