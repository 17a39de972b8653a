"""JSON logs, one object per line on stdout (Lambda ships stdout to CloudWatch Logs).

Every line has ``timestamp`` (ISO-8601 UTC), ``level``, ``logger``, ``message`` and
``service``, then the fields bound with :func:`bind` (request_id, job_id, agent, ...; a field
bound to None is left out), then the ``extra=`` fields of the call, and ``exception`` when the
record carries one. Every line is scrubbed of secrets (:mod:`alex.observability.scrub`)
before it is written.

    configure_logging("alex-planner")
    with bind(request_id=context.aws_request_id, job_id=job_id):
        log.info("planning", extra={"positions": 12})
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from datetime import datetime, UTC
from typing import IO, Any

from pythonjsonlogger.core import RESERVED_ATTRS, merge_record_extra
from pythonjsonlogger.json import JsonEncoder, JsonFormatter

from alex.observability.scrub import scrub

__all__ = ["AlexJsonFormatter", "bind", "bound_fields", "configure_logging", "NOISY_LOGGERS"]

#: Libraries too chatty at INFO/DEBUG; held at WARNING.
NOISY_LOGGERS = (
    "botocore",
    "boto3",
    "s3transfer",
    "urllib3",
    "httpx",
    "httpcore",
    "LiteLLM",
    "litellm",
    "openai",
    "openai.agents",
    "requests",
)

#: Root handlers the Lambda runtimes install (awslambdaric's and the local harness's), replaced
#: by ours so each record is written once, as JSON.
RUNTIME_HANDLERS = frozenset({"LambdaLoggerHandler", "LambdaLogHandler"})

_BASE_KEYS = ("timestamp", "level", "logger", "message", "service")
_SKIP = frozenset(RESERVED_ATTRS) | {"message", "asctime", "taskName"}

_bound: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar(
    "alex_log_fields", default=MappingProxyType({})
)  # read-only: the default is shared by every context


def bound_fields() -> dict[str, Any]:
    """The fields bound in the current context (None values left out)."""
    return {k: v for k, v in _bound.get().items() if v is not None}


@contextmanager
def bind(**fields: Any) -> Iterator[dict[str, Any]]:
    """Add ``fields`` to every log line written inside the block (this thread/task only).

    Nested blocks merge with the outer fields and restore them on exit; a field given as
    None does not hide the outer value of that field.
    """
    merged = dict(_bound.get())
    merged.update({k: v for k, v in fields.items() if v is not None})
    token = _bound.set(merged)
    try:
        yield dict(merged)
    finally:
        _bound.reset(token)


def _iso(created: float) -> str:
    return datetime.fromtimestamp(created, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AlexJsonFormatter(JsonFormatter):
    """python-json-logger's formatter with Alex's fixed keys, bound fields and scrubbing."""

    def __init__(self, service: str) -> None:
        super().__init__(json_ensure_ascii=False)
        self.service = service

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        log_data["timestamp"] = _iso(record.created)
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.message
        log_data["service"] = self.service
        extra: dict[str, Any] = bound_fields()
        extra.update({k: v for k, v in message_dict.items() if k not in ("exc_info", "stack_info")})
        merge_record_extra(record, extra, reserved=_SKIP)
        for key, value in extra.items():
            key = str(key)
            log_data[f"extra_{key}" if key in _BASE_KEYS or key == "exception" else key] = value
        if message_dict.get("exc_info"):
            log_data["exception"] = message_dict["exc_info"]
        if message_dict.get("stack_info"):
            log_data["stack"] = message_dict["stack_info"]

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        # Render objects the way the encoder would, so what reaches the line is scrubbed too.
        plain = json.loads(json.dumps(log_data, cls=JsonEncoder, ensure_ascii=False))
        return scrub(plain)  # type: ignore[no-any-return]

    def format(self, record: logging.LogRecord) -> str:
        try:
            return super().format(record)
        except Exception as exc:  # noqa: BLE001 - a bad record must not break logging
            return json.dumps(
                {
                    "timestamp": _iso(record.created),
                    "level": record.levelname,
                    "logger": record.name,
                    "message": "unformattable log record",
                    "service": self.service,
                    "format_error": scrub(repr(exc)),
                }
            )


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the ``sys.stdout`` of the moment (runtimes swap it), or to a given stream."""

    _alex_json = True

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__(stream if stream is not None else sys.stdout)
        self._fixed = stream

    @property  # type: ignore[override]
    def stream(self) -> IO[str]:
        return self._fixed if self._fixed is not None else sys.stdout

    @stream.setter
    def stream(self, value: IO[str]) -> None:
        pass  # StreamHandler.__init__/setStream assign it; the property decides


def _level(level: str | int | None) -> int:
    if isinstance(level, int):
        return level
    name = (level or os.environ.get("LOG_LEVEL") or "INFO").strip().upper()
    value = logging.getLevelName(name)
    return value if isinstance(value, int) else logging.INFO


def configure_logging(service: str, level: str | int | None = None, stream: IO[str] | None = None) -> logging.Handler:
    """Make the root logger write JSON lines for ``service``; safe to call again (no new handler).

    ``level`` defaults to ``LOG_LEVEL`` (INFO when unset); ``stream`` to the current stdout.
    The runtime's own text handler, if any, is removed so each record is written once.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_alex_json", False) or type(handler).__name__ in RUNTIME_HANDLERS:
            root.removeHandler(handler)
    handler = _StdoutHandler(stream)
    handler.setFormatter(AlexJsonFormatter(service))
    root.addHandler(handler)
    root.setLevel(_level(level))
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
