"""The one /_harness/ route table: what it answers for a route, an unknown path or method, and a failing handler."""

from __future__ import annotations

import json

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from harness.bedrock.control_api import BedrockControlApi
from harness.cassettes.control import CassetteControl
from harness.cloud.control import ControlApi
from harness.cloud.edge import aws_json_error
from harness.cloud.events.schedules import Schedules
from harness.cloud.routes import ControlRoutes, Route, json_response
from harness.monitoring.sns_recorder import SnsRecorder


def _call(table: ControlRoutes, method: str, path: str, body: object = None) -> tuple[int, dict[str, object]]:
    environ = EnvironBuilder(method=method, path=path, json=body).get_environ()
    response = table(Request(environ))
    assert response.content_type == "application/json"
    return response.status_code, json.loads(response.get_data())


def _table() -> ControlRoutes:
    def fail(request: Request) -> Response:
        raise RuntimeError("broken")

    table = ControlRoutes()
    table.add(
        [
            Route("GET", "things", lambda request: json_response({"things": request.args.getlist("t")})),
            Route("POST", "things", lambda request: json_response(request.get_json(), 201)),
            Route("GET", "broken", fail),
        ]
    )
    return table


def test_a_route_answers_by_method_and_path_with_or_without_a_trailing_slash() -> None:
    table = _table()
    assert _call(table, "GET", "/_harness/things?t=a&t=b") == (200, {"things": ["a", "b"]})
    assert _call(table, "GET", "/_harness/things/") == (200, {"things": []})
    assert _call(table, "POST", "/_harness/things", {"x": 1}) == (201, {"x": 1})


def test_what_no_route_takes_is_json_404_405_or_500() -> None:
    table = _table()
    assert _call(table, "GET", "/_harness/nothing") == (404, {"error": "no route GET /_harness/nothing"})
    assert _call(table, "DELETE", "/_harness/things") == (
        405,
        {"error": "DELETE is not allowed on /_harness/things", "allowed": ["GET", "POST"]},
    )
    assert _call(table, "GET", "/_harness/broken") == (500, {"error": "RuntimeError: broken"})


def test_two_components_cannot_claim_one_url() -> None:
    table = _table()
    with pytest.raises(ValueError, match="GET /_harness/things is routed twice"):
        table.add([Route("GET", "/things/", lambda request: json_response({}))])


class _Host:
    components: list[object] = []


def test_every_component_declares_its_urls_in_the_one_table() -> None:
    """The URLs the README and the docstrings name, declared by the cloud and its components."""
    table = ControlRoutes()
    table.add(ControlApi(_Host()).routes())  # type: ignore[arg-type]
    table.add(BedrockControlApi(object()).routes())  # type: ignore[arg-type]
    cassettes = CassetteControl()
    cassettes.stop()  # only its routes are read
    table.add(cassettes.routes())
    table.add(SnsRecorder().routes())
    table.add(Schedules(object()).routes())  # type: ignore[arg-type]
    assert sorted((r.method, r.path) for r in table.routes()) == [
        ("DELETE", "bedrock/calls"),
        ("DELETE", "bedrock/faults"),
        ("DELETE", "cassettes"),
        ("GET", "bedrock/calls"),
        ("GET", "bedrock/faults"),
        ("GET", "cassettes"),
        ("GET", "clock"),
        ("GET", "health"),
        ("GET", "lambda/environments"),
        ("GET", "monitoring/alarm-history"),
        ("GET", "monitoring/notifications"),
        ("GET", "schedules"),
        ("POST", "bedrock/faults"),
        ("POST", "cassettes"),
        ("POST", "clock/advance"),
        ("POST", "faults/lambda"),
        ("POST", "faults/rds-data/resuming"),
        ("POST", "monitoring/tick"),
    ]


def test_aws_errors_are_made_by_the_same_json_helper() -> None:
    response = aws_json_error(404, "ResourceNotFoundException", "gone", Reason="x")
    assert response.status_code == 404
    assert response.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert response.content_type == "application/json"
    assert json.loads(response.get_data()) == {"Type": "User", "message": "gone", "Reason": "x"}
