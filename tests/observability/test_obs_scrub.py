"""scrub(): secrets redacted by key name and by shape, everything else left alone."""

from __future__ import annotations

import pytest

from alex.observability.scrub import REDACTED, is_sensitive_key, scrub, scrub_text

AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n4lgOEePzNm0tRgeLezV6ffAt0gunVTLw\n-----END RSA PRIVATE KEY-----"


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "Password",
        "db_password",
        "passwd",
        "client_secret",
        "SecretString",
        "token",
        "access_token",
        "authToken",
        "Authorization",
        "api_key",
        "apiKey",
        "x-api-key",
        "APIKEY",
        "credentials",
        "Credential",
        "private_key",
        "privateKey",
        "session_token",
        "X-Amz-Security-Token",
        "cookie",
        "Set-Cookie",
        "aws_secret_access_key",
    ],
)
def test_sensitive_keys(key: str) -> None:
    assert is_sensitive_key(key)
    assert scrub({key: "s3cr3t-value"}) == {key: REDACTED}


@pytest.mark.parametrize(
    "key",
    [
        "input_tokens",
        "output_tokens",
        "gen_ai.usage.input_tokens",
        "max_tokens",
        "job_id",
        "agent",
        "message",
        "passenger",
        "author",
        "keyboard",
        "aws_access_key_id",
    ],
)
def test_ordinary_keys_kept(key: str) -> None:
    assert not is_sensitive_key(key)
    assert scrub({key: 12}) == {key: 12}


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"using key {AWS_KEY_ID} now", AWS_KEY_ID),
        ("temporary ASIAY34FZKBOKMUTVV7A creds", "ASIAY34FZKBOKMUTVV7A"),
        (f"aws_secret_access_key={AWS_SECRET}", AWS_SECRET),
        (f'{{"SecretAccessKey": "{AWS_SECRET}"}}', AWS_SECRET),
        (f"AWS_SECRET_ACCESS_KEY: {AWS_SECRET}", AWS_SECRET),
        (f"token is {JWT}.", JWT),
        ("Authorization: Bearer abc.def-123_XYZ", "abc.def-123_XYZ"),
        ("curl -H 'Authorization: Basic dXNlcjpwYXNz'", "dXNlcjpwYXNz"),
        (
            "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024",
            "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024",
        ),
        (
            "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20250101&X-Amz-Signature=abcdef0123456789"
            "&X-Amz-Security-Token=FQoGZXIvYXdzEBYaDK",
            "FQoGZXIvYXdzEBYaDK",
        ),
        (f"key file:\n{PEM}\nend", "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo"),
        ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC (truncated", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
        ("connect postgres://alex:hunter2pw@db.local:5432/alex failed", "hunter2pw"),
        ("postgresql+psycopg://u:p%40ss@h/db", "p%40ss"),
        ("password=hunter2 user=bob", "hunter2"),
        ("payload {'api_key': 'zz-top-secret', 'n': 1}", "zz-top-secret"),
        ('{"password": "with \\"escaped\\" quote"}', "escaped"),
    ],
)
def test_secrets_in_text_redacted(text: str, secret: str) -> None:
    cleaned = scrub_text(text)
    assert secret not in cleaned
    assert "[REDACTED" in cleaned


def test_ordinary_text_unchanged() -> None:
    for text in [
        "input_tokens=12 output_tokens=7 max_tokens: 100",
        "job 5f0c4e1e-2b7a-4c1e-9a55-1234567890ab done",
        "https://example.com/path?q=1",
        "AKIA is a prefix",
        "the Signature of the contract",
        "",
    ]:
        assert scrub_text(text) == text


def test_recursive_structures() -> None:
    value = {
        "user": "bob",
        "nested": [{"password": "pw1", "note": f"key {AWS_KEY_ID}"}, (f"Bearer {JWT}", 3)],
        "headers": {"Cookie": "sid=1", "Accept": "json"},
        "count": 5,
        "ok": True,
        "none": None,
        "credentials": {"AccessKeyId": AWS_KEY_ID},
    }
    cleaned = scrub(value)
    text = repr(cleaned)
    for secret in ("pw1", AWS_KEY_ID, JWT, "sid=1"):
        assert secret not in text
    assert cleaned["user"] == "bob" and cleaned["count"] == 5 and cleaned["ok"] is True and cleaned["none"] is None
    assert cleaned["headers"]["Accept"] == "json"
    assert cleaned["credentials"] == REDACTED
    assert value["nested"][0]["password"] == "pw1"  # the input is not modified


def test_self_referencing_structure_terminates() -> None:
    value: dict[str, object] = {"a": 1}
    value["self"] = value
    scrub(value)  # no RecursionError
