"""Properties of alex.guardrails.retries: exponential backoff with jitter on transient
errors, a bounded number of attempts, and no retry on a 4xx other than 429."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no network at import
import httpx  # noqa: E402
import litellm  # noqa: E402
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError  # noqa: E402

from alex.guardrails import is_retryable, model_retry  # noqa: E402
from alex.guardrails.retries import RETRYABLE_AWS_CODES  # noqa: E402

pytestmark = pytest.mark.guardrails

P, M = "bedrock", "bedrock/amazon.nova-pro-v1:0"
_REQUEST = httpx.Request("POST", "https://bedrock-runtime.us-east-1.amazonaws.com/model/x/converse")

RETRYABLE = [
    litellm.RateLimitError("throttled", P, M),
    litellm.ServiceUnavailableError("503", P, M),
    litellm.InternalServerError("500", P, M),
    litellm.Timeout("timed out", M, P),
    litellm.APIConnectionError("reset", P, M),
    litellm.BadGatewayError("502", P, M),
    ClientError({"Error": {"Code": "ThrottlingException"}, "ResponseMetadata": {"HTTPStatusCode": 429}}, "Converse"),
    ClientError({"Error": {"Code": "ServiceUnavailableException"}, "ResponseMetadata": {"HTTPStatusCode": 503}}, "Converse"),
    ClientError({"Error": {"Code": "ModelNotReadyException"}, "ResponseMetadata": {"HTTPStatusCode": 429}}, "InvokeModel"),
    ClientError({"Error": {"Code": "Unknown"}, "ResponseMetadata": {"HTTPStatusCode": 500}}, "InvokeModel"),
    EndpointConnectionError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com"),
    ReadTimeoutError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com"),
    TimeoutError("slow"),
    ConnectionResetError("reset"),
]
FINAL = [
    litellm.BadRequestError("bad", M, P),
    litellm.AuthenticationError("no", P, M),
    litellm.PermissionDeniedError("no", P, M, response=httpx.Response(403, request=_REQUEST)),
    litellm.NotFoundError("no", M, P),
    litellm.ContextWindowExceededError("too long", M, P),
    litellm.ContentPolicyViolationError("blocked", M, P),
    litellm.UnprocessableEntityError("422", M, P, response=httpx.Response(422, request=_REQUEST)),
    litellm.UnsupportedParamsError("x", P, M),
    ClientError({"Error": {"Code": "ValidationException"}, "ResponseMetadata": {"HTTPStatusCode": 400}}, "Converse"),
    ClientError({"Error": {"Code": "AccessDeniedException"}, "ResponseMetadata": {"HTTPStatusCode": 403}}, "Converse"),
    ClientError({"Error": {"Code": "ResourceNotFoundException"}, "ResponseMetadata": {"HTTPStatusCode": 404}}, "Converse"),
    ValueError("a bug"),
    KeyError("a bug"),
]


class StatusError(Exception):
    """Any client's error that carries an HTTP status."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status_code = status


@pytest.mark.parametrize("exc", RETRYABLE, ids=lambda e: type(e).__name__)
def test_transient_errors_are_retryable(exc: BaseException) -> None:
    assert is_retryable(exc)


@pytest.mark.parametrize("exc", FINAL, ids=lambda e: type(e).__name__)
def test_final_errors_are_not_retryable(exc: BaseException) -> None:
    assert not is_retryable(exc)


@given(st.integers(100, 599))
def test_status_codes(status: int) -> None:
    assert is_retryable(StatusError(status)) == (status in (408, 429) or status >= 500)


@given(st.one_of(st.sampled_from(sorted(RETRYABLE_AWS_CODES)), st.text(min_size=1, max_size=30)), st.integers(400, 499))
def test_botocore_codes(code: str, status: int) -> None:
    exc = ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Converse")
    assert is_retryable(exc) == (code in RETRYABLE_AWS_CODES or status in (408, 429))


def test_wrapped_errors_are_judged_by_their_cause() -> None:
    try:
        try:
            raise litellm.RateLimitError("throttled", P, M)
        except Exception as inner:
            raise RuntimeError("agent run failed") from inner
    except RuntimeError as outer:
        assert is_retryable(outer)


# -- the decorator ------------------------------------------------------------------------------

backoff = st.fixed_dictionaries(
    {
        "attempts": st.integers(1, 8),
        "base": st.floats(0.01, 5),
        "max_wait": st.floats(0.01, 60),
    }
)
jitter = st.lists(st.floats(0, 1), min_size=8, max_size=8)


def _cap(base: float, max_wait: float, retry_number: int) -> float:
    return min(max_wait, base * 2 ** (retry_number - 1))


@given(backoff, jitter, st.sampled_from(RETRYABLE))
def test_backs_off_exponentially_and_stops_after_attempts(
    cfg: dict[str, Any], rng_values: list[float], exc: BaseException
) -> None:
    waits: list[float] = []
    calls = 0
    rng = iter(rng_values)

    @model_retry(**cfg, sleep=waits.append, rng=lambda: next(rng))
    def call_model() -> None:
        nonlocal calls
        calls += 1
        raise exc

    with pytest.raises(type(exc)):
        call_model()
    assert calls == cfg["attempts"]
    assert len(waits) == cfg["attempts"] - 1
    for n, wait in enumerate(waits, start=1):
        cap = _cap(cfg["base"], cfg["max_wait"], n)
        assert cap / 2 - 1e-9 <= wait <= cap + 1e-9
        assert wait <= cfg["max_wait"] + 1e-9


@given(backoff)
def test_without_jitter_the_waits_double_until_the_cap(cfg: dict[str, Any]) -> None:
    waits: list[float] = []

    @model_retry(**cfg, sleep=waits.append, rng=lambda: 1.0)
    def call_model() -> None:
        raise litellm.RateLimitError("throttled", P, M)

    with pytest.raises(litellm.RateLimitError):
        call_model()
    assert waits == [_cap(cfg["base"], cfg["max_wait"], n) for n in range(1, cfg["attempts"])]


@given(backoff, st.one_of(st.sampled_from(FINAL), st.integers(400, 499).filter(lambda s: s not in (408, 429)).map(StatusError)))
def test_never_retries_a_final_error(cfg: dict[str, Any], exc: BaseException) -> None:
    waits: list[float] = []
    calls = 0

    @model_retry(**cfg, sleep=waits.append)
    def call_model() -> None:
        nonlocal calls
        calls += 1
        raise exc

    with pytest.raises(type(exc)):
        call_model()
    assert calls == 1 and waits == []


@given(backoff, st.lists(st.sampled_from(["ok", "transient", "final"]), min_size=1, max_size=10))
def test_outcome_sequences(cfg: dict[str, Any], script: list[str]) -> None:
    """Calls stop at the first success, the first final error, or after `attempts`."""
    waits: list[float] = []
    calls = 0

    @model_retry(**cfg, sleep=waits.append)
    def call_model() -> str:
        nonlocal calls
        step = script[min(calls, len(script) - 1)]
        calls += 1
        if step == "transient":
            raise litellm.ServiceUnavailableError("503", P, M)
        if step == "final":
            raise litellm.BadRequestError("400", M, P)
        return "done"

    expected_calls = 0
    outcome = "transient"
    for i in range(cfg["attempts"]):
        step = script[min(i, len(script) - 1)]
        expected_calls += 1
        outcome = step
        if step != "transient":
            break
    if outcome == "ok":
        assert call_model() == "done"
    else:
        with pytest.raises(litellm.ServiceUnavailableError if outcome == "transient" else litellm.BadRequestError):
            call_model()
    assert calls == expected_calls
    assert len(waits) == expected_calls - 1


def test_async_calls_use_the_injected_sleep() -> None:
    waits: list[float] = []
    calls = 0

    @model_retry(attempts=3, base=0.5, max_wait=10, sleep=waits.append, rng=lambda: 1.0)
    async def call_model() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise litellm.Timeout("slow", M, P)
        return "done"

    assert asyncio.run(call_model()) == "done"
    assert calls == 3 and waits == [0.5, 1.0]


def test_attempts_must_be_positive() -> None:
    with pytest.raises(ValueError):
        model_retry(attempts=0)
