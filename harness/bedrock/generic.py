"""The generic answer: what the scripted model says to a request no script rule claims.

In order:

1. a tool is forced (``toolChoice.tool``: LiteLLM's ``json_tool_call``, the Agents SDK's
   ``final_output`` or any function) -> a call of that tool, input generated from its schema;
2. function tools are offered -> each tool the instructions name (all of them when none is
   named), in the order named, skipping one whose stated condition (``if positions >= 2``)
   the prompt's figures fail, one call per turn; all of them in one turn (several toolUse
   blocks) when the system prompt says they are independent or may be called in parallel
   (:func:`~harness.bedrock.prompt.tools_in_parallel`); once every such tool has a result,
   the answer;
3. structured output is asked (an unforced ``json_tool_call``/``final_output``, Bedrock's
   ``outputConfig`` JSON Schema, or a prompt asking for JSON with a schema or an example in it)
   -> an instance of that schema (a variation of the example);
4. otherwise text: the exact reply the prompt asks for (``Respond with "Done"``), or markdown
   with the sections the prompt lists, within its stated length limits and ``maxTokens``.

Values come from :mod:`harness.bedrock.prompt` and a RNG seeded by the request's hash, so the
same request always gets the same answer.
"""

from __future__ import annotations

import copy
import json
import random
import re
from typing import Any

from harness.bedrock import prompt
from harness.bedrock.answer import Answer, ToolCall
from harness.bedrock.converse_wire import ConverseRequest
from harness.bedrock.instances import Unsatisfiable, generate
from harness.bedrock.prompt import Hints

CHARS_PER_TOKEN = 4


def tool_use_id(seed: int, name: str, turn: int) -> str:
    return "tooluse_" + f"{random.Random(f'{seed}:{name}:{turn}').getrandbits(128):032x}"[:22]


class Context:
    """What a rule or the generic answer needs about one request: its seed, RNG and hints."""

    def __init__(self, request: ConverseRequest, seed: int) -> None:
        self.request = request
        self.seed = seed
        self.rng = random.Random(seed)
        self.hints: Hints = prompt.hints_for(request.texts())

    def instance(self, schema: dict[str, Any]) -> Any:
        """An instance of ``schema`` valid by ``jsonschema`` (Unsatisfiable otherwise)."""
        return generate(schema, random.Random(self.rng.random()), self.hints)

    def text(self) -> str:
        return text_answer(self.request, self)


def answer(request: ConverseRequest, ctx: Context) -> Answer:
    forced = request.forced_tool
    turn = len(request.messages)
    if forced is not None:
        spec = request.tool(forced)
        if spec is None:
            raise Unsatisfiable(f"toolChoice forces the tool {forced!r}, which is not among the offered tools")
        if spec.name == request.structured_tool or not request.function_tools():
            return Answer(data=ctx.instance(spec.input_schema), tool_use_id=tool_use_id(ctx.seed, forced, turn))
        return Answer(
            tool_name=forced, tool_input=ctx.instance(spec.input_schema), tool_use_id=tool_use_id(ctx.seed, forced, turn)
        )
    pending = pending_tools(request)
    choice = request.tool_choice or {}
    if not pending and isinstance(choice, dict) and "any" in choice and request.function_tools():
        pending = [request.function_tools()[0].name]  # "any" means some tool must be called
    if len(pending) > 1 and prompt.tools_in_parallel(request.system_text):
        return Answer(calls=tuple(_call(name, ctx, turn) for name in pending))
    if pending:
        call = _call(pending[0], ctx, turn)
        return Answer(tool_name=call.name, tool_input=call.input, tool_use_id=call.tool_use_id)
    structured = request.structured_tool
    if structured is not None:
        spec = request.tool(structured)
        assert spec is not None
        return Answer(data=structured_instance(spec.input_schema, ctx), tool_use_id=tool_use_id(ctx.seed, structured, turn))
    if request.output_schema is not None:
        return Answer(text=json.dumps(structured_instance(request.output_schema, ctx)))
    return Answer(text=text_answer(request, ctx))


def _call(name: str, ctx: Context, turn: int) -> ToolCall:
    spec = ctx.request.tool(name)
    assert spec is not None
    return ToolCall(name, ctx.instance(spec.input_schema), tool_use_id(ctx.seed, name, turn))


def pending_tools(request: ConverseRequest) -> list[str]:
    """The function tools still to call, in the order the instructions name them (empty: time to answer)."""
    tools = [t.name for t in request.function_tools()]
    if not tools:
        return []
    instructions = request.texts()
    named = prompt.named_tools(instructions, tools) or tools
    called = set(request.tool_uses().values())
    facts = "\n".join(request.user_texts())
    return [name for name in named if name not in called and prompt.tool_condition_holds(instructions, name, facts)]


def structured_instance(schema: dict[str, Any], ctx: Context) -> Any:
    """An instance of ``schema``; a trivial schema (``{"type": "object"}``) borrows the prompt's example."""
    trivial = not schema.get("properties") and not any(
        k in schema for k in ("$ref", "anyOf", "oneOf", "allOf", "enum", "const", "items")
    )
    if trivial and schema.get("type", "object") == "object":
        example = _example(ctx)
        if example is not None:
            from harness.bedrock.instances import problems

            if not problems(schema, example):
                return example
    return ctx.instance(schema)


def _example(ctx: Context) -> Any:
    """The prompt's JSON schema's instance, or a variation of its largest JSON example."""
    objects = prompt.json_objects(ctx.request.system_text) + [o for t in ctx.request.user_texts() for o in prompt.json_objects(t)]
    schemas = [o for o in objects if prompt.looks_like_schema(o)]
    if schemas:
        return ctx.instance(schemas[-1])
    examples = [o for o in objects if not prompt.looks_like_schema(o)]
    if not examples:
        return None
    largest = max(examples, key=lambda o: len(json.dumps(o)))
    if ctx.hints.sum_total is not None:
        return copy.deepcopy(largest)  # the example keeps whatever total the prompt insists on
    return _vary(largest, ctx.rng)


def _vary(value: Any, rng: random.Random) -> Any:
    """The example with its numbers moved by up to 20% (same sign, same number of decimals)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return max(0, round(value * rng.uniform(0.8, 1.2))) if value >= 0 else value
    if isinstance(value, float):
        return round(value * rng.uniform(0.8, 1.2), 2)
    if isinstance(value, list):
        return [_vary(v, rng) for v in value]
    if isinstance(value, dict):
        return {k: _vary(v, rng) for k, v in value.items()}
    return value


# -- text --------------------------------------------------------------------------------------
def text_answer(request: ConverseRequest, ctx: Context) -> str:
    system, users = request.system_text, request.user_texts()
    latest = users[-1] if users else ""
    both = system + "\n" + latest
    exact = prompt.exact_reply(latest) or prompt.exact_reply(system)
    if exact is not None:
        return exact
    if prompt.wants_json(both):
        example = _example(ctx)
        return json.dumps(example if example is not None else {"answer": ctx.hints.sentence(ctx.rng, "answer")}, indent=2)
    found = prompt.sections(latest) or prompt.sections(system)
    text = _markdown(found, request, ctx)
    return _limit(text, prompt.limits(both), request.max_tokens)


_LEADS = (
    "Based on the information provided, {fact}.",
    "The figures given show that {fact}.",
    "As stated in the request, {fact}.",
    "One point to note: {fact}.",
)
_FILLERS = (
    "This deserves attention in the next review.",
    "The details above support this view.",
    "It is a reasonable place to start.",
    "Further detail can be added on request.",
    "This follows from the stated inputs.",
)


def _facts(ctx: Context) -> list[str]:
    return [f"{k.replace('_', ' ')} is {v}" for k, v in ctx.hints.facts.items() if len(v) <= 60 and not v.startswith("{")]


def _paragraph(ctx: Context, topic: str, facts: list[str]) -> str:
    rng = ctx.rng
    parts = [f"This section covers {topic.lower()}."]
    if facts:
        parts.append(rng.choice(_LEADS).format(fact=rng.choice(facts)))
    parts.append(rng.choice(_FILLERS))
    return " ".join(parts)


def _markdown(found: list[prompt.Section], request: ConverseRequest, ctx: Context) -> str:
    rng = ctx.rng
    facts = _facts(ctx)
    topic = " ".join(w.title() for w in ctx.hints.topic_words[:3]) or "Response"
    if not found:
        paragraphs = [_paragraph(ctx, ctx.hints.topic_words[0] if ctx.hints.topic_words else "the request", facts)]
        if facts:
            paragraphs.append("\n".join(f"- {f[:1].upper()}{f[1:]}." for f in rng.sample(facts, k=min(3, len(facts)))))
        return "\n\n".join(paragraphs) + "\n"
    lines = [f"# {topic}", ""]
    for section in found:
        lines += [f"## {section.title}", ""]
        if section.items:
            count = rng.randint(section.items[0], section.items[1])
            for n in range(1, count + 1):
                fact = facts[(n - 1) % len(facts)] if facts else f"item {n} for {section.title.lower()}"
                lines.append(f"{n}. **{section.title} point {n}**: {fact[:1].upper()}{fact[1:]}.")
        else:
            lines.append(_paragraph(ctx, section.title, facts))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _limit(text: str, limits: list[prompt.Limit], max_tokens: int | None) -> str:
    for limit in limits:
        if limit.unit == "words":
            words = re.findall(r"\S+\s*", text)
            if len(words) > limit.count:
                text = "".join(words[: limit.count]).rstrip() + "\n"
        elif limit.unit == "characters" and len(text) > limit.count:
            text = text[: limit.count].rsplit(" ", 1)[0].rstrip()
        elif limit.unit == "sentences":
            sentences = re.findall(r"[^.!?]+[.!?]+\s*", text)
            if len(sentences) > limit.count:
                text = "".join(sentences[: limit.count]).strip()
        elif limit.unit in ("lines", "bullets", "paragraphs"):
            sep = "\n\n" if limit.unit == "paragraphs" else "\n"
            parts = [p for p in text.split(sep) if p.strip()]
            if len(parts) > limit.count:
                text = sep.join(parts[: limit.count]).rstrip() + "\n"
    if max_tokens is not None and len(text) // CHARS_PER_TOKEN + 1 > max_tokens:
        budget = max(1, (max_tokens - 1) * CHARS_PER_TOKEN)
        text = text[:budget].rsplit(" ", 1)[0] if " " in text[:budget] else text[:budget]
    return text
