"""``/api/user``: the signed-in user's profile, created on first call."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import TypeAdapter, ValidationError

from alex.api.deps import Db, jsonable
from alex.api.errors import validation_problem
from alex.api.security import CurrentUser
from alex.guardrails.validation import DisplayName, UserUpdate

router = APIRouter(prefix="/api", tags=["user"])

_display_name = TypeAdapter(DisplayName)
# Columns that cannot be NULL: sending null for them is a client error, not a database one.
_NOT_NULL = ("asset_class_targets", "region_targets")


def display_name_from(claims: dict[str, Any]) -> str | None:
    """A display name from the session token (Clerk templates add ``name`` or first/last names), if valid."""
    candidates = [claims.get("name"), claims.get("full_name")]
    first, last = claims.get("first_name"), claims.get("last_name")
    if isinstance(first, str):
        candidates.append(f"{first} {last}" if isinstance(last, str) else first)
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            try:
                return _display_name.validate_python(candidate)
            except ValidationError:
                continue  # an injection or an oversized name from the IdP is not shown to the model
    return None


@router.get("/user")
def get_user(user: CurrentUser, request: Request, db: Db) -> Any:
    claims = getattr(request.state, "claims", None) or {}
    return jsonable(db.users.ensure(user, display_name_from(claims)))


@router.put("/user")
def update_user(body: UserUpdate, user: CurrentUser, db: Db) -> Any:
    changes = body.model_dump(exclude_unset=True)
    for name in _NOT_NULL:
        if name in changes and changes[name] is None:
            return validation_problem(("body", name), "cannot be null; send the full allocation instead")
    return jsonable(db.users.update(user, changes))
