"""The API on Lambda: Mangum turns API Gateway HTTP API (payload v2) events into requests to the same app."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest

from alex.api import lambda_handler as api_lambda
from harness.alexkit.pytest_plugin import AlexApi


def http_api_event(
    method: str, path: str, *, token: str | None = None, body: Any = None, query: str = "", request_id: str = "JKJaXmPLvHcESHA="
) -> dict[str, Any]:
    """An API Gateway HTTP API (v2.0 payload) event as AWS delivers it to a $default route integration."""
    headers = {
        "accept": "application/json",
        "content-type": "application/json",
        "host": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
        "user-agent": "Mozilla/5.0",
        "x-amzn-trace-id": "Root=1-6566b3f1-0123456789abcdef01234567",
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }
    if token:
        headers["authorization"] = f"Bearer {token}"
    raw = "" if body is None else json.dumps(body)
    if body is not None:
        headers["content-length"] = str(len(raw.encode()))
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5",
            "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "a1b2c3d4e5",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "Mozilla/5.0",
            },
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "body": raw or None,
        "isBase64Encoded": False,
    }


class FakeContext:
    function_name = "alex-api"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:alex-api"
    memory_limit_in_mb = 512
    aws_request_id = "9f0c5a4e-7b1d-4c3e-8a2f-6d5e4c3b2a10"
    log_group_name = "/aws/lambda/alex-api"
    log_stream_name = "2026/01/01/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def _body(response: dict[str, Any]) -> Any:
    raw = response["body"]
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    return json.loads(raw)


@pytest.fixture
def lambda_env(api: AlexApi, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The variables an API function gets on AWS: database, queue, Clerk (here the local issuer)."""
    env = {k: v for k, v in api.env.items() if not k.startswith("AWS_")} | api.issuer.api_env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    api_lambda.reset()
    yield env
    api_lambda.reset()


def test_lambda_handler_answers_api_gateway_v2_events(api: AlexApi, lambda_env: dict[str, str], jobs_queue) -> None:
    """lambda_handler(event, context) with HTTP API v2 events: 401 without a token, the user's rows with one,
    a 201 create and a 202 analyze whose job carries API Gateway's requestId; JSON bodies and headers as
    API Gateway expects ({"statusCode", "headers", "body"}); the app is built once (cold start) and reused."""
    token = api.token("user_lambda")
    refused = api_lambda.lambda_handler(http_api_event("GET", "/api/accounts"), FakeContext())
    assert refused["statusCode"] == 401 and _body(refused) == {"message": "Unauthorized"}
    assert refused["headers"]["x-request-id"] == "JKJaXmPLvHcESHA="  # API Gateway's id when none was sent
    built = api_lambda.get_handler()

    created = api_lambda.lambda_handler(
        http_api_event("POST", "/api/accounts", token=token, body={"account_name": "Lambda ISA", "cash_balance": "10.00"}),
        FakeContext(),
    )
    assert created["statusCode"] == 201, created
    assert _body(created)["account_name"] == "Lambda ISA" and _body(created)["cash_balance"] == "10.00"
    listed = api_lambda.lambda_handler(http_api_event("GET", "/api/accounts", token=token), FakeContext())
    assert [a["id"] for a in _body(listed)] == [_body(created)["id"]]
    assert listed["headers"]["content-type"] == "application/json"
    assert listed["headers"]["cache-control"] == "no-store"  # credentialed answers are never cached

    analyzed = api_lambda.lambda_handler(
        http_api_event("POST", "/api/analyze", token=token, body={}, request_id="Tq1xYgWmIAMEV9Q="), FakeContext()
    )
    assert analyzed["statusCode"] == 202, analyzed
    job_id = _body(analyzed)["job_id"]
    job = _body(api_lambda.lambda_handler(http_api_event("GET", f"/api/jobs/{job_id}", token=token), FakeContext()))
    assert job["request_id"] == "Tq1xYgWmIAMEV9Q=" and job["status"] == "pending"
    assert jobs_queue(expected=1) == [{"job_id": job_id}]

    bad = api_lambda.lambda_handler(
        http_api_event("POST", "/api/positions", token=token, body={"account_id": "x", "symbol": "abc1", "quantity": 0}),
        FakeContext(),
    )
    assert bad["statusCode"] == 422 and {e["loc"][-1] for e in _body(bad)["detail"]} == {"account_id", "symbol", "quantity"}
    assert api_lambda.get_handler() is built
