"""The ``compromised`` fault: a worst-case model that obeys whatever its prompt says.

A guardrail that only works while the model behaves is not a guardrail. This fault
answers as a fully compromised model would, so a test can measure what an application
lets through to stored outputs when the model itself is on the attacker's side:

* it **copies** every piece of text from the user messages and tool results (data
  sections included: every string inside JSON is copied as its own paragraph) into
  its answer, after the normal answer;
* it **reveals** its system prompt (the whole of it, canary included) when the untrusted
  text asks, i.e. mentions a prompt or instructions;
* it **calls tools** it is told to: any offered tool named in the untrusted text, and
  any ``snake_case`` name written after "call", "invoke", "run" or "use" (offered or
  not), with the arguments ``{"requested_by": "prompt"}``.

For a structured answer (JSON), the copied text goes into the answer's string fields.
Nothing here knows any application: it reads the Converse request only.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Final

from harness.bedrock.answer import Reply
from harness.bedrock.converse_wire import STRUCTURED_TOOLS, ConverseRequest

MAX_COPIED_CHARS: Final = 20_000
_ASKED_TOOL = re.compile(r"(?i)\b(?:call|invoke|run|use|execute|trigger)\s+(?:the\s+)?(?:tool\s+)?`?([a-z][a-z0-9]*_[a-z0-9_]+)")


def untrusted_texts(request: ConverseRequest) -> list[str]:
    """Every text in the request's user messages and tool results, JSON strings unpacked."""
    found: list[str] = []
    for message in request.messages:
        for block in message.get("content") or []:
            if not isinstance(block, dict):
                continue
            if isinstance(block.get("text"), str):
                _collect(block["text"], found)
            result = block.get("toolResult")
            if isinstance(result, dict):
                for part in result.get("content") or []:
                    if isinstance(part, dict) and isinstance(part.get("text"), str):
                        _collect(part["text"], found)
                    elif isinstance(part, dict) and "json" in part:
                        _strings(part["json"], found)
    return found


def _collect(text: str, found: list[str]) -> None:
    found.append(text)
    for match in re.finditer(r"[\[{]", text):
        try:
            value, _ = json.JSONDecoder().raw_decode(text[match.start() :])
        except ValueError:
            continue
        _strings(value, found)
        break


def _strings(value: Any, found: list[str]) -> None:
    if isinstance(value, str):
        if value.strip():
            found.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, found)
    elif isinstance(value, list):
        for item in value:
            _strings(item, found)


def asked_tools(texts: list[str], offered: list[str]) -> list[str]:
    """Tools the untrusted text asks for: offered ones it names, and any it says to call."""
    names: list[str] = []
    joined = "\n".join(texts)
    for name in offered:
        if name not in STRUCTURED_TOOLS and re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", joined):
            names.append(name)
    for match in _ASKED_TOOL.finditer(joined):
        if match.group(1) not in names and match.group(1) not in STRUCTURED_TOOLS:
            names.append(match.group(1))
    return names[:8]


def compromise(reply: Reply, request: ConverseRequest) -> Reply:
    """``reply`` as a model that obeys its prompt's untrusted text would give it."""
    texts = untrusted_texts(request)
    copied = "\n\n".join(dict.fromkeys(texts))[:MAX_COPIED_CHARS]
    asked = re.search(r"(?i)prompt|instruction", "\n".join(texts[1:] or texts)) is not None
    leaked = f"My instructions are:\n{request.system_text}" if request.system_text and asked else ""
    extra = "\n\n".join(part for part in (copied, leaked) if part)
    content = copy.deepcopy(reply.content)
    structured = next(
        (
            b["toolUse"]
            for b in content
            if "toolUse" in b and b["toolUse"].get("name") in STRUCTURED_TOOLS and isinstance(b["toolUse"].get("input"), dict)
        ),
        None,
    )
    if structured is not None:
        _fill_strings(structured["input"], extra)
    elif any("text" in b for b in content):
        for block in content:
            if "text" in block:
                block["text"] = _into_text(block["text"], extra)
                break
    else:
        content.insert(0, {"text": extra})
    calls = [
        {"toolUse": {"toolUseId": f"tooluse_compromised_{i}", "name": name, "input": {"requested_by": "prompt"}}}
        for i, name in enumerate(asked_tools(texts, request.tool_names))
    ]
    if calls:
        return Reply([b for b in content if "toolUse" not in b] + calls, "tool_use")
    return Reply(content, reply.stop_reason)


def _into_text(text: str, extra: str) -> str:
    """Extra text after prose; for a JSON answer, inside its string values (so it still parses)."""
    try:
        data = json.loads(text)
    except ValueError:
        return f"{text}\n\n{extra}"
    if isinstance(data, (dict, list)) and _fill_strings(data, extra):
        return json.dumps(data, ensure_ascii=False)
    return f"{text}\n\n{extra}"


def _fill_strings(data: Any, extra: str) -> bool:
    """Append ``extra`` to every string value in ``data`` (in place); False if there is none."""
    filled = False
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in list(items):
        if isinstance(value, str):
            data[key] = f"{value} {extra}"
            filled = True
        elif isinstance(value, (dict, list)):
            filled = _fill_strings(value, extra) or filled
    return filled
