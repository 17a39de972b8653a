"""Lambda Invoke through boto3: results, warm reuse, errors from handler code, environment and context."""

from __future__ import annotations

import base64
import json
import re
import threading

import pytest
from botocore.exceptions import ClientError

from tests.lambda_code import create_function, invoke_json

pytestmark = pytest.mark.emulation

COUNTER = """
import os
COUNT = 0

def handler(event, context):
    global COUNT
    COUNT += 1
    return {"pid": os.getpid(), "count": COUNT, "echo": event}
"""


@pytest.fixture
def lam(cloud):
    return cloud.client("lambda")


def test_sync_invoke_returns_the_handler_result(lam, lambda_role):
    """RequestResponse answers 200 with the handler's return value as JSON and ExecutedVersion $LATEST."""
    create_function(lam, lambda_role, "echo", COUNTER)
    response, body = invoke_json(lam, "echo", {"order": 42})
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    assert body["echo"] == {"order": 42}


def test_warm_environment_is_reused_and_keeps_module_state(lam, lambda_role, cloud):
    """A second invoke runs in the same warm execution environment: same process, module-level state persists."""
    from harness.cloud.awslambda import LambdaRuntime

    create_function(lam, lambda_role, "counter", COUNTER)
    _, first = invoke_json(lam, "counter")
    _, second = invoke_json(lam, "counter")
    assert second["pid"] == first["pid"]
    assert (first["count"], second["count"]) == (1, 2)
    records = cloud.component(LambdaRuntime).invocations("counter")
    assert [r.cold_start for r in records] == [True, False]


def test_configuration_change_gets_a_new_environment(lam, lambda_role):
    """After UpdateFunctionConfiguration, Lambda runs the next invoke in a new execution environment (cold start)."""
    create_function(lam, lambda_role, "reconfigured", COUNTER)
    _, before = invoke_json(lam, "reconfigured")
    lam.update_function_configuration(FunctionName="reconfigured", Environment={"Variables": {"MODE": "new"}})
    _, after = invoke_json(lam, "reconfigured")
    assert after["pid"] != before["pid"]
    assert after["count"] == 1


def test_busy_environment_means_a_second_cold_start(lam, lambda_role, cloud):
    """Concurrent invokes of one function each get their own execution environment."""
    from harness.cloud.awslambda import LambdaRuntime

    source = """
    import os, time
    def handler(event, context):
        time.sleep(event["sleep"])
        return os.getpid()
    """
    create_function(lam, lambda_role, "parallel", source)
    runtime = cloud.component(LambdaRuntime)
    results: list[int] = []
    slow = threading.Thread(target=lambda: results.append(invoke_json(lam, "parallel", {"sleep": 1.5})[1]))
    slow.start()
    _wait_busy(runtime, "parallel")
    _, fast_pid = invoke_json(lam, "parallel", {"sleep": 0})
    slow.join()
    assert fast_pid != results[0]
    assert len({r.request_id for r in runtime.invocations("parallel") if r.cold_start}) == 2


def test_dry_run_validates_and_runs_nothing(lam, lambda_role, cloud):
    """InvocationType DryRun answers 204 for an existing function without running it, 404 for a missing one."""
    from harness.cloud.awslambda import LambdaRuntime

    create_function(lam, lambda_role, "dry", COUNTER)
    response = lam.invoke(FunctionName="dry", InvocationType="DryRun", Payload=b"{}")
    assert response["StatusCode"] == 204
    assert cloud.component(LambdaRuntime).invocations("dry") == []
    with pytest.raises(ClientError) as err:
        lam.invoke(FunctionName="missing", InvocationType="DryRun")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_missing_function_is_resource_not_found(lam):
    """Invoking a function that does not exist is ResourceNotFoundException (HTTP 404), 'Function not found: <arn>'."""
    with pytest.raises(ClientError) as err:
        lam.invoke(FunctionName="nope", Payload=b"{}")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert err.value.response["Error"]["Message"].startswith(
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"
    )


def test_invoke_by_arn_and_published_version(lam, lambda_role):
    """A function ARN (qualified or not) and Qualifier select the version; ExecutedVersion names it."""
    created = create_function(lam, lambda_role, "versioned", COUNTER)
    version = lam.publish_version(FunctionName="versioned")["Version"]
    response, _ = invoke_json(lam, created["FunctionArn"])
    assert response["ExecutedVersion"] == "$LATEST"
    response, _ = invoke_json(lam, "versioned", Qualifier=version)
    assert response["ExecutedVersion"] == version
    response, _ = invoke_json(lam, f"{created['FunctionArn']}:{version}")
    assert response["ExecutedVersion"] == version


def test_unhandled_exception_shape(lam, lambda_role):
    """An exception in the handler: 200, X-Amz-Function-Error Unhandled, payload errorMessage/errorType/requestId/stackTrace."""
    source = """
    def handler(event, context):
        raise ValueError("boom")
    """
    create_function(lam, lambda_role, "raiser", source)
    response, body = invoke_json(lam, "raiser")
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert set(body) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    assert (body["errorType"], body["errorMessage"]) == ("ValueError", "boom")
    assert body["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert len(body["stackTrace"]) == 1 and 'handler.py", line 3, in handler' in body["stackTrace"][0]


def test_import_error_is_runtime_import_module_error(lam, lambda_role):
    """A handler module that fails to import: Runtime.ImportModuleError, "Unable to import module 'handler': ..."."""
    create_function(lam, lambda_role, "broken", "import missing_dependency\n\ndef handler(e, c):\n    return 1\n")
    response, body = invoke_json(lam, "broken")
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert body["errorMessage"] == "Unable to import module 'handler': No module named 'missing_dependency'"
    assert body["stackTrace"] == []


def test_missing_handler_function_is_handler_not_found(lam, lambda_role):
    """A Handler naming a function the module lacks: Runtime.HandlerNotFound, "Handler 'x' missing on module 'm'"."""
    create_function(lam, lambda_role, "misnamed", COUNTER, handler="handler.nope")
    _, body = invoke_json(lam, "misnamed")
    assert body["errorType"] == "Runtime.HandlerNotFound"
    assert body["errorMessage"] == "Handler 'nope' missing on module 'handler'"


def test_unserialisable_result_is_marshal_error(lam, lambda_role):
    """A return value json cannot encode: Runtime.MarshalError, 'Unable to marshal response: ...'."""
    create_function(lam, lambda_role, "setter", "def handler(e, c):\n    return {1, 2}\n")
    response, body = invoke_json(lam, "setter")
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.MarshalError"
    assert body["errorMessage"] == "Unable to marshal response: Object of type set is not JSON serializable"


def test_runtime_exit_is_exit_error_and_the_environment_is_replaced(lam, lambda_role):
    """A handler that kills its runtime process: Runtime.ExitError 'RequestId: <id> Error: Runtime exited
    with error: exit status 3'; the next invoke gets a new environment."""
    source = """
    import os
    def handler(event, context):
        if event.get("exit"):
            os._exit(3)
        return os.getpid()
    """
    create_function(lam, lambda_role, "quitter", source)
    _, first_pid = invoke_json(lam, "quitter")
    response, body = invoke_json(lam, "quitter", {"exit": True})
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    assert body == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: exit status 3",
    }
    assert invoke_json(lam, "quitter")[1] != first_pid


def test_environment_variables_and_local_endpoint(lam, lambda_role, cloud):
    """The handler sees its Environment.Variables and Lambda's defined variables; boto3 in it reaches this cloud."""
    queue_url = cloud.client("sqs").create_queue(QueueName="seen-from-lambda")["QueueUrl"]
    source = """
    import os
    import boto3

    def handler(event, context):
        names = ["GREETING", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
                 "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_REGION", "AWS_DEFAULT_REGION",
                 "_HANDLER", "LAMBDA_TASK_ROOT", "AWS_EXECUTION_ENV", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID"]
        queues = boto3.client("sqs").list_queues().get("QueueUrls", [])
        return {"env": {n: os.environ.get(n) for n in names}, "queues": queues, "cwd": os.getcwd()}
    """
    create_function(lam, lambda_role, "env-reader", source, MemorySize=256, Environment={"Variables": {"GREETING": "hello"}})
    _, body = invoke_json(lam, "env-reader")
    env = body["env"]
    assert env["GREETING"] == "hello"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "env-reader"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/env-reader"
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", env["AWS_LAMBDA_LOG_STREAM_NAME"])
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["_HANDLER"] == "handler.handler"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["LAMBDA_TASK_ROOT"] == body["cwd"]
    assert env["AWS_ENDPOINT_URL"] == cloud.url
    assert env["AWS_ACCESS_KEY_ID"] == "testing"
    assert queue_url in body["queues"]


def test_context_object(lam, lambda_role):
    """The context carries request id, function name/version/ARN, memory, log names, client context and remaining time."""
    source = """
    def handler(event, context):
        return {
            "aws_request_id": context.aws_request_id,
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining": context.get_remaining_time_in_millis(),
            "custom": context.client_context.custom if context.client_context else None,
            "identity_id": context.identity.cognito_identity_id,
        }
    """
    created = create_function(lam, lambda_role, "ctx", source, timeout=2)
    client_context = base64.b64encode(json.dumps({"custom": {"tenant": "alex"}}).encode()).decode()
    response, body = invoke_json(lam, "ctx", ClientContext=client_context)
    assert body["aws_request_id"] == response["ResponseMetadata"]["RequestId"]
    assert body["function_name"] == "ctx"
    assert body["function_version"] == "$LATEST"
    assert body["invoked_function_arn"] == created["FunctionArn"]
    assert body["memory_limit_in_mb"] == "128"
    assert body["log_group_name"] == "/aws/lambda/ctx"
    assert body["log_stream_name"].endswith("]" + body["log_stream_name"][-32:])
    assert 0 < body["remaining"] <= 2000
    assert body["custom"] == {"tenant": "alex"}
    assert body["identity_id"] is None


def _wait_busy(runtime, function_name: str, timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not any(env.busy for env in runtime.environments(function_name)):
        assert time.monotonic() < deadline, "the first invocation never started"
        time.sleep(0.01)
