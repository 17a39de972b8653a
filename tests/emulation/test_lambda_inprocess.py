"""The "inprocess" Lambda mode (handlers in threads of the server) gives the same Invoke results as worker processes."""

from __future__ import annotations

import base64
import os

import pytest

from harness.cloud import LocalCloud
from tests.lambda_code import create_function, invoke_json

pytestmark = pytest.mark.emulation

SOURCE = """
import os, time
COUNT = 0

def handler(event, context):
    global COUNT
    COUNT += 1
    print("count is", COUNT)
    if event.get("fail"):
        raise ValueError("bad input")
    time.sleep(event.get("sleep", 0))
    return {"count": COUNT, "pid": os.getpid(), "greeting": os.environ.get("GREETING"),
            "function": context.function_name, "endpoint": os.environ.get("AWS_ENDPOINT_URL")}
"""


@pytest.fixture(scope="module")
def inprocess_cloud():
    from harness.cloud.awslambda import LambdaRuntime

    cloud = LocalCloud(components=[LambdaRuntime(mode="inprocess", async_retry_delays=(0.1, 0.1))])
    cloud.start()
    yield cloud
    cloud.stop()


@pytest.fixture
def lam(cloud, inprocess_cloud):
    """moto's state is process-wide: ``cloud`` resets it; the in-process runtime is reset here."""
    from harness.cloud.awslambda import LambdaRuntime

    inprocess_cloud.component(LambdaRuntime).reset()
    return inprocess_cloud.client("lambda")


def test_result_environment_and_warm_state(lam, lambda_role, inprocess_cloud):
    """Same results as process mode: payload, env vars, context, module state kept between warm invokes."""
    create_function(lam, lambda_role, "threaded", SOURCE, Environment={"Variables": {"GREETING": "hi"}})
    _, first = invoke_json(lam, "threaded")
    _, second = invoke_json(lam, "threaded")
    assert first["pid"] == os.getpid()
    assert (first["count"], second["count"]) == (1, 2)
    assert first["greeting"] == "hi" and "GREETING" not in os.environ
    assert first["function"] == "threaded"
    assert first["endpoint"] == inprocess_cloud.url


def test_functions_with_the_same_module_name_are_isolated(lam, lambda_role):
    """Each function's handler module is its own, even when two functions both ship handler.py."""
    create_function(lam, lambda_role, "first", SOURCE)
    create_function(lam, lambda_role, "second", "def handler(e, c):\n    return 'second'\n")
    assert invoke_json(lam, "first")[1]["count"] == 1
    assert invoke_json(lam, "second")[1] == "second"


def test_error_shape_and_log_tail(lam, lambda_role):
    """Handler errors and LogType=Tail look as in process mode."""
    create_function(lam, lambda_role, "threaded-error", SOURCE)
    response, body = invoke_json(lam, "threaded-error", {"fail": True}, LogType="Tail")
    assert response["FunctionError"] == "Unhandled"
    assert (body["errorType"], body["errorMessage"]) == ("ValueError", "bad input")
    log = base64.b64decode(response["LogResult"]).decode()
    assert "count is 1" in log and "[ERROR] ValueError: bad input" in log


def test_timeout_is_reported(lam, lambda_role):
    """A timeout is reported as Sandbox.Timedout (the thread itself runs on: threads cannot be killed)."""
    create_function(lam, lambda_role, "threaded-slow", SOURCE, timeout=1)
    response, body = invoke_json(lam, "threaded-slow", {"sleep": 2})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Sandbox.Timedout"
    assert body["errorMessage"].endswith("Task timed out after 1.00 seconds")
    assert invoke_json(lam, "threaded-slow")[1]["count"] == 1  # a fresh environment
