"""Error codes and statuses come from botocore's service model, not from a table kept by hand."""

from __future__ import annotations

import re
from pathlib import Path

import botocore.session

import harness.cloud.rds_data as rds_data
from harness.cloud.rds_data.errors import DataApiError
from harness.cloud.service_model import error_statuses


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
