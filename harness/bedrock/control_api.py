"""The scripted model's control API on the edge (unsigned, loopback only).

``POST   /_harness/bedrock/faults``  queue a fault: ``{"kind": "throttle", "agent": "tagger", "count": 2}``
                                      (``"always": true`` instead of a count; ``delay_seconds`` for timeout)
``GET    /_harness/bedrock/faults``  the queued faults
``DELETE /_harness/bedrock/faults``  drop every queued fault
``GET    /_harness/bedrock/calls``   the call log and calls per agent (``?agent=tagger`` to filter);
                                      pending CloudWatch metrics are flushed first
``DELETE /_harness/bedrock/calls``   forget the call log
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from werkzeug.wrappers import Request, Response

from harness.bedrock.calls import CallRecord
from harness.bedrock.faults import KINDS, Fault, FaultError, fault_from_json


class ControlledModel(Protocol):
    """What the control API drives of the scripted model (``ScriptedBedrock``, which mounts this API)."""

    @property
    def faults(self) -> list[Fault]: ...

    @property
    def calls(self) -> list[CallRecord]: ...

    def add_fault(self, kind: str, agent: str | None = None, count: int = 1, always: bool = False,
                  delay_seconds: float = 30.0) -> Fault: ...

    def clear_faults(self) -> None: ...

    def calls_of(self, agent: str | None) -> list[CallRecord]: ...

    def counts(self) -> dict[str, int]: ...

    def clear_calls(self) -> None: ...

    def flush_metrics(self) -> None: ...

PREFIX = "/_harness/bedrock/"


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


class BedrockControlApi:
    def __init__(self, model: ControlledModel) -> None:
        self._model = model

    def __call__(self, request: Request) -> Response:
        resource = request.path.removeprefix(PREFIX.rstrip("/")).strip("/")
        method = request.method
        if resource == "faults":
            if method == "POST":
                try:
                    fault = fault_from_json(request.get_data())
                except FaultError as exc:
                    return _json({"error": str(exc), "kinds": list(KINDS)}, 400)
                self._model.add_fault(**fault.to_json())
                return _json({"queued": fault.to_json(), "pending": len(self._model.faults)})
            if method == "GET":
                return _json({"faults": [f.to_json() for f in self._model.faults]})
            if method == "DELETE":
                self._model.clear_faults()
                return _json({"faults": []})
        elif resource == "calls":
            if method == "GET":
                self._model.flush_metrics()
                agent = request.args.get("agent")
                calls = self._model.calls_of(agent) if agent else self._model.calls
                return _json({"calls": [c.to_json() for c in calls], "counts": self._model.counts()})
            if method == "DELETE":
                self._model.clear_calls()
                return _json({"calls": []})
        else:
            return _json({"error": f"no route {method} {request.path}"}, 404)
        return _json({"error": f"{method} is not allowed on {request.path}"}, 405)
