"""Security of the local endpoints (issue 18, part 4): no way in through the local cloud.

Black-box over HTTP, with raw sockets where a well-behaved HTTP library could not send the
request. The servers here run with short read deadlines (1 s) so the slow-client cases stay fast;
the defaults (15 s for the head, 30 s for the body) are the same code with other numbers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.alexkit.api_server import ApiServer
from harness.auth import LocalIssuer
from harness.cloud import LocalCloud
from harness.hardening import Limits, LocalAccessPolicy
from tests.security.edge_support import (
    ALLOWED_ORIGIN,
    FakeClock,
    build_app,
    settings_for,
)
from tests.security.local_endpoint_support import (
    held_connections_closed,
    raw_request,
    request_bytes,
)

EVIL = "http://evil.example"
SHORT = Limits(header_seconds=1.0, body_seconds=1.0)
FRONTEND = "http://localhost:3000"


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    """A bare cloud (moto behind the hardened edge) with moto's control API left off, as by default."""
    with LocalCloud(limits=SHORT, access_policy=LocalAccessPolicy(extra_origins=(FRONTEND,))) as running:
        yield running


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """Alex's edge (WAF, CORS, JWT) on the harness's API server, with its dev frontend allowed."""
    with LocalIssuer(tmp_path_factory.mktemp("issuer")) as issuer:
        app = build_app(settings_for(issuer), FakeClock())
        with ApiServer(app=app, limits=SHORT) as server:
            yield server


def _secret(cloud: LocalCloud, name: str) -> str:
    client = cloud.client("secretsmanager")
    return str(client.create_secret(Name=name, SecretString="s3cret")["ARN"])


# the cloud edge ------------------------------------------------------------------------


def test_moto_control_api_is_off_by_default(cloud: LocalCloud) -> None:
    """``POST /moto-api/reset`` (moto's wipe-everything switch) answers 404 and resets nothing unless asked for."""
    arn = _secret(cloud, "edgesec-survives-reset")
    answer = raw_request(cloud.port, request_bytes("POST", "/moto-api/reset", headers={"Content-Type": "text/plain"}))
    assert answer.status == 404
    assert b"HARNESS_MOTO_API=1" in answer.body
    assert cloud.client("secretsmanager").describe_secret(SecretId=arn)["Name"] == "edgesec-survives-reset"


def test_moto_control_api_on_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """``HARNESS_MOTO_API=1`` turns it on (a read-only call here: a reset would wipe the whole process's moto)."""
    monkeypatch.setenv("HARNESS_MOTO_API", "1")
    with LocalCloud(limits=SHORT) as enabled:
        assert enabled.moto_api
        answer = raw_request(enabled.port, request_bytes("GET", "/moto-api/state-manager/get-transition?model_name=x"))
    assert answer.status == 200
    assert json.loads(answer.body) == {"progression": "immediate"}  # moto's own answer


def test_foreign_origin_cannot_reset_even_with_moto_api_on() -> None:
    """The drive-by of the issue: a text/plain POST from another origin is refused with 403 before moto sees it."""
    with LocalCloud(limits=SHORT, moto_api=True) as enabled:
        arn = _secret(enabled, "edgesec-drive-by")
        answer = raw_request(
            enabled.port,
            request_bytes("POST", "/moto-api/reset", headers={"Origin": EVIL, "Content-Type": "text/plain"}, body=b"x"),
        )
        assert answer.status == 403
        assert "access-control-allow-origin" not in answer.head.lower()
        assert enabled.client("secretsmanager").describe_secret(SecretId=arn)["Name"] == "edgesec-drive-by"


def test_cross_origin_get_secret_value_is_refused_without_cors(cloud: LocalCloud) -> None:
    """A foreign page's ``GetSecretValue`` gets 403 and no CORS approval; moto's ``*`` is never sent."""
    arn = _secret(cloud, "edgesec-cors")
    body = json.dumps({"SecretId": arn}).encode()
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "secretsmanager.GetSecretValue",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/secretsmanager/aws4_request",
    }
    refused = raw_request(cloud.port, request_bytes("POST", "/", headers={**headers, "Origin": EVIL}, body=body))
    assert refused.status == 403
    assert b"s3cret" not in refused.body
    assert "access-control-allow-origin" not in refused.head.lower()
    plain = raw_request(cloud.port, request_bytes("POST", "/", headers=headers, body=body))
    assert plain.status == 200 and b"s3cret" in plain.body
    assert "access-control-allow-origin" not in plain.head.lower()  # no origin, no approval (moto would say *)
    allowed = raw_request(cloud.port, request_bytes("POST", "/", headers={**headers, "Origin": FRONTEND}, body=body))
    assert allowed.status == 200
    assert f"access-control-allow-origin: {FRONTEND}" in allowed.head.lower()


@pytest.mark.parametrize("path", ["/_harness/faults/lambda", "/_harness/faults/rds-data/resuming"])
def test_fault_switches_refuse_foreign_origins(cloud: LocalCloud, path: str) -> None:
    """The harness's fault switches accept no cross-origin POST (nor a browser's cross-site one without Origin)."""
    body = b'{"seconds": 5, "function": "f", "kind": "crash"}'
    answer = raw_request(cloud.port, request_bytes("POST", path, headers={"Origin": EVIL}, body=body))
    assert answer.status == 403
    answer = raw_request(
        cloud.port, request_bytes("POST", path, headers={"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors"}, body=body)
    )
    assert answer.status == 403
    own = raw_request(cloud.port, request_bytes("GET", "/_harness/health", headers={"Origin": f"http://127.0.0.1:{cloud.port}"}))
    assert own.status == 200


def test_dns_rebinding_host_is_refused(cloud: LocalCloud) -> None:
    """A page on a name that re-resolves to 127.0.0.1 sends its own name as Host: 403; loopback names pass."""
    assert raw_request(cloud.port, request_bytes("GET", "/_harness/health", host=f"evil.example:{cloud.port}")).status == 403
    for host in (f"localhost:{cloud.port}", f"127.0.0.1:{cloud.port}", "[::1]", "sqs.localhost"):
        assert raw_request(cloud.port, request_bytes("GET", "/_harness/health", host=host)).status == 200, host


def test_transfer_encoding_with_content_length_is_400(cloud: LocalCloud) -> None:
    """Both framings on one request (how requests are smuggled) are refused, not both honoured."""
    data = (
        b"POST /_harness/faults/rds-data/resuming HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /_harness/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    )
    answer = raw_request(cloud.port, data)
    assert answer.status == 400
    assert answer.body.count(b"HTTP/1.1") == 0  # the smuggled second request was not served
    conflicting = request_bytes("POST", "/", headers={"Content-Length": "5"}, body=b"abc")
    assert raw_request(cloud.port, conflicting).status == 400


def test_oversized_headers_are_431(cloud: LocalCloud) -> None:
    """Headers past 32 KiB in total (here 40 KiB in many small lines) get 431."""
    headers = {f"X-Pad-{i}": "a" * 1000 for i in range(40)}
    assert raw_request(cloud.port, request_bytes("GET", "/_harness/health", headers=headers)).status == 431


def test_slow_body_and_slow_head_are_cut_off(cloud: LocalCloud) -> None:
    """A body that never arrives, or a head that never ends, no longer holds a connection."""
    answer = raw_request(cloud.port, request_bytes("POST", "/", headers={"Content-Length": "100"}, content_length=False) + b"abc")
    assert answer.closed_after < 5
    answer = raw_request(cloud.port, b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    assert answer.closed_after < 5
    closed = held_connections_closed(
        cloud.port, 30, b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{", bound=6.0
    )
    assert closed == 30


# the local API -------------------------------------------------------------------------


def test_api_refuses_foreign_origins_and_serves_its_frontend(api: ApiServer) -> None:
    """The API answers its CORS origin (the dev frontend) and refuses any other with 403."""
    with httpx.Client(base_url=api.url, timeout=10) as client:
        refused = client.post("/echo", json={"a": 1}, headers={"Origin": EVIL})
        allowed = client.post("/echo", json={"a": 1}, headers={"Origin": ALLOWED_ORIGIN})
        rebound = client.get("/health", headers={"Host": "evil.example"})
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert rebound.status_code == 403


def _nested(depth: int) -> Any:
    value: Any = {}
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize("depth", [129, 1000, 100_000])
def test_api_deep_json_is_400_not_500(api: ApiServer, depth: int) -> None:
    """JSON nested past 128 levels is a 400 (it was a 500 from the WAF's RecursionError, and a reset connection)."""
    body = b'{"a":' * depth + b"1" + b"}" * depth
    answer = raw_request(api.port, request_bytes("POST", "/echo", headers={"Content-Type": "application/json"}, body=body))
    assert answer.status == 400
    assert b"nested deeper than 128" in answer.body


def test_api_json_within_the_limit_is_served(api: ApiServer) -> None:
    with httpx.Client(base_url=api.url, timeout=10) as client:
        response = client.post("/echo", json=_nested(100))
    assert response.status_code == 200


def test_api_framing_header_size_and_deadlines(api: ApiServer) -> None:
    """The same bounds as the cloud's edge: 400 for TE with CL, 431 for big heads, slow clients cut off."""
    smuggle = b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    assert raw_request(api.port, smuggle).status == 400
    headers = {f"X-Pad-{i}": "a" * 1000 for i in range(40)}
    assert raw_request(api.port, request_bytes("GET", "/health", headers=headers)).status == 431
    slow_body = raw_request(
        api.port, request_bytes("POST", "/echo", headers={"Content-Length": "100"}, content_length=False) + b"{"
    )
    assert slow_body.status == 408 and slow_body.closed_after < 5
    slow_head = raw_request(api.port, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    assert slow_head.status == 408 and slow_head.closed_after < 5
    closed = held_connections_closed(
        api.port, 30, b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{", bound=6.0
    )
    assert closed == 30


# the issuer ----------------------------------------------------------------------------


def test_issuer_refuses_foreign_origin_and_rebinding(tmp_path: Any) -> None:
    """The JWKS is public, but the issuer follows the same allow-list (and deadlines) as every local endpoint."""
    with LocalIssuer(tmp_path / "issuer") as issuer:
        port = issuer.port
        assert raw_request(port, request_bytes("GET", "/.well-known/jwks.json")).status == 200
        assert raw_request(port, request_bytes("GET", "/.well-known/jwks.json", headers={"Origin": EVIL})).status == 403
        assert raw_request(port, request_bytes("GET", "/.well-known/jwks.json", host="evil.example")).status == 403


@pytest.mark.parametrize("path", ["/", "/_harness/faults/lambda"])
def test_cloud_deep_json_is_400_not_500(cloud: LocalCloud, path: str) -> None:
    """AWS answers JSON it will not parse with 400 SerializationException; moto and the control API met
    5,000 levels with RecursionError (500, which SDKs retry)."""
    depth = 5000
    body = b'{"QueueName": "deep", "Attributes": ' + b'{"a":' * depth + b"1" + b"}" * depth + b"}"
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "AmazonSQS.CreateQueue",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/sqs/aws4_request",
    }
    answer = raw_request(cloud.port, request_bytes("POST", path, headers=headers, body=body))
    assert answer.status == 400
    assert b"nested deeper than 128" in answer.body


def _chunks(body: bytes, size: int = 4096) -> bytes:
    """``body`` as HTTP/1.1 chunked transfer coding (RFC 9112 section 7.1)."""
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


_SQS_JSON = {
    "Content-Type": "application/x-amz-json-1.0",
    "X-Amz-Target": "AmazonSQS.CreateQueue",
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/sqs/aws4_request",
    "Transfer-Encoding": "chunked",
}


@pytest.mark.parametrize("path", ["/", "/_harness/faults/lambda"])
def test_cloud_deep_json_sent_chunked_is_400_not_500(cloud: LocalCloud, path: str) -> None:
    """A body sent with Transfer-Encoding: chunked has no Content-Length; AWS still answers JSON it will
    not parse with 400 SerializationException, so the nesting check cannot rely on the length."""
    depth = 5000
    body = b'{"QueueName": "deep", "Attributes": ' + b'{"a":' * depth + b"1" + b"}" * depth + b"}"
    request = request_bytes("POST", path, headers=_SQS_JSON, body=_chunks(body), content_length=False)
    answer = raw_request(cloud.port, request)
    assert answer.status == 400, answer.head
    assert b"nested deeper than 128" in answer.body


def test_cloud_serves_a_chunked_json_request(cloud: LocalCloud) -> None:
    """AWS endpoints accept HTTP/1.1 chunked request bodies: reading one for the nesting check must
    pass it on whole (CreateQueue through a chunked body makes the queue)."""
    body = json.dumps({"QueueName": "chunked-queue"}).encode()
    answer = raw_request(cloud.port, request_bytes("POST", "/", headers=_SQS_JSON, body=_chunks(body, 7), content_length=False))
    assert answer.status == 200, answer.body
    assert b"chunked-queue" in answer.body


def test_dashboard_refuses_foreign_origin_and_rebinding(cloud: LocalCloud) -> None:
    """The dashboard's JSON (job traces, alarm states) is not for other origins or rebinding names."""
    from harness.alexkit.dashboard.data import DashboardSource
    from harness.alexkit.dashboard.server import DashboardServer

    with DashboardServer(DashboardSource(cloud.url), port=0) as dashboard:
        port = dashboard.port
        assert raw_request(port, request_bytes("GET", "/healthz")).status == 200
        assert raw_request(port, request_bytes("GET", "/healthz", headers={"Origin": EVIL})).status == 403
        assert raw_request(port, request_bytes("GET", "/healthz", host="evil.example")).status == 403
        navigation = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}  # a link to the dashboard
        assert raw_request(port, request_bytes("GET", "/", headers=navigation)).status == 200
        fetch = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}  # another page's <script src=...>
        assert raw_request(port, request_bytes("GET", "/api/state", headers=fetch)).status == 403


def test_waf_inspects_json_too_deep_to_parse_as_text() -> None:
    """On Lambda (no local server in front) the WAF meets 5,000 levels itself: it inspects the body as
    text, as AWS WAF does with JSON it cannot parse, instead of raising RecursionError (a 500)."""
    from alex.api.security.waf import inspect_request

    depth = 5000
    attack = b'{"a":' * depth + b"\"x' OR '1'='1\"" + b"}" * depth
    match = inspect_request("/api/jobs", "", attack, "application/json", body_limit=len(attack))
    assert match is not None and match.location == "BODY"
    assert inspect_request("/api/jobs", "", b"[" * depth + b"]" * depth, "application/json", body_limit=10**6) is None
