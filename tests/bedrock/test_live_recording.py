"""``alex-harness record --live``: model calls re-signed with the user's credentials and forwarded
to Bedrock (here a loopback stand-in), recorded with live provenance, the user's key never written."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from alex.schemas import input_block, role_line
from harness.bedrock.live import LiveBedrock
from harness.cassettes.recorder import Provenance, require_provenance, use_cassette

USER_KEY = "AKIALIVEUSER00000000"
ANSWER = {
    "output": {"message": {"role": "assistant", "content": [{"text": "live answer"}]}},
    "stopReason": "end_turn",
    "usage": {"inputTokens": 10, "outputTokens": 2, "totalTokens": 12},
    "metrics": {"latencyMs": 5},
}


class FakeBedrock(BaseHTTPRequestHandler):
    seen: list[dict] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeBedrock.seen.append({"path": self.path, "authorization": self.headers.get("Authorization", ""), "body": body})
        status = FakeBedrock.status
        payload = ANSWER if status == 200 else {"message": "Too many requests"}
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if status != 200:
            self.send_header("x-amzn-ErrorType", "ThrottlingException")
        self.end_headers()
        self.wfile.write(json.dumps(payload).encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def live(bedrock_cloud, model):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeBedrock)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeBedrock.seen, FakeBedrock.status = [], 200
    model.live = LiveBedrock(
        "us-west-2", Credentials(USER_KEY, "user-secret-key"), endpoint=f"http://127.0.0.1:{server.server_address[1]}"
    )
    yield model.live
    model.live = None
    server.shutdown()


def converse(cloud):
    client = boto3.client(
        "bedrock-runtime",
        endpoint_url=cloud.url,
        region_name="us-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )
    return client.converse(
        modelId="us.amazon.nova-pro-v1:0",
        system=[{"text": role_line("tagger")}],
        messages=[{"role": "user", "content": [{"text": input_block({"symbol": "SPY", "name": "x"})}]}],
    )


def test_live_calls_are_resigned_with_the_users_key_and_recorded_with_live_provenance(bedrock_cloud, live, tmp_path) -> None:
    path = tmp_path / "live.yaml"
    with use_cassette(path, "all", Provenance(live.recorded_against)) as active:
        answer = converse(bedrock_cloud)
    assert answer["output"]["message"]["content"][0]["text"] == "live answer"
    (call,) = FakeBedrock.seen
    assert call["path"] == "/model/us.amazon.nova-pro-v1%3A0/converse"
    assert f"Credential={USER_KEY}/" in call["authorization"] and "/us-west-2/bedrock/aws4_request" in call["authorization"]
    assert require_provenance(active)["recorded_against"].startswith("Amazon Bedrock (live, us-west-2)")
    assert USER_KEY not in path.read_text() and "user-secret-key" not in path.read_text()


def test_bedrock_errors_reach_the_caller_unchanged(bedrock_cloud, live) -> None:
    FakeBedrock.status = 429
    with pytest.raises(ClientError) as err:
        converse(bedrock_cloud)
    assert err.value.response["Error"]["Code"] == "ThrottlingException"


def test_no_credentials_is_a_clear_error(monkeypatch, tmp_path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(RuntimeError, match="no AWS credentials found"):
        LiveBedrock.from_profile("us-west-2")
