"""Bearer tokens at the edge, through HTTP: what API Gateway's JWT authorizer accepts and refuses for a Clerk token."""

from __future__ import annotations

import time

import pytest

from tests.security.edge_support import (
    bearer,
    hs256_with_public_key,
    signed_by_stranger,
    standard_claims,
    swap_payload,
    tamper_signature,
    unsigned_token,
    with_kid,
)

UNAUTHORIZED = {"message": "Unauthorized"}


def assert_invalid_token(response, description: str | None = None) -> None:
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert 'error="invalid_token"' in challenge
    if description is not None:
        assert f'error_description="{description}"' in challenge


def test_valid_token_is_accepted_and_names_the_user(edge, issuer):
    """Clerk session token (RS256, kid in the JWKS, right iss/aud, in date): the authorizer lets it
    through and the route sees its ``sub``, as API Gateway passes the verified claims to Lambda."""
    response = edge.client.get("/me", headers=bearer(issuer.mint("user_alice")))
    assert response.status_code == 200
    assert response.json() == {"user": "user_alice"}


def test_user_owned_resource_is_served_to_its_owner_only(edge, issuer):
    """The verified ``sub`` (not a path parameter) decides whose data is served: the owner gets the
    portfolio, another signed-in user gets 404, as if it did not exist."""
    alice = bearer(issuer.mint("user_alice"))
    assert edge.client.get("/users/user_alice/portfolio", headers=alice).json()["owner"] == "user_alice"
    response = edge.client.get("/users/user_bob/portfolio", headers=alice)
    assert response.status_code == 404


def test_missing_authorization_header_is_401_with_a_bare_bearer_challenge(edge):
    """No Authorization header: 401 ``{"message":"Unauthorized"}``; the challenge carries no error code
    (RFC 6750 section 3.1: a request without credentials gets none)."""
    response = edge.client.get("/me")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response.headers["www-authenticate"] == 'Bearer realm="alex"'


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Token abc.def.ghi"])
def test_other_schemes_and_empty_bearer_are_missing_credentials(edge, header):
    """API Gateway's authorizer reads only ``Bearer <token>``: another scheme or an empty token is no token."""
    response = edge.client.get("/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert "error=" not in response.headers["www-authenticate"]


@pytest.mark.parametrize(
    "garbage",
    ["abc", "a.b.c", "x" * 9000, "eyJhbGciOiJSUzI1NiJ9..", "Bearer.token.here"],
    ids=["word", "three-dots", "9000-chars", "empty-parts", "words-dotted"],
)
def test_garbled_token_is_401_invalid_token(edge, garbage):
    """A token that is not a JWS compact serialisation: 401 invalid_token, never a 500."""
    assert_invalid_token(edge.client.get("/me", headers=bearer(garbage)), "the token is malformed")


def test_expired_token_is_refused(edge, issuer):
    """``exp`` in the past (beyond the clock-skew leeway): 401 "the token has expired"."""
    token = issuer.mint(
        "user_alice", extra_claims={"exp": int(time.time()) - 60, "iat": int(time.time()) - 120, "nbf": int(time.time()) - 120}
    )
    assert_invalid_token(edge.client.get("/me", headers=bearer(token)), "the token has expired")


def test_expiry_within_leeway_is_tolerated(edge, issuer):
    """Clock skew: a token that expired 2 s ago still passes with the default 5 s leeway (Clerk's clockSkewInMs)."""
    now = int(time.time())
    token = issuer.mint("user_alice", extra_claims={"exp": now - 2, "iat": now - 60, "nbf": now - 60})
    assert edge.client.get("/me", headers=bearer(token)).status_code == 200


def test_zero_leeway_refuses_the_same_token(make_edge, issuer):
    """Leeway is configurable: with 0 s, the token that expired 2 s ago is refused."""
    edge = make_edge(jwt_leeway_seconds=0)
    now = int(time.time())
    token = issuer.mint("user_alice", extra_claims={"exp": now - 2, "iat": now - 60, "nbf": now - 60})
    assert_invalid_token(edge.client.get("/me", headers=bearer(token)), "the token has expired")


def test_not_before_in_the_future_is_refused(edge, issuer):
    """``nbf`` a minute ahead: 401 "the token is not valid yet"."""
    token = issuer.mint("user_alice", extra_claims={"nbf": int(time.time()) + 60})
    assert_invalid_token(edge.client.get("/me", headers=bearer(token)), "the token is not valid yet")


def test_wrong_issuer_is_refused(edge, issuer):
    """``iss`` of another Clerk instance, signed with a trusted key all the same: 401 invalid issuer."""
    token = issuer.mint("user_alice", extra_claims={"iss": "https://evil.clerk.accounts.dev"})
    assert_invalid_token(edge.client.get("/me", headers=bearer(token)), "the token does not have a valid issuer")


def test_wrong_audience_is_refused(edge, issuer):
    """``aud`` for another API: 401 "the token does not have a valid audience" (API Gateway's own wording)."""
    token = issuer.mint("user_alice", audience="another-api")
    assert_invalid_token(edge.client.get("/me", headers=bearer(token)), "the token does not have a valid audience")


def test_missing_audience_is_refused(edge, issuer):
    """API Gateway's JWT authorizer requires ``aud`` to match a configured audience; none is no match."""
    claims = standard_claims(issuer)
    del claims["aud"]
    assert_invalid_token(edge.client.get("/me", headers=bearer(issuer.sign_claims(claims))))


def test_missing_sub_is_refused(edge, issuer):
    """A token naming no user (no ``sub``) authenticates nobody: 401."""
    claims = standard_claims(issuer)
    del claims["sub"]
    assert_invalid_token(edge.client.get("/me", headers=bearer(issuer.sign_claims(claims))), "the token lacks a required claim")


def test_alg_none_is_refused(edge, issuer):
    """``alg: none`` (no signature): refused before any key is looked up."""
    token = unsigned_token(issuer, standard_claims(issuer))
    assert_invalid_token(edge.client.get("/me", headers=bearer(token)), "the token signing algorithm is not allowed")


def test_hs256_signed_with_the_public_key_is_refused(edge, issuer):
    """Algorithm confusion: HS256 with the published RSA public key as the HMAC secret. Only RS256 is accepted."""
    token = hs256_with_public_key(issuer, standard_claims(issuer))
    assert_invalid_token(edge.client.get("/me", headers=bearer(token)), "the token signing algorithm is not allowed")


def test_unknown_kid_is_refused(edge):
    """RS256 by a key the issuer never published (its kid is not in the JWKS): 401."""
    token = signed_by_stranger({"sub": "user_alice"})
    assert_invalid_token(edge.client.get("/me", headers=bearer(token)), "the token signature could not be verified")


def test_stranger_key_claiming_a_published_kid_is_refused(edge, issuer):
    """A forger who copies the real kid into the header still cannot produce the signature."""
    token = signed_by_stranger(standard_claims(issuer), kid=issuer.active_kid)
    assert_invalid_token(edge.client.get("/me", headers=bearer(token)), "the token signature could not be verified")


def test_tampered_signature_is_refused(edge, issuer):
    """One bit of the signature flipped: 401."""
    token = tamper_signature(issuer.mint("user_alice"))
    assert_invalid_token(edge.client.get("/me", headers=bearer(token)))


def test_tampered_claims_are_refused(edge, issuer):
    """Claims swapped for another user's under the original signature: 401, and no data of either user."""
    token = swap_payload(issuer.mint("user_alice"), standard_claims(issuer, sub="user_bob"))
    response = edge.client.get("/users/user_bob/portfolio", headers=bearer(token))
    assert_invalid_token(response)
    assert "holdings" not in response.text


def test_refusals_leak_nothing_internal(edge, issuer):
    """The 401 body is API Gateway's fixed ``{"message":"Unauthorized"}``: no library message, kid, or claim."""
    token = issuer.mint("user_alice", extra_claims={"iss": "https://secret-internal-issuer.example"})
    response = edge.client.get("/me", headers=bearer(token))
    assert response.json() == UNAUTHORIZED
    assert "secret-internal" not in response.text + str(response.headers)
    assert issuer.active_kid not in response.text + str(response.headers)


def test_jwks_is_cached_between_requests(edge, issuer):
    """The JWKS is fetched once and cached (TTL 300 s by default), not once per request."""
    before = issuer.requests_for()
    token = bearer(issuer.mint("user_alice"))
    for _ in range(20):
        assert edge.client.get("/me", headers=token).status_code == 200
    assert issuer.requests_for() - before == 1


def test_jwks_is_refetched_after_its_ttl(edge, issuer):
    """Past the cache TTL the next verification fetches the JWKS again (picking up key changes)."""
    token = bearer(issuer.mint("user_alice"))
    edge.client.get("/me", headers=token)
    before = issuer.requests_for()
    edge.clock.advance(edge.settings.jwks_cache_ttl_seconds + 1)
    assert edge.client.get("/me", headers=token).status_code == 200
    assert issuer.requests_for() - before == 1


def test_a_flood_of_random_kids_cannot_hammer_the_jwks(edge, issuer):
    """Unknown kids force a refetch at most once per interval (30 s by default): 50 tokens with random kids
    cost the issuer one extra request, and the next interval allows one more."""
    edge.client.get("/me", headers=bearer(issuer.mint("user_alice")))  # warm the cache
    forged = signed_by_stranger(standard_claims(issuer))
    before = issuer.requests_for()
    for n in range(50):
        response = edge.client.get("/me", headers=bearer(with_kid(forged, f"random-kid-{n}")))
        assert response.status_code == 401
    assert issuer.requests_for() - before == 1
    edge.clock.advance(edge.settings.jwks_refetch_min_interval_seconds)
    assert edge.client.get("/me", headers=bearer(with_kid(forged, "yet-another-kid"))).status_code == 401
    assert issuer.requests_for() - before == 2
