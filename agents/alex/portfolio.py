"""The portfolio's figures, computed by code so no model ever does arithmetic on money.

Values are quantity × current price; the asset-class split counts cash as ``cash``;
regions and sectors are weighted over invested value. Every user-controlled or stored
text (account names and purposes, instrument names) passes through the sanitiser on its
way into the view, because the view goes into prompts (indirect prompt injection): its
findings are a signal for the audit record; the text goes on as data (only what the
sanitiser refuses is replaced). The texts are kept so the output checks can tell an echo.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from alex.guardrails import sanitise
from alex.guardrails.output import ECHO_MARKER, Untrusted
from alex.schemas import AccountView, PortfolioView, PositionView


class FindingLog:
    """Collects the sanitiser's findings and the untrusted texts of one prompt.

    Fields are checked one by one and, in :meth:`finish`, together: an instruction split
    across an account's name and purpose, or across instrument names, is seen whole.
    """

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.untrusted: list[Untrusted] = []

    def clean(self, text: str | None, field: str, max_chars: int = 500, replacement: str | None = None) -> str:
        result = sanitise(text, field=field, max_chars=max_chars)
        if result.suspect:
            self.items.append(
                {"field": field, "kinds": sorted({f.kind for f in result.findings if f.blocking}), "refused": result.blocked}
            )
        if result.text.strip():
            self.untrusted.append(Untrusted(field, result.text, result.suspect, replacement or ECHO_MARKER))
        return result.text

    def finish(self) -> None:
        """Check all the texts together; if that finds what no single field shows, all are suspect."""
        joined = "\n".join(u.text for u in self.untrusted)
        if not joined or all(u.suspect for u in self.untrusted):
            return
        together = sanitise(joined, field="fields_together", max_chars=max(len(joined), 1))
        if together.suspect:
            self.items.append(
                {"field": "fields_together", "kinds": sorted({f.kind for f in together.findings if f.blocking}), "refused": False}
            )
            self.untrusted = [Untrusted(u.field, u.text, True, u.replacement) for u in self.untrusted]

    @property
    def refused(self) -> bool:
        return any(item.get("refused") for item in self.items)


def _num(value: Any) -> float:
    return float(Decimal(str(value))) if value not in (None, "") else 0.0


def _pct(parts: dict[str, float], total: float) -> dict[str, float]:
    if total <= 0:
        return {}
    return {k: round(v * 100 / total, 2) for k, v in sorted(parts.items(), key=lambda kv: -kv[1]) if v > 0}


def build_portfolio(rows: Iterable[dict[str, Any]], user: dict[str, Any] | None, findings: FindingLog) -> PortfolioView:
    """The view of ``Positions.portfolio`` rows (one per position, or per empty account)."""
    accounts: dict[str, dict[str, Any]] = {}
    classes: dict[str, float] = defaultdict(float)
    regions: dict[str, float] = defaultdict(float)
    sectors: dict[str, float] = defaultdict(float)
    for row in rows:
        key = str(row["account_id"])
        if key not in accounts:  # one account, many rows: its texts are checked once
            accounts[key] = {
                "name": findings.clean(row["account_name"], "account_name", 255),
                "purpose": findings.clean(row.get("account_purpose"), "account_purpose", 1000),
                "cash": _num(row.get("cash_balance")),
                "positions": [],
            }
        acc = accounts[key]
        if not row.get("symbol"):
            continue
        quantity, price = _num(row["quantity"]), _num(row.get("current_price"))
        value = quantity * price
        acc["positions"].append(
            {
                "symbol": row["symbol"],
                "name": findings.clean(
                    row.get("instrument_name") or row["symbol"], "instrument_name", 255, replacement=str(row["symbol"])
                ),
                "quantity": quantity,
                "price": price,
                "value": round(value, 2),
            }
        )
        for target, shares in (
            (classes, row.get("allocation_asset_class")),
            (regions, row.get("allocation_regions")),
            (sectors, row.get("allocation_sectors")),
        ):
            for key, pct in (shares or {}).items():
                target[key] += value * _num(pct) / 100
    cash = sum(a["cash"] for a in accounts.values())
    invested = sum(p["value"] for a in accounts.values() for p in a["positions"])
    total = invested + cash
    if cash:
        classes["cash"] += cash
    views = []
    for acc in accounts.values():
        positions = [PositionView(**p, weight=round(p["value"] * 100 / total, 2) if total else 0.0) for p in acc["positions"]]
        views.append(
            AccountView(
                name=acc["name"],
                purpose=acc["purpose"],
                cash=round(acc["cash"], 2),
                value=round(acc["cash"] + sum(p.value for p in positions), 2),
                positions=positions,
            )
        )
    findings.finish()
    user = user or {}
    income = user.get("target_retirement_income")
    return PortfolioView(
        total_value=round(total, 2),
        cash=round(cash, 2),
        accounts=views,
        asset_class=_pct(classes, total),
        regions=_pct(regions, invested),
        sectors=_pct(sectors, invested),
        targets={"asset_class": user.get("asset_class_targets") or {}, "regions": user.get("region_targets") or {}},
        years_until_retirement=user.get("years_until_retirement"),
        target_retirement_income=_num(income) if income is not None else None,
    )
