"""``/api/accounts``: the signed-in user's accounts. Another user's account id is 404, never 403."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException

from alex.api.deps import Db, jsonable
from alex.api.errors import validation_problem
from alex.api.security import CurrentUser
from alex.guardrails.validation import AccountCreate, AccountUpdate

router = APIRouter(prefix="/api", tags=["accounts"])

ACCOUNT_NOT_FOUND = "Account not found"
_NOT_NULL = ("account_name", "cash_balance", "cash_interest")


@router.get("/accounts")
def list_accounts(user: CurrentUser, db: Db) -> Any:
    return jsonable(db.accounts.list(user))


@router.post("/accounts", status_code=201)
def create_account(body: AccountCreate, user: CurrentUser, db: Db) -> Any:
    db.users.ensure(user)
    return jsonable(db.accounts.create(user, body.model_dump()))


@router.put("/accounts/{account_id}")
def update_account(account_id: UUID, body: AccountUpdate, user: CurrentUser, db: Db) -> Any:
    changes = body.model_dump(exclude_unset=True)
    for name in _NOT_NULL:
        if name in changes and changes[name] is None:
            return validation_problem(("body", name), "cannot be null")
    row = db.accounts.update(user, str(account_id), changes)
    if row is None:
        raise HTTPException(404, ACCOUNT_NOT_FOUND)
    return jsonable(row)


@router.delete("/accounts/{account_id}")
def delete_account(account_id: UUID, user: CurrentUser, db: Db) -> Any:
    if not db.accounts.delete(user, str(account_id)):
        raise HTTPException(404, ACCOUNT_NOT_FOUND)
    return {"deleted": True, "id": str(account_id)}
