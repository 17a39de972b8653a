"""The harness's own control API on the edge, for callers in other processes.

AWS has no API to make Aurora resume or to ask an emulator what it runs, so these
live under ``/_harness/`` (unsigned, loopback only): a test or a scenario runner
flips a fault switch with one HTTP call while the stack runs under ``alex-harness up``.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from harness.cloud.host import CloudHost

PREFIX = "/_harness/"
MAX_FAULT_SECONDS = 3600.0


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


class ControlApi:
    """``GET /_harness/health``, ``GET /_harness/lambda/environments`` and the fault switches under ``/_harness/faults/``."""

    def __init__(self, cloud: CloudHost) -> None:
        self._cloud = cloud

    def __call__(self, request: Request) -> Response:
        route = (request.method, request.path.removeprefix(PREFIX).rstrip("/"))
        if route == ("GET", "health"):
            return _json({"status": "running", "components": [type(c).__name__ for c in self._cloud.components]})
        if route == ("POST", "faults/rds-data/resuming"):
            return self._resuming(request)
        if route == ("POST", "faults/lambda"):
            return self._lambda_fault(request)
        if route == ("GET", "lambda/environments"):
            return self._lambda_environments(request)
        return _json({"error": f"no control route {request.method} {request.path}"}, 404)

    def _lambda_environments(self, request: Request) -> Response:
        """The live execution environments (function, pid, busy): where a chaos test aims a kill."""
        from harness.cloud.awslambda.runtime import LambdaRuntime

        try:
            runtime = self._cloud.component(LambdaRuntime)
        except LookupError:
            return _json({"error": "this cloud runs no Lambda runtime"}, 409)
        function = request.args.get("function")
        return _json({"environments": [
            {"id": e.id, "function": e.function_name, "version": e.version, "pid": e.pid, "busy": e.busy}
            for e in runtime.environments(function)
        ]})

    def _lambda_fault(self, request: Request) -> Response:
        from harness.cloud.awslambda.runtime import LambdaRuntime

        try:
            body = json.loads(request.get_data() or b"{}")
            runtime = self._cloud.component(LambdaRuntime)
            fault = runtime.faults.add(str(body["function"]), str(body["kind"]), int(body.get("count", 1)),
                                       float(body.get("delay_seconds", 1.0)))
        except LookupError:
            return _json({"error": "this cloud runs no Lambda runtime"}, 409)
        except (ValueError, KeyError, TypeError) as err:
            return _json({"error": f'body must be JSON like {{"function": "alex-charter", "kind": "timeout|crash", "count": 1}}: {err}'}, 400)
        return _json({"function": fault.function, "kind": fault.kind, "count": fault.remaining})

    def _resuming(self, request: Request) -> Response:
        from harness.cloud.rds_data.service import DataApiService

        try:
            body = json.loads(request.get_data() or b"{}")
            seconds = float(body["seconds"])
        except (ValueError, KeyError, TypeError):
            return _json({"error": 'body must be JSON like {"seconds": 5}'}, 400)
        if not math.isfinite(seconds) or not 0 <= seconds <= MAX_FAULT_SECONDS:
            return _json({"error": f"seconds must be between 0 and {MAX_FAULT_SECONDS:g}"}, 400)
        try:
            service = self._cloud.component(DataApiService)
        except LookupError:
            return _json({"error": "this cloud runs no Data API"}, 409)
        service.resuming_for(seconds)
        return _json({"fault": "DatabaseResumingException", "seconds": seconds})
