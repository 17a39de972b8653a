"""What the scripted model decided to say, and how that becomes Converse content blocks.

Script rules and the generic answer produce an :class:`Answer` (prose, a structured
object, or one or several tool calls); rendering turns it into a :class:`Reply` for the request at hand:
a structured object goes out as a toolUse of the structured-output tool when one was
offered (LiteLLM's ``json_tool_call``, or the tool ``toolChoice`` forces, such as the
Agents SDK's ``final_output`` with older LiteLLM), else as JSON text (``outputConfig``, or
a caller that asked for nothing in particular); several tool calls go out as several toolUse
blocks of one assistant message, as Bedrock's models send independent calls. Faults then act
on the Reply.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from harness.bedrock.converse_wire import ConverseRequest, estimate_tokens

CHARS_PER_TOKEN = 4


@dataclass(frozen=True)
class ToolCall:
    """One toolUse block: the tool, its input and its id (empty: one is made from the name and position)."""

    name: str
    input: dict[str, Any] = field(default_factory=dict)
    tool_use_id: str = ""


@dataclass(frozen=True)
class Answer:
    """``tool_name``/``tool_input`` is one tool call; ``calls`` several, sent together in one message."""

    text: str | None = None
    data: dict[str, Any] | None = None
    tool_name: str | None = None
    tool_input: dict[str, Any] | None = None
    tool_use_id: str = ""
    calls: tuple[ToolCall, ...] = ()

    def tool_calls(self) -> list[ToolCall]:
        """Every tool call this answer makes, in order (none for a text or structured answer)."""
        if self.calls:
            return list(self.calls)
        if self.tool_name is not None:
            return [ToolCall(self.tool_name, self.tool_input or {}, self.tool_use_id)]
        return []


@dataclass
class Reply:
    """Content blocks and a stop reason, as they go on the wire."""

    content: list[dict[str, Any]] = field(default_factory=list)
    stop_reason: str = "end_turn"

    def output_chars(self) -> int:
        total = 0
        for block in self.content:
            if "text" in block:
                total += len(block["text"])
            elif "toolUse" in block:
                total += len(json.dumps(block["toolUse"].get("input", {})))
        return total

    def output_tokens(self) -> int:
        return estimate_tokens(self.output_chars())


def render(answer: Answer, request: ConverseRequest) -> Reply:
    calls = answer.tool_calls()
    if len(calls) == 1:
        use = {"toolUseId": calls[0].tool_use_id, "name": calls[0].name, "input": calls[0].input}
        return Reply([{"toolUse": use}], "tool_use")
    if calls:  # each block needs its own id: the tool results answer them by id
        uses = [
            {"toolUseId": call.tool_use_id or f"tooluse_{n}_{call.name}"[:64], "name": call.name, "input": call.input}
            for n, call in enumerate(calls)
        ]
        return Reply([{"toolUse": use} for use in uses], "tool_use")
    carrier = request.forced_tool or request.structured_tool
    if answer.data is not None and carrier is not None:
        use = {"toolUseId": answer.tool_use_id or "tooluse_json", "name": carrier, "input": answer.data}
        return Reply([{"toolUse": use}], "tool_use")
    text = answer.text if answer.text is not None else json.dumps(answer.data)
    if request.max_tokens is not None and estimate_tokens(len(text)) > request.max_tokens:
        # Bedrock stops generating at maxTokens and says so.
        return Reply([{"text": text[: request.max_tokens * CHARS_PER_TOKEN]}], "max_tokens")
    return Reply([{"text": text}], "end_turn")
