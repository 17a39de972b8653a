"""The Agents SDK's traces, kept per job: a trace processor that replaces the SDK's default.

The SDK's default processor ships traces to api.openai.com; :func:`install_tracing` replaces
it with a :class:`JobTraceProcessor`, which buffers the spans of each trace and, when the
trace ends, turns them into plain dicts (the ``trace_spans`` columns, see
``alex.db.spans.Spans.add_many``), hands them to ``store`` and then to each exporter
(CloudWatch metrics, OTLP, Langfuse). Attributes follow the OpenTelemetry GenAI semantic
conventions (``gen_ai.*``); no prompt, completion or tool input/output text is ever kept.
Nothing here raises into the run: observability must not fail a job.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, UTC
from typing import Any, Protocol

import agents
from agents.tracing import Span, Trace, TracingProcessor
from agents.tracing.span_data import (
    AgentSpanData,
    CustomSpanData,
    FunctionSpanData,
    GenerationSpanData,
    GuardrailSpanData,
    HandoffSpanData,
    ResponseSpanData,
    SpanData,
)

from alex.observability.scrub import is_sensitive_key, scrub

__all__ = ["GEN_AI_SYSTEM", "JobTraceProcessor", "SpanExporter", "install_tracing", "span_to_dict"]

log = logging.getLogger("alex.observability.tracing")

GEN_AI_SYSTEM = "aws.bedrock"
MAX_SPANS_PER_TRACE = 5000
MAX_ATTRIBUTE_TEXT = 1024
MAX_ERROR_TEXT = 2000

# Span-data keys that carry content (prompts, completions, tool arguments/results): never kept.
_CONTENT_KEYS = frozenset(
    {
        "input",
        "output",
        "inputs",
        "outputs",
        "prompt",
        "prompts",
        "messages",
        "message",
        "content",
        "contents",
        "completion",
        "completions",
        "response",
        "text",
        "arguments",
        "result",
        "instructions",
        "system_instructions",
    }
)
_KINDS = {
    "agent": "agent",
    "generation": "generation",
    "function": "tool",
    "custom": "custom",
    "handoff": "handoff",
    "guardrail": "guardrail",
    "response": "response",
}
_SAFE_MODEL_CONFIG = {
    "temperature": "gen_ai.request.temperature",
    "top_p": "gen_ai.request.top_p",
    "max_tokens": "gen_ai.request.max_tokens",
    "frequency_penalty": "gen_ai.request.frequency_penalty",
    "presence_penalty": "gen_ai.request.presence_penalty",
}


class SpanExporter(Protocol):
    def export(self, spans: list[dict[str, Any]]) -> Any: ...


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _duration_ms(started: str | None, ended: str | None) -> float | None:
    if not started or not ended:
        return None
    try:
        delta = datetime.fromisoformat(ended) - datetime.fromisoformat(started)
    except ValueError:
        return None
    return round(delta.total_seconds() * 1000.0, 3)


def _model_id(model: Any) -> str | None:
    """The model id without LiteLLM's provider prefix ("bedrock/us.anthropic..." -> "us.anthropic...")."""
    if not model:
        return None
    text = str(model)
    for prefix in ("bedrock/converse/", "bedrock/invoke/", "bedrock/"):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def _scalar(value: Any) -> Any:
    """A JSON scalar (or list of scalars) safe to keep as an attribute, or None to drop it."""
    if value is None or isinstance(value, bool) or isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return scrub(value[:MAX_ATTRIBUTE_TEXT])
    if isinstance(value, (list, tuple)):
        items = [_scalar(v) for v in value[:64] if not isinstance(v, (dict, list, tuple))]
        return [v for v in items if v is not None]
    return None


def _flatten(prefix: str, data: Mapping[str, Any], out: dict[str, Any], depth: int = 0) -> None:
    for key, value in data.items():
        key = str(key)
        if key.lower() in _CONTENT_KEYS:
            continue
        name = f"{prefix}.{key}"
        if is_sensitive_key(key):
            out[name] = "[REDACTED]"
        elif isinstance(value, Mapping):
            if depth < 3:
                _flatten(name, value, out, depth + 1)
        else:
            scalar = _scalar(value)
            if scalar is not None:
                out[name] = scalar


def _usage(usage: Any, attrs: dict[str, Any]) -> None:
    if not isinstance(usage, Mapping):
        return
    inp = usage.get("input_tokens", usage.get("prompt_tokens"))
    out = usage.get("output_tokens", usage.get("completion_tokens"))
    if isinstance(inp, (int, float)):
        attrs["gen_ai.usage.input_tokens"] = int(inp)
    if isinstance(out, (int, float)):
        attrs["gen_ai.usage.output_tokens"] = int(out)
    for key in ("requests", "total_tokens"):
        if isinstance(usage.get(key), (int, float)):
            attrs[f"alex.usage.{key}"] = int(usage[key])


def _describe(data: SpanData) -> tuple[str, str, dict[str, Any]]:
    """(kind, name, attributes) of one span's data, content left out."""
    attrs: dict[str, Any] = {}
    sdk_type = str(getattr(data, "type", "span"))
    kind = _KINDS.get(sdk_type, sdk_type)
    attrs["alex.span.type"] = sdk_type
    if isinstance(data, AgentSpanData):
        attrs.update(
            {
                "gen_ai.system": GEN_AI_SYSTEM,
                "gen_ai.provider.name": GEN_AI_SYSTEM,
                "gen_ai.operation.name": "invoke_agent",
                "gen_ai.agent.name": data.name,
            }
        )
        if data.tools:
            attrs["alex.agent.tools"] = [str(t) for t in data.tools]
        if data.handoffs:
            attrs["alex.agent.handoffs"] = [str(h) for h in data.handoffs]
        if data.output_type:
            attrs["alex.agent.output_type"] = str(data.output_type)
        return kind, f"invoke_agent {data.name}", attrs
    if isinstance(data, GenerationSpanData):
        model = _model_id(data.model)
        attrs.update({"gen_ai.system": GEN_AI_SYSTEM, "gen_ai.provider.name": GEN_AI_SYSTEM, "gen_ai.operation.name": "chat"})
        if model:
            attrs["gen_ai.request.model"] = model
        if isinstance(data.model_config, Mapping):
            for key, name in _SAFE_MODEL_CONFIG.items():
                value = data.model_config.get(key)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    attrs[name] = value
        _usage(data.usage, attrs)
        return kind, f"chat {model}" if model else "chat", attrs
    if isinstance(data, FunctionSpanData):
        attrs.update(
            {
                "gen_ai.system": GEN_AI_SYSTEM,
                "gen_ai.provider.name": GEN_AI_SYSTEM,
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": data.name,
                "gen_ai.tool.type": "function",
            }
        )
        return kind, f"execute_tool {data.name}", attrs
    if isinstance(data, ResponseSpanData):
        attrs.update({"gen_ai.system": GEN_AI_SYSTEM, "gen_ai.provider.name": GEN_AI_SYSTEM, "gen_ai.operation.name": "chat"})
        response_id = getattr(data.response, "id", None) if data.response is not None else None
        if response_id:
            attrs["gen_ai.response.id"] = str(response_id)
        model = _model_id(getattr(data.response, "model", None)) if data.response is not None else None
        if model:
            attrs["gen_ai.response.model"] = model
        _usage(getattr(data, "usage", None), attrs)
        return kind, "response", attrs
    if isinstance(data, HandoffSpanData):
        attrs.update({"alex.handoff.from": data.from_agent, "alex.handoff.to": data.to_agent})
        return kind, f"handoff {data.from_agent} -> {data.to_agent}", attrs
    if isinstance(data, GuardrailSpanData):
        attrs.update({"alex.guardrail.name": data.name, "alex.guardrail.triggered": bool(data.triggered)})
        return kind, f"guardrail {data.name}", attrs
    if isinstance(data, CustomSpanData):
        if isinstance(data.data, Mapping):
            _flatten("alex", data.data, attrs)
        return kind, str(data.name), attrs
    # Other span types (task, turn, mcp_tools, ...): their scalar fields, never content.
    exported: Any = None
    try:
        exported = data.export()
    except Exception:  # noqa: BLE001
        exported = None
    name = sdk_type
    if isinstance(exported, Mapping):
        nested = exported.get("data")
        inner: Mapping[str, Any] = nested if isinstance(nested, Mapping) else exported
        # Aggregate usage stays out of gen_ai.usage.* so backends don't count it twice.
        usage: dict[str, Any] = {}
        _usage(inner.get("usage"), usage)
        attrs.update({k.replace("gen_ai.usage.", "alex.usage."): v for k, v in usage.items()})
        agent_name = inner.get("agent_name")
        if agent_name:
            attrs["gen_ai.agent.name"] = str(agent_name)
        _flatten("alex", {k: v for k, v in inner.items() if k not in ("type", "usage", "sdk_span_type", "agent_name")}, attrs)
        if sdk_type == "turn" and inner.get("turn") is not None:
            name = f"turn {inner.get('turn')}"
        elif sdk_type == "task" and inner.get("name"):
            name = f"task {inner.get('name')}"
    return kind, name, attrs


def _error_text(error: Any) -> str | None:
    if not error:
        return None
    if isinstance(error, Mapping):
        text = str(error.get("message") or "error")
        data = error.get("data")
        if data:
            try:
                text = f"{text}: {json.dumps(scrub(data), default=str, sort_keys=True)}"
            except Exception:  # noqa: BLE001
                text = f"{text}: {data!r}"
    else:
        text = str(error)
    return scrub(text[:MAX_ERROR_TEXT])  # type: ignore[no-any-return]


def span_to_dict(span: Span[Any]) -> dict[str, Any]:
    """One SDK span as a ``trace_spans`` row (job_id filled in at the end of the trace)."""
    kind, name, attrs = _describe(span.span_data)
    started = span.started_at or span.ended_at or _now_iso()
    ended = span.ended_at
    return {
        "span_id": span.span_id,
        "job_id": None,
        "trace_id": span.trace_id,
        "parent_id": span.parent_id,
        "kind": kind,
        "name": str(name)[:255],
        "started_at": started,
        "ended_at": ended,
        "duration_ms": _duration_ms(started, ended),
        "attributes": {k: v for k, v in attrs.items() if v is not None},
        "error": _error_text(span.error),
    }


def _as_uuid(value: Any) -> str | None:
    if not value:
        return None
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


class _TraceBuffer:
    __slots__ = ("dropped", "group_id", "metadata", "name", "spans")

    def __init__(self, name: str | None = None, group_id: str | None = None, metadata: Any = None) -> None:
        self.name = name
        self.group_id = group_id
        self.metadata = metadata if isinstance(metadata, Mapping) else {}
        self.spans: list[dict[str, Any]] = []
        self.dropped = 0


class JobTraceProcessor(TracingProcessor):
    """Buffers each trace's spans; at the trace's end stores them and hands them to exporters."""

    def __init__(
        self, store: Callable[[list[dict[str, Any]]], Any] | None = None, exporters: Iterable[SpanExporter] = ()
    ) -> None:
        self.store = store
        self.exporters: list[SpanExporter] = list(exporters)
        self._traces: dict[str, _TraceBuffer] = {}
        self._lock = threading.Lock()

    # -- TracingProcessor -------------------------------------------------------------
    def on_trace_start(self, trace: Trace) -> None:
        try:
            buffer = _TraceBuffer(trace.name, getattr(trace, "group_id", None), getattr(trace, "metadata", None))
            with self._lock:
                self._traces[trace.trace_id] = buffer
        except Exception:  # noqa: BLE001
            log.warning("trace start not recorded", exc_info=True)

    def on_span_start(self, span: Span[Any]) -> None:
        return None

    def on_span_end(self, span: Span[Any]) -> None:
        try:
            row = span_to_dict(span)
            with self._lock:
                buffer = self._traces.setdefault(span.trace_id, _TraceBuffer())
                if len(buffer.spans) < MAX_SPANS_PER_TRACE:
                    buffer.spans.append(row)
                else:
                    buffer.dropped += 1
        except Exception:  # noqa: BLE001
            log.warning("span not recorded", exc_info=True)

    def on_trace_end(self, trace: Trace) -> None:
        try:
            with self._lock:
                buffer = self._traces.pop(trace.trace_id, None)
            if buffer is None:
                buffer = _TraceBuffer(trace.name, getattr(trace, "group_id", None), getattr(trace, "metadata", None))
            if buffer.name is None:
                buffer.name = trace.name
                buffer.group_id = getattr(trace, "group_id", None)
                md = getattr(trace, "metadata", None)
                buffer.metadata = md if isinstance(md, Mapping) else {}
            if buffer.dropped:
                log.warning("trace had too many spans", extra={"trace_id": trace.trace_id, "dropped": buffer.dropped})
            spans = self._finish(buffer)
        except Exception:  # noqa: BLE001
            log.warning("trace not converted", exc_info=True)
            return
        if spans:
            self.deliver(spans)

    def shutdown(self) -> None:
        with self._lock:
            self._traces.clear()
        for exporter in self.exporters:
            closer = getattr(exporter, "shutdown", None)
            if callable(closer):
                try:
                    closer()
                except Exception:  # noqa: BLE001
                    log.debug("exporter shutdown failed", exc_info=True)

    def force_flush(self) -> None:
        return None

    # -- delivery ---------------------------------------------------------------------
    def deliver(self, spans: list[dict[str, Any]]) -> None:
        """Store then export ``spans``; each failure is logged and swallowed."""
        if self.store is not None:
            try:
                self.store(spans)
            except Exception:  # noqa: BLE001
                log.warning("trace spans not stored", exc_info=True, extra={"spans": len(spans)})
        for exporter in self.exporters:
            try:
                exporter.export(spans)
            except Exception:  # noqa: BLE001
                log.warning(
                    "trace spans not exported", exc_info=True, extra={"exporter": type(exporter).__name__, "spans": len(spans)}
                )

    @staticmethod
    def _finish(buffer: _TraceBuffer) -> list[dict[str, Any]]:
        metadata = buffer.metadata or {}
        job_id = _as_uuid(buffer.group_id) or _as_uuid(metadata.get("job_id"))
        trace_attrs: dict[str, Any] = {"alex.trace.name": buffer.name}
        if buffer.group_id:
            trace_attrs["alex.trace.group_id"] = str(buffer.group_id)
        _flatten("alex.trace.metadata", metadata, trace_attrs)
        default_agent = metadata.get("agent")
        by_id = {s["span_id"]: s for s in buffer.spans}

        def owning_agent(row: dict[str, Any]) -> str | None:
            seen = 0
            current: dict[str, Any] | None = row
            while current is not None and seen < 64:
                if current["kind"] == "agent":
                    return current["attributes"].get("gen_ai.agent.name")
                current = by_id.get(current.get("parent_id"))  # type: ignore[arg-type]
                seen += 1
            return None

        for row in buffer.spans:
            row["job_id"] = job_id
            attrs = row["attributes"]
            if "gen_ai.agent.name" not in attrs:
                agent = owning_agent(row) or default_agent
                if agent:
                    attrs["gen_ai.agent.name"] = str(agent)
            for key, value in trace_attrs.items():
                attrs.setdefault(key, value)
        buffer.spans.sort(key=lambda s: (s["started_at"], s["span_id"]))
        return buffer.spans


def install_tracing(
    store: Callable[[list[dict[str, Any]]], Any] | None, exporters: Sequence[SpanExporter] = ()
) -> JobTraceProcessor:
    """Make a :class:`JobTraceProcessor` the SDK's only trace processor and return it.

    The SDK's default processor (which exports to api.openai.com) is dropped, so no trace
    leaves the process except through ``store`` and ``exporters``. Tracing is enabled
    (whether or not OPENAI_API_KEY is set) unless OPENAI_AGENTS_DISABLE_TRACING asks otherwise.
    """
    processor = JobTraceProcessor(store, exporters)
    agents.set_trace_processors([processor])
    if os.environ.get("OPENAI_AGENTS_DISABLE_TRACING", "").strip().lower() not in ("1", "true"):
        agents.set_tracing_disabled(False)
    return processor
