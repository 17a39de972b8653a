"""Scripts: users' own rules for what the scripted model answers their agents.

A :class:`Rule` matches a request (system prompt text or regex, offered tool names, model
id glob, user text, or a Python predicate) and answers it with a fixed text, a template,
fixed JSON, one tool call or several (sent together, as several toolUse blocks of one message),
or a Python callable; its ``agent`` names the calls it claims
(faults and ``/calls`` use that name). A :class:`Script` is an ordered list of rules: the
first rule that matches answers; a rule whose callable returns None hands the request on
to the next rule and, finally, to the generic answer.

Scripts load from, in order: ``ScriptedBedrock(scripts=[...])``, the ``HARNESS_BEDROCK_SCRIPTS``
environment variable (``os.pathsep``-separated), the pytest option ``--bedrock-script`` or ini
``bedrock_scripts``. Each entry is a Python module path (``myapp.model_rules``, whose
``SCRIPT`` is a Script or ``RULES`` a list of Rules), a ``.py`` file, or a YAML file::

    name: my-app
    rules:
      - name: summariser                     # also the agent name, unless `agent:` says otherwise
        match: {system_contains: "You summarise", tools: [lookup], model: "*claude*"}
        answer: {text: "Summary of {user:.60}"}     # or json: {...}, tool: {name, input}, call: "pkg.mod:func"
      - name: fetcher
        match: {system_contains: "You fetch"}
        answer: {tool: [{name: prices}, {name: news, input: {days: 7}}]}   # two calls in one turn
"""

from __future__ import annotations

import fnmatch
import importlib
import importlib.util
import inspect
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.bedrock.answer import Answer, ToolCall
from harness.bedrock.converse_wire import ConverseRequest

ENV_VARIABLE = "HARNESS_BEDROCK_SCRIPTS"

RuleCallable = Callable[..., Any]


class ScriptError(ValueError):
    """A script that cannot be loaded or a rule that cannot be built: the message says which and why."""


@dataclass
class Rule:
    """One user rule. Matching fields left None match anything; all that are set must match."""

    name: str
    agent: str | Callable[[ConverseRequest], str | None] | None = None
    system_contains: str | None = None
    system_regex: str | None = None
    user_contains: str | None = None
    tools: tuple[str, ...] = ()  # every one of these must be offered
    model: str | None = None  # fnmatch glob on the model id
    when: Callable[[ConverseRequest], bool] | None = None
    text: str | None = None  # a str.format template: {system} {user} {model} {agent} {facts[...]} {input[...]}
    json: Any = None  # fixed structured data
    tool: dict[str, Any] | list[dict[str, Any]] | None = None  # {"name": ..., "input": {...}}, or a list: calls in one turn
    call: RuleCallable | None = None  # (request) or (request, ctx) -> Answer | str | dict | list of tool calls | None
    malformed: str | Callable[[ConverseRequest], str | None] | None = None  # what the malformed fault sends for text

    def __post_init__(self) -> None:
        answers = [x for x in (self.text, self.json, self.tool, self.call) if x is not None]
        if len(answers) > 1:
            raise ScriptError(f"rule {self.name!r}: give one of text, json, tool or call, not {len(answers)}")
        if self.system_regex is not None:
            try:
                re.compile(self.system_regex)
            except re.error as exc:
                raise ScriptError(f"rule {self.name!r}: system_regex is not a regular expression: {exc}") from None
        if self.tool is not None:
            tools = self.tool if isinstance(self.tool, list) else [self.tool]
            if not tools or not all(isinstance(t, dict) and isinstance(t.get("name"), str) for t in tools):
                raise ScriptError(f"rule {self.name!r}: tool needs a name (or a non-empty list of tools with names)")

    def matches(self, request: ConverseRequest) -> bool:
        if self.system_contains is not None and self.system_contains not in request.system_text:
            return False
        if self.system_regex is not None and not re.search(self.system_regex, request.system_text):
            return False
        if self.user_contains is not None and not any(self.user_contains in t for t in request.user_texts()):
            return False
        if self.tools and not set(self.tools) <= set(request.tool_names):
            return False
        if self.model is not None and not fnmatch.fnmatchcase(request.model_id, self.model):
            return False
        if self.when is not None and not self.when(request):
            return False
        return True

    def malformed_for(self, request: ConverseRequest) -> str | None:
        return self.malformed(request) if callable(self.malformed) else self.malformed

    def agent_for(self, request: ConverseRequest) -> str:
        if callable(self.agent):
            return self.agent(request) or self.name
        return self.agent or self.name

    def answer(self, request: ConverseRequest, ctx: Any) -> Answer | None:
        """This rule's answer, or None to let the next rule (or the generic answer) speak."""
        if self.call is not None:
            takes = len(inspect.signature(self.call).parameters)
            return _as_answer(self.call(request, ctx) if takes >= 2 else self.call(request))
        if self.json is not None:
            return Answer(data=self.json) if isinstance(self.json, dict) else Answer(text=json.dumps(self.json))
        if isinstance(self.tool, list):
            return _as_answer(self.tool)
        if self.tool is not None:
            return Answer(tool_name=self.tool["name"], tool_input=dict(self.tool.get("input") or {}))
        if self.text is not None:
            return Answer(text=_render(self.text, request, ctx, self.agent_for(request)))
        return None  # a rule that only names the agent: the generic answer speaks


def _as_answer(value: Any) -> Answer | None:
    if value is None or isinstance(value, Answer):
        return value
    if isinstance(value, str):
        return Answer(text=value)
    if isinstance(value, dict):
        return Answer(data=value)
    if isinstance(value, list) and value:  # several tool calls, sent together in one turn
        return Answer(calls=tuple(_as_call(item) for item in value))
    raise ScriptError(
        f"a rule's callable returned {type(value).__name__}; return an Answer, str, dict, a list of tool calls or None"
    )


def _as_call(item: Any) -> ToolCall:
    """A tool call from a ToolCall, a one-call Answer or ``{"name": ..., "input": {...}}``."""
    if isinstance(item, ToolCall):
        return item
    if isinstance(item, Answer) and len(item.tool_calls()) == 1:
        return item.tool_calls()[0]
    if isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("input", {}), dict):
        return ToolCall(item["name"], dict(item.get("input") or {}), str(item.get("toolUseId") or item.get("id") or ""))
    raise ScriptError(f"a tool call in a list must be {{'name': ..., 'input': {{...}}}} or a ToolCall, not {item!r:.80}")


class _Lenient(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return ""


def _render(template: str, request: ConverseRequest, ctx: Any, agent: str) -> str:
    users = request.user_texts()
    inputs = {}
    for text in reversed(users):
        found = [o for o in _objects(text)]
        if found:
            inputs = found[0]
            break
    values = {
        "system": request.system_text,
        "user": users[-1] if users else "",
        "model": request.model_id,
        "agent": agent,
        "facts": _Lenient(ctx.hints.facts if ctx is not None and getattr(ctx, "hints", None) else {}),
        "input": _Lenient(inputs) if isinstance(inputs, dict) else inputs,
    }
    try:
        return template.format_map(_Lenient(values))
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise ScriptError(f"template {template[:60]!r} cannot be filled: {exc}") from None


def _objects(text: str) -> list[Any]:
    from harness.bedrock.prompt import json_objects

    return json_objects(text, limit=20)


@dataclass
class Script:
    name: str
    rules: list[Rule] = field(default_factory=list)
    source: str = ""

    def match(self, request: ConverseRequest) -> list[Rule]:
        return [rule for rule in self.rules if rule.matches(request)]


# -- loading ----------------------------------------------------------------------------------
def load(spec: str | os.PathLike[str] | Script | Sequence[Rule]) -> Script:
    """A Script from a Script, a list of Rules, a module path, a ``.py`` file or a YAML file."""
    if isinstance(spec, Script):
        return spec
    if isinstance(spec, (list, tuple)):
        return Script("rules", list(spec), "python")
    text = os.fspath(spec)  # type: ignore[arg-type]  # a str or a PathLike: sequences returned above
    path = Path(text)
    if path.suffix in (".yaml", ".yml", ".json"):
        return _from_yaml(path)
    if path.suffix == ".py":
        if not path.is_file():
            raise ScriptError(f"script file {text} does not exist")
        module_spec = importlib.util.spec_from_file_location(f"_bedrock_script_{path.stem}", path)
        assert module_spec is not None and module_spec.loader is not None
        module = importlib.util.module_from_spec(module_spec)
        try:
            module_spec.loader.exec_module(module)
        except Exception as exc:  # a user's file: its SyntaxError or import failure, said with the file's name
            raise ScriptError(f"script file {text} cannot be run: {type(exc).__name__}: {exc}") from exc
        return _from_module(module, text, path.stem)  # named after the file, not its ".py"
    try:
        module = importlib.import_module(text)
    except ImportError as exc:
        raise ScriptError(f"script module {text!r} cannot be imported: {exc}") from None
    return _from_module(module, text)


def _from_module(module: Any, source: str, name: str | None = None) -> Script:
    script = getattr(module, "SCRIPT", None)
    if isinstance(script, Script):
        script.source = script.source or source
        return script
    rules = getattr(module, "RULES", None)
    if isinstance(rules, (list, tuple)) and all(isinstance(r, Rule) for r in rules):
        return Script(name or source.rsplit(".", 1)[-1], list(rules), source)
    raise ScriptError(f"script {source}: define SCRIPT (a harness.bedrock.scripts.Script) or RULES (a list of Rules)")


def _from_yaml(path: Path) -> Script:
    import yaml

    if not path.is_file():
        raise ScriptError(f"script file {path} does not exist")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScriptError(f"script {path} is not valid YAML: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        raise ScriptError(f"script {path}: expected a mapping with a list under 'rules'")
    rules = [_rule_from_yaml(entry, path, i) for i, entry in enumerate(doc["rules"])]
    return Script(str(doc.get("name") or path.stem), rules, str(path))


_MATCH_KEYS = {"system_contains", "system_regex", "user_contains", "tools", "model"}
_ANSWER_KEYS = {"text", "json", "tool", "call"}


def _rule_from_yaml(entry: Any, path: Path, index: int) -> Rule:
    where = f"script {path}, rule {index + 1}"
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise ScriptError(f"{where}: each rule is a mapping with a name")
    unknown = set(entry) - {"name", "agent", "match", "answer", "malformed"}
    if unknown:
        raise ScriptError(f"{where}: unknown keys {sorted(unknown)}")
    match = entry.get("match") or {}
    answer = entry.get("answer") or {}
    if not isinstance(match, dict) or set(match) - _MATCH_KEYS:
        raise ScriptError(f"{where}: match takes {sorted(_MATCH_KEYS)}")
    if not isinstance(answer, dict) or set(answer) - _ANSWER_KEYS or len(answer) > 1:
        raise ScriptError(f"{where}: answer takes one of {sorted(_ANSWER_KEYS)}")
    call = None
    if "call" in answer:
        call = _callable(str(answer["call"]), where)
    tools = match.get("tools") or ()
    return Rule(
        name=entry["name"],
        agent=entry.get("agent"),
        system_contains=match.get("system_contains"),
        system_regex=match.get("system_regex"),
        user_contains=match.get("user_contains"),
        tools=tuple(tools) if isinstance(tools, (list, tuple)) else (str(tools),),
        model=match.get("model"),
        text=answer.get("text"),
        json=answer.get("json"),
        tool=answer.get("tool"),
        call=call,
        malformed=entry.get("malformed"),
    )


def _callable(spec: str, where: str) -> RuleCallable:
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise ScriptError(f"{where}: call must look like 'package.module:function' (got {spec!r})")
    try:
        func = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ScriptError(f"{where}: cannot load {spec!r}: {exc}") from None
    if not callable(func):
        raise ScriptError(f"{where}: {spec!r} is not callable")
    return func


def from_environment() -> list[str]:
    raw = os.environ.get(ENV_VARIABLE, "")
    return [part for part in raw.split(os.pathsep) if part.strip()]


def load_all(specs: Iterable[str | os.PathLike[str] | Script | Sequence[Rule]]) -> list[Script]:
    return [load(spec) for spec in specs]
