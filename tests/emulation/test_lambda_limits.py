"""Lambda's limits through boto3: timeouts, reserved and account concurrency, payload sizes."""

from __future__ import annotations

import json
import threading
import time

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.lambda_code import create_function, invoke_json

pytestmark = pytest.mark.emulation

SLEEPER = """
import os, time

def handler(event, context):
    time.sleep(event.get("sleep", 0))
    return os.getpid()
"""


@pytest.fixture
def lam(cloud):
    """No client-side retries: botocore would retry a throttled call once by default."""
    return cloud.client("lambda", config=Config(retries={"total_max_attempts": 1}))


@pytest.fixture
def runtime(cloud):
    from harness.cloud.awslambda import LambdaRuntime

    return cloud.component(LambdaRuntime)


def _wait_busy(runtime, function_name: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not any(env.busy for env in runtime.environments(function_name)):
        assert time.monotonic() < deadline, "the first invocation never started"
        time.sleep(0.01)


def test_timeout_is_sandbox_timedout_and_the_environment_is_replaced(lam, lambda_role):
    """Past its timeout the invocation is stopped: FunctionError Unhandled, Sandbox.Timedout
    'RequestId: <id> Error: Task timed out after 1.00 seconds'; the next invoke runs in a new environment."""
    create_function(lam, lambda_role, "slow", SLEEPER, timeout=1)
    _, first_pid = invoke_json(lam, "slow")
    response, body = invoke_json(lam, "slow", {"sleep": 30})
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert body == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after 1.00 seconds",
    }
    response, next_pid = invoke_json(lam, "slow")
    assert "FunctionError" not in response
    assert next_pid != first_pid


def test_reserved_concurrency_throttles_with_429(lam, lambda_role, runtime):
    """Beyond its reserved concurrency an invoke is TooManyRequestsException (429), 'Rate Exceeded.',
    Reason ReservedFunctionConcurrentInvocationLimitExceeded; a finished invocation frees its slot."""
    create_function(lam, lambda_role, "reserved", SLEEPER)
    lam.put_function_concurrency(FunctionName="reserved", ReservedConcurrentExecutions=1)
    results: list[dict] = []
    busy = threading.Thread(target=lambda: results.append(invoke_json(lam, "reserved", {"sleep": 1.5})[0]))
    busy.start()
    _wait_busy(runtime, "reserved")
    with pytest.raises(ClientError) as err:
        lam.invoke(FunctionName="reserved", Payload=b"{}")
    busy.join()
    response = err.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert response["Error"]["Code"] == "TooManyRequestsException"
    assert response["Error"]["Message"] == "Rate Exceeded."
    assert response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert results[0]["StatusCode"] == 200
    assert invoke_json(lam, "reserved")[0]["StatusCode"] == 200
    assert [r.error for r in runtime.invocations("reserved")].count("TooManyRequestsException") == 1


def test_zero_reserved_concurrency_disables_the_function(lam, lambda_role):
    """ReservedConcurrentExecutions 0 throttles every invoke (the documented way to stop a function)."""
    create_function(lam, lambda_role, "disabled", SLEEPER)
    lam.put_function_concurrency(FunctionName="disabled", ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as err:
        lam.invoke(FunctionName="disabled", Payload=b"{}")
    assert err.value.response["Error"]["Code"] == "TooManyRequestsException"


def test_account_concurrency_limit_throttles_unreserved_functions(lam, lambda_role, runtime):
    """Functions without reserved concurrency share the account's limit; past it Reason is ConcurrentInvocationLimitExceeded."""
    create_function(lam, lambda_role, "unreserved", SLEEPER)
    previous = runtime.account_concurrency
    runtime.account_concurrency = 1
    try:
        busy = threading.Thread(target=lambda: invoke_json(lam, "unreserved", {"sleep": 1.5}))
        busy.start()
        _wait_busy(runtime, "unreserved")
        with pytest.raises(ClientError) as err:
            lam.invoke(FunctionName="unreserved", Payload=b"{}")
        busy.join()
    finally:
        runtime.account_concurrency = previous
    assert err.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert err.value.response["Reason"] == "ConcurrentInvocationLimitExceeded"


def test_request_payload_over_6_mb_is_413(lam, lambda_role):
    """A request body over 6291456 bytes is RequestEntityTooLargeException (413):
    'Request must be smaller than 6291456 bytes for the InvokeFunction operation'."""
    create_function(lam, lambda_role, "big-in", SLEEPER)
    payload = json.dumps("x" * 6_291_456).encode()
    with pytest.raises(ClientError) as err:
        lam.invoke(FunctionName="big-in", Payload=payload)
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert err.value.response["Error"]["Code"] == "RequestEntityTooLargeException"
    assert err.value.response["Error"]["Message"] == "Request must be smaller than 6291456 bytes for the InvokeFunction operation"


def test_event_payload_over_the_async_limit_is_413(lam, lambda_role, runtime):
    """An Event payload over the asynchronous limit is RequestEntityTooLargeException:
    '<n> byte payload is too large for the Event invocation type (limit <limit> bytes)'."""
    create_function(lam, lambda_role, "big-event", SLEEPER)
    limit = runtime.max_event_payload
    payload = json.dumps("x" * limit).encode()
    with pytest.raises(ClientError) as err:
        lam.invoke(FunctionName="big-event", InvocationType="Event", Payload=payload)
    assert err.value.response["Error"]["Code"] == "RequestEntityTooLargeException"
    assert err.value.response["Error"]["Message"] == (
        f"{len(payload)} byte payload is too large for the Event invocation type (limit {limit} bytes)"
    )


def test_response_over_6_mb_is_function_error(lam, lambda_role):
    """A response over the limit: FunctionError Unhandled, Function.ResponseSizeTooLarge,
    'Response payload size exceeded maximum allowed payload size (6291556 bytes).'."""
    create_function(lam, lambda_role, "big-out", 'def handler(e, c):\n    return "x" * 6_300_000\n')
    response, body = invoke_json(lam, "big-out")
    assert response["FunctionError"] == "Unhandled"
    assert body == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }


def test_non_json_payload_is_invalid_request_content(lam, lambda_role):
    """A payload that is not JSON is InvalidRequestContentException (400), 'Could not parse request body into json: ...'."""
    create_function(lam, lambda_role, "strict", SLEEPER)
    with pytest.raises(ClientError) as err:
        lam.invoke(FunctionName="strict", Payload=b"not json")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err.value.response["Error"]["Code"] == "InvalidRequestContentException"
    assert err.value.response["Error"]["Message"].startswith(
        "Could not parse request body into json: Could not parse payload into json: "
    )


SLOW_INIT = """
import time
time.sleep(10.5)  # the init phase overruns Lambda's 10 s

def handler(event, context):
    return context.get_remaining_time_in_millis()
"""


@pytest.mark.slow
def test_an_init_longer_than_10_seconds_is_retried_within_the_first_invocation(lam, lambda_role):
    """An on-demand init that passes 10 s is not fatal: Lambda re-runs it in the first invoke under
    the function's timeout, so that invoke succeeds with the init's time taken from its budget."""
    create_function(lam, lambda_role, "slow-init", SLOW_INIT, timeout=20)
    response, remaining_ms = invoke_json(lam, "slow-init")
    assert "FunctionError" not in response, remaining_ms
    assert remaining_ms < 20_000 - 10_000


def test_injected_timeout_and_crash_answer_as_lambda_does(lam, lambda_role, cloud):
    """Fault injection (as AWS FIS's Lambda actions): an injected timeout answers Sandbox.Timedout
    naming the function's timeout, an injected crash Runtime.ExitError 'signal: killed'; each
    replaces the environment, and the next invocation runs normally."""
    import httpx

    create_function(lam, lambda_role, "faulty", SLEEPER, timeout=30)
    _, first_pid = invoke_json(lam, "faulty")
    for kind, expected in (
        ("timeout", "Task timed out after 30.00 seconds"),
        ("crash", "Runtime exited with error: signal: killed"),
    ):
        answer = httpx.post(
            f"{cloud.url}/_harness/faults/lambda", json={"function": "faulty", "kind": kind, "delay_seconds": 0.1}
        )
        assert answer.status_code == 200, answer.text
        response, body = invoke_json(lam, "faulty")
        assert response["FunctionError"] == "Unhandled" and expected in body["errorMessage"]
        response, pid = invoke_json(lam, "faulty")
        assert "FunctionError" not in response and pid != first_pid
        first_pid = pid
    bad = httpx.post(f"{cloud.url}/_harness/faults/lambda", json={"function": "faulty", "kind": "meltdown"})
    assert bad.status_code == 400 and "timeout|crash" in bad.json()["error"]


@pytest.mark.parametrize("body, missing", [({"kind": "crash"}, "function"), ({"function": "faulty"}, "kind")])
def test_a_lambda_fault_missing_a_key_is_400_naming_it(cloud, body, missing):
    """A fault switch called without a required key is the caller's mistake (400 naming the key),
    not a conflict with the cloud (409 is for a cloud that runs no Lambda runtime)."""
    import httpx

    answer = httpx.post(f"{cloud.url}/_harness/faults/lambda", json=body)
    assert answer.status_code == 400, answer.text
    assert f'missing "{missing}"' in answer.json()["error"]
