"""Read the figures a retirement analysis quotes in its text and compare them with the stored simulation.

A report that says "Equity share: 0.7%" for a 73% equity portfolio, or quotes a median its own
percentile table contradicts, passes every structural check; this one reads the numbers. It knows
the labels the retirement agent's markdown uses (``harness/alexkit/model/reports.py``): a figure
the text does not carry is reported missing, so a changed format fails loudly, not silently.
"""

from __future__ import annotations

import re
from typing import Any

_NUMBER = r"([0-9][0-9,]*(?:\.[0-9]+)?)"
LOW_EQUITY = 40.0  # the growth-assets advice is only right below this equity share (percent)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _close_money(quoted: float, stored: float) -> bool:
    """Money is printed to the dollar at $100 and above, to the cent below."""
    return abs(quoted - stored) <= (0.5 if abs(stored) >= 100 else 0.005) + 1e-9


def _find(pattern: str, text: str) -> float | None:
    match = re.search(pattern, text)
    return _number(match.group(1)) if match else None


def retirement_mismatches(analysis: str, simulation: dict[str, Any]) -> list[str]:
    """What the text says that the stored figures do not (empty when every quoted figure agrees)."""
    problems: list[str] = []

    def compare(name: str, quoted: float | None, stored: Any, close: Any) -> None:
        if stored is None:
            return
        if quoted is None:
            problems.append(f"{name}: not found in the text (stored {stored})")
        elif not close(quoted, float(stored)):
            problems.append(f"{name}: text says {quoted:,.2f}, stored {float(stored):,.2f}")

    def percent(a: float, b: float) -> bool:
        return abs(a - b) <= 0.05 + 1e-9

    equity = simulation.get("equity_share")
    equity_percent = None if equity is None else float(equity) * 100  # stored as a 0-1 fraction
    compare("equity share (percent)", _find(r"Equity share: " + _NUMBER + "%", analysis), equity_percent, percent)
    compare("success rate", _find(r"success rate is " + _NUMBER + "%", analysis), simulation.get("success_rate"), percent)
    compare(
        "years until retirement",
        _find(r"Years until retirement: " + _NUMBER, analysis),
        simulation.get("years_until_retirement"),
        lambda a, b: a == b,
    )
    compare(
        "target income",
        _find(r"Target retirement income: \$" + _NUMBER, analysis),
        simulation.get("target_retirement_income"),
        _close_money,
    )
    compare(
        "portfolio value",
        _find(r"Current portfolio value: \$" + _NUMBER, analysis),
        simulation.get("portfolio_value"),
        _close_money,
    )
    table = simulation.get("percentiles_at_retirement") or {}
    for key, stored in table.items():
        compare(f"table {key}", _find(r"\| " + re.escape(key) + r" \| \$" + _NUMBER, analysis), stored, _close_money)
    median = _find(r"the median portfolio is \$" + _NUMBER, analysis)
    compare("median at retirement vs the table's p50", median, table.get("p50"), _close_money)
    projections = simulation.get("projections") or []
    if projections:
        compare("median at retirement vs the final projection year", median, projections[-1].get("median"), _close_money)
    for name in simulation.get("assumed") or []:
        if name.replace("_", " ") not in analysis.split("Defaults used", 1)[-1].split("\n", 1)[0]:
            problems.append(f"default for {name} used but the text does not say so")
    if equity_percent is not None and equity_percent >= LOW_EQUITY and "Consider more growth assets" in analysis:
        problems.append(f"advises more growth assets at a {equity_percent:.1f}% equity share")
    return problems
