"""Error codes and statuses come from botocore's service model, not from a table kept by hand."""

from __future__ import annotations

import re
from pathlib import Path

import botocore.session
import pytest

import harness.bedrock as bedrock
import harness.cloud.awslambda as awslambda
import harness.cloud.esm as esm
import harness.cloud.rds_data as rds_data
from harness.bedrock.converse_wire import MODEL_OPERATIONS, ConverseError
from harness.cloud.awslambda import errors as lambda_errors
from harness.cloud.awslambda.errors import LambdaApiError
from harness.cloud.rds_data.errors import DataApiError
from harness.cloud.service_model import Operation, OperationRouter, ServiceError, error_statuses


def test_data_api_statuses_are_botocores():
    """rds-data's model says DatabaseUnavailableException is 504 and TransactionNotFoundException 404."""
    statuses = error_statuses("rds-data")
    assert statuses["DatabaseUnavailableException"] == 504
    assert statuses["TransactionNotFoundException"] == 404
    model = botocore.session.get_session().get_service_model("rds-data")
    assert set(statuses) == {shape.name for shape in model.error_shapes}
    assert DataApiError("NotFoundException", "gone").response().status_code == 404


@pytest.mark.parametrize(
    "error, packages",
    [
        (DataApiError, [rds_data]),
        (LambdaApiError, [awslambda, esm]),
        (ConverseError, [bedrock]),
    ],
)
def test_every_error_an_edge_service_raises_is_modelled(error: type[ServiceError], packages: list) -> None:
    """A code the model does not know would reach a client as an unparsed error: none is used, but for
    the few a service's front end answers outside its model (``unmodelled``)."""
    source = "\n".join(p.read_text() for pkg in packages for p in Path(pkg.__file__).parent.glob("*.py"))
    used = set(re.findall(rf'{error.__name__}\(\s*"(\w+)"', source)) | set(re.findall(r'"(\w+Exception)"', source))
    known = set(error_statuses(error.service)) | set(error.unmodelled)
    assert used, "the scan found no error codes: the pattern is stale"
    assert used <= known, used - known


def test_lambda_and_bedrock_statuses_are_botocores():
    """Lambda's model: TooManyRequestsException 429, InvalidRuntimeException 502, a missing provisioned
    config 404; bedrock-runtime's: ModelTimeoutException 408, ServiceUnavailableException 503. Only
    RequestEntityTooLargeException (413, from Lambda's front end) is outside the model."""
    throttled = lambda_errors.too_many_requests("ConcurrentInvocationLimitExceeded")
    assert (throttled.status, throttled.extra) == (429, {"Reason": "ConcurrentInvocationLimitExceeded"})
    assert lambda_errors.invalid_runtime("java21").status == 502
    assert LambdaApiError("ProvisionedConcurrencyConfigNotFoundException", "none").status == 404
    assert lambda_errors.request_too_large(6291456).status == 413
    assert LambdaApiError.unmodelled.keys().isdisjoint(error_statuses("lambda"))
    assert ConverseError("ModelTimeoutException", "slow").status == 408
    response = ConverseError("ServiceUnavailableException", "down").response()
    assert response.status_code == 503 and response.headers["x-amzn-ErrorType"] == "ServiceUnavailableException"
    with pytest.raises(ValueError, match="bedrock-runtime has no error ThrottledException"):
        ConverseError("ThrottledException", "a code no client would parse")


def test_operations_are_routed_by_the_models_method_and_uri():
    """Lambda's model: POST .../event-source-mappings is Create, GET .../{UUID} is Get (with UUID read off the path)."""
    router = OperationRouter(
        "lambda",
        ["CreateEventSourceMapping", "ListEventSourceMappings", "GetEventSourceMapping", "DeleteEventSourceMapping", "Invoke"],
    )
    assert router.match("POST", "/2015-03-31/event-source-mappings/") == Operation("CreateEventSourceMapping", {})
    assert router.match("GET", "/2015-03-31/event-source-mappings") == Operation("ListEventSourceMappings", {})
    assert router.match("GET", "/2015-03-31/event-source-mappings/u-1") == Operation("GetEventSourceMapping", {"UUID": "u-1"})
    assert router.match("DELETE", "/2015-03-31/event-source-mappings/u-1") == Operation(
        "DeleteEventSourceMapping", {"UUID": "u-1"}
    )
    assert router.match("POST", "/2015-03-31/functions/f:live/invocations") == Operation("Invoke", {"FunctionName": "f:live"})
    assert router.match("PUT", "/2015-03-31/event-source-mappings") is None  # no such operation: declined, moto answers
    assert router.match("GET", "/2015-03-31/event-source-mappings/u-1/extra") is None
    data_api = OperationRouter("rds-data", ["ExecuteStatement"])
    assert data_api.match("POST", "/Execute") == Operation("ExecuteStatement", {})
    assert data_api.match("GET", "/Execute") is None


def test_query_and_header_members_are_read_where_the_model_places_them():
    """Invoke's Qualifier is a query-string member and InvocationType the X-Amz-Invocation-Type header;
    ListProvisionedConcurrencyConfigs is the same path as Get with ``?List=ALL`` in its requestUri."""
    router = OperationRouter("lambda", ["Invoke", "GetProvisionedConcurrencyConfig", "ListProvisionedConcurrencyConfigs"])
    called = router.match(
        "POST", "/2015-03-31/functions/f/invocations", {"Qualifier": "live"}, {"X-Amz-Invocation-Type": "Event"}
    )
    assert called == Operation("Invoke", {"FunctionName": "f", "Qualifier": "live", "InvocationType": "Event"})
    path = "/2019-09-30/functions/f/provisioned-concurrency"
    assert router.match("GET", path, {"Qualifier": "1"}) == Operation(
        "GetProvisionedConcurrencyConfig", {"FunctionName": "f", "Qualifier": "1"}
    )
    assert router.match("GET", path, {"List": "ALL"}) == Operation("ListProvisionedConcurrencyConfigs", {"FunctionName": "f"})


def test_a_label_is_matched_percent_encoded_and_read_decoded():
    """botocore percent-encodes a URI label (an inference profile ARN's ``/`` becomes %2F), so the label
    is one path segment as sent; the router gives it decoded, and builds the path back the same way."""
    arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    sent = "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse"
    called = MODEL_OPERATIONS.match("POST", sent)
    assert called == Operation("Converse", {"modelId": arn})
    assert MODEL_OPERATIONS.path(called) == sent
    assert MODEL_OPERATIONS.match("POST", "/model/m/invoke") == Operation("InvokeModel", {"modelId": "m"})
    assert MODEL_OPERATIONS.match("POST", "/guardrail/g/version/1/apply") is None  # not a model call: declined
