"""Asynchronous invocation and Lambda's logs (LogType=Tail and CloudWatch Logs) through boto3."""

from __future__ import annotations

import base64
import re
import time

import pytest

from tests.lambda_code import cold_starts, create_function, invoke_json

pytestmark = pytest.mark.emulation

FAILING = """
def handler(event, context):
    print("attempt for", context.aws_request_id)
    raise RuntimeError("always fails")
"""


@pytest.fixture
def lam(cloud):
    return cloud.client("lambda")


@pytest.fixture
def fast_retries(cloud):
    """Async retries after 0.2 s instead of Lambda's ~1 and 2 minutes."""
    from harness.cloud.awslambda import LambdaRuntime

    runtime = cloud.component(LambdaRuntime)
    previous = runtime.async_retry_delays
    runtime.async_retry_delays = (0.2, 0.2)
    yield runtime
    runtime.async_retry_delays = previous


def _log_messages(cloud, group: str, pattern: str = "") -> list[str]:
    logs = cloud.client("logs")
    try:
        events = logs.filter_log_events(logGroupName=group, filterPattern=pattern)["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [e["message"] for e in events]


def _wait_for(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_event_invoke_is_202_and_retried_twice_on_error(lam, lambda_role, cloud, fast_retries):
    """Event answers 202 at once; a failing function is run 3 times in all (2 retries), with the same request id."""
    create_function(lam, lambda_role, "async-fails", FAILING)
    response = lam.invoke(FunctionName="async-fails", InvocationType="Event", Payload=b'{"n": 1}')
    assert response["StatusCode"] == 202
    request_id = response["ResponseMetadata"]["RequestId"]
    starts = _wait_for(lambda: len(_log_messages(cloud, "/aws/lambda/async-fails", "START")) >= 3 or None)
    assert starts
    time.sleep(0.6)  # two retry delays: no fourth attempt follows
    attempts = _log_messages(cloud, "/aws/lambda/async-fails", "attempt")
    assert attempts == [f"attempt for {request_id}"] * 3
    records = fast_retries.invocations("async-fails")
    assert [(r.invocation_type, r.attempt, r.error) for r in records] == [("Event", n, "RuntimeError") for n in (1, 2, 3)]


def test_event_retries_honour_maximum_retry_attempts(lam, lambda_role, cloud, fast_retries):
    """PutFunctionEventInvokeConfig MaximumRetryAttempts=0: a failed async invocation is not retried."""
    create_function(lam, lambda_role, "async-once", FAILING)
    lam.put_function_event_invoke_config(FunctionName="async-once", MaximumRetryAttempts=0)
    lam.invoke(FunctionName="async-once", InvocationType="Event", Payload=b"{}")
    assert _wait_for(lambda: _log_messages(cloud, "/aws/lambda/async-once", "attempt"))
    time.sleep(0.6)
    assert len(_log_messages(cloud, "/aws/lambda/async-once", "attempt")) == 1


def test_throttled_event_invocations_wait_in_the_queue(lam, lambda_role, cloud):
    """Async invocations beyond the function's concurrency are not rejected or lost: Lambda keeps them queued."""
    create_function(
        lam, lambda_role, "one-at-a-time", "import time\ndef handler(e, c):\n    time.sleep(0.3)\n    print('ran', e['n'])\n"
    )
    lam.put_function_concurrency(FunctionName="one-at-a-time", ReservedConcurrentExecutions=1)
    for n in range(3):
        assert (
            lam.invoke(FunctionName="one-at-a-time", InvocationType="Event", Payload=f'{{"n": {n}}}'.encode())["StatusCode"]
            == 202
        )
    ran = _wait_for(lambda: len(_log_messages(cloud, "/aws/lambda/one-at-a-time", "ran")) == 3 or None)
    assert ran
    assert sorted(_log_messages(cloud, "/aws/lambda/one-at-a-time", "ran")) == ["ran 0", "ran 1", "ran 2"]


def test_log_tail_holds_the_invocation_log(lam, lambda_role, cloud):
    """LogType=Tail: X-Amz-Log-Result is base64 of the log's last 4 KB: START, output, END, REPORT (Init Duration
    when an on-demand cold start ran the init; templates are off here, see test_lambda_templates for Restore Duration)."""
    source = """
    import logging
    logging.getLogger().setLevel(logging.INFO)

    def handler(event, context):
        print("hello from the handler")
        logging.getLogger("app").info("logged at info")
        if event.get("noise"):
            print("n" * 10_000)
        return "ok"
    """
    create_function(lam, lambda_role, "tailed", source)
    with cold_starts(cloud, "full"):
        response, _ = invoke_json(lam, "tailed", LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    lines = base64.b64decode(response["LogResult"]).decode().splitlines()
    assert lines[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert "hello from the handler" in lines
    assert re.fullmatch(rf"\[INFO\]\t\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{request_id}\tlogged at info", lines[2])
    assert lines[-2] == f"END RequestId: {request_id}"
    report = lines[-1]
    assert re.fullmatch(
        rf"REPORT RequestId: {request_id}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\t"
        r"Max Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\t",
        report,
    )
    response, _ = invoke_json(lam, "tailed", {"noise": True}, LogType="Tail")
    tail = base64.b64decode(response["LogResult"])
    assert len(tail) == 4096
    assert "Init Duration" not in tail.decode()
    assert "LogResult" not in lam.invoke(FunctionName="tailed", Payload=b"{}")


def test_logs_reach_cloudwatch_logs(lam, lambda_role, cloud):
    """Handler output goes to log group /aws/lambda/<name>, stream YYYY/MM/DD/[$LATEST]<32 hex>, readable with boto3 logs."""
    source = """
    def handler(event, context):
        print("order", event["order"])
        raise KeyError("missing")
    """
    create_function(lam, lambda_role, "logged", source)
    response, _ = invoke_json(lam, "logged", {"order": 7})
    request_id = response["ResponseMetadata"]["RequestId"]
    logs = cloud.client("logs")
    streams = logs.describe_log_streams(logGroupName="/aws/lambda/logged")["logStreams"]
    assert len(streams) == 1
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", streams[0]["logStreamName"])
    events = logs.get_log_events(
        logGroupName="/aws/lambda/logged", logStreamName=streams[0]["logStreamName"], startFromHead=True
    )["events"]
    messages = [e["message"] for e in events]
    assert messages[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert "order 7" in messages
    assert any(m.startswith("[ERROR] KeyError: 'missing'\nTraceback (most recent call last):") for m in messages)
    assert messages[-2] == f"END RequestId: {request_id}"
    assert messages[-1].startswith(f"REPORT RequestId: {request_id}\t")
    assert _log_messages(cloud, "/aws/lambda/logged", "order") == ["order 7"]


def test_timeout_is_logged(lam, lambda_role, cloud):
    """A timed-out invocation logs '<time> <id> Task timed out after 1.00 seconds' and REPORT ... Status: timeout."""
    create_function(lam, lambda_role, "timed", "import time\ndef handler(e, c):\n    time.sleep(30)\n", timeout=1)
    response, _ = invoke_json(lam, "timed")
    request_id = response["ResponseMetadata"]["RequestId"]
    messages = _log_messages(cloud, "/aws/lambda/timed")
    assert any(re.fullmatch(rf"\S+Z {request_id} Task timed out after 1\.00 seconds", m) for m in messages)
    assert messages[-1].startswith(f"REPORT RequestId: {request_id}") and "Status: timeout" in messages[-1]
