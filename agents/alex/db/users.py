"""Users: one row per Clerk user, created on first sign-in."""

from __future__ import annotations

from typing import Any

from alex.db.client import DataApiClient, Json, Row

_JSON_FIELDS = {"asset_class_targets", "region_targets"}
_FIELDS = ("display_name", "years_until_retirement", "target_retirement_income", *_JSON_FIELDS)


class Users:
    def __init__(self, db: DataApiClient) -> None:
        self.db = db

    def get(self, user_id: str) -> Row | None:
        return self.db.one("SELECT * FROM users WHERE clerk_user_id = :user", {"user": user_id})

    def ensure(self, user_id: str, display_name: str | None = None) -> Row:
        """The user's row, created with defaults the first time a signed-in user calls."""
        self.db.execute(
            "INSERT INTO users (clerk_user_id, display_name) VALUES (:user, :name) ON CONFLICT (clerk_user_id) DO NOTHING",
            {"user": user_id, "name": display_name},
        )
        row = self.get(user_id)
        assert row is not None
        return row

    def update(self, user_id: str, changes: dict[str, Any]) -> Row:
        """Apply the given fields (only known ones) and return the updated row."""
        self.ensure(user_id)
        fields = {k: v for k, v in changes.items() if k in _FIELDS}
        if fields:
            sets = ", ".join(f"{k} = :{k}" for k in fields)
            params = {k: Json(v) if k in _JSON_FIELDS else v for k, v in fields.items()}
            self.db.execute(f"UPDATE users SET {sets} WHERE clerk_user_id = :user", {**params, "user": user_id})
        row = self.get(user_id)
        assert row is not None
        return row
