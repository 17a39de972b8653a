"""Users' scripts for the scripted model: rules in a .py or YAML file, loaded by argument, env var or pytest ini.

A rule matches on system prompt text, offered tool names or the model id, and answers with a
template, a Python callable or a fixed response; a script that cannot be loaded is an error
that names its file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from harness.bedrock import ScriptedBedrock
from harness.bedrock.answer import Reply, render
from harness.bedrock.converse_wire import ConverseError, parse_request
from harness.bedrock.scripts import ENV_VARIABLE, ScriptError
from tests.bedrock.support import text_of, tool_use
from tests.cli_support import own_basetemp

CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
NOVA = "us.amazon.nova-pro-v1:0"

PY_SCRIPT = '''
from harness.bedrock.answer import Answer
from harness.bedrock.scripts import Rule


def _verdict(request, ctx):
    """A callable rule: answers from the request (the user's last words), or None to pass."""
    words = request.user_texts()[-1].split()
    return None if "pass" in words else f"Verdict on {len(words)} words"


RULES = [
    Rule(name="judge", system_contains="You are the Judge", call=_verdict),
    Rule(name="claude-only", agent="writer", model="*claude*", text="Dear {facts[customer]}, from {agent}."),
]
'''

YAML_SCRIPT = """
name: shop
rules:
  - name: greeter
    match: {system_contains: "You greet shoppers"}
    answer: {text: "Hello {input[name]}, welcome to {input[shop]}!"}
  - name: stocker
    agent: inventory
    match: {tools: [count_stock]}
    answer: {tool: {name: count_stock, input: {sku: "A-1"}}}
  - name: fixed-score
    match: {model: "*nova*", system_regex: "^You score"}
    answer: {json: {score: 7, label: "good"}}
  - name: by-callable
    match: {system_contains: "You echo"}
    answer: {call: "shop_rules:echo"}
"""

CALLABLE_MODULE = """
def echo(request):
    return "echo: " + request.user_texts()[-1]
"""


@pytest.fixture
def script_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    (tmp_path / "judge_rules.py").write_text(PY_SCRIPT)
    (tmp_path / "shop.yaml").write_text(YAML_SCRIPT)
    (tmp_path / "shop_rules.py").write_text(CALLABLE_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))  # for the YAML rule's `call: shop_rules:echo`
    return {"py": tmp_path / "judge_rules.py", "yaml": tmp_path / "shop.yaml"}


def ask(bedrock: ScriptedBedrock, system: str, user: str, model_id: str = NOVA, **extra: Any) -> tuple[str, Reply]:
    """The agent name and reply for one request, in process."""
    body = {"system": [{"text": system}], "messages": [{"role": "user", "content": [{"text": user}]}], **extra}
    request = parse_request(model_id, json.dumps(body).encode())
    decision = bedrock.model.decide(request)
    return decision.agent, render(bedrock.model.answer(request, decision), request)


def test_py_file_rules_callable_and_template_by_model_id(script_files):
    """A .py script's RULES: a callable answering from the request, and a template matched on the model id."""
    bedrock = ScriptedBedrock(scripts=[script_files["py"]], environment=False, publish_metrics=False)
    agent, reply = ask(bedrock, "You are the Judge of essays.", "three short words")
    assert (agent, reply.content) == ("judge", [{"text": "Verdict on 3 words"}])
    agent, reply = ask(bedrock, "You are the Judge of essays.", "I pass this one")  # callable said None: generic
    assert agent == "judge" and reply.content[0]["text"] != "Verdict on 4 words"
    agent, reply = ask(bedrock, "You write letters.", "Customer: Ada Lovelace", model_id=CLAUDE)
    assert (agent, reply.content) == ("writer", [{"text": "Dear Ada Lovelace, from writer."}])
    agent, _ = ask(bedrock, "You write letters.", "Customer: Ada Lovelace", model_id=NOVA)  # not claude: no rule
    assert agent != "writer"


def test_yaml_rules_template_tool_fixed_json_and_callable(script_files):
    """A YAML script: a template from the input block, a tool call by tool name, fixed JSON by model id, a callable."""
    bedrock = ScriptedBedrock(scripts=[str(script_files["yaml"])], environment=False, publish_metrics=False)
    agent, reply = ask(bedrock, "You greet shoppers at the door.", 'Input: {"name": "Bo", "shop": "Corner Books"}')
    assert (agent, reply.content) == ("greeter", [{"text": "Hello Bo, welcome to Corner Books!"}])
    schema = {"type": "object", "properties": {"sku": {"type": "string"}}, "required": ["sku"]}
    agent, reply = ask(
        bedrock,
        "You manage stock.",
        "How many left?",
        toolConfig={"tools": [{"toolSpec": {"name": "count_stock", "inputSchema": {"json": schema}}}]},
    )
    assert agent == "inventory" and reply.content[0]["toolUse"]["input"] == {"sku": "A-1"}
    agent, reply = ask(bedrock, "You score reviews.", "Great product")
    assert (agent, json.loads(reply.content[0]["text"])) == ("fixed-score", {"score": 7, "label": "good"})
    assert ask(bedrock, "You score reviews.", "Great product", model_id=CLAUDE)[0] != "fixed-score"
    agent, reply = ask(bedrock, "You echo things.", "ping")
    assert (agent, reply.content) == ("by-callable", [{"text": "echo: ping"}])


def test_script_answer_invalid_for_the_schema_is_a_400(script_files):
    """A script's fixed JSON is checked like any answer: one the requested schema rejects is a 400 naming the rule."""
    bedrock = ScriptedBedrock(scripts=[script_files["yaml"]], environment=False, publish_metrics=False)
    schema = {"type": "object", "properties": {"score": {"type": "string"}}, "required": ["score"]}
    with pytest.raises(ConverseError) as err:
        ask(
            bedrock,
            "You score reviews.",
            "Great",
            toolConfig={
                "tools": [{"toolSpec": {"name": "json_tool_call", "inputSchema": {"json": schema}}}],
                "toolChoice": {"tool": {"name": "json_tool_call"}},
            },
        )
    assert err.value.status == 400 and "rule 'fixed-score'" in err.value.message


def test_scripts_from_the_environment_variable(script_files, monkeypatch):
    """``HARNESS_BEDROCK_SCRIPTS`` (os.pathsep-separated) loads scripts after those given as arguments."""
    monkeypatch.setenv(ENV_VARIABLE, os.pathsep.join([str(script_files["yaml"]), str(script_files["py"])]))
    bedrock = ScriptedBedrock(publish_metrics=False)
    assert [s.name for s in bedrock.scripts] == ["shop", "judge_rules"]
    assert ask(bedrock, "You echo things.", "pong")[1].content == [{"text": "echo: pong"}]


def test_script_over_the_wire_via_use_script(runtime, model, script_files):
    """A script added at run time answers boto3's converse and names the calls in /calls."""
    script = model.use_script(script_files["yaml"])
    try:
        out = runtime.converse(
            modelId=NOVA,
            system=[{"text": "You greet shoppers."}],
            messages=[{"role": "user", "content": [{"text": '{"name": "Cy", "shop": "Deli"}'}]}],
        )
        assert text_of(out) == "Hello Cy, welcome to Deli!" and tool_use(out) is None
    finally:
        model.remove_script(script)
    assert [c.agent for c in model.calls] == ["greeter"]


def test_scripts_from_the_pytest_ini(script_files, tmp_path):
    """The ini option ``bedrock_scripts`` (paths relative to the rootdir) gives the session's scripts."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "rules.yaml").write_text(YAML_SCRIPT)
    (project / "pytest.ini").write_text("[pytest]\nbedrock_scripts =\n    rules.yaml\n")
    (project / "test_inner.py").write_text(
        textwrap.dedent("""
        import json
        from harness.bedrock import ScriptedBedrock
        from harness.bedrock.converse_wire import parse_request
        from harness.pytest_plugin import bedrock_scripts

        def test_ini(request):
            bedrock = ScriptedBedrock(scripts=bedrock_scripts(request.config), environment=False, publish_metrics=False)
            body = {"system": [{"text": "You echo."}], "messages": [{"role": "user", "content": [{"text": "hi"}]}]}
            converse = parse_request("m", json.dumps(body).encode())
            answer = bedrock.model.answer(converse, bedrock.model.decide(converse))
            assert answer.text == "echo: hi"
    """)
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    env.pop(ENV_VARIABLE, None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *own_basetemp(tmp_path), "test_inner.py"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("broken.yaml", "rules: [name: x\n", "is not valid YAML"),
        ("shape.yaml", "rules: {greeter: 1}\n", "expected a mapping with a list under 'rules'"),
        ("unknown.yaml", "rules:\n  - name: r\n    answr: {text: hi}\n", "unknown keys ['answr']"),
        ("two.yaml", "rules:\n  - name: r\n    answer: {text: a, json: {}}\n", "answer takes one of"),
        ("nocall.yaml", "rules:\n  - name: r\n    answer: {call: no_such_module_x:f}\n", "cannot load"),
        ("empty.py", "X = 1\n", "define SCRIPT"),
        ("syntax.py", "RULES = [\n", "cannot be run: SyntaxError"),
        ("imports.py", "import no_such_module_x\n", "cannot be run: ModuleNotFoundError"),
    ],
)
def test_bad_script_file_is_a_clear_error_naming_the_file(tmp_path, name, content, says):
    """A script that cannot be used stops the model from starting, with the file and the reason."""
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ScriptError) as err:
        ScriptedBedrock(scripts=[path], environment=False, publish_metrics=False)
    assert str(path) in str(err.value) and says in str(err.value)


def test_missing_script_file_is_named(tmp_path):
    """A script path that does not exist is reported with that path."""
    for missing in (tmp_path / "nope.yaml", tmp_path / "nope.py"):
        with pytest.raises(ScriptError, match="does not exist"):
            ScriptedBedrock(scripts=[missing], environment=False, publish_metrics=False)


FETCHER_YAML = """
name: news
rules:
  - name: fetcher
    match: {system_contains: "You fetch"}
    answer: {tool: [{name: prices}, {name: news, input: {days: 7}}]}
  - name: fetcher-by-callable
    match: {system_contains: "You gather"}
    answer: {call: "gather_rules:both"}
"""

GATHER_MODULE = """
def both(request):
    return [{"name": "news", "input": {"days": 1}}, {"name": "prices", "input": {}}]
"""


def test_script_tool_list_answers_several_tool_uses_in_one_message_over_the_wire(runtime, model, tmp_path, monkeypatch):
    """Bedrock's models answer independent tool calls with several toolUse blocks in one assistant
    message (stopReason tool_use): a rule's ``tool:`` list, or a callable returning a list, does the same."""
    (tmp_path / "news.yaml").write_text(FETCHER_YAML)
    (tmp_path / "gather_rules.py").write_text(GATHER_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    script = model.use_script(tmp_path / "news.yaml")
    schema = {"type": "object", "properties": {"days": {"type": "integer"}}}
    config = {"tools": [{"toolSpec": {"name": n, "inputSchema": {"json": schema}}} for n in ("prices", "news")]}
    try:
        found = {}
        for system in ("You fetch market data.", "You gather market data."):
            out = runtime.converse(
                modelId=NOVA,
                system=[{"text": system}],
                messages=[{"role": "user", "content": [{"text": "What moved today?"}]}],
                toolConfig=config,
            )
            assert out["stopReason"] == "tool_use" and out["output"]["message"]["role"] == "assistant"
            uses = [b["toolUse"] for b in out["output"]["message"]["content"]]
            assert len({u["toolUseId"] for u in uses}) == len(uses)  # each answered by its own toolResult
            found[system] = [(u["name"], u["input"]) for u in uses]
    finally:
        model.remove_script(script)
    assert found == {
        "You fetch market data.": [("prices", {}), ("news", {"days": 7})],
        "You gather market data.": [("news", {"days": 1}), ("prices", {})],
    }


def test_script_tool_list_entries_need_names_and_offered_tools(tmp_path):
    """A tool list with an entry lacking a name is refused at load; a call of a tool not offered is a 400."""
    (tmp_path / "bad.yaml").write_text("name: bad\nrules:\n  - name: r\n    answer: {tool: [{name: a}, {input: {}}]}\n")
    with pytest.raises(ScriptError, match="tool needs a name"):
        ScriptedBedrock(scripts=[tmp_path / "bad.yaml"], environment=False, publish_metrics=False)
    (tmp_path / "two.yaml").write_text("name: two\nrules:\n  - name: r\n    answer: {tool: [{name: a}, {name: b}]}\n")
    bedrock = ScriptedBedrock(scripts=[tmp_path / "two.yaml"], environment=False, publish_metrics=False)
    offered = {"tools": [{"toolSpec": {"name": "a", "inputSchema": {"json": {"type": "object"}}}}]}
    with pytest.raises(ConverseError) as err:
        ask(bedrock, "You do things.", "go", toolConfig=offered)
    assert err.value.status == 400 and "'b', which the request does not offer" in err.value.message
