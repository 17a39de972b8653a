"""Test helpers: a canned Agents SDK model and a tiny OTLP/HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from agents import SpanError, function_tool, generation_span
from agents.items import ModelResponse
from agents.models.interface import Model
from agents.usage import Usage
from openai.types.responses import ResponseFunctionToolCall, ResponseOutputMessage, ResponseOutputText

SECRET_MARKER = "SENSITIVE-CONTENT-7f3a"  # appears in prompts, tool arguments/results, completions


def tool_call(name: str, arguments: str, call_id: str = "call_1") -> ResponseFunctionToolCall:
    return ResponseFunctionToolCall(id=f"fc_{call_id}", call_id=call_id, type="function_call", name=name, arguments=arguments)


def message(text: str) -> ResponseOutputMessage:
    return ResponseOutputMessage(
        id="msg_1",
        type="message",
        role="assistant",
        status="completed",
        content=[ResponseOutputText(text=text, type="output_text", annotations=[])],
    )


class FakeModel(Model):
    """Returns the canned turns in order, recording a generation span as LitellmModel does."""

    def __init__(
        self,
        turns: list[Any],
        model: str = "bedrock/us.anthropic.claude-test-v1:0",
        input_tokens: int = 11,
        output_tokens: int = 7,
    ) -> None:
        self.turns = list(turns)
        self.model = model
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens

    async def get_response(
        self,
        system_instructions,
        input,
        model_settings,
        tools,
        output_schema,
        handoffs,
        tracing,
        *,
        previous_response_id=None,
        conversation_id=None,
        prompt=None,
    ):
        with generation_span(
            model=self.model,
            model_config={"temperature": 0.2, "base_url": "", "model_impl": "litellm"},
            disabled=tracing.is_disabled(),
        ) as span:
            if tracing.include_data():
                span.span_data.input = [{"role": "user", "content": str(input)}]
            turn = self.turns.pop(0)
            if isinstance(turn, Exception):
                span.set_error(SpanError(message="Error getting response", data={"error": str(turn)}))
                raise turn
            usage = Usage(
                requests=1,
                input_tokens=self.input_tokens,
                output_tokens=self.output_tokens,
                total_tokens=self.input_tokens + self.output_tokens,
            )
            if tracing.include_data():
                span.span_data.output = [item.model_dump() for item in turn]
            span.span_data.usage = {
                "requests": 1,
                "input_tokens": usage.input_tokens,
                "output_tokens": usage.output_tokens,
                "total_tokens": usage.total_tokens,
            }
            return ModelResponse(output=list(turn), usage=usage, response_id=None)

    def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        raise NotImplementedError


@function_tool
def lookup_price(symbol: str) -> str:
    """Price of one instrument."""
    return f"{symbol} is 100 {SECRET_MARKER}"


class OtlpReceiver:
    """An OTLP/HTTP traces endpoint on 127.0.0.1 that decodes what it gets."""

    def __init__(self, status: int = 200) -> None:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

        receiver = self
        self.requests: list[dict[str, Any]] = []
        self.status = status

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                receiver.requests.append(
                    {"path": self.path, "body": request, "headers": {k.lower(): v for k, v in self.headers.items()}}
                )
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> OtlpReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def spans(self) -> list[Any]:
        return [
            span
            for request in self.requests
            for rs in request["body"].resource_spans
            for ss in rs.scope_spans
            for span in ss.spans
        ]


def otlp_attributes(span: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for kv in span.attributes:
        field = kv.value.WhichOneof("value")
        value = getattr(kv.value, field)
        if field == "array_value":
            value = [getattr(v, v.WhichOneof("value")) for v in value.values]
        values[kv.key] = value
    return values
