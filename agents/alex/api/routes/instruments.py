"""``GET /api/instruments``: the shared reference table of symbols, for signed-in users.

There is deliberately no ``POST /api/instruments``: instruments are shared by every user
and their names and allocations reach every user's prompts, so only the tagger agent
(and operators, through ``Instruments.upsert``) write them. A position with a new symbol
creates a placeholder the tagger fills in.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from alex.api.deps import Db, jsonable
from alex.api.security import CurrentUser

router = APIRouter(prefix="/api", tags=["instruments"])

MAX_INSTRUMENTS = 500


@router.get("/instruments")
def list_instruments(
    user: CurrentUser,
    db: Db,
    q: Annotated[str | None, Query(pattern=r"^[A-Za-z]{1,5}$", description="symbol prefix, 1-5 letters")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_INSTRUMENTS)] = MAX_INSTRUMENTS,
) -> Any:
    rows = db.instruments.list(limit=MAX_INSTRUMENTS)
    if q:
        prefix = q.upper()
        rows = [row for row in rows if row["symbol"].startswith(prefix)]
    return jsonable(rows[:limit])
