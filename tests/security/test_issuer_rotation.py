"""The local issuer as Clerk behaves: its JWKS over HTTP, key rotation with a grace period, and keys
shared through the state directory with another process (``alex-harness token``)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time

import httpx
import pytest

from harness.auth import IssuerStateError, KeyStore, LocalIssuer, mint_token_from_state
from tests.security.edge_support import FakeClock, bearer

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_jwks_and_discovery_are_served_over_http(issuer):
    """``/.well-known/jwks.json`` lists public RSA signing keys only; the discovery document names the
    issuer and the JWKS URL, as Clerk's Frontend API publishes them."""
    jwks = httpx.get(issuer.jwks_url).json()
    assert [key["kid"] for key in jwks["keys"]] == [issuer.active_kid]
    key = jwks["keys"][0]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key), "private parameters must never be published"
    discovery = httpx.get(issuer.url + "/.well-known/openid-configuration").json()
    assert discovery["issuer"] == issuer.issuer
    assert discovery["jwks_uri"] == issuer.jwks_url
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]


def test_api_env_points_the_api_at_the_issuer(issuer):
    """``issuer.api_env()`` gives the variables the API reads (as ``cloud.client_env()`` does for boto3)."""
    from alex.api.security import SecuritySettings

    settings = SecuritySettings.from_env(issuer.api_env())
    assert (settings.jwks_url, settings.issuer, settings.audience) == (issuer.jwks_url, issuer.issuer, ("alex-api",))


def test_minted_token_has_clerk_shaped_claims(issuer):
    """A session token carries iss, sub, aud, iat, nbf, exp and a session id (``sid``), and its kid in the header."""
    import jwt

    token = issuer.mint("user_alice", ttl=120, extra_claims={"azp": "http://localhost:3000"})
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "RS256" and header["kid"] == issuer.active_kid
    assert claims["iss"] == issuer.issuer and claims["sub"] == "user_alice" and claims["aud"] == "alex-api"
    assert claims["exp"] - claims["iat"] == 120 and claims["nbf"] == claims["iat"]
    assert claims["sid"].startswith("sess_") and claims["azp"] == "http://localhost:3000"


def test_old_key_still_verifies_during_grace_and_new_key_is_picked_up(make_edge, fresh_issuer):
    """Rotation as at Clerk: after ``rotate()`` new tokens carry the new kid (the API refetches the JWKS on
    the unknown kid at once) while tokens signed by the previous key keep verifying during the grace period."""
    edge = make_edge(token_issuer=fresh_issuer)
    old_kid = fresh_issuer.active_kid
    old_token = fresh_issuer.mint("user_alice")
    assert edge.client.get("/me", headers=bearer(old_token)).status_code == 200

    new_kid = fresh_issuer.rotate(grace_seconds=600)
    assert new_kid != old_kid
    assert set(fresh_issuer.published_kids) == {old_kid, new_kid}
    new_token = fresh_issuer.mint("user_bob")
    assert edge.client.get("/me", headers=bearer(new_token)).json() == {"user": "user_bob"}
    assert edge.client.get("/me", headers=bearer(old_token)).json() == {"user": "user_alice"}


def test_retired_key_is_rejected_after_the_grace_period(make_edge, tmp_path):
    """When the grace period ends the old key leaves the JWKS and its private key is deleted; once the
    API's JWKS cache refreshes, tokens it signed are refused (401) and new ones still pass."""
    issuer_clock = FakeClock(start=time.time())
    with LocalIssuer(tmp_path / "state", clock=issuer_clock) as rotating:
        edge = make_edge(token_issuer=rotating)
        old_kid = rotating.active_kid
        old_token = rotating.mint("user_alice")
        rotating.rotate(grace_seconds=60)
        new_token = rotating.mint("user_bob")
        assert edge.client.get("/me", headers=bearer(old_token)).status_code == 200

        issuer_clock.advance(61)
        assert rotating.published_kids == [rotating.active_kid]
        assert not (tmp_path / "state" / "issuer-keys" / f"{old_kid}.pem").exists()
        edge.clock.advance(edge.settings.jwks_cache_ttl_seconds + 1)
        response = edge.client.get("/me", headers=bearer(old_token))
        assert response.status_code == 401
        assert edge.client.get("/me", headers=bearer(new_token)).status_code == 200


def test_retire_ends_the_grace_period_at_once(fresh_issuer):
    """An operator who believes a key leaked retires it immediately; the signing key itself cannot be."""
    old_kid = fresh_issuer.active_kid
    fresh_issuer.rotate()
    fresh_issuer.retire(old_kid)
    assert fresh_issuer.published_kids == [fresh_issuer.active_kid]
    with pytest.raises(ValueError):
        fresh_issuer.retire(fresh_issuer.active_kid)


def test_token_minted_in_another_process_from_the_state_dir_verifies(edge, issuer):
    """``alex-harness token`` runs in its own process: ``mint_token_from_state(state_dir, sub)`` signs with
    the key the running issuer publishes, so the API accepts the token. Nothing secret is printed."""
    program = (
        "import sys\nfrom harness.auth import mint_token_from_state\nprint(mint_token_from_state(sys.argv[1], 'user_cli'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, str(issuer.state_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
        check=True,
    )
    token = done.stdout.strip()
    assert "PRIVATE KEY" not in done.stdout + done.stderr
    assert edge.client.get("/me", headers=bearer(token)).json() == {"user": "user_cli"}


def test_state_files_are_private(issuer):
    """Private keys and the key index are 0600 in a 0700 directory, and no key material is in the index."""
    state_dir = issuer.state_dir
    index = os.path.join(state_dir, "issuer.json")
    keys_dir = os.path.join(state_dir, "issuer-keys")
    assert stat.S_IMODE(os.stat(index).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(keys_dir).st_mode) == 0o700
    for name in os.listdir(keys_dir):
        assert stat.S_IMODE(os.stat(os.path.join(keys_dir, name)).st_mode) == 0o600
    with open(index) as handle:
        state = json.load(handle)
    assert "PRIVATE" not in json.dumps(state)
    assert [key["kid"] for key in state["keys"]] == [issuer.active_kid]
    assert "private_key" not in repr(issuer.keys) + repr(issuer.keys._keys[0])  # repr shows kids only


def test_minting_from_an_empty_state_dir_explains_itself(tmp_path):
    """No running issuer has written state: a ValueError the CLI can print, not a traceback."""
    with pytest.raises(IssuerStateError, match="no issuer state"):
        mint_token_from_state(tmp_path, "user_alice")


def test_state_readable_by_others_is_refused(tmp_path):
    """Like ssh with a world-readable key: issuer state others can read is not used."""
    KeyStore(tmp_path, issuer="http://127.0.0.1:1")
    os.chmod(tmp_path / "issuer.json", 0o644)
    with pytest.raises(IssuerStateError, match="accessible by others"):
        mint_token_from_state(tmp_path, "user_alice")


def test_issuer_serves_loopback_only(tmp_path):
    """Like the local cloud, the issuer never listens beyond loopback."""
    with pytest.raises(ValueError):
        LocalIssuer(tmp_path, host="0.0.0.0")
