"""ScriptedBedrock: a Converse-compatible Bedrock runtime on the local cloud's edge.

It answers ``POST /model/{modelId}/converse`` requests signed for ``bedrock`` (what
LiteLLM sends to ``AWS_BEDROCK_RUNTIME_ENDPOINT``, and boto3's ``bedrock-runtime``
client's ``converse()``) with deterministic answers for any agent (``model``: the users'
scripts first, then the generic answer), applies queued faults (``faults``), logs every
call and publishes Bedrock's CloudWatch metrics.

In process::

    bedrock = ScriptedBedrock(scripts=["myapp.model_script", "rules.yaml"])
    with LocalCloud(components=[bedrock]) as cloud:
        bedrock.add_fault("throttle", agent="tagger", count=2)
        ...
        bedrock.calls, bedrock.counts()

Over HTTP, under ``/_harness/bedrock/`` on the edge (see ``control_api``).
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from collections.abc import Iterable, Sequence
import os

from harness.bedrock import scripts as scripts_mod
from harness.bedrock.answer import Reply, render
from harness.bedrock.calls import PROMPT_CHARS, CallLog, CallRecord
from harness.bedrock.control_api import BedrockControlApi
from harness.bedrock.converse_wire import (
    ConverseError,
    estimate_tokens,
    parse_request,
    MODEL_OPERATIONS,
    response_body,
    validation,
)
from harness.bedrock.live import LiveBedrock
from harness.bedrock.faults import ERROR_KINDS, Fault, FaultQueue, error_for, make_fault, spoil
from harness.bedrock.metrics import MetricsPublisher
from harness.bedrock.model import ScriptedModel
from harness.bedrock.scripts import Rule, Script
from harness.cloud.edge import AwsRequestContext
from harness.cloud.routes import json_response
from harness.monitoring.clients import CloudClients

if TYPE_CHECKING:
    from harness.cloud.host import CloudHost


class ScriptedBedrock:
    """The harness's scripted Bedrock model, as a CloudComponent."""

    def __init__(
        self,
        *,
        publish_metrics: bool = True,
        scripts: Iterable[str | os.PathLike[str] | Script | Sequence[Rule]] = (),
        environment: bool = True,
    ) -> None:
        """``scripts``: module paths, ``.py``/YAML files, Scripts or lists of Rules, tried in order;
        then (``environment``) those ``HARNESS_BEDROCK_SCRIPTS`` names."""
        self.publish_metrics = publish_metrics
        specs = [*scripts, *(scripts_mod.from_environment() if environment else [])]
        self.model = ScriptedModel(scripts_mod.load_all(specs))
        self._faults = FaultQueue()
        self._log = CallLog()
        self._clients = CloudClients()
        self._metrics = MetricsPublisher(lambda account_id, region: self._clients.get("cloudwatch", account_id, region))
        self._wake = threading.Event()
        self.live: LiveBedrock | None = None  # set by `alex-harness record --live`: calls go to real Bedrock

    # CloudComponent ------------------------------------------------------------
    def attach(self, cloud: CloudHost) -> None:
        self._clients.attach(cloud)
        assert cloud.edge is not None
        cloud.edge.register("bedrock", self.handle)
        cloud.edge.add_routes(BedrockControlApi(self).routes())

    def start(self) -> None:
        self._wake = threading.Event()
        self._metrics.start()

    def stop(self) -> None:
        self._wake.set()  # end any timeout fault's sleep
        self._metrics.stop()

    def reset(self) -> None:
        """Forget faults and calls; wake sleeping timeout faults; flush pending metrics."""
        old, self._wake = self._wake, threading.Event()
        old.set()
        self._faults.clear()
        self._log.clear()
        self._metrics.flush()

    # Python API -----------------------------------------------------------------
    def use_script(self, spec: str | os.PathLike[str] | Script | Sequence[Rule], *, first: bool = True) -> Script:
        """Load a script and try its rules before (``first``) or after the ones loaded already."""
        script = scripts_mod.load(spec)
        if first:
            self.model.scripts.insert(0, script)
        else:
            self.model.scripts.append(script)
        return script

    def remove_script(self, script: Script) -> None:
        self.model.scripts.remove(script)

    @property
    def scripts(self) -> list[Script]:
        return list(self.model.scripts)

    def add_fault(
        self, kind: str, agent: str | None = None, count: int = 1, always: bool = False, delay_seconds: float = 30.0
    ) -> Fault:
        """Queue a fault (FaultError, a ValueError, if the arguments are wrong)."""
        fault = make_fault(kind, agent, count, always, delay_seconds)
        self._faults.add(fault)
        return fault

    @property
    def faults(self) -> list[Fault]:
        return self._faults.pending()

    def clear_faults(self) -> None:
        self._faults.clear()

    @property
    def calls(self) -> list[CallRecord]:
        return self._log.records()

    def calls_of(self, agent: str | None) -> list[CallRecord]:
        return self._log.records(agent)

    def counts(self) -> dict[str, int]:
        return self._log.counts()

    def clear_calls(self) -> None:
        self._log.clear()

    def clear(self) -> None:
        """Forget queued faults and the call log."""
        self._faults.clear()
        self._log.clear()

    def flush_metrics(self) -> None:
        self._metrics.flush()

    # the Converse endpoint ---------------------------------------------------------
    def handle(self, request: Request, ctx: AwsRequestContext) -> Response | None:
        called = MODEL_OPERATIONS.route(request)
        if called is None:
            return None  # not a model call (the bedrock control plane, say): moto's, if anyone's
        if self.live is not None:
            return self.live.forward(MODEL_OPERATIONS.path(called), request.get_data())
        model_id = called.params["modelId"]
        started = time.perf_counter()
        state: dict[str, Any] = {"agent": None, "fault": None, "input_tokens": 0}
        try:
            if called.name != "Converse":
                raise validation(
                    f"The scripted model answers Converse only (POST /model/{{modelId}}/converse), not {called.name}."
                )
            reply = self._converse(model_id, request.get_data(), state)
        except ConverseError as err:
            self._record(ctx, model_id, state, started, err.status, err.error_type, None, 0)
            return err.response()
        latency = max(1, round((time.perf_counter() - started) * 1000))
        output_tokens = reply.output_tokens()
        body = response_body(reply.content, reply.stop_reason, state["input_tokens"], output_tokens, latency)
        self._record(ctx, model_id, state, started, 200, None, reply.stop_reason, output_tokens)
        return json_response(body)

    def _converse(self, model_id: str, raw: bytes, state: dict[str, Any]) -> Reply:
        converse = parse_request(model_id, raw)
        state["input_tokens"] = estimate_tokens(converse.input_text_chars())
        state["prompt"] = first_user_text(converse.messages)[:PROMPT_CHARS]
        decision = self.model.decide(converse)
        agent = decision.agent
        state["agent"] = agent
        fault = self._faults.take(agent)
        if fault is not None and fault.kind in ERROR_KINDS:
            state["fault"] = fault.kind
            if fault.kind == "timeout":
                self._wake.wait(fault.delay_seconds)
            raise error_for(fault)
        try:
            answer = self.model.answer(converse, decision)
        except ConverseError:
            if fault is not None:
                self._faults.give_back(fault)  # the request was refused; the fault waits for a real answer
            raise
        reply = render(answer, converse)
        if fault is not None:
            state["fault"] = fault.kind
            reply = spoil(reply, fault, agent, decision.rule.malformed_for(converse) if decision.rule else None, converse)
        return reply

    def _record(
        self,
        ctx: AwsRequestContext,
        model_id: str,
        state: dict[str, Any],
        started: float,
        status: int,
        error_type: str | None,
        stop_reason: str | None,
        output_tokens: int,
    ) -> None:
        record = CallRecord(
            agent=state["agent"],
            model_id=model_id,
            status=status,
            fault=state["fault"],
            error_type=error_type,
            stop_reason=stop_reason,
            input_tokens=state["input_tokens"] if status == 200 else 0,
            output_tokens=output_tokens,
            latency_ms=max(1, round((time.perf_counter() - started) * 1000)),
            region=ctx.region,
            timestamp=time.time(),
            prompt=state.get("prompt", ""),
        )
        self._log.add(record)
        if self.publish_metrics:
            self._metrics.record(record)


def first_user_text(messages: list[dict[str, Any]]) -> str:
    for message in messages:
        if message.get("role") == "user":
            return "\n".join(str(b["text"]) for b in message.get("content", []) if isinstance(b, dict) and "text" in b)
    return ""
