"""The Converse wire format as boto3's bedrock-runtime client sees it."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.bedrock.support import CLAUDE, NOVA, converse, portfolio, system, text_of, user

pytestmark = pytest.mark.emulation


def test_converse_answers_with_message_stop_reason_usage_and_metrics(runtime, model):
    """Converse's response: output.message (assistant), stopReason, usage (input/output/total tokens), metrics.latencyMs."""
    response = converse(runtime, "tagger", {"symbol": "SPY", "name": "SPDR S&P 500"})
    assert response["output"]["message"]["role"] == "assistant"
    assert response["stopReason"] == "end_turn"
    usage = response["usage"]
    assert usage["inputTokens"] > 0 and usage["outputTokens"] > 0
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"]
    assert response["metrics"]["latencyMs"] >= 1
    assert json.loads(text_of(response))["symbol"] == "SPY"


def test_same_request_same_answer(runtime):
    """A scripted model is deterministic: the same conversation gets the same content (unlike a real model)."""
    first = converse(runtime, "reporter", {"job_id": "j", "portfolio": portfolio()})
    second = converse(runtime, "reporter", {"job_id": "j", "portfolio": portfolio()})
    assert first["output"] == second["output"]


def test_model_id_in_path_is_logged(runtime, model):
    """The model id travels URL-encoded in the path (``/model/us.amazon.nova-pro-v1%3A0/converse``)."""
    converse(runtime, "tagger", {"symbol": "SPY", "name": "x"}, model_id=NOVA)
    assert [c.model_id for c in model.calls] == [NOVA]


def test_prompt_of_no_alex_agent_gets_a_generic_answer(runtime, model):
    """Any agent is answered (the generic model, labelled from its role line); a request Bedrock cannot
    serve, here a role line of the Alex script naming no Alex agent, is a 400 ValidationException, not a 500."""
    answer = runtime.converse(
        modelId=NOVA, system=[{"text": "You are a helpful assistant."}], messages=[{"role": "user", "content": [{"text": "hi"}]}]
    )
    assert answer["stopReason"] == "end_turn" and text_of(answer).strip()
    with pytest.raises(ClientError, match="unknown agent 'astrologer'") as err:
        runtime.converse(
            modelId=NOVA,
            system=[{"text": "You are Alex's Astrologer agent."}],
            messages=[{"role": "user", "content": [{"text": "hi"}]}],
        )
    assert err.value.response["Error"]["Code"] == "ValidationException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert [(c.agent, c.status) for c in model.calls] == [("helpful-assistant", 200), ("astrologer", 400)]


def test_input_that_breaks_the_contract_is_a_validation_exception(runtime):
    """ValidationException names what is wrong with the input (missing <input>, fields not in the schema)."""
    with pytest.raises(ClientError, match="no <input> block"):
        runtime.converse(modelId=NOVA, system=system("tagger"), messages=[{"role": "user", "content": [{"text": "SPY?"}]}])
    with pytest.raises(ClientError, match="does not match TaggerInput"):
        converse(runtime, "tagger", {"symbol": "SPY"})


def test_conversation_must_start_with_messages(bedrock_cloud, model):
    """Converse refuses a request without messages (ValidationException), checked before any rule runs."""
    import httpx
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = f"{bedrock_cloud.url}/model/{NOVA}/converse"
    request = AWSRequest("POST", url, data=b'{"messages": []}', headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials("testing", "testing"), "bedrock", "us-west-2").add_auth(request)
    response = httpx.post(url, content=b'{"messages": []}', headers=dict(request.headers))
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "ValidationException"
    assert "start with a user message" in response.json()["message"]


def test_only_converse_is_served(runtime):
    """InvokeModel (``/model/{id}/invoke``) is not emulated: 400 ValidationException saying Converse only."""
    with pytest.raises(ClientError) as err:
        runtime.invoke_model(modelId=NOVA, body=b"{}")
    assert err.value.response["Error"]["Code"] == "ValidationException"
    assert "Converse only" in err.value.response["Error"]["Message"]


def test_max_tokens_cuts_the_answer(runtime):
    """inferenceConfig.maxTokens bounds the output: the text stops there and stopReason is max_tokens."""
    response = converse(runtime, "reporter", {"job_id": "j", "portfolio": portfolio()}, inferenceConfig={"maxTokens": 20})
    assert response["stopReason"] == "max_tokens"
    assert len(text_of(response)) == 80


def test_claude_output_config_gets_json_text(runtime):
    """Claude 4.5 structured output (outputConfig.textFormat): the JSON comes back as the text of the message."""
    schema = {"type": "object", "properties": {"symbol": {"type": "string"}}}
    response = runtime.converse(
        modelId=CLAUDE,
        system=system("tagger"),
        messages=[user({"symbol": "QQQ", "name": "Invesco QQQ"})],
        outputConfig={
            "textFormat": {"type": "json_schema", "structure": {"jsonSchema": {"schema": json.dumps(schema), "name": "x"}}}
        },
    )
    assert json.loads(text_of(response))["symbol"] == "QQQ"


def test_an_inference_profile_arn_is_a_model_id(runtime, model):
    """Converse takes an inference profile ARN as modelId; botocore percent-encodes its ``/`` into one
    URI label (``.../inference-profile%2Fus.amazon...``), which Bedrock reads as one model id."""
    arn = f"arn:aws:bedrock:us-west-2:123456789012:inference-profile/{NOVA}"
    converse(runtime, "tagger", {"symbol": "SPY", "name": "x"}, model_id=arn)
    assert [(c.model_id, c.status) for c in model.calls] == [(arn, 200)]
