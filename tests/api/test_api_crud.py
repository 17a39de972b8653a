"""Alex's API over real HTTP (uvicorn on loopback) against the deployed stack, with real JWTs: round trips."""

from __future__ import annotations

import re
from decimal import Decimal

import httpx

from harness.alexkit.pytest_plugin import AlexApi
from tests.api.api_support import add_position, create_account

ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")


def test_health_is_public_and_every_response_carries_a_request_id(api: AlexApi) -> None:
    """GET /health needs no token and answers {"status": "healthy"}; the caller's x-request-id is echoed,
    a missing or malformed one is replaced by a generated id, on errors (401) too."""
    anonymous = api.client()
    response = anonymous.get("/health")
    assert response.status_code == 200 and response.json()["status"] == "healthy"
    generated = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert anonymous.get("/health", headers={"x-request-id": "req-abc.123"}).headers["x-request-id"] == "req-abc.123"
    bad = anonymous.get("/health", headers={"x-request-id": "x" * 500})
    assert bad.headers["x-request-id"] != "x" * 500
    refused = anonymous.get("/api/user", headers={"x-request-id": "req-401"})
    assert refused.status_code == 401 and refused.headers["x-request-id"] == "req-401"


def test_every_api_route_needs_a_valid_token(api: AlexApi) -> None:
    """Without a token, with a garbage one, or with an expired one, each /api route answers 401
    (API Gateway's {"message": "Unauthorized"}), even when the body is also invalid."""
    zero = "00000000-0000-0000-0000-000000000000"
    routes = [
        ("GET", "/api/user", None),
        ("PUT", "/api/user", {"display_name": "x"}),
        ("GET", "/api/accounts", None),
        ("POST", "/api/accounts", {"account_name": "x"}),
        ("PUT", f"/api/accounts/{zero}", {}),
        ("DELETE", f"/api/accounts/{zero}", None),
        ("GET", f"/api/accounts/{zero}/positions", None),
        ("POST", "/api/positions", {"bad": 1}),
        ("PUT", f"/api/positions/{zero}", {"quantity": 1}),
        ("DELETE", f"/api/positions/{zero}", None),
        ("GET", "/api/instruments", None),
        ("POST", "/api/analyze", {}),
        ("GET", f"/api/jobs/{zero}", None),
        ("GET", "/api/jobs", None),
    ]
    expired = api.token("user_a", extra_claims={"exp": 1_000_000_000, "iat": 999_999_000, "nbf": 999_999_000})
    for headers in ({}, {"Authorization": "Bearer not.a.jwt"}, {"Authorization": f"Bearer {expired}"}):
        with httpx.Client(base_url=api.url, headers=headers, timeout=10) as client:
            for method, path, body in routes:
                response = client.request(method, path, json=body)
                assert response.status_code == 401, (method, path, headers.keys(), response.text)
                assert response.json() == {"message": "Unauthorized"}
    with httpx.Client(base_url=api.url, timeout=10) as client:
        bad_json = client.post("/api/accounts", content=b"{not json", headers={"content-type": "application/json"})
        assert bad_json.status_code == 401  # the authorizer runs before anything looks at the body


def test_user_is_created_on_first_call_named_from_the_token_and_updated(api: AlexApi) -> None:
    """GET /api/user creates the row on first call (display name from the token's name claim);
    PUT /api/user changes only the fields sent and returns the updated row."""
    client = api.client("user_ada", extra_claims={"name": "Ada Lovelace"})
    first = client.get("/api/user")
    assert first.status_code == 200, first.text
    row = first.json()
    assert row["clerk_user_id"] == "user_ada" and row["display_name"] == "Ada Lovelace"
    assert row["asset_class_targets"] == {"equity": 70, "fixed_income": 30}
    assert ISO_UTC.fullmatch(row["created_at"])
    assert client.get("/api/user").json()["created_at"] == row["created_at"]  # the same row, not a new one

    updated = client.put(
        "/api/user",
        json={
            "years_until_retirement": 25,
            "target_retirement_income": "85000.50",
            "region_targets": {"north_america": 60, "international": 40},
        },
    )
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert body["years_until_retirement"] == 25 and body["target_retirement_income"] == "85000.50"
    assert body["region_targets"] == {"north_america": 60, "international": 40}
    assert body["display_name"] == "Ada Lovelace"
    renamed = client.put("/api/user", json={"display_name": "  Countess  "}).json()
    assert renamed["display_name"] == "Countess" and renamed["years_until_retirement"] == 25


def test_account_create_list_update_delete_round_trip(api: AlexApi) -> None:
    """POST /api/accounts (201), GET lists it, PUT changes the given fields (money stays exact),
    DELETE removes it (then 404 on a second DELETE or PUT)."""
    client = api.client("user_acc")
    account = create_account(client, "Roth IRA", account_purpose="long-term growth", cash_balance="1234.56", cash_interest=0.045)
    assert account["account_name"] == "Roth IRA" and account["cash_balance"] == "1234.56"
    assert Decimal(account["cash_interest"]) == Decimal("0.045")
    assert [a["id"] for a in client.get("/api/accounts").json()] == [account["id"]]

    changed = client.put(f"/api/accounts/{account['id']}", json={"cash_balance": 99.99, "account_purpose": None})
    assert changed.status_code == 200, changed.text
    assert changed.json()["cash_balance"] == "99.99" and changed.json()["account_purpose"] is None
    assert changed.json()["account_name"] == "Roth IRA"

    deleted = client.delete(f"/api/accounts/{account['id']}")
    assert deleted.status_code == 200 and deleted.json() == {"deleted": True, "id": account["id"]}
    assert client.get("/api/accounts").json() == []
    assert client.delete(f"/api/accounts/{account['id']}").status_code == 404
    assert client.put(f"/api/accounts/{account['id']}", json={"account_name": "x"}).json() == {"detail": "Account not found"}


def test_positions_round_trip_and_unknown_symbols_get_placeholder_instruments(api: AlexApi) -> None:
    """POST /api/positions adds a holding (a second POST of the same symbol is 409 and changes nothing);
    an unknown symbol gets a placeholder instrument the tagger will classify; positions list with their
    instrument; PUT/DELETE by position id; GET /api/instruments lists and prefix-filters them."""
    client = api.client("user_pos")
    account = create_account(client)
    vti = add_position(client, account["id"], "VTI", "10.5")
    assert vti["symbol"] == "VTI" and Decimal(vti["quantity"]) == Decimal("10.5")
    again = client.post("/api/positions", json={"account_id": account["id"], "symbol": "VTI", "quantity": "12"})
    assert again.status_code == 409, again.text
    assert again.json()["position"]["id"] == vti["id"] and Decimal(again.json()["position"]["quantity"]) == Decimal("10.5")
    assert f"PUT /api/positions/{vti['id']}" in again.json()["detail"]
    patched = client.patch(f"/api/positions/{vti['id']}", json={"quantity": "12"})
    assert patched.status_code == 200 and Decimal(patched.json()["quantity"]) == 12
    add_position(client, account["id"], "BND", 0.00000001)

    listed = client.get(f"/api/accounts/{account['id']}/positions")
    assert listed.status_code == 200, listed.text
    positions = listed.json()["positions"]
    assert [p["symbol"] for p in positions] == ["BND", "VTI"]
    placeholder = positions[1]["instrument"]
    assert placeholder["symbol"] == "VTI" and placeholder["name"] == "VTI"
    assert placeholder["allocation_asset_class"] == {}  # not classified yet: the tagger's work

    instruments = client.get("/api/instruments").json()
    assert [i["symbol"] for i in instruments] == ["BND", "VTI"]
    assert [i["symbol"] for i in client.get("/api/instruments", params={"q": "vt"}).json()] == ["VTI"]
    assert client.get("/api/instruments", params={"q": "ZZZ"}).json() == []

    updated = client.put(f"/api/positions/{vti['id']}", json={"quantity": "3.25"})
    assert updated.status_code == 200 and Decimal(updated.json()["quantity"]) == Decimal("3.25")
    assert client.delete(f"/api/positions/{vti['id']}").status_code == 200
    assert client.delete(f"/api/positions/{vti['id']}").json() == {"detail": "Position not found"}
    remaining = client.get(f"/api/accounts/{account['id']}/positions").json()["positions"]
    assert [p["symbol"] for p in remaining] == ["BND"]

    client.delete(f"/api/accounts/{account['id']}")  # deleting the account takes its positions with it
    assert client.get(f"/api/accounts/{account['id']}/positions").status_code == 404


def test_there_is_no_public_instrument_write(api: AlexApi) -> None:
    """POST /api/instruments does not exist (405): instruments are shared by every user and reach every
    user's prompts, so only the tagger writes them."""
    client = api.client("user_x")
    response = client.post("/api/instruments", json={"symbol": "EVIL", "name": "x"})
    assert response.status_code == 405
