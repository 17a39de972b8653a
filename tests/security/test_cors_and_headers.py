"""CORS as API Gateway's CORS configuration answers it (strictly), and security headers on every response."""

from __future__ import annotations

import pytest
from alex.api.security import SecuritySettings

from tests.security.edge_support import ALLOWED_ORIGIN, bearer

EVIL_ORIGIN = "https://evil.example"
REQUIRED_ENV = {
    "CLERK_JWKS_URL": "https://clerk.example.com/.well-known/jwks.json",
    "CLERK_ISSUER": "https://clerk.example.com",
    "JWT_AUDIENCE": "alex-api",
}


def cors_headers(response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


def test_allowed_origin_is_echoed_with_credentials(edge, issuer):
    """An allowed origin is echoed exactly (never ``*``) with ``Allow-Credentials: true`` and ``Vary: Origin``,
    so a shared cache never serves one origin's answer to another."""
    response = edge.client.get("/me", headers={"Origin": ALLOWED_ORIGIN, **bearer(issuer.mint("user_alice"))})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "Origin" in response.headers["vary"]


def test_allowed_origin_can_read_errors_and_retry_after(edge):
    """A 401 to the browser app carries the CORS headers too (else the app sees an opaque network error),
    and Retry-After is exposed for the 429 back-off."""
    response = edge.client.get("/me", headers={"Origin": ALLOWED_ORIGIN})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "Retry-After" in response.headers["access-control-expose-headers"]


def test_disallowed_origin_gets_no_cors_header(edge, issuer):
    """An origin not on the list gets no ``Access-Control-*`` header at all: the browser blocks the read."""
    response = edge.client.get("/me", headers={"Origin": EVIL_ORIGIN, **bearer(issuer.mint("user_alice"))})
    assert cors_headers(response) == {}
    assert "Origin" in response.headers["vary"]


def test_preflight_from_allowed_origin(edge):
    """Preflight (OPTIONS with Access-Control-Request-Method) is answered at the edge with the allowed
    methods and headers and a max-age, without a token and without reaching the route."""
    response = edge.client.options(
        "/me",
        headers={
            "Origin": ALLOWED_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "Authorization" in response.headers["access-control-allow-headers"]
    assert response.headers["access-control-max-age"] == "600"


def test_preflight_from_disallowed_origin_reveals_nothing(edge):
    """A refused preflight carries no CORS header (not even the allowed methods), so the browser refuses."""
    response = edge.client.options("/me", headers={"Origin": EVIL_ORIGIN, "Access-Control-Request-Method": "GET"})
    assert response.status_code == 400
    assert cors_headers(response) == {}


def test_preflight_for_a_method_not_allowed(edge):
    """A preflight asking for a method outside the list is refused."""
    response = edge.client.options("/me", headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "TRACE"})
    assert response.status_code == 400


def test_wildcard_with_credentials_is_refused_at_settings_load():
    """``CORS_ORIGINS=*`` with credentials would let any site act as the signed-in user: the settings do not load."""
    with pytest.raises(ValueError, match="credentials"):
        SecuritySettings.from_env({**REQUIRED_ENV, "CORS_ORIGINS": "*"})


def test_wildcard_without_credentials_answers_star_and_no_credentials(make_edge):
    """``*`` is allowed only with credentials off; then the answer is ``*`` and never Allow-Credentials."""
    edge = make_edge(cors_origins=("*",), cors_allow_credentials=False)
    response = edge.client.get("/health", headers={"Origin": EVIL_ORIGIN})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


def test_settings_are_read_from_the_environment():
    """The API reads its edge settings from environment variables, as the Lambda's configuration sets them."""
    settings = SecuritySettings.from_env(
        {
            **REQUIRED_ENV,
            "JWT_AUDIENCE": "alex-api, alex-admin",
            "CORS_ORIGINS": "https://alex.example.com/, http://localhost:3000",
            "THROTTLE_RATE_LIMIT": "50",
            "THROTTLE_BURST_LIMIT": "100",
            "WAF_IP_RATE_LIMIT": "500",
            "WAF_IP_RATE_WINDOW_SECONDS": "60",
            "JWT_LEEWAY_SECONDS": "10",
        }
    )
    assert settings.audience == ("alex-api", "alex-admin")
    assert settings.cors_origins == ("https://alex.example.com", "http://localhost:3000")
    assert (settings.throttle_rate_limit, settings.throttle_burst_limit) == (50.0, 100)
    assert (settings.waf_ip_rate_limit, settings.waf_ip_rate_window_seconds) == (500, 60)
    assert settings.jwt_leeway_seconds == 10.0


@pytest.mark.parametrize(
    "env, message",
    [
        ({}, "missing required environment variables"),
        ({**REQUIRED_ENV, "JWT_LEEWAY_SECONDS": "3600"}, "jwt_leeway_seconds"),
        ({**REQUIRED_ENV, "CLERK_JWKS_URL": "http://clerk.example.com/jwks"}, "https"),
        ({**REQUIRED_ENV, "WAF_IP_RATE_WINDOW_SECONDS": "30"}, "one of"),
        ({**REQUIRED_ENV, "WAF_IP_RATE_LIMIT": "5"}, "at least 10"),
        ({**REQUIRED_ENV, "CORS_ORIGINS": "https://alex.example.com/app"}, "scheme://host"),
    ],
)
def test_unsafe_settings_do_not_load(env, message):
    """Settings that would weaken the edge stop the cold start instead (values as AWS WAF accepts them)."""
    with pytest.raises(ValueError, match=message):
        SecuritySettings.from_env(env)


# security headers ---------------------------------------------------------------------------
EXPECTED_HEADERS = {
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def assert_security_headers(response) -> None:
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, name
    assert "camera=()" in response.headers["permissions-policy"]


def test_security_headers_on_200(edge):
    """A public 200 carries every security header."""
    response = edge.client.get("/health")
    assert response.status_code == 200
    assert_security_headers(response)


def test_security_headers_on_401(edge):
    """An authorizer refusal carries them too."""
    response = edge.client.get("/me", headers=bearer("garbage"))
    assert response.status_code == 401
    assert_security_headers(response)
    assert response.headers["cache-control"] == "no-store"


def test_security_headers_on_404(edge):
    """A route that does not exist: 404 with the headers."""
    response = edge.client.get("/no/such/route")
    assert response.status_code == 404
    assert_security_headers(response)


def test_security_headers_on_429(make_edge, issuer):
    """A throttled request: 429 with the headers."""
    edge = make_edge(throttle_rate_limit=1, throttle_burst_limit=1)
    alice = bearer(issuer.mint("user_alice"))
    edge.client.get("/me", headers=alice)
    response = edge.client.get("/me", headers=alice)
    assert response.status_code == 429
    assert_security_headers(response)


def test_security_headers_on_403_from_waf(edge):
    """A WAF block: 403 with the headers."""
    response = edge.client.get("/search", params={"q": "' OR '1'='1"})
    assert response.status_code == 403
    assert_security_headers(response)


def test_security_headers_on_500_and_no_internals(edge):
    """A route that raises: 500 ``{"message":"Internal server error"}`` (API Gateway's body), with the
    headers, and no traceback or exception text."""
    response = edge.client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"message": "Internal server error"}
    assert "a bug in a route" not in response.text
    assert_security_headers(response)


def test_authenticated_responses_are_not_stored(edge, issuer):
    """One user's data must not sit in a cache: a credentialed response is ``Cache-Control: no-store``;
    a public one keeps the app's choice."""
    response = edge.client.get("/me", headers=bearer(issuer.mint("user_alice")))
    assert response.headers["cache-control"] == "no-store"
    assert "cache-control" not in edge.client.get("/health").headers


def test_security_headers_on_preflight(edge):
    """Even the preflight answer carries them."""
    response = edge.client.options("/me", headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "GET"})
    assert_security_headers(response)
