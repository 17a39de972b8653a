"""The Lambda EventSourceMapping operations for SQS, through boto3, as the Lambda API reference states them."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.lambda_code import zip_source

pytestmark = pytest.mark.emulation


@pytest.fixture
def function_and_queue(cloud, lambda_role):
    lam, sqs = cloud.client("lambda"), cloud.client("sqs")
    lam.create_function(
        FunctionName="consumer",
        Runtime="python3.12",
        Role=lambda_role,
        Handler="handler.handler",
        Code={"ZipFile": zip_source("def handler(event, context):\n    return None\n")},
        Timeout=30,
    )
    url = sqs.create_queue(QueueName="source", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return lam, arn


def test_create_returns_configuration_and_is_listed(function_and_queue):
    """CreateEventSourceMapping answers 202 with an EventSourceMappingConfiguration; List/Get return it."""
    lam, arn = function_and_queue
    created = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="consumer", BatchSize=5, FunctionResponseTypes=["ReportBatchItemFailures"]
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert created["EventSourceArn"] == arn
    assert created["FunctionArn"].endswith(":function:consumer")
    assert created["BatchSize"] == 5
    assert created["State"] == "Enabled"
    assert created["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    listed = lam.list_event_source_mappings(FunctionName="consumer")["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [created["UUID"]]
    assert lam.get_event_source_mapping(UUID=created["UUID"])["EventSourceArn"] == arn
    assert lam.list_event_source_mappings(EventSourceArn=arn + "-other")["EventSourceMappings"] == []


def test_update_disable_and_delete(function_and_queue):
    """UpdateEventSourceMapping changes BatchSize/Enabled; DeleteEventSourceMapping then Get is ResourceNotFoundException."""
    lam, arn = function_and_queue
    mapping_id = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="consumer")["UUID"]
    updated = lam.update_event_source_mapping(UUID=mapping_id, BatchSize=3, Enabled=False)
    assert (updated["BatchSize"], updated["State"]) == (3, "Disabled")
    deleted = lam.delete_event_source_mapping(UUID=mapping_id)
    assert deleted["State"] == "Deleting"
    with pytest.raises(ClientError) as err:
        lam.get_event_source_mapping(UUID=mapping_id)
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_unknown_function_is_resource_not_found(function_and_queue):
    """A mapping to a function that does not exist: ResourceNotFoundException (404)."""
    lam, arn = function_and_queue
    with pytest.raises(ClientError) as err:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="nobody")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_unknown_queue_is_invalid_parameter(function_and_queue):
    """A mapping from a queue that does not exist: InvalidParameterValueException naming SQS's NonExistentQueue."""
    lam, arn = function_and_queue
    with pytest.raises(ClientError) as err:
        lam.create_event_source_mapping(EventSourceArn=arn + "-missing", FunctionName="consumer")
    assert err.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "NonExistentQueue" in err.value.response["Error"]["Message"]


def test_visibility_timeout_shorter_than_function_timeout_is_rejected(cloud, function_and_queue):
    """Lambda refuses an SQS trigger whose queue visibility timeout is below the function timeout."""
    lam, _ = function_and_queue
    sqs = cloud.client("sqs")
    url = sqs.create_queue(QueueName="short", Attributes={"VisibilityTimeout": "10"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    with pytest.raises(ClientError) as err:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="consumer")
    assert err.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert err.value.response["Error"]["Message"] == (
        "Queue visibility timeout: 10 seconds is less than Function timeout: 30 seconds"
    )


def test_batch_size_limits(function_and_queue):
    """SQS batch size is 1..10000, and above 10 needs MaximumBatchingWindowInSeconds >= 1."""
    lam, arn = function_and_queue
    for bad in ({"BatchSize": 10_001, "MaximumBatchingWindowInSeconds": 1}, {"BatchSize": 11}):
        with pytest.raises(ClientError) as err:
            lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="consumer", **bad)
        assert err.value.response["Error"]["Code"] == "InvalidParameterValueException", bad
    ok = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="consumer", BatchSize=100, MaximumBatchingWindowInSeconds=1
    )
    assert ok["BatchSize"] == 100


def test_duplicate_mapping_conflicts(function_and_queue):
    """A second mapping for the same queue and function: ResourceConflictException (409)."""
    lam, arn = function_and_queue
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="consumer")
    with pytest.raises(ClientError) as err:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="consumer")
    assert err.value.response["Error"]["Code"] == "ResourceConflictException"


def test_scaling_config_maximum_concurrency_bounds(function_and_queue):
    """ScalingConfig.MaximumConcurrency must be 2..1000 (botocore checks the minimum) and is echoed back."""
    lam, arn = function_and_queue
    with pytest.raises(ClientError) as err:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="consumer", ScalingConfig={"MaximumConcurrency": 1001})
    assert err.value.response["Error"]["Code"] == "InvalidParameterValueException"
    ok = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="consumer", ScalingConfig={"MaximumConcurrency": 2})
    assert ok["ScalingConfig"] == {"MaximumConcurrency": 2}


def test_other_lambda_operations_still_reach_moto(function_and_queue):
    """The control plane stays moto's: GetFunction answers for the function the test created."""
    lam, _ = function_and_queue
    assert lam.get_function(FunctionName="consumer")["Configuration"]["Handler"] == "handler.handler"
