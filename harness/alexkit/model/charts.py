"""The charter's answer: chart JSON that ``alex.guardrails.validate_charts`` accepts.

Pie and donut values are percentages rescaled to sum to exactly 100 (rounded to two
decimals, the rounding remainder on the largest slice); colours come from a fixed
palette in slice order, so the same portfolio always gives the same charts.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Final

from alex.schemas import PortfolioView

PALETTE: Final[tuple[str, ...]] = (
    "#3B82F6",
    "#10B981",
    "#F59E0B",
    "#EF4444",
    "#8B5CF6",
    "#EC4899",
    "#14B8A6",
    "#F97316",
    "#6366F1",
    "#84CC16",
)
MAX_ITEMS: Final = 50


def _clean_name(text: str, fallback: str) -> str:
    text = "".join(ch for ch in str(text) if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    text = " ".join(text.split())[:100]
    return text or fallback


def _label(key: str) -> str:
    return _clean_name(key.replace("_", " ").title(), "Other")


def percentages(split: dict[str, float]) -> list[tuple[str, float]]:
    """Positive entries rescaled to sum to exactly 100, largest first (at most MAX_ITEMS)."""
    items = sorted(((k, float(v)) for k, v in split.items() if float(v) > 0), key=lambda kv: (-kv[1], kv[0]))
    if not items:
        return []
    if len(items) > MAX_ITEMS:
        items = items[: MAX_ITEMS - 1] + [("other", sum(v for _, v in items[MAX_ITEMS - 1 :]))]
    total = sum(v for _, v in items)
    rounded = [(k, round(v * 100 / total, 2)) for k, v in items]
    remainder = round(100 - sum(v for _, v in rounded), 2)
    key, largest = rounded[0]
    rounded[0] = (key, round(largest + remainder, 2))
    return rounded


def _chart(key: str, title: str, kind: str, description: str, data: list[tuple[str, float]]) -> dict[str, Any]:
    return {
        "key": key,
        "title": title,
        "type": kind,
        "description": description,
        "data": [{"name": name, "value": value, "color": PALETTE[i % len(PALETTE)]} for i, (name, value) in enumerate(data)],
    }


def _pie(key: str, title: str, kind: str, description: str, split: dict[str, float]) -> dict[str, Any] | None:
    data = percentages(split)
    return _chart(key, title, kind, description, [(_label(k), v) for k, v in data]) if data else None


def _accounts(portfolio: PortfolioView, attr: str) -> list[tuple[str, float]]:
    return [
        (_clean_name(acc.name, f"Account {i}"), round(max(float(getattr(acc, attr)), 0.0), 2))
        for i, acc in enumerate(portfolio.accounts[:MAX_ITEMS], 1)
    ]


def charts(portfolio: PortfolioView) -> dict[str, Any]:
    """The ``{"charts": [...]}`` payload for a portfolio."""
    has_positions = any(acc.positions for acc in portfolio.accounts)
    if not has_positions:
        if portfolio.accounts and any(acc.cash > 0 for acc in portfolio.accounts):
            return {
                "charts": [
                    _chart(
                        "account_distribution",
                        "Account Distribution",
                        "bar",
                        "Cash held in each account (no investments yet)",
                        _accounts(portfolio, "cash"),
                    )
                ]
            }
        return {"charts": [_chart("asset_allocation", "Asset Allocation", "pie", "Everything is in cash", [("Cash", 100)])]}
    out = [
        _pie(
            "asset_allocation", "Asset Allocation", "pie", "Portfolio split by asset class, cash included", portfolio.asset_class
        ),
        _pie("geographic_exposure", "Geographic Exposure", "pie", "Invested value by region", portfolio.regions),
        _pie("sector_breakdown", "Sector Breakdown", "donut", "Invested value by sector", portfolio.sectors),
    ]
    accounts = _accounts(portfolio, "value")
    if accounts and any(v > 0 for _, v in accounts):
        out.append(_chart("account_distribution", "Account Distribution", "bar", "Value of each account in USD", accounts))
    return {"charts": [c for c in out if c is not None]}
