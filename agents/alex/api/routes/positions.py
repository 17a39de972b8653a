"""Positions: listed per account, created by account id and symbol (409 if held), changed and deleted by id.

Ownership is the account's: every repository call carries the verified user id, so a
position or account of another user is "not found". A symbol nobody has described yet
gets a placeholder instrument, which the tagger agent classifies on the next analysis.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse

from alex.api.deps import Db, jsonable
from alex.api.routes.accounts import ACCOUNT_NOT_FOUND
from alex.api.security import CurrentUser
from alex.guardrails.validation import PositionCreate, PositionUpdate

router = APIRouter(prefix="/api", tags=["positions"])

POSITION_NOT_FOUND = "Position not found"


@router.get("/accounts/{account_id}/positions")
def list_positions(account_id: UUID, user: CurrentUser, db: Db) -> Any:
    if db.accounts.get(user, str(account_id)) is None:
        raise HTTPException(404, ACCOUNT_NOT_FOUND)
    rows = db.positions.list(user, str(account_id))
    instruments = {symbol: db.instruments.get(symbol) for symbol in {row["symbol"] for row in rows}}
    return {"positions": [jsonable({**row, "instrument": instruments.get(row["symbol"])}) for row in rows]}


@router.post(
    "/positions",
    status_code=201,
    responses={409: {"description": "The account already holds the symbol; the body names the position"}},
)
def create_position(body: PositionCreate, user: CurrentUser, db: Db) -> Any:
    """Create only: a symbol the account already holds is 409 with the existing position, which
    ``PUT``/``PATCH /api/positions/{id}`` changes (a create that silently replaced it lost data)."""
    account_id = str(body.account_id)
    if db.accounts.get(user, account_id) is None:  # checked first: strangers create no instruments
        raise HTTPException(404, ACCOUNT_NOT_FOUND)
    db.instruments.ensure_placeholder(body.symbol)
    row = db.positions.create(user, account_id, body.symbol, body.quantity)
    if row is not None:
        return jsonable(row)
    existing = db.positions.held(user, account_id, body.symbol)
    if existing is None:  # the account went away in between
        raise HTTPException(404, ACCOUNT_NOT_FOUND)
    return JSONResponse(
        status_code=409,
        content={
            "detail": f"The account already holds {body.symbol}; change it with PUT /api/positions/{existing['id']}",
            "position": jsonable(existing),
        },
    )


@router.put("/positions/{position_id}")
@router.patch("/positions/{position_id}")
def update_position(position_id: UUID, body: PositionUpdate, user: CurrentUser, db: Db) -> Any:
    """Replace the position's quantity (its only changeable field, so PUT and PATCH agree)."""
    row = db.positions.update(user, str(position_id), body.quantity)
    if row is None:
        raise HTTPException(404, POSITION_NOT_FOUND)
    return jsonable(row)


@router.delete("/positions/{position_id}")
def delete_position(position_id: UUID, user: CurrentUser, db: Db) -> Any:
    if not db.positions.delete(user, str(position_id)):
        raise HTTPException(404, POSITION_NOT_FOUND)
    return {"deleted": True, "id": str(position_id)}
