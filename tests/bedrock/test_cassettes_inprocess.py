"""Cassettes in process: record a Converse call, replay it with the model unreachable, scrub
credentials, state provenance, and fail loudly with the nearest request on a miss."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
import yaml
from botocore.config import Config

from alex.schemas import input_block, role_line

from harness.cassettes import matching
from harness.cassettes.network_guard import NetworkBlocked, loopback_only
from harness.cassettes.recorder import Provenance, require_provenance, use_cassette

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
TOKEN = "IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJHMEUCIQD6example" + "x" * 60


def converse(cloud, text: str = "hello", **client_kwargs):
    client_kwargs.setdefault("aws_access_key_id", "testing")
    client_kwargs.setdefault("aws_secret_access_key", "testing")
    client = boto3.client(
        "bedrock-runtime",
        endpoint_url=cloud.url,
        region_name="us-west-2",
        config=Config(retries={"total_max_attempts": 1}),
        **client_kwargs,
    )
    message = f"Here is your input.\n{input_block({'symbol': 'SPY', 'name': text})}"
    return client.converse(
        modelId="us.amazon.nova-pro-v1:0",
        system=[{"text": role_line("tagger")}],
        messages=[{"role": "user", "content": [{"text": message}]}],
    )


def test_a_recorded_call_replays_without_the_model(bedrock_cloud, model, tmp_path) -> None:
    """Record once against the scripted model; replay gives the same answer while the model is down."""
    path = tmp_path / "reporter.yaml"
    with use_cassette(path, "all", Provenance("scripted model (test)", scenario="t")):
        recorded = converse(bedrock_cloud, "job 6f1c2a9e-1b2c-4d5e-8f90-123456789abc")
    model.add_fault("unavailable", always=True)
    with use_cassette(path, "none") as active:
        replayed = converse(bedrock_cloud, "job 00000000-1111-2222-3333-444444444444")  # another job id: volatile
    assert replayed["output"] == recorded["output"] and active.misses == []
    assert require_provenance(active)["recorded_against"] == "scripted model (test)"
    assert require_provenance(active)["model_ids"] == ["us.amazon.nova-pro-v1:0"]
    assert [c.status for c in model.calls] == [200]  # only the recording reached the model


def test_no_credential_reaches_a_cassette(bedrock_cloud, model, tmp_path) -> None:
    """SigV4 Authorization, X-Amz-Date, X-Amz-Security-Token and key-like values are never written."""
    path = tmp_path / "scrubbed.yaml"
    with use_cassette(path, "all", Provenance("scripted model (test)")):
        converse(
            bedrock_cloud,
            f"my key is {ACCESS_KEY} and secret aws_secret_access_key={SECRET}",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET,
            aws_session_token=TOKEN,
        )
    text = path.read_text()
    for secret in (ACCESS_KEY, SECRET, TOKEN, "Signature=", "Credential=", "X-Amz-Security-Token", "X-Amz-Date"):
        assert secret not in text, secret
    request = yaml.safe_load(text)["interactions"][0]["request"]
    assert not {h.lower() for h in request["headers"]} & {"authorization", "x-amz-date", "x-amz-security-token"}


def test_a_miss_names_the_cassette_the_nearest_request_and_the_difference(bedrock_cloud, model, tmp_path) -> None:
    """record_mode none: an unrecorded request fails; the report shows where it differs."""
    path = tmp_path / "miss.yaml"
    with use_cassette(path, "all", Provenance("scripted model (test)")):
        converse(bedrock_cloud, "portfolio value 1000")
    with use_cassette(path, "none") as active, pytest.raises(Exception):  # noqa: B017 (whatever LiteLLM wraps the miss in)
        converse(bedrock_cloud, "portfolio value 2000")
    assert len(active.misses) == 1
    message = active.misses[0].message
    assert str(path) in message and "normalised_body differs" in message
    assert "$.messages[0].content[0].text" in message and "1000" in message and "2000" in message


def test_a_miss_report_carries_no_credential(bedrock_cloud, model, tmp_path) -> None:
    """Replay does not scrub the requests it only matches, so the miss it reports is scrubbed."""
    path = tmp_path / "miss-secret.yaml"
    with use_cassette(path, "all", Provenance("scripted model (test)")):
        converse(bedrock_cloud, "portfolio value 1000")
    with use_cassette(path, "none") as active, pytest.raises(Exception):  # noqa: B017 (whatever LiteLLM wraps the miss in)
        converse(
            bedrock_cloud,
            f"my key is {ACCESS_KEY} and aws_secret_access_key={SECRET}",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET,
            aws_session_token=TOKEN,
        )
    message = active.misses[0].message
    assert "$.messages[0].content[0].text" in message  # the difference is still shown...
    for secret in (ACCESS_KEY, SECRET, TOKEN):
        assert secret not in message, secret  # ...without the secrets in it


def test_a_re_recorded_cassette_is_read_afresh(bedrock_cloud, model, tmp_path) -> None:
    """Parsed cassettes are kept in memory by content: a cassette recorded again (new
    answers, new provenance) replays its new answers, never the remembered ones."""
    path = tmp_path / "again.yaml"
    with use_cassette(path, "all", Provenance("first recording")):
        first = converse(bedrock_cloud, "SPY")
    with use_cassette(path, "none") as active:
        assert converse(bedrock_cloud, "SPY")["output"] == first["output"]
    assert require_provenance(active)["recorded_against"] == "first recording"
    model.add_fault("malformed", always=True)  # the model answers differently now
    path.unlink()
    with use_cassette(path, "all", Provenance("second recording")):
        second = converse(bedrock_cloud, "SPY")
    assert second["output"] != first["output"]
    with use_cassette(path, "none") as active:
        assert converse(bedrock_cloud, "SPY")["output"] == second["output"]
    assert require_provenance(active)["recorded_against"] == "second recording"


def test_replay_keeps_the_cassette_out_of_the_log(caplog) -> None:
    """A function logs at INFO; loading its cassette must not log the recorded interactions."""
    import logging

    caplog.set_level(logging.INFO)
    with use_cassette(Path(__file__).resolve().parents[2] / "cassettes/happy_path/alex-tagger.yaml", "none") as active:
        assert require_provenance(active)
    assert [r for r in caplog.records if r.name.startswith("vcr")] == []


def test_a_cassette_without_provenance_is_refused(tmp_path) -> None:
    path = tmp_path / "bare.yaml"
    path.write_text(yaml.safe_dump({"interactions": [], "version": 1}))
    with use_cassette(path, "none") as active, pytest.raises(ValueError, match="states no provenance"):
        require_provenance(active)


def test_unknown_record_mode_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ValueError, match="record mode must be one of none, new_episodes, all"):
        with use_cassette(tmp_path / "x.yaml", "sometimes"):
            pass


@pytest.mark.parametrize("mode", ["new_episodes", "all"])
def test_recording_a_function_that_makes_no_model_call_writes_no_cassette(tmp_path, mode) -> None:
    """A function with no model call (the sweeper) leaves no cassette file, not one holding only provenance."""
    with use_cassette(tmp_path / "alex-sweeper.yaml", mode, Provenance("scripted model", function="alex-sweeper")):
        pass
    assert not (tmp_path / "alex-sweeper.yaml").exists()


def test_replay_blocks_connections_beyond_loopback() -> None:
    """During replay nothing may reach the internet, whatever library tries."""
    import socket

    with loopback_only():
        with pytest.raises(NetworkBlocked), socket.socket() as sock:
            sock.connect(("93.184.216.34", 443))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))  # loopback stays usable


@pytest.mark.parametrize(
    ("recorded", "current", "same"),
    [
        (
            {"a": "job 6f1c2a9e-1b2c-4d5e-8f90-123456789abc at 2026-12-01T10:00:00Z"},
            {"a": "job 0f1c2a9e-1b2c-4d5e-8f90-123456789abc at 2027-01-01T11:11:11.5+00:00"},
            True,
        ),
        ({"toolUseId": "tooluse_AbC123", "b": [1, 2]}, {"b": [1, 2], "toolUseId": "tooluse_Zz9"}, True),
        ({"b": [1, 2]}, {"b": [1, 3]}, False),
        ({"b": "x"}, {"b": "x", "c": 1}, False),
    ],
)
def test_matching_ignores_volatile_values_and_key_order(recorded, current, same) -> None:
    a, b = matching.normalise(recorded), matching.normalise(current)
    assert (a == b) is same
    assert (matching.first_difference(a, b) is None) is same


def test_bodies_compare_as_json_structures() -> None:
    class R:
        def __init__(self, body):
            self.body, self.path = body, "/model/m/converse"

    matching.normalised_body(R(json.dumps({"a": 1, "b": [1, 2]}).encode()), R(b'{ "b": [1,2], "a": 1 }'))
    with pytest.raises(AssertionError, match=r"\$\.b\[1\]: recorded 3, now 2"):
        matching.normalised_body(R(b'{"b": [1, 2]}'), R(b'{"b": [1, 3]}'))


def test_a_body_is_normalised_the_same_whether_as_text_or_as_json() -> None:
    """The matcher normalises a body's raw text; that must equal normalising its parsed JSON."""
    body = json.dumps(
        {
            "job 6f1c2a9e-1b2c-4d5e-8f90-123456789abc": ["at 2026-12-01T10:00:00.5+01:00", {"toolUseId": "tooluse_Ab-1"}],
            "nested": json.dumps({"id": "call_abcdefgh1234", "when": "2026-12-01 10:00:00"}),
            "plain": "café \u2603 \\n",
            "n": 1.5,
        }
    ).encode()
    assert matching._normalised(body) == matching.normalise(matching.body_json(body))
    assert matching._normalised(b"not json 6f1c2a9e-1b2c-4d5e-8f90-123456789abc") == "not json <uuid>"
