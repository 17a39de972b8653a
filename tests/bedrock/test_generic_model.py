"""The scripted model's generic answer: valid for whatever any agent asks, the same for the same request.

Property tests generate JSON Schemas and tool sets and check every answer with ``jsonschema``
(in process, for speed); the black-box tests send the same kinds of request through boto3's
``bedrock-runtime`` ``converse`` to the local cloud, for agents no script knows.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.bedrock.answer import Reply, render
from harness.bedrock.converse_wire import ConverseError, parse_request
from harness.bedrock.model import ScriptedModel
from tests.bedrock.support import text_of, tool_use

pytestmark = pytest.mark.emulation

MODEL_ID = "us.amazon.nova-pro-v1:0"
GENERIC = ScriptedModel()  # no scripts: every request gets the generic answer

# -- generated JSON Schemas ----------------------------------------------------------------
_names = st.sampled_from(["name", "score", "summary", "items", "count", "ratio", "kind", "tags", "id", "level"])


@st.composite
def _integer(draw: st.DrawFn) -> dict[str, Any]:
    lo = draw(st.integers(-50, 50))
    return {"type": "integer", "minimum": lo, "maximum": lo + draw(st.integers(0, 40))}


@st.composite
def _number(draw: st.DrawFn) -> dict[str, Any]:
    lo = draw(st.floats(-100, 100, allow_nan=False).map(lambda x: round(x, 1)))
    return {"type": "number", "minimum": lo, "maximum": lo + draw(st.floats(0.5, 50).map(lambda x: round(x, 1)))}


@st.composite
def _string(draw: st.DrawFn) -> dict[str, Any]:
    lo = draw(st.integers(0, 10))
    return {"type": "string", "minLength": lo, "maxLength": lo + draw(st.integers(0, 30))}


LEAVES = st.one_of(
    _integer(),
    _number(),
    _string(),
    st.just({"type": "boolean"}),
    st.just({"type": "null"}),
    st.lists(st.text("abcxyz", min_size=1, max_size=6), min_size=1, max_size=4, unique=True).map(lambda e: {"enum": e}),
)


@st.composite
def _object(draw: st.DrawFn, children: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    props = draw(st.dictionaries(_names, children, min_size=1, max_size=4))
    required = draw(st.lists(st.sampled_from(sorted(props)), unique=True))
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


@st.composite
def _array(draw: st.DrawFn, children: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    lo = draw(st.integers(0, 3))
    return {"type": "array", "items": draw(children), "minItems": lo, "maxItems": lo + draw(st.integers(0, 3))}


SCHEMAS = st.recursive(LEAVES, lambda kids: st.one_of(_object(kids), _array(kids)), max_leaves=8)
OBJECT_SCHEMAS = _object(SCHEMAS)


def ask(body: dict[str, Any], model_id: str = MODEL_ID) -> Reply:
    """The model's reply to one Converse body, in process (a ConverseError for a 400)."""
    request = parse_request(model_id, json.dumps(body).encode())
    return render(GENERIC.answer(request, GENERIC.decide(request)), request)


def forced(schema: dict[str, Any], tool: str = "record_result", prompt: str = "Record the result.") -> dict[str, Any]:
    return {
        "system": [{"text": "You are a Result Recorder agent."}],
        "messages": [{"role": "user", "content": [{"text": prompt}]}],
        "toolConfig": {
            "tools": [{"toolSpec": {"name": tool, "description": "record", "inputSchema": {"json": schema}}}],
            "toolChoice": {"tool": {"name": tool}},
        },
    }


def only_tool_use(reply: Reply) -> dict[str, Any]:
    assert reply.stop_reason == "tool_use", reply
    [block] = reply.content
    return block["toolUse"]


# -- structured output ---------------------------------------------------------------------
@given(schema=OBJECT_SCHEMAS)
def test_forced_tool_input_validates_against_any_generated_schema(schema):
    """A forced tool (``toolChoice: {tool}``) gets one toolUse of that tool whose input validates."""
    use = only_tool_use(ask(forced(schema)))
    assert use["name"] == "record_result"
    jsonschema.validate(use["input"], schema)


@given(schema=OBJECT_SCHEMAS, prompt=st.text(min_size=1, max_size=40))
def test_same_request_gives_the_same_answer(schema, prompt):
    """The answer is seeded by the request's hash: asking twice gives the identical reply."""
    body = forced(schema, prompt=prompt)
    assert ask(body) == ask(json.loads(json.dumps(body)))


@given(schema=OBJECT_SCHEMAS)
def test_json_tool_call_structured_output_validates(schema):
    """LiteLLM's structured output (a forced ``json_tool_call``) carries a valid instance of its schema."""
    use = only_tool_use(ask(forced(schema, tool="json_tool_call")))
    assert use["name"] == "json_tool_call"
    jsonschema.validate(use["input"], schema)


@settings(max_examples=20)
@given(schema=OBJECT_SCHEMAS)
def test_output_config_json_schema_answers_valid_json_text(schema):
    """Bedrock's native structured output (``outputConfig.textFormat`` json_schema) is JSON text valid against it."""
    body = {
        "messages": [{"role": "user", "content": [{"text": "Classify this."}]}],
        "outputConfig": {
            "textFormat": {"type": "json_schema", "structure": {"jsonSchema": {"schema": json.dumps(schema), "name": "out"}}}
        },
    }
    reply = ask(body)
    jsonschema.validate(json.loads(reply.content[0]["text"]), schema)


def test_prompt_rule_that_parts_sum_to_100_is_kept():
    """A stated rule ("must sum to exactly 100") shapes numbers no schema bound would."""
    schema = {
        "type": "object",
        "required": ["allocations"],
        "properties": {
            "allocations": {
                "type": "array",
                "minItems": 3,
                "maxItems": 3,
                "items": {
                    "type": "object",
                    "required": ["label", "percent"],
                    "additionalProperties": False,
                    "properties": {"label": {"type": "string"}, "percent": {"type": "number", "minimum": 0, "maximum": 100}},
                },
            }
        },
    }
    use = only_tool_use(ask(forced(schema, prompt="Split the budget. The percentages must sum to exactly 100.")))
    jsonschema.validate(use["input"], schema)
    assert sum(a["percent"] for a in use["input"]["allocations"]) == pytest.approx(100, abs=0.05)


# -- tools -----------------------------------------------------------------------------------
TOOL_NAMES = st.lists(
    st.sampled_from(["lookup_price", "fetch_news", "save_note", "send_mail", "get_rates"]), min_size=1, max_size=4, unique=True
)


def _tools_body(order: list[str], schemas: list[dict[str, Any]], messages: list[dict[str, Any]]) -> dict[str, Any]:
    offered = sorted(order)  # offered in another order than the instructions name them
    steps = ", then ".join(f"call {name}" for name in order)
    return {
        "system": [{"text": f"You are a Research Assistant. First {steps}. Finally summarise in prose."}],
        "messages": messages,
        "toolConfig": {
            "tools": [{"toolSpec": {"name": n, "description": n, "inputSchema": {"json": s}}} for n, s in zip(offered, schemas)]
        },
    }


@settings(max_examples=25)
@given(order=TOOL_NAMES, data=st.data())
def test_offered_tools_are_called_in_the_named_order_then_text(order, data):
    """With tools offered and none forced: each named tool once, in the instructions' order, valid args; then text."""
    schemas = [data.draw(OBJECT_SCHEMAS) for _ in order]
    by_name = dict(zip(sorted(order), schemas))
    messages: list[dict[str, Any]] = [{"role": "user", "content": [{"text": "Research ACME for me."}]}]
    called = []
    for _ in range(len(order) + 1):
        reply = ask(_tools_body(order, schemas, messages))
        if reply.stop_reason != "tool_use":
            break
        use = only_tool_use(reply)
        jsonschema.validate(use["input"], by_name[use["name"]])
        called.append(use["name"])
        messages += [
            {"role": "assistant", "content": [{"toolUse": use}]},
            {"role": "user", "content": [{"toolResult": {"toolUseId": use["toolUseId"], "content": [{"text": "ok"}]}}]},
        ]
    assert called == order
    assert reply.stop_reason == "end_turn" and reply.content[0]["text"].strip()


# -- text ------------------------------------------------------------------------------------
SECTION_TITLES = st.lists(
    st.sampled_from(["Executive Summary", "Risk Analysis", "Market Outlook", "Key Findings", "Next Steps", "Cost Review"]),
    min_size=2,
    max_size=5,
    unique=True,
)


@given(titles=SECTION_TITLES)
def test_text_answer_has_the_sections_the_prompt_names(titles):
    """A plain request gets markdown with one heading per section the prompt lists, in that order."""
    listing = "\n".join(f"- {t}" for t in titles)
    reply = ask(
        {
            "system": [{"text": f"You are a Report Writer. Your report must include these sections:\n{listing}\n"}],
            "messages": [{"role": "user", "content": [{"text": "Write the quarterly report."}]}],
        }
    )
    assert reply.stop_reason == "end_turn"
    headings = re.findall(r"^## (.+)$", reply.content[0]["text"], re.M)
    assert headings == titles


def test_text_answer_respects_a_word_limit_and_an_exact_reply():
    """Stated limits ("under 30 words") bound the text; ``Respond with "Done"`` is answered exactly."""
    long = ask(
        {
            "system": [{"text": "You are a Summariser. Keep it under 30 words."}],
            "messages": [{"role": "user", "content": [{"text": "Region: Europe\nRevenue: 12 million\nSummarise."}]}],
        }
    )
    assert 0 < len(long.content[0]["text"].split()) <= 30
    done = ask({"messages": [{"role": "user", "content": [{"text": 'Store the rows, then respond with "Done".'}]}]})
    assert done.content == [{"text": "Done"}]


# -- what cannot be answered -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ({"type": "integer", "minimum": 10, "maximum": 2}, "bounds leave no integer"),
        ({"not": {}}, "no value is allowed"),
        ({"type": "string", "minLength": 5, "maxLength": 1}, "minLength 5 exceeds maxLength 1"),
        ({"type": "array", "minItems": 4, "maxItems": 1}, "minItems 4 exceeds maxItems 1"),
        ({"enum": []}, "enum"),
    ],
)
def test_unsatisfiable_schema_is_a_400_naming_the_reason(schema, reason):
    """A schema no instance satisfies is refused with a 400 that says why, never answered wrongly."""
    body = forced({"type": "object", "properties": {"value": schema}, "required": ["value"]})
    with pytest.raises(ConverseError) as err:
        ask(body)
    assert err.value.status == 400 and err.value.error_type == "ValidationException"
    assert reason in err.value.message and "$.value" in err.value.message


# -- through the Converse wire (boto3) ---------------------------------------------------------


def _wire_forced(schema: dict[str, Any]) -> dict[str, Any]:
    body = forced(schema)
    return {"system": body["system"], "messages": body["messages"], "toolConfig": body["toolConfig"]}


@settings(max_examples=12)
@given(schema=OBJECT_SCHEMAS)
def test_wire_forced_tool_is_valid_and_deterministic(bedrock_cloud, schema):
    """Bedrock Converse with ``toolChoice.tool`` returns stopReason tool_use and a toolUse of that tool."""
    bedrock_cloud.reset()
    client = _client(bedrock_cloud)
    first = client.converse(modelId=MODEL_ID, **_wire_forced(schema))
    second = client.converse(modelId=MODEL_ID, **_wire_forced(schema))
    assert first["stopReason"] == "tool_use"
    use = tool_use(first)
    assert use is not None and use["name"] == "record_result"
    jsonschema.validate(use["input"], schema)
    assert tool_use(second) == use


def test_wire_tools_then_text_for_an_unknown_agent(runtime, model):
    """A Converse tool loop: toolUse per named tool, toolResult back, then an end_turn text answer."""
    spec = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    config = {"tools": [{"toolSpec": {"name": n, "inputSchema": {"json": spec}}} for n in ("get_weather", "get_time")]}
    system = [{"text": "You are a Travel Helper. Call get_time, then get_weather, and answer briefly."}]
    messages: list[dict[str, Any]] = [{"role": "user", "content": [{"text": "City: Lisbon"}]}]
    names = []
    for _ in range(3):
        out = runtime.converse(modelId=MODEL_ID, system=system, messages=messages, toolConfig=config)
        use = tool_use(out)
        if use is None:
            break
        assert out["stopReason"] == "tool_use" and use["input"]["city"] == "Lisbon"  # filled from the prompt
        names.append(use["name"])
        messages += [
            out["output"]["message"],
            {"role": "user", "content": [{"toolResult": {"toolUseId": use["toolUseId"], "content": [{"text": "sunny"}]}}]},
        ]
    assert names == ["get_time", "get_weather"]
    assert out["stopReason"] == "end_turn" and text_of(out).strip()
    assert {c.agent for c in model.calls} == {"travel-helper"}


def test_wire_text_sections(runtime, model):
    """A plain Converse call answers end_turn text in the markdown sections the prompt asks for."""
    out = runtime.converse(
        modelId=MODEL_ID,
        system=[{"text": "You are an Analyst. Include:\n- Overview\n- Risks\n"}],
        messages=[{"role": "user", "content": [{"text": "Analyse the plan."}]}],
    )
    assert out["stopReason"] == "end_turn"
    assert re.findall(r"^## (.+)$", text_of(out), re.M) == ["Overview", "Risks"]


def test_wire_unsatisfiable_schema_is_a_validation_exception(runtime, model):
    """Bedrock answers a request it cannot serve with 400 ValidationException and a message saying why."""
    with pytest.raises(ClientError) as err:
        runtime.converse(
            modelId=MODEL_ID,
            **_wire_forced(
                {"type": "object", "properties": {"n": {"type": "number", "minimum": 5, "maximum": 1}}, "required": ["n"]}
            ),
        )
    error = err.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "ValidationException"
    assert "bounds leave no number" in error["Error"]["Message"]


def _client(cloud: Any) -> Any:
    from botocore.config import Config

    from tests.bedrock.conftest import REGION

    return cloud.client("bedrock-runtime", region_name=REGION, config=Config(retries={"total_max_attempts": 1}))


_CITY_TOOLS = {
    "tools": [
        {"toolSpec": {"name": n, "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}}}}}}
        for n in ("get_weather", "get_time", "get_news")
    ]
}


def test_wire_independent_tools_come_in_one_assistant_message(runtime, model):
    """Bedrock's models (Claude, Nova) return several toolUse blocks in one assistant message, stopReason
    tool_use, when the tools are independent; the caller answers them all with toolResults in one user
    message, and the model then answers in text."""
    system = [{"text": "You are a Travel Helper. get_time, get_weather and get_news are independent: call them in parallel."}]
    messages: list[dict[str, Any]] = [{"role": "user", "content": [{"text": "City: Lisbon"}]}]
    out = runtime.converse(modelId=MODEL_ID, system=system, messages=messages, toolConfig=_CITY_TOOLS)
    assert out["stopReason"] == "tool_use"
    uses = [b["toolUse"] for b in out["output"]["message"]["content"]]
    assert [u["name"] for u in uses] == ["get_time", "get_weather", "get_news"]  # the order the instructions name them
    assert len({u["toolUseId"] for u in uses}) == 3 and all(u["input"]["city"] == "Lisbon" for u in uses)
    results = [{"toolResult": {"toolUseId": u["toolUseId"], "content": [{"text": "ok"}]}} for u in uses]
    messages += [out["output"]["message"], {"role": "user", "content": results}]
    final = runtime.converse(modelId=MODEL_ID, system=system, messages=messages, toolConfig=_CITY_TOOLS)
    assert final["stopReason"] == "end_turn" and text_of(final).strip()
    assert len(model.calls) == 2


@pytest.mark.parametrize(
    "instructions, together",
    [
        ("Call get_time and get_weather in parallel.", True),
        ("These tools are independent of each other.", True),
        ("Call get_time and get_weather together.", True),
        ("You may call several tools in one turn.", True),
        ("The lookups don't depend on each other; run them concurrently.", True),
        ("Call get_time and get_weather at the same time.", True),
        ("Call get_time, then get_weather, one at a time.", False),
        ("Do not call the tools in parallel.", False),
        ("Never call get_time and get_weather at the same time.", False),
        ("Call get_time, then get_weather.", False),
        ("As an independent advisor, put together a plan with get_time and get_weather.", False),
        ("They are independent, but call them sequentially.", False),
    ],
)
def test_instructions_decide_between_one_call_per_turn_and_all_together(instructions, together):
    """Models call tools together only when the instructions allow it; otherwise one per turn, in the named order."""
    reply = ask(
        {
            "system": [{"text": f"You are a Travel Helper. {instructions}"}],
            "messages": [{"role": "user", "content": [{"text": "City: Lisbon"}]}],
            "toolConfig": _CITY_TOOLS,
        }
    )
    names = [b["toolUse"]["name"] for b in reply.content]
    assert reply.stop_reason == "tool_use"
    if together:  # every tool the instructions name (all three when they name none)
        assert names in (["get_time", "get_weather"], ["get_weather", "get_time", "get_news"])
    else:
        assert len(names) == 1
