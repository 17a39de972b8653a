"""The cloud's own routes in the ``/_harness/`` table, for callers in other processes.

AWS has no API to make Aurora resume or to ask an emulator what it runs, so these
live under ``/_harness/`` (unsigned, loopback only): a test or a scenario runner
flips a fault switch with one HTTP call while the stack runs under ``alex-harness up``.

``GET  /_harness/health``                     what runs: ``{"status", "components"}``
``POST /_harness/faults/rds-data/resuming``   ``{"seconds": 5}``: the Data API answers DatabaseResumingException
``POST /_harness/faults/lambda``              ``{"function", "kind": "timeout|crash", "count"}``
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from harness.cloud.routes import Route, json_body, json_error, json_response

if TYPE_CHECKING:
    from harness.cloud.host import CloudHost

MAX_FAULT_SECONDS = 3600.0


class ControlApi:
    """The cloud's health and fault switches (components add theirs to the same table)."""

    def __init__(self, cloud: CloudHost) -> None:
        self._cloud = cloud

    def routes(self) -> list[Route]:
        return [
            Route("GET", "health", self._health),
            Route("POST", "faults/rds-data/resuming", self._resuming),
            Route("POST", "faults/lambda", self._lambda_fault),
            Route("GET", "lambda/environments", self._lambda_environments),
        ]

    def _health(self, request: Request) -> Response:
        return json_response({"status": "running", "components": [type(c).__name__ for c in self._cloud.components]})

    def _lambda_environments(self, request: Request) -> Response:
        """The live execution environments (function, pid, busy): where a chaos test aims a kill."""
        from harness.cloud.awslambda.runtime import LambdaRuntime

        try:
            runtime = self._cloud.component(LambdaRuntime)
        except LookupError:
            return json_error(409, "this cloud runs no Lambda runtime")
        function = request.args.get("function")
        return json_response(
            {
                "environments": [
                    {"id": e.id, "function": e.function_name, "version": e.version, "pid": e.pid, "busy": e.busy}
                    for e in runtime.environments(function)
                ]
            }
        )

    def _lambda_fault(self, request: Request) -> Response:
        from harness.cloud.awslambda.runtime import LambdaRuntime

        usage = 'body must be JSON like {"function": "alex-charter", "kind": "timeout|crash", "count": 1}'
        try:
            runtime = self._cloud.component(LambdaRuntime)
        except LookupError:
            return json_error(409, "this cloud runs no Lambda runtime")
        try:  # a KeyError is a LookupError too: it must not be taken for a missing runtime (409)
            body = json_body(request)
            missing = [key for key in ("function", "kind") if key not in body] if isinstance(body, dict) else []
            if missing:
                return json_error(400, f'{usage}: missing "{missing[0]}"')
            fault = runtime.faults.add(
                str(body["function"]), str(body["kind"]), int(body.get("count", 1)), float(body.get("delay_seconds", 1.0))
            )
        except (ValueError, KeyError, TypeError) as err:
            return json_error(400, f"{usage}: {err}")
        return json_response({"function": fault.function, "kind": fault.kind, "count": fault.remaining})

    def _resuming(self, request: Request) -> Response:
        from harness.cloud.rds_data.service import DataApiService

        try:
            seconds = float(json_body(request)["seconds"])
        except (ValueError, KeyError, TypeError):
            return json_error(400, 'body must be JSON like {"seconds": 5}')
        if not math.isfinite(seconds) or not 0 <= seconds <= MAX_FAULT_SECONDS:
            return json_error(400, f"seconds must be between 0 and {MAX_FAULT_SECONDS:g}")
        try:
            service = self._cloud.component(DataApiService)
        except LookupError:
            return json_error(409, "this cloud runs no Data API")
        service.resuming_for(seconds)
        return json_response({"fault": "DatabaseResumingException", "seconds": seconds})
