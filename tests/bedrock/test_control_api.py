"""The scripted model's HTTP control API under /_harness/bedrock/ on the edge, and its CloudWatch metrics."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.bedrock.support import NOVA, converse, retirement_input

pytestmark = pytest.mark.emulation

TAGGER_INPUT = {"symbol": "VTI", "name": "Vanguard Total Stock Market"}


def test_faults_over_http(bedrock_cloud, runtime, model):
    """POST queues a fault another process can set (unsigned), GET lists, DELETE clears."""
    base = f"{bedrock_cloud.url}/_harness/bedrock/faults"
    queued = httpx.post(base, json={"kind": "throttle", "agent": "tagger", "count": 2})
    assert queued.status_code == 200
    assert queued.json()["queued"] == {"kind": "throttle", "agent": "tagger", "count": 2, "always": False, "delay_seconds": 30.0}
    assert len(httpx.get(base).json()["faults"]) == 1
    with pytest.raises(ClientError, match="ThrottlingException"):
        converse(runtime, "tagger", TAGGER_INPUT)
    assert httpx.get(base).json()["faults"][0]["count"] == 1
    assert httpx.delete(base).json() == {"faults": []}
    converse(runtime, "tagger", TAGGER_INPUT)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1]",
        b'{"count": 1}',
        b'{"kind": "throttle", "count": -1}',
        b'{"kind": "throttle", "extra": 1}',
        b'{"kind": "nope"}',
    ],
)
def test_bad_fault_json_is_a_400_with_a_message(bedrock_cloud, model, body):
    """A fault the harness cannot queue is refused with 400 and says why."""
    response = httpx.post(f"{bedrock_cloud.url}/_harness/bedrock/faults", content=body)
    assert response.status_code == 400
    assert response.json()["error"]
    assert model.faults == []


def test_call_log_over_http(bedrock_cloud, runtime, model):
    """GET /calls: each call's agent, model, status, fault, tokens and latency, plus counts per agent."""
    converse(runtime, "tagger", TAGGER_INPUT)
    converse(runtime, "retirement", retirement_input())
    model.add_fault("throttle")
    with pytest.raises(ClientError):
        converse(runtime, "tagger", TAGGER_INPUT)
    body = httpx.get(f"{bedrock_cloud.url}/_harness/bedrock/calls").json()
    assert body["counts"] == {"tagger": 2, "retirement": 1}
    first, _, throttled = body["calls"]
    assert first["agent"] == "tagger" and first["model_id"] == NOVA and first["status"] == 200 and first["fault"] is None
    assert first["input_tokens"] > 0 and first["output_tokens"] > 0 and first["latency_ms"] >= 1 and first["timestamp"] > 0
    assert throttled["status"] == 429 and throttled["fault"] == "throttle" and throttled["error_type"] == "ThrottlingException"
    only = httpx.get(f"{bedrock_cloud.url}/_harness/bedrock/calls", params={"agent": "retirement"}).json()["calls"]
    assert [c["agent"] for c in only] == ["retirement"]
    assert httpx.delete(f"{bedrock_cloud.url}/_harness/bedrock/calls").json() == {"calls": []}
    assert model.calls == []


def test_unknown_routes_and_the_clouds_own_control_api(bedrock_cloud, model):
    """Unknown routes are 404/405; /_harness/health is still the cloud's own control API beside the model's."""
    assert httpx.get(f"{bedrock_cloud.url}/_harness/bedrock/nothing").status_code == 404
    assert httpx.put(f"{bedrock_cloud.url}/_harness/bedrock/calls").status_code == 405
    assert httpx.get(f"{bedrock_cloud.url}/_harness/health").json()["components"] == ["ScriptedBedrock"]


def test_reset_clears_faults_and_calls(bedrock_cloud, runtime, model):
    """LocalCloud.reset leaves the model as a fresh cloud would have it."""
    converse(runtime, "tagger", TAGGER_INPUT)
    model.add_fault("throttle", always=True)
    bedrock_cloud.reset()
    assert model.calls == [] and model.faults == []
    converse(runtime, "tagger", TAGGER_INPUT)


def test_bedrock_metrics_in_cloudwatch(bedrock_cloud, runtime, model):
    """Bedrock's runtime metrics (AWS/Bedrock, dimension ModelId): invocations, latency, tokens, errors, throttles."""
    converse(runtime, "tagger", TAGGER_INPUT)
    converse(runtime, "tagger", TAGGER_INPUT)
    model.add_fault("throttle")
    model.add_fault("unavailable")
    for _ in range(2):
        with pytest.raises(ClientError):
            converse(runtime, "tagger", TAGGER_INPUT)
    with pytest.raises(ClientError):
        converse(runtime, "nobody", TAGGER_INPUT)
    httpx.get(f"{bedrock_cloud.url}/_harness/bedrock/calls")  # flushes pending metrics
    cloudwatch = bedrock_cloud.client("cloudwatch", region_name="us-west-2")
    names = {
        m["MetricName"]
        for m in cloudwatch.list_metrics(Namespace="AWS/Bedrock", Dimensions=[{"Name": "ModelId", "Value": NOVA}])["Metrics"]
    }
    assert names == {
        "Invocations",
        "InvocationLatency",
        "InputTokenCount",
        "OutputTokenCount",
        "InvocationThrottles",
        "InvocationServerErrors",
        "InvocationClientErrors",
    }
    now = dt.datetime.now(dt.UTC)
    stats = cloudwatch.get_metric_statistics(
        Namespace="AWS/Bedrock",
        MetricName="Invocations",
        Dimensions=[{"Name": "ModelId", "Value": NOVA}],
        StartTime=now - dt.timedelta(minutes=5),
        EndTime=now + dt.timedelta(minutes=1),
        Period=3600,
        Statistics=["Sum"],
    )
    assert sum(p["Sum"] for p in stats["Datapoints"]) == 2
