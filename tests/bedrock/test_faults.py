"""Faults of the scripted model: Bedrock's errors, and answers spoiled on purpose."""

from __future__ import annotations

import json
import threading
import time

import pytest
from botocore.exceptions import ClientError

from alex.guardrails import validate_charts
from alex.schemas import InstrumentClassification
from harness.bedrock import FaultError
from harness.bedrock.faults import INJECTION, INJECTION_TITLE
from tests.bedrock.support import JSON_TOOL_CONFIG, converse, portfolio, text_of, tool_use

pytestmark = pytest.mark.emulation

TAGGER_INPUT = {"symbol": "VTI", "name": "Vanguard Total Stock Market"}


def _error(call) -> ClientError:
    with pytest.raises(ClientError) as err:
        call()
    return err.value


@pytest.mark.parametrize(
    ("kind", "code", "status", "message"),
    [
        ("throttle", "ThrottlingException", 429, "Too many requests, please wait before trying again."),
        ("unavailable", "ServiceUnavailableException", 503, None),
        ("timeout", "ModelTimeoutException", 408, None),
    ],
)
def test_error_faults_are_bedrock_errors(runtime, model, kind, code, status, message):
    """Bedrock's throttling (429), unavailability (503) and model timeout (408) reach boto3 as their error codes."""
    model.add_fault(kind, delay_seconds=0)
    err = _error(lambda: converse(runtime, "tagger", TAGGER_INPUT))
    assert err.response["Error"]["Code"] == code
    assert err.response["ResponseMetadata"]["HTTPStatusCode"] == status
    if message:
        assert err.response["Error"]["Message"] == message
    converse(runtime, "tagger", TAGGER_INPUT)  # count 1: the next call is answered
    assert [(c.status, c.fault) for c in model.calls] == [(status, kind), (200, None)]


def test_fault_for_one_agent_leaves_the_others_alone(runtime, model):
    """A fault scoped to an agent waits for that agent's call (other agents' calls pass)."""
    model.add_fault("throttle", agent="reporter", count=2)
    converse(runtime, "tagger", TAGGER_INPUT)
    for _ in range(2):
        assert (
            _error(lambda: converse(runtime, "reporter", {"job_id": "j", "portfolio": portfolio()})).response["Error"]["Code"]
            == "ThrottlingException"
        )
    converse(runtime, "reporter", {"job_id": "j", "portfolio": portfolio()})
    assert model.faults == []


def test_always_fault_stays_until_cleared(runtime, model):
    """``always`` keeps failing every matching call, like an outage, until the queue is cleared."""
    model.add_fault("unavailable", always=True)
    for _ in range(3):
        _error(lambda: converse(runtime, "tagger", TAGGER_INPUT))
    model.clear_faults()
    converse(runtime, "tagger", TAGGER_INPUT)


def test_timeout_sleeps_and_reset_wakes_it(bedrock_cloud, runtime, model):
    """ModelTimeoutException comes after the model's delay; LocalCloud.reset cuts a long delay short."""
    model.add_fault("timeout", delay_seconds=0.3)
    started = time.monotonic()
    assert _error(lambda: converse(runtime, "tagger", TAGGER_INPUT)).response["Error"]["Code"] == "ModelTimeoutException"
    assert time.monotonic() - started >= 0.3
    model.add_fault("timeout", delay_seconds=60)
    outcome: dict = {}
    caller = threading.Thread(target=lambda: outcome.setdefault("err", _error(lambda: converse(runtime, "tagger", TAGGER_INPUT))))
    started = time.monotonic()
    caller.start()
    time.sleep(0.3)
    bedrock_cloud.reset()
    caller.join(10)
    assert time.monotonic() - started < 5
    assert outcome["err"].response["Error"]["Code"] == "ModelTimeoutException"


def test_malformed_structured_output_misses_required_fields(runtime, model):
    """malformed + structured output: the json_tool_call input is an object that fails the schema."""
    model.add_fault("malformed", agent="tagger")
    use = tool_use(converse(runtime, "tagger", TAGGER_INPUT, toolConfig=JSON_TOOL_CONFIG))
    assert use is not None and list(use["input"]) == ["rationale"]
    with pytest.raises(ValueError):
        InstrumentClassification.model_validate(use["input"])


def test_malformed_charts_are_broken_json(runtime, model):
    """malformed charter text: cut-off JSON with a string where a number belongs; the guardrail refuses it."""
    model.add_fault("malformed")
    text = text_of(converse(runtime, "charter", {"job_id": "j", "portfolio": portfolio()}))
    assert text.startswith('{"charts": [{"key": "x"')
    assert not validate_charts(text).ok


def test_malformed_markdown_and_tool_calls(runtime, model):
    """malformed reporter text has none of the sections; a malformed planner turn calls a tool never offered."""
    model.add_fault("malformed", count=2)
    assert "## " not in text_of(converse(runtime, "reporter", {"job_id": "j", "portfolio": portfolio()}))
    tools = {"tools": [{"toolSpec": {"name": "invoke_reporter", "inputSchema": {"json": {"type": "object"}}}}]}
    planner = {"job_id": "j", "accounts": 1, "positions": 1, "total_value": 1.0, "tagged": []}
    assert tool_use(converse(runtime, "planner", planner, toolConfig=tools))["name"] == "invoke_everything"


def test_truncated_answer_stops_at_max_tokens(runtime, model):
    """truncated: half the answer and stopReason max_tokens, as when a model runs out of output tokens."""
    full = text_of(converse(runtime, "reporter", {"job_id": "j", "portfolio": portfolio()}))
    model.add_fault("truncated")
    response = converse(runtime, "reporter", {"job_id": "j", "portfolio": portfolio()})
    assert response["stopReason"] == "max_tokens"
    assert text_of(response) == full[: len(full) // 2]
    model.add_fault("truncated")
    structured = converse(runtime, "tagger", TAGGER_INPUT, toolConfig=JSON_TOOL_CONFIG)
    assert tool_use(structured) is None and structured["stopReason"] == "max_tokens"
    with pytest.raises(ValueError):
        json.loads(text_of(structured))


def test_oversized_answer_is_over_600_kb(runtime, model):
    """oversized: the normal answer padded past 600 KB; the chart guardrail's size limit refuses it."""
    model.add_fault("oversized", count=2)
    text = text_of(converse(runtime, "charter", {"job_id": "j", "portfolio": portfolio()}))
    assert len(text.encode()) > 600 * 1024
    assert validate_charts(text).errors == ["output exceeds 262144 bytes"]
    use = tool_use(converse(runtime, "tagger", TAGGER_INPUT, toolConfig=JSON_TOOL_CONFIG))
    assert len(use["input"]["rationale"]) > 600 * 1024
    assert model.calls[-1].output_tokens > 150_000


def test_injection_rides_along_with_a_valid_answer(runtime, model):
    """injection: the answer stays usable but carries a prompt-injection paragraph (a chart title for the charter)."""
    model.add_fault("injection", count=3)
    report = text_of(converse(runtime, "reporter", {"job_id": "j", "portfolio": portfolio()}))
    assert "## Executive Summary" in report and report.endswith(INJECTION)
    charts = text_of(converse(runtime, "charter", {"job_id": "j", "portfolio": portfolio()}))
    verdict = validate_charts(charts)
    assert verdict.ok and verdict.charts[0]["title"] == INJECTION_TITLE
    tagged = InstrumentClassification.model_validate(
        tool_use(converse(runtime, "tagger", TAGGER_INPUT, toolConfig=JSON_TOOL_CONFIG))["input"]
    )
    assert INJECTION in tagged.rationale and "IGNORE ALL PREVIOUS INSTRUCTIONS" in tagged.name


def test_refused_request_does_not_use_up_an_answer_fault(runtime, model):
    """A request refused with ValidationException leaves a queued answer fault for the next real answer."""
    model.add_fault("truncated")
    _error(lambda: converse(runtime, "tagger", {"symbol": "VTI"}))
    assert converse(runtime, "tagger", TAGGER_INPUT)["stopReason"] == "max_tokens"


def test_bad_fault_arguments_are_refused(model):
    """The Python API refuses what the HTTP API would answer 400 to."""
    for kwargs in (
        {"kind": "meltdown"},
        {"kind": "throttle", "agent": ""},
        {"kind": "throttle", "agent": 7},
        {"kind": "throttle", "count": 0},
        {"kind": "timeout", "delay_seconds": -1},
        {"kind": "throttle", "count": True},
    ):
        with pytest.raises(FaultError):
            model.add_fault(**kwargs)


def test_throttle_fault_applies_to_any_agent(runtime, model):
    """Bedrock throttles any caller: a fault keyed on a non-Alex agent's name (read from its role line) is a
    429 ThrottlingException for that agent only, and its next call is answered."""
    model.add_fault("throttle", agent="invoice-checker")
    system = [{"text": "You are an Invoice Checker agent for a small shop."}]
    messages = [{"role": "user", "content": [{"text": "Check invoice 42."}]}]
    converse(runtime, "tagger", TAGGER_INPUT)  # another agent's call passes
    err = _error(lambda: runtime.converse(modelId="us.amazon.nova-pro-v1:0", system=system, messages=messages))
    assert err.response["Error"]["Code"] == "ThrottlingException"
    assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert text_of(runtime.converse(modelId="us.amazon.nova-pro-v1:0", system=system, messages=messages)).strip()
    assert [(c.agent, c.status) for c in model.calls] == [("tagger", 200), ("invoice-checker", 429), ("invoice-checker", 200)]
