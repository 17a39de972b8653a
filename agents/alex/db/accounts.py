"""Accounts and their positions, always scoped to the signed-in user.

Every query names the owner in its WHERE clause, so another user's id simply finds
nothing: the API answers 404 without ever learning whether the row exists.
"""

from __future__ import annotations

import builtins
from decimal import Decimal
from typing import Any

from alex.db.client import DataApiClient, Row

_ACCOUNT_FIELDS = ("account_name", "account_purpose", "cash_balance", "cash_interest")


class Accounts:
    def __init__(self, db: DataApiClient) -> None:
        self.db = db

    def list(self, user_id: str) -> builtins.list[Row]:
        return self.db.query("SELECT * FROM accounts WHERE clerk_user_id = :user ORDER BY created_at, id", {"user": user_id})

    def get(self, user_id: str, account_id: str) -> Row | None:
        return self.db.one(
            "SELECT * FROM accounts WHERE id = CAST(:id AS uuid) AND clerk_user_id = :user",
            {"id": str(account_id), "user": user_id},
        )

    def create(self, user_id: str, data: dict[str, Any]) -> Row:
        row = self.db.one(
            """INSERT INTO accounts (clerk_user_id, account_name, account_purpose, cash_balance, cash_interest)
               VALUES (:user, :name, :purpose, :cash, :interest) RETURNING *""",
            {
                "user": user_id,
                "name": data["account_name"],
                "purpose": data.get("account_purpose"),
                "cash": Decimal(str(data.get("cash_balance") or 0)),
                "interest": Decimal(str(data.get("cash_interest") or 0)),
            },
        )
        assert row is not None
        return row

    def update(self, user_id: str, account_id: str, changes: dict[str, Any]) -> Row | None:
        fields = {k: v for k, v in changes.items() if k in _ACCOUNT_FIELDS}
        if not fields:
            return self.get(user_id, account_id)
        sets = ", ".join(f"{k} = :{k}" for k in fields)
        params = {k: Decimal(str(v)) if isinstance(v, (int, float, Decimal)) else v for k, v in fields.items()}
        return self.db.one(
            f"UPDATE accounts SET {sets} WHERE id = CAST(:id AS uuid) AND clerk_user_id = :user RETURNING *",
            {**params, "id": str(account_id), "user": user_id},
        )

    def delete(self, user_id: str, account_id: str) -> bool:
        return (
            self.db.execute(
                "DELETE FROM accounts WHERE id = CAST(:id AS uuid) AND clerk_user_id = :user",
                {"id": str(account_id), "user": user_id},
            )
            == 1
        )


class Positions:
    def __init__(self, db: DataApiClient) -> None:
        self.db = db

    def list(self, user_id: str, account_id: str) -> builtins.list[Row]:
        return self.db.query(
            """SELECT p.* FROM positions p JOIN accounts a ON a.id = p.account_id
               WHERE p.account_id = CAST(:account AS uuid) AND a.clerk_user_id = :user
               ORDER BY p.symbol""",
            {"account": str(account_id), "user": user_id},
        )

    def get(self, user_id: str, position_id: str) -> Row | None:
        return self.db.one(
            """SELECT p.* FROM positions p JOIN accounts a ON a.id = p.account_id
               WHERE p.id = CAST(:id AS uuid) AND a.clerk_user_id = :user""",
            {"id": str(position_id), "user": user_id},
        )

    def upsert(self, user_id: str, account_id: str, symbol: str, quantity: Decimal) -> Row | None:
        """Add a holding (or replace its quantity) in one of the user's accounts; None if not theirs."""
        return self.db.one(
            """INSERT INTO positions (account_id, symbol, quantity)
               SELECT a.id, :symbol, :quantity FROM accounts a
               WHERE a.id = CAST(:account AS uuid) AND a.clerk_user_id = :user
               ON CONFLICT (account_id, symbol) DO UPDATE SET quantity = EXCLUDED.quantity
               RETURNING *""",
            {"account": str(account_id), "user": user_id, "symbol": symbol, "quantity": Decimal(str(quantity))},
        )

    def create(self, user_id: str, account_id: str, symbol: str, quantity: Decimal) -> Row | None:
        """Add a holding the account does not hold yet; None if the account is not the user's or
        already holds the symbol (see :meth:`held`): a create never overwrites."""
        return self.db.one(
            """INSERT INTO positions (account_id, symbol, quantity)
               SELECT a.id, :symbol, :quantity FROM accounts a
               WHERE a.id = CAST(:account AS uuid) AND a.clerk_user_id = :user
               ON CONFLICT (account_id, symbol) DO NOTHING
               RETURNING *""",
            {"account": str(account_id), "user": user_id, "symbol": symbol, "quantity": Decimal(str(quantity))},
        )

    def held(self, user_id: str, account_id: str, symbol: str) -> Row | None:
        """The user's position in ``symbol`` in that account, if any."""
        return self.db.one(
            """SELECT p.* FROM positions p JOIN accounts a ON a.id = p.account_id
               WHERE p.account_id = CAST(:account AS uuid) AND a.clerk_user_id = :user AND p.symbol = :symbol""",
            {"account": str(account_id), "user": user_id, "symbol": symbol},
        )

    def update(self, user_id: str, position_id: str, quantity: Decimal) -> Row | None:
        return self.db.one(
            """UPDATE positions p SET quantity = :quantity FROM accounts a
               WHERE p.id = CAST(:id AS uuid) AND a.id = p.account_id AND a.clerk_user_id = :user
               RETURNING p.*""",
            {"id": str(position_id), "user": user_id, "quantity": Decimal(str(quantity))},
        )

    def delete(self, user_id: str, position_id: str) -> bool:
        return (
            self.db.execute(
                """DELETE FROM positions p USING accounts a
               WHERE p.id = CAST(:id AS uuid) AND a.id = p.account_id AND a.clerk_user_id = :user""",
                {"id": str(position_id), "user": user_id},
            )
            == 1
        )

    def portfolio(self, user_id: str) -> builtins.list[Row]:
        """Every position of the user with its account and instrument, for the planner."""
        return self.db.query(
            """SELECT a.id AS account_id, a.account_name, a.account_purpose, a.cash_balance,
                      p.id AS position_id, p.symbol, p.quantity,
                      i.name AS instrument_name, i.instrument_type, i.current_price,
                      i.allocation_asset_class, i.allocation_regions, i.allocation_sectors
               FROM accounts a
               LEFT JOIN positions p ON p.account_id = a.id
               LEFT JOIN instruments i ON i.symbol = p.symbol
               WHERE a.clerk_user_id = :user
               ORDER BY a.created_at, a.id, p.symbol""",
            {"user": user_id},
        )
