"""Nothing secret is ever written to a cassette.

Request headers that carry or derive from credentials (the SigV4 ``Authorization``,
``X-Amz-Date``, ``X-Amz-Security-Token``, ``X-Amz-Content-Sha256``, SDK invocation ids)
are dropped, and every remaining header value and both bodies go through the same
scrubber as Alex's logs (AWS keys, JWTs, bearer tokens, SigV4 signatures, PEM keys,
passwords in URLs, secret-named JSON fields).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from harness.redaction import is_sensitive_key, scrub, scrub_text

from harness.cassettes.matching import model_operation

DROPPED_REQUEST_HEADERS = frozenset(
    {
        "authorization",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-content-sha256",
        "amz-sdk-invocation-id",
        "amz-sdk-request",
        "x-amz-user-agent",
        "cookie",
    }
)
DROPPED_RESPONSE_HEADERS = frozenset({"set-cookie", "x-amzn-requestid", "date", "server"})


_KEY = re.compile(r'\\*"([A-Za-z0-9_.\-]{1,64})\\*"\s*:')


@lru_cache(maxsize=256)
def _scrub_body(body: Any) -> Any:
    """The body with secrets redacted. vcrpy filters every request it plays back too (twice a
    call), so the common case is fast: when no key is secret-named and the text-level
    scrubber changes nothing, the body is returned as it is, without a JSON walk."""
    if body is None:
        return body
    raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    if scrub_text(raw) == raw and not any(is_sensitive_key(k) for k in set(_KEY.findall(raw))):
        return body
    try:
        cleaned = json.dumps(scrub(json.loads(raw)), ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        cleaned = scrub_text(raw)
    if cleaned == raw:
        return body
    return cleaned.encode() if isinstance(body, bytes) else cleaned


def model_calls_only(request: Any) -> Any:
    """vcrpy ``before_record_request`` for replay: model calls only (None lets every other
    call, such as the Data API's, through unplayed)."""
    return request if model_operation(request.path) is not None else None


def scrub_request(request: Any) -> Any:
    """vcrpy ``before_record_request`` for recording: model calls only, without credentials."""
    if model_calls_only(request) is None:
        return None
    for name in list(request.headers):
        if name.lower() in DROPPED_REQUEST_HEADERS or is_sensitive_key(name):
            del request.headers[name]
        else:
            request.headers[name] = scrub_text(str(request.headers[name]))
    request.body = _scrub_body(request.body)
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """vcrpy ``before_record_response``."""
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in DROPPED_RESPONSE_HEADERS or is_sensitive_key(name):
            del headers[name]
        else:
            headers[name] = [scrub_text(str(v)) for v in headers[name]]
    body = response.get("body", {})
    if isinstance(body, dict) and "string" in body:
        body["string"] = _scrub_body(body["string"])
    return response
