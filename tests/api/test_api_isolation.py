"""Cross-user isolation: the user id comes only from the verified token, so another user's rows are 404."""

from __future__ import annotations

from harness.alexkit.pytest_plugin import AlexApi
from tests.api.api_support import add_position, create_account


def test_user_b_cannot_read_update_or_delete_user_a_accounts_and_positions(api: AlexApi) -> None:
    """B gets 404 for every account and position route naming A's ids (indistinguishable from ids that do
    not exist), cannot add a position to A's account, and A's data is unchanged afterwards."""
    alice, bob = api.client("user_alice"), api.client("user_bob")
    account = create_account(alice, "Alice's brokerage", cash_balance="500.00")
    position = add_position(alice, account["id"], "VTI", 10)
    bob_account = create_account(bob, "Bob's")

    for method, path, body in [
        ("PUT", f"/api/accounts/{account['id']}", {"account_name": "mine now"}),
        ("DELETE", f"/api/accounts/{account['id']}", None),
        ("GET", f"/api/accounts/{account['id']}/positions", None),
        ("PUT", f"/api/positions/{position['id']}", {"quantity": 999}),
        ("DELETE", f"/api/positions/{position['id']}", None),
        ("POST", "/api/positions", {"account_id": account["id"], "symbol": "SPY", "quantity": 1}),
    ]:
        response = bob.request(method, path, json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["detail"] in ("Account not found", "Position not found")

    # The user id in a body or a path is never the one used: only the token's sub is.
    sneaky = bob.post("/api/accounts", json={"account_name": "x", "clerk_user_id": "user_alice"})
    assert sneaky.status_code == 422
    assert [a["id"] for a in bob.get("/api/accounts").json()] == [bob_account["id"]]
    assert bob.get(f"/api/accounts/{bob_account['id']}/positions").json() == {"positions": []}

    assert alice.get("/api/accounts").json() == [account]
    [held] = alice.get(f"/api/accounts/{account['id']}/positions").json()["positions"]
    assert held["id"] == position["id"] and float(held["quantity"]) == 10
    assert alice.get("/api/instruments", params={"q": "SPY"}).json() == []  # B's refused add created nothing
    assert bob.get("/api/user").json()["clerk_user_id"] == "user_bob"


def test_jobs_of_another_user_are_404_and_job_lists_never_leak(api: AlexApi) -> None:
    """A's job is 404 for B (not 403), B's job list holds only B's jobs, and filters stay within the user."""
    alice, bob = api.client("user_alice"), api.client("user_bob")
    job_a = alice.post("/api/analyze", json={"analysis_type": "portfolio"})
    assert job_a.status_code == 202, job_a.text
    job_id = job_a.json()["job_id"]
    assert bob.get(f"/api/jobs/{job_id}").status_code == 404
    assert bob.get(f"/api/jobs/{job_id}").json() == {"detail": "Job not found"}
    assert bob.get("/api/jobs").json() == {"jobs": []}
    assert bob.get("/api/jobs", params={"status": "pending"}).json() == {"jobs": []}
    job_b = bob.post("/api/analyze").json()["job_id"]
    assert [j["id"] for j in bob.get("/api/jobs").json()["jobs"]] == [job_b]
    assert [j["id"] for j in alice.get("/api/jobs").json()["jobs"]] == [job_id]
    assert alice.get(f"/api/jobs/{job_id}").json()["clerk_user_id"] == "user_alice"
