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

from typing import Protocol

from werkzeug.wrappers import Request, Response

from harness.bedrock.calls import CallRecord
from harness.bedrock.faults import KINDS, Fault, FaultError, fault_from_json
from harness.cloud.routes import Route, json_error, json_response


class ControlledModel(Protocol):
    """What the control API drives of the scripted model (``ScriptedBedrock``, which mounts this API)."""

    @property
    def faults(self) -> list[Fault]: ...

    @property
    def calls(self) -> list[CallRecord]: ...

    def add_fault(
        self, kind: str, agent: str | None = None, count: int = 1, always: bool = False, delay_seconds: float = 30.0
    ) -> Fault: ...

    def clear_faults(self) -> None: ...

    def calls_of(self, agent: str | None) -> list[CallRecord]: ...

    def counts(self) -> dict[str, int]: ...

    def clear_calls(self) -> None: ...

    def flush_metrics(self) -> None: ...


class BedrockControlApi:
    """The scripted model's routes in the edge's ``/_harness/`` table."""

    def __init__(self, model: ControlledModel) -> None:
        self._model = model

    def routes(self) -> list[Route]:
        return [
            Route("POST", "bedrock/faults", self._add_fault),
            Route("GET", "bedrock/faults", self._faults),
            Route("DELETE", "bedrock/faults", self._clear_faults),
            Route("GET", "bedrock/calls", self._calls),
            Route("DELETE", "bedrock/calls", self._clear_calls),
        ]

    def _add_fault(self, request: Request) -> Response:
        try:
            fault = fault_from_json(request.get_data())
        except FaultError as exc:
            return json_error(400, str(exc), kinds=list(KINDS))
        self._model.add_fault(**fault.to_json())
        return json_response({"queued": fault.to_json(), "pending": len(self._model.faults)})

    def _faults(self, request: Request) -> Response:
        return json_response({"faults": [f.to_json() for f in self._model.faults]})

    def _clear_faults(self, request: Request) -> Response:
        self._model.clear_faults()
        return json_response({"faults": []})

    def _calls(self, request: Request) -> Response:
        self._model.flush_metrics()
        agent = request.args.get("agent")
        calls = self._model.calls_of(agent) if agent else self._model.calls
        return json_response({"calls": [c.to_json() for c in calls], "counts": self._model.counts()})

    def _clear_calls(self, request: Request) -> Response:
        self._model.clear_calls()
        return json_response({"calls": []})
