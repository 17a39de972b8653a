"""The Bedrock Converse wire format: parse a request, build a response or an error.

Only what the scripted model needs is read: the model id from the path
(``POST /model/{modelId}/converse``), the system text, the messages (text, toolUse and
toolResult blocks), the offered tools and tool choice, ``inferenceConfig.maxTokens`` and
``outputConfig`` (structured output for Claude 4.5 ids). Anything malformed raises
:class:`ConverseError`, which becomes the JSON error document Bedrock sends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from harness.cloud.service_model import OperationRouter, ServiceError

JSON_TOOL = "json_tool_call"  # the tool LiteLLM adds to force structured output on non-Claude models
# LiteLLM before ~1.76 names that tool after the response_format's schema name: the Agents SDK's is "final_output"
STRUCTURED_TOOLS = (JSON_TOOL, "final_output")
# the bedrock-runtime operations on a model (``/model/{modelId}/...``), routed by botocore's model: the edge
# answers Converse, refuses the others with a ValidationException, or forwards any of them to real Bedrock
MODEL_OPERATIONS = OperationRouter(
    "bedrock-runtime",
    [
        "Converse",
        "ConverseStream",
        "CountTokens",
        "InvokeModel",
        "InvokeModelWithResponseStream",
        "InvokeModelWithBidirectionalStream",
    ],
)


class ConverseError(ServiceError):
    """A Bedrock error: ``x-amzn-ErrorType`` and message, with the HTTP status of the bedrock-runtime model."""

    service = "bedrock-runtime"


def validation(message: str) -> ConverseError:
    return ConverseError("ValidationException", message)


@dataclass(frozen=True)
class ToolSpec:
    name: str
    input_schema: dict[str, Any]


@dataclass
class ConverseRequest:
    """One Converse call as the scripted model reads it."""

    model_id: str
    system_text: str
    messages: list[dict[str, Any]]
    tools: list[ToolSpec] = field(default_factory=list)
    tool_choice: dict[str, Any] | None = None
    max_tokens: int | None = None
    output_config: dict[str, Any] | None = None

    @property
    def tool_names(self) -> list[str]:
        return [t.name for t in self.tools]

    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def wants_json_tool(self) -> bool:
        return self.structured_tool is not None

    @property
    def forced_tool(self) -> str | None:
        """The tool ``toolChoice`` forces by name, if any."""
        choice = self.tool_choice or {}
        tool = choice.get("tool") if isinstance(choice, dict) else None
        return str(tool.get("name")) if isinstance(tool, dict) and tool.get("name") else None

    @property
    def structured_tool(self) -> str | None:
        """The tool that carries structured output: LiteLLM's json_tool_call (or the SDK's final_output)."""
        for name in STRUCTURED_TOOLS:
            if name in self.tool_names:
                return name
        return None

    @property
    def output_schema(self) -> dict[str, Any] | None:
        """The JSON Schema of Bedrock's native structured output (``outputConfig.textFormat``), if asked."""
        fmt = (self.output_config or {}).get("textFormat")
        if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
            return None
        raw = ((fmt.get("structure") or {}).get("jsonSchema") or {}).get("schema")
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise validation(
                    "Malformed input request: outputConfig.textFormat.structure.jsonSchema.schema is not JSON"
                ) from None
        return raw if isinstance(raw, dict) else {}

    def function_tools(self) -> list[ToolSpec]:
        """The offered tools other than the structured-output one."""
        structured = self.structured_tool
        return [t for t in self.tools if t.name != structured]

    def texts(self) -> str:
        """The system prompt and every user text, for reading what was asked."""
        return "\n".join([self.system_text, *self.user_texts()])

    def tool(self, name: str) -> ToolSpec | None:
        return next((t for t in self.tools if t.name == name), None)

    def user_texts(self) -> list[str]:
        """Every text block of every user message, oldest first."""
        return [
            block["text"]
            for msg in self.messages
            if msg.get("role") == "user"
            for block in msg.get("content", [])
            if isinstance(block, dict) and isinstance(block.get("text"), str)
        ]

    def tool_uses(self) -> dict[str, str]:
        """toolUseId -> tool name, for every toolUse the assistant made in this conversation."""
        out: dict[str, str] = {}
        for msg in self.messages:
            for block in msg.get("content", []):
                use = block.get("toolUse") if isinstance(block, dict) else None
                if isinstance(use, dict):
                    out[str(use.get("toolUseId"))] = str(use.get("name"))
        return out

    def tool_results(self) -> list[dict[str, Any]]:
        """Every toolResult block, oldest first."""
        return [
            block["toolResult"]
            for msg in self.messages
            for block in msg.get("content", [])
            if isinstance(block, dict) and isinstance(block.get("toolResult"), dict)
        ]

    def input_text_chars(self) -> int:
        """Characters of everything the model reads (for the token estimate)."""
        return len(self.system_text) + len(json.dumps(self.messages)) + len(json.dumps([t.input_schema for t in self.tools]))


def parse_request(model_id: str, raw: bytes) -> ConverseRequest:
    """Read a Converse body; ValidationException for what Bedrock would refuse."""
    try:
        body = json.loads(raw or b"{}")
    except ValueError as exc:
        raise validation(f"Malformed input request: request body is not JSON ({exc})") from None
    if not isinstance(body, dict):
        raise validation("Malformed input request: the body must be a JSON object")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise validation(
            "A conversation must start with a user message. Try again with a conversation that starts with a user message."
        )
    for msg in messages:
        if not isinstance(msg, dict) or msg.get("role") not in ("user", "assistant") or not isinstance(msg.get("content"), list):
            raise validation("Malformed input request: each message needs a role of user or assistant and a content list")
    system = body.get("system") or []
    if not isinstance(system, list):
        raise validation("Malformed input request: system must be a list of content blocks")
    system_text = "\n".join(str(b.get("text", "")) for b in system if isinstance(b, dict))
    tools: list[ToolSpec] = []
    tool_config = body.get("toolConfig") or {}
    for entry in tool_config.get("tools", []) if isinstance(tool_config, dict) else []:
        spec = entry.get("toolSpec") if isinstance(entry, dict) else None
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            raise validation("Malformed input request: every tool needs a toolSpec with a name")
        schema = (spec.get("inputSchema") or {}).get("json") or {}
        tools.append(ToolSpec(spec["name"], schema if isinstance(schema, dict) else {}))
    inference = body.get("inferenceConfig") or {}
    max_tokens = inference.get("maxTokens") if isinstance(inference, dict) else None
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        raise validation(
            "1 validation error detected: Value at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1"
        )
    return ConverseRequest(
        model_id=model_id,
        system_text=system_text,
        messages=messages,
        tools=tools,
        tool_choice=tool_config.get("toolChoice") if isinstance(tool_config, dict) else None,
        max_tokens=max_tokens,
        output_config=body.get("outputConfig") if isinstance(body.get("outputConfig"), dict) else None,
        raw=body,
    )


def estimate_tokens(chars: int) -> int:
    """A deterministic token estimate: about four characters a token."""
    return chars // 4 + 1


def response_body(
    content: list[dict[str, Any]], stop_reason: str, input_tokens: int, output_tokens: int, latency_ms: int
) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop_reason,
        "usage": {"inputTokens": input_tokens, "outputTokens": output_tokens, "totalTokens": input_tokens + output_tokens},
        "metrics": {"latencyMs": latency_ms},
    }
