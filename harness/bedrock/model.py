"""The scripted model's decision for one Converse request: who is asking, and what to answer.

The agent a call belongs to (the key of faults, ``/calls`` and counts) is the matching
script rule's ``agent`` (its name by default); with no rule, a label read from the system
prompt (:func:`agent_label`). The answer is the first matching rule's, else the generic
one (:mod:`harness.bedrock.generic`). Either way it is checked before it is sent: a
structured answer against the requested JSON Schema, a tool call against the offered
tool's input schema. What cannot be answered validly is a 400 ValidationException that
says why (:class:`~harness.bedrock.instances.Unsatisfiable`, a script's bad answer).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from harness.bedrock import generic
from harness.bedrock.answer import Answer
from harness.bedrock.converse_wire import ConverseError, ConverseRequest, validation
from harness.bedrock.instances import Unsatisfiable, check_schema, fill_defaults, problems
from harness.bedrock.scripts import Rule, Script, ScriptError

_ROLE = re.compile(r"\bYou are\s+(?:an?\s+|the\s+)?(.{1,80})", re.I)
_STOPWORDS = {
    "responsible",
    "specializing",
    "specialising",
    "focusing",
    "that",
    "who",
    "which",
    "for",
    "and",
    "with",
    "to",
    "in",
    "of",
    "on",
    "whose",
    "designed",
    "tasked",
    "working",
    "helping",
    "agent",
}


def agent_label(system_text: str) -> str:
    """A stable, readable agent name from a system prompt.

    ``You are a Report Writer Agent specializing in ...`` -> ``report-writer``; a prompt
    with no "You are" role gives its first four words (``you-coordinate-portfolio-analysis``);
    no system prompt at all gives ``default``.
    """
    match = _ROLE.search(system_text)
    words: list[str] = []
    source = match.group(1) if match else system_text
    for raw in re.findall(r"[A-Za-z][A-Za-z0-9'-]*|[.,;:!?\n]", source):
        if raw in ".,;:!?\n" or (match and raw.lower() in _STOPWORDS and words):
            break
        if raw.lower() == "agent":
            break
        words.append(raw.lower().replace("'", ""))
        if len(words) == 4:
            break
    return "-".join(words) or "default"


def seed_of(request: ConverseRequest) -> int:
    """The RNG seed: a hash of the request's normalised body (keys sorted) and model id."""
    body = json.dumps(request.raw, sort_keys=True, separators=(",", ":"), default=str)
    return int.from_bytes(hashlib.sha256(f"{request.model_id}\n{body}".encode()).digest()[:8], "big")


@dataclass
class Decision:
    agent: str
    rule: Rule | None


class ScriptedModel:
    """Scripts first, then the generic answer; every answer validated."""

    def __init__(self, scripts: list[Script] | None = None) -> None:
        self.scripts: list[Script] = list(scripts or [])

    def decide(self, request: ConverseRequest) -> Decision:
        for script in self.scripts:
            for rule in script.match(request):
                return Decision(rule.agent_for(request), rule)
        return Decision(agent_label(request.system_text), None)

    def answer(self, request: ConverseRequest, decision: Decision) -> Answer:
        ctx = generic.Context(request, seed_of(request))
        try:
            answer = None
            for script in self.scripts if decision.rule is not None else ():
                for rule in script.match(request):
                    answer = rule.answer(request, ctx)
                    if answer is not None:
                        decision = Decision(decision.agent, rule)
                        break
                if answer is not None:
                    break
            else:
                decision = Decision(decision.agent, None)
            if answer is None:
                answer = generic.answer(request, ctx)
            return self._checked(request, answer, decision)
        except Unsatisfiable as exc:
            raise validation(f"scripted model: cannot answer validly: {exc}") from None
        except ScriptError as exc:
            raise validation(f"scripted model: script error: {exc}") from None

    def _checked(self, request: ConverseRequest, answer: Answer, decision: Decision) -> Answer:
        who = f"rule {decision.rule.name!r}" if decision.rule else "the generic answer"
        calls = answer.tool_calls()
        if calls:
            for call in calls:
                spec = request.tool(call.name)
                if spec is None:
                    raise validation(
                        f"scripted model: {who} calls the tool {call.name!r}, which the request does not offer "
                        f"(offered: {', '.join(request.tool_names) or 'none'})"
                    )
                _check(spec.input_schema, call.input, f"{who}'s input for the tool {call.name!r}")
            ids = [call.tool_use_id for call in calls if call.tool_use_id]
            if len(ids) != len(set(ids)):
                raise validation(f"scripted model: {who} gives two tool calls of one answer the same toolUseId")
            return answer
        schema = _structured_schema(request)
        if schema is None:
            return answer
        data = answer.data
        if data is None and answer.text is not None:
            try:
                data = json.loads(answer.text)
            except ValueError:
                raise validation(
                    f"scripted model: {who} answered text that is not JSON, but the request asks for structured output"
                ) from None
            if request.structured_tool is not None:
                answer = Answer(data=data, tool_use_id=answer.tool_use_id or "tooluse_json")
        if problems(schema, data) and isinstance(data, dict):
            filled = fill_defaults(schema, data)
            if filled != data and not problems(schema, filled):
                data = filled
                answer = (
                    Answer(data=filled, tool_use_id=answer.tool_use_id)
                    if answer.data is not None
                    else Answer(text=json.dumps(filled))
                )
        _check(schema, data, f"{who}'s structured answer")
        return answer


def _structured_schema(request: ConverseRequest) -> dict[str, Any] | None:
    carrier = request.forced_tool or request.structured_tool
    if carrier is not None and request.tool(carrier) is not None:
        return request.tool(carrier).input_schema  # type: ignore[union-attr]
    return request.output_schema


def _check(schema: Any, instance: Any, what: str) -> None:
    try:
        check_schema(schema)
    except Unsatisfiable as exc:
        raise validation(f"scripted model: cannot answer validly: {exc}") from None
    found = problems(schema, instance)
    if found:
        raise validation(f"scripted model: {what} does not match the requested schema: {'; '.join(found[:3])}")


__all__ = ["ScriptedModel", "Decision", "agent_label", "seed_of", "ConverseError"]
