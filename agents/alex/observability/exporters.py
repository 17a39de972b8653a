"""Optional span exporters, configured from the environment: OTLP (HTTP/protobuf) and Langfuse.

``exporters_from_env()`` returns nothing unless configured:

* OTLP when ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` (used as is) or ``OTEL_EXPORTER_OTLP_ENDPOINT``
  (``/v1/traces`` appended, as the OpenTelemetry spec says) is set; headers from
  ``OTEL_EXPORTER_OTLP_TRACES_HEADERS`` / ``OTEL_EXPORTER_OTLP_HEADERS``. ``OTEL_SDK_DISABLED=true``
  or ``OTEL_TRACES_EXPORTER=none`` turn it off; only the ``http/protobuf`` protocol is spoken.
* Langfuse when ``LANGFUSE_PUBLIC_KEY``, ``LANGFUSE_SECRET_KEY`` and ``LANGFUSE_HOST`` are all set:
  OTLP to ``{LANGFUSE_HOST}/api/public/otel/v1/traces`` with HTTP Basic auth ``public:secret``.

Each exporter turns our span dicts (see :mod:`alex.observability.tracing`) into OpenTelemetry
spans: ids hashed deterministically to 16/8 bytes (so parents link up across exports), times
from the ISO strings, attributes, error status. Exports are synchronous with a short timeout
and never raise.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, UTC
from typing import Any
from urllib.parse import unquote

from alex.timestamps import parse_utc

__all__ = ["LangfuseExporter", "OtlpExporter", "exporters_from_env", "otel_span_id", "otel_trace_id", "to_otel_spans"]

log = logging.getLogger("alex.observability.exporters")

DEFAULT_TIMEOUT_S = 5.0
TRACES_PATH = "/v1/traces"
LANGFUSE_PATH = "/api/public/otel/v1/traces"
SCOPE_NAME = "alex.observability"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SDK_TRACE_ID = re.compile(r"^trace_([0-9a-f]{32})$")
_LANGFUSE_TYPES = {"agent": "agent", "generation": "generation", "tool": "tool", "guardrail": "guardrail"}


# -- ids, times, attributes --------------------------------------------------------------
def _hash_int(text: str, size: int) -> int:
    value = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:size], "big")
    return value or 1  # all-zero ids are invalid in OpenTelemetry


def otel_trace_id(trace_id: str) -> int:
    """128-bit id: the SDK's own hex when it has one ("trace_<32 hex>"), else a hash."""
    match = _SDK_TRACE_ID.match(str(trace_id))
    if match and int(match.group(1), 16):
        return int(match.group(1), 16)
    return _hash_int(f"trace:{trace_id}", 16)


def otel_span_id(span_id: str) -> int:
    """64-bit id hashed from our span id (the same span always gets the same id)."""
    return _hash_int(f"span:{span_id}", 8)


def _ns(value: Any) -> int | None:
    stamp = parse_utc(value)
    if stamp is None:
        return None
    delta = stamp - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def _otel_value(value: Any) -> Any:
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        items = [v for v in value if v is not None]
        if all(isinstance(v, str) for v in items) or all(isinstance(v, bool) for v in items):
            return list(items)
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in items):
            return [float(v) for v in items] if any(isinstance(v, float) for v in items) else list(items)
        return [json.dumps(v, default=str) if not isinstance(v, str) else v for v in items]
    return json.dumps(value, default=str, sort_keys=True)


def _otel_attributes(span: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for key, value in (span.get("attributes") or {}).items():
        if value is not None:
            attrs[str(key)] = _otel_value(value)
    attrs["alex.span.kind"] = str(span.get("kind"))
    attrs["alex.span_id"] = str(span.get("span_id"))
    attrs["alex.trace_id"] = str(span.get("trace_id"))
    if span.get("job_id"):
        attrs["alex.job_id"] = str(span["job_id"])
    for key, value in (extra or {}).items():
        if value is not None:
            attrs[key] = _otel_value(value)
    return attrs


def to_otel_spans(
    spans: Sequence[Mapping[str, Any]],
    service_name: str = "alex",
    resource_attributes: Mapping[str, Any] | None = None,
    extra_attributes: Any = None,
) -> list[Any]:
    """Our span dicts as OpenTelemetry ``ReadableSpan`` objects (``extra_attributes(span) -> dict``)."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.util.instrumentation import InstrumentationScope
    from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags

    resource = Resource({"service.name": service_name, **dict(resource_attributes or {})})
    scope = InstrumentationScope(SCOPE_NAME)
    result = []
    for span in spans:
        trace_id = otel_trace_id(str(span["trace_id"]))
        context = SpanContext(
            trace_id, otel_span_id(str(span["span_id"])), is_remote=False, trace_flags=TraceFlags(TraceFlags.SAMPLED)
        )
        parent = None
        if span.get("parent_id"):
            parent = SpanContext(
                trace_id, otel_span_id(str(span["parent_id"])), is_remote=False, trace_flags=TraceFlags(TraceFlags.SAMPLED)
            )
        start = _ns(span.get("started_at")) or _ns(datetime.now(UTC).isoformat())
        end = _ns(span.get("ended_at")) or start
        error = span.get("error")
        status = Status(StatusCode.ERROR, str(error)[:1024]) if error else Status(StatusCode.UNSET)
        kind = SpanKind.CLIENT if span.get("kind") == "generation" else SpanKind.INTERNAL
        extra = extra_attributes(span) if extra_attributes is not None else None
        result.append(
            ReadableSpan(
                name=str(span.get("name") or span.get("kind") or "span"),
                context=context,
                parent=parent,
                resource=resource,
                attributes=_otel_attributes(span, extra),
                kind=kind,
                status=status,
                start_time=start,
                end_time=end,
                instrumentation_scope=scope,
            )
        )
    return result


# -- exporters ---------------------------------------------------------------------------
class OtlpExporter:
    """Exports span dicts as OTLP/HTTP protobuf to ``endpoint`` (the full ``.../v1/traces`` URL)."""

    name = "otlp"

    def __init__(
        self,
        endpoint: str,
        headers: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        service_name: str = "alex",
        resource_attributes: Mapping[str, Any] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.service_name = service_name
        self.resource_attributes = dict(resource_attributes or {})
        self._exporter: Any = None

    def __repr__(self) -> str:  # never shows header values (credentials)
        return f"{type(self).__name__}(endpoint={self.endpoint!r}, headers={sorted(self.headers)!r})"

    def extra_attributes(self, span: Mapping[str, Any]) -> dict[str, Any]:
        return {}

    def _otlp(self) -> Any:
        if self._exporter is None:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            # A non-empty header map keeps the exporter from reading OTEL_*_HEADERS itself.
            self._exporter = OTLPSpanExporter(
                endpoint=self.endpoint, headers=self.headers or {"user-agent": "alex"}, timeout=self.timeout
            )
        return self._exporter

    def export(self, spans: list[dict[str, Any]]) -> bool:
        """Send ``spans``; True when the receiver accepted them. Never raises."""
        if not spans:
            return True
        try:
            from opentelemetry.sdk.trace.export import SpanExportResult

            otel = to_otel_spans(spans, self.service_name, self.resource_attributes, self.extra_attributes)
            result = self._otlp().export(otel)
            if result is not SpanExportResult.SUCCESS:
                log.warning("trace export failed", extra={"exporter": self.name, "endpoint": self.endpoint, "spans": len(spans)})
                return False
            return True
        except Exception:  # noqa: BLE001
            log.warning("trace export failed", exc_info=True, extra={"exporter": self.name, "endpoint": self.endpoint})
            return False

    def shutdown(self) -> None:
        if self._exporter is not None:
            try:
                self._exporter.shutdown()
            except Exception:  # noqa: BLE001
                log.debug("exporter shutdown failed", exc_info=True)
            self._exporter = None


class LangfuseExporter(OtlpExporter):
    """OTLP to Langfuse's ingestion endpoint, with its session and observation-type attributes."""

    name = "langfuse"

    def __init__(
        self,
        host: str,
        public_key: str,
        secret_key: str,
        timeout: float = DEFAULT_TIMEOUT_S,
        service_name: str = "alex",
        resource_attributes: Mapping[str, Any] | None = None,
    ) -> None:
        token = base64.b64encode(f"{public_key}:{secret_key}".encode()).decode("ascii")
        super().__init__(
            host.rstrip("/") + LANGFUSE_PATH, {"Authorization": f"Basic {token}"}, timeout, service_name, resource_attributes
        )

    def extra_attributes(self, span: Mapping[str, Any]) -> dict[str, Any]:
        extra: dict[str, Any] = {"langfuse.observation.type": _LANGFUSE_TYPES.get(str(span.get("kind")), "span")}
        if span.get("job_id"):
            extra["langfuse.session.id"] = str(span["job_id"])
        if span.get("error"):
            extra["langfuse.observation.level"] = "ERROR"
            extra["langfuse.observation.status_message"] = str(span["error"])[:1024]
        return extra


# -- configuration -----------------------------------------------------------------------
def parse_headers(text: str | None) -> dict[str, str]:
    """``k1=v1,k2=v2`` (values URL-encoded), as OTEL_EXPORTER_OTLP_HEADERS is written."""
    headers: dict[str, str] = {}
    for part in (text or "").split(","):
        if "=" not in part:
            continue
        key, _, value = part.partition("=")
        if key.strip():
            headers[unquote(key.strip())] = unquote(value.strip())
    return headers


def _traces_endpoint(env: Mapping[str, str]) -> str | None:
    specific = (env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or "").strip()
    if specific:
        return specific
    base = (env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or "").strip()
    if base:
        return base.rstrip("/") + TRACES_PATH
    return None


def _service_name(env: Mapping[str, str]) -> str:
    return (env.get("OTEL_SERVICE_NAME") or env.get("AWS_LAMBDA_FUNCTION_NAME") or "alex").strip() or "alex"


def _timeout(env: Mapping[str, str]) -> float:
    raw = env.get("ALEX_TRACE_EXPORT_TIMEOUT")
    try:
        value = float(raw) if raw else DEFAULT_TIMEOUT_S
    except ValueError:
        value = DEFAULT_TIMEOUT_S
    return value if value > 0 else DEFAULT_TIMEOUT_S


def exporters_from_env(environ: Mapping[str, str] | None = None) -> list[OtlpExporter]:
    """The exporters the environment asks for (none unless configured). Never raises."""
    env = os.environ if environ is None else environ
    exporters: list[OtlpExporter] = []
    try:
        if (env.get("OTEL_SDK_DISABLED") or "").strip().lower() == "true":
            return []
        service = _service_name(env)
        resource = parse_headers(env.get("OTEL_RESOURCE_ATTRIBUTES"))
        resource.pop("service.name", None)
        timeout = _timeout(env)

        endpoint = _traces_endpoint(env)
        wanted = (env.get("OTEL_TRACES_EXPORTER") or "otlp").strip().lower()
        protocol = (
            (env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get("OTEL_EXPORTER_OTLP_PROTOCOL") or "http/protobuf")
            .strip()
            .lower()
        )
        if endpoint and wanted != "none":
            if protocol != "http/protobuf":
                log.warning("only OTLP http/protobuf is supported; exporting with it anyway", extra={"protocol": protocol})
            headers = parse_headers(env.get("OTEL_EXPORTER_OTLP_TRACES_HEADERS") or env.get("OTEL_EXPORTER_OTLP_HEADERS"))
            exporters.append(OtlpExporter(endpoint, headers, timeout, service, resource))

        public, secret = env.get("LANGFUSE_PUBLIC_KEY"), env.get("LANGFUSE_SECRET_KEY")
        host = env.get("LANGFUSE_HOST")
        if public and secret and host:
            exporters.append(LangfuseExporter(host, public, secret, timeout, service, resource))
    except Exception:  # noqa: BLE001
        log.warning("trace exporters not configured", exc_info=True)
    return exporters
