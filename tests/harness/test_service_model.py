"""Error codes and statuses come from botocore's service model, not from a table kept by hand."""

from __future__ import annotations

import re
from pathlib import Path

import botocore.session

import harness.cloud.rds_data as rds_data
from harness.cloud.rds_data.errors import DataApiError
from harness.cloud.service_model import Operation, OperationRouter, error_statuses


def test_data_api_statuses_are_botocores():
    """rds-data's model says DatabaseUnavailableException is 504 and TransactionNotFoundException 404."""
    statuses = error_statuses("rds-data")
    assert statuses["DatabaseUnavailableException"] == 504
    assert statuses["TransactionNotFoundException"] == 404
    model = botocore.session.get_session().get_service_model("rds-data")
    assert set(statuses) == {shape.name for shape in model.error_shapes}
    assert DataApiError("NotFoundException", "gone").response().status_code == 404


def test_every_error_the_data_api_raises_is_modelled():
    """A code the model does not know would reach a client as an unparsed error: none is used."""
    source = "\n".join(p.read_text() for p in Path(rds_data.__file__).parent.glob("*.py"))
    used = set(re.findall(r'DataApiError\(\s*"(\w+)"', source)) | set(re.findall(r'"(\w+(?:Exception|Error))"', source))
    assert used, "the scan found no error codes: the pattern is stale"
    assert used <= set(error_statuses("rds-data")), used - set(error_statuses("rds-data"))


def test_operations_are_routed_by_the_models_method_and_uri():
    """Lambda's model: POST .../event-source-mappings is Create, GET .../{UUID} is Get (with UUID read off the path)."""
    router = OperationRouter("lambda", ["CreateEventSourceMapping", "ListEventSourceMappings", "GetEventSourceMapping",
                                        "DeleteEventSourceMapping", "Invoke"])
    assert router.match("POST", "/2015-03-31/event-source-mappings/") == Operation("CreateEventSourceMapping", {})
    assert router.match("GET", "/2015-03-31/event-source-mappings") == Operation("ListEventSourceMappings", {})
    assert router.match("GET", "/2015-03-31/event-source-mappings/u-1") == Operation("GetEventSourceMapping", {"UUID": "u-1"})
    assert router.match("DELETE", "/2015-03-31/event-source-mappings/u-1") == Operation("DeleteEventSourceMapping", {"UUID": "u-1"})
    assert router.match("POST", "/2015-03-31/functions/f:live/invocations") == Operation("Invoke", {"FunctionName": "f:live"})
    assert router.match("PUT", "/2015-03-31/event-source-mappings") is None  # no such operation: declined, moto answers
    assert router.match("GET", "/2015-03-31/event-source-mappings/u-1/extra") is None
    data_api = OperationRouter("rds-data", ["ExecuteStatement"])
    assert data_api.match("POST", "/Execute") == Operation("ExecuteStatement", {})
    assert data_api.match("GET", "/Execute") is None
