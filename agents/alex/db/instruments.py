"""Instruments: the shared reference table of symbols and their allocations."""

from __future__ import annotations

import builtins

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from alex.db.client import DataApiClient, Json, Row


class Instruments:
    def __init__(self, db: DataApiClient) -> None:
        self.db = db

    def get(self, symbol: str) -> Row | None:
        return self.db.one("SELECT * FROM instruments WHERE symbol = :symbol", {"symbol": symbol})

    def list(self, limit: int = 500) -> builtins.list[Row]:
        return self.db.query("SELECT * FROM instruments ORDER BY symbol LIMIT :limit", {"limit": limit})

    def ensure_placeholder(self, symbol: str) -> None:
        """A row for a symbol nobody has classified yet; the tagger fills it in later."""
        self.db.execute(
            "INSERT INTO instruments (symbol, name) VALUES (:symbol, :symbol) ON CONFLICT (symbol) DO NOTHING",
            {"symbol": symbol},
        )

    def upsert(self, data: dict[str, Any]) -> Row:
        """Insert or replace an instrument's description and allocations."""
        price = data.get("current_price")
        params = {
            "symbol": data["symbol"],
            "name": data["name"],
            "type": data.get("instrument_type"),
            "price": Decimal(str(price)) if price is not None else None,
            "regions": Json(data.get("allocation_regions") or {}),
            "sectors": Json(data.get("allocation_sectors") or {}),
            "classes": Json(data.get("allocation_asset_class") or {}),
        }
        row = self.db.one(
            """INSERT INTO instruments (symbol, name, instrument_type, current_price,
                   allocation_regions, allocation_sectors, allocation_asset_class)
               VALUES (:symbol, :name, :type, :price, :regions, :sectors, :classes)
               ON CONFLICT (symbol) DO UPDATE SET name = EXCLUDED.name,
                   instrument_type = EXCLUDED.instrument_type,
                   current_price = COALESCE(EXCLUDED.current_price, instruments.current_price),
                   allocation_regions = EXCLUDED.allocation_regions,
                   allocation_sectors = EXCLUDED.allocation_sectors,
                   allocation_asset_class = EXCLUDED.allocation_asset_class
               RETURNING *""",
            params,
        )
        assert row is not None
        return row

    def unclassified(self, symbols: Iterable[str]) -> builtins.list[str]:
        """Those of ``symbols`` with no asset-class allocation yet (the tagger's work list)."""
        wanted = sorted(set(symbols))
        if not wanted:
            return []
        rows = self.db.query(
            "SELECT symbol FROM instruments WHERE symbol = ANY(string_to_array(:symbols, ',')) "
            "AND allocation_asset_class <> '{}'::jsonb",
            {"symbols": ",".join(wanted)},
        )
        done = {r["symbol"] for r in rows}
        return [s for s in wanted if s not in done]
