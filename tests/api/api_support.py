"""Helpers for the API tests: short ways to create accounts and positions, and to check error bodies."""

from __future__ import annotations

from typing import Any

import httpx


def create_account(client: httpx.Client, name: str = "Retirement 401k", **fields: Any) -> dict[str, Any]:
    response = client.post("/api/accounts", json={"account_name": name, **fields})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def add_position(client: httpx.Client, account_id: str, symbol: str, quantity: Any) -> dict[str, Any]:
    response = client.post("/api/positions", json={"account_id": account_id, "symbol": symbol, "quantity": quantity})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def error_fields(response: httpx.Response) -> list[str]:
    """The last element of each validation error's ``loc`` (the field that was refused)."""
    detail = response.json()["detail"]
    assert isinstance(detail, list), detail
    return [str(error["loc"][-1]) for error in detail]


def assert_clear_4xx(response: httpx.Response, status: int | None = None) -> None:
    """A 4xx with a JSON ``detail`` (never a 500, never an HTML page)."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:500])
    if status is not None:
        assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("application/json")
    assert "detail" in response.json(), response.text[:500]
