"""Tagger Lambda: ``{"job_id": ..., "instruments": [{"symbol": ..., "name": ...}]}``.

Each instrument is classified on its own, so one bad answer does not lose the others;
the response lists what was tagged and what failed (the planner decides what that means).
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from alex.job_context import require_job_id
from alex.lambda_support import database, lambda_entry
from alex.tagger.agent import tag_instrument

log = logging.getLogger("alex.tagger")
_SYMBOL = re.compile(r"^[A-Z]{1,5}$")
MAX_INSTRUMENTS = 100


def _instruments(event: dict[str, Any]) -> list[tuple[str, str]]:
    items = event.get("instruments")
    if not isinstance(items, list) or not 0 < len(items) <= MAX_INSTRUMENTS:
        raise ValueError(f"'instruments' must be a list of 1 to {MAX_INSTRUMENTS} items")
    out = []
    for item in items:
        symbol = item.get("symbol") if isinstance(item, dict) else None
        if not isinstance(symbol, str) or not _SYMBOL.match(symbol):
            raise ValueError(f"invalid instrument symbol {symbol!r}: must match ^[A-Z]{{1,5}}$")
        name = item.get("name") or symbol
        out.append((symbol, str(name)))
    return out


@lambda_entry("tagger")
def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    job_id = require_job_id(event)
    instruments = _instruments(event)
    db = database()
    tagged, failed = [], []
    for symbol, name in instruments:
        try:
            asyncio.run(tag_instrument(db, job_id, symbol, name))
            tagged.append(symbol)
        except Exception as exc:  # one instrument's failure is reported, not fatal to the rest
            log.exception("tagging failed", extra={"symbol": symbol})
            failed.append({"symbol": symbol, "error": f"{type(exc).__name__}: {exc}"[:500]})
    return {"job_id": job_id, "tagged": tagged, "failed": failed}
