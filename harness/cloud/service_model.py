"""Facts about an AWS API read from botocore's service model instead of restated by hand.

botocore ships the same JSON models the SDKs are generated from, so an emulated service that takes
its error codes and HTTP statuses from there answers what a real client expects, and a botocore
upgrade that adds an error adds it here too.
"""

from __future__ import annotations

from functools import cache

import botocore.session


@cache
def error_statuses(service: str) -> dict[str, int]:
    """Every modelled error of ``service`` (its signing/endpoint name, e.g. ``rds-data``) and its HTTP status."""
    model = botocore.session.get_session().get_service_model(service)
    return {shape.name: int(shape.metadata.get("error", {}).get("httpStatusCode", 400)) for shape in model.error_shapes}
