"""Markdown the scripted model writes for the reporter and the retirement agents.

Every figure comes from the structured input (computed by Alex's code, not invented);
the rules that pick recommendations are simple thresholds so a test can predict them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from alex.schemas import RECOMMENDATION_FIELDS, REPORT_SECTIONS, PortfolioView, RetirementInput

CASH_LIMIT = 10.0  # percent of the portfolio in cash above which cash should be deployed
CONCENTRATION_LIMIT = 25.0  # percent in one position above which it is a concentration risk
REBALANCE_GAP = 10.0  # percentage points between equity and its target above which to rebalance
SUCCESS_TARGET = 75.0  # Monte Carlo success rate below which savings must rise
LOW_EQUITY = 40.0  # percent in equities below which a long horizon calls for growth assets
HIGH_EQUITY_NEAR_RETIREMENT = 85.0  # percent in equities above which a short horizon calls for less risk


def money(value: float) -> str:
    return f"${value:,.0f}" if abs(value) >= 100 else f"${value:,.2f}"


def pct(value: float) -> str:
    return f"{value:,.1f}%"


def label(key: str) -> str:
    return key.replace("_", " ").strip().title() or "Other"


def _positions(portfolio: PortfolioView) -> list[tuple[str, str, float, float]]:
    """(symbol, name, value, weight) per symbol across accounts, largest first."""
    merged: dict[str, list[Any]] = defaultdict(lambda: ["", 0.0, 0.0])
    for account in portfolio.accounts:
        for pos in account.positions:
            entry = merged[pos.symbol]
            entry[0] = entry[0] or pos.name
            entry[1] += pos.value
            entry[2] += pos.weight
    rows = [(symbol, name, value, weight) for symbol, (name, value, weight) in merged.items()]
    return sorted(rows, key=lambda r: (-r[3], r[0]))


def unpriced_symbols(portfolio: PortfolioView) -> list[str]:
    """Held symbols whose price is 0: the tagger could not price them, so their value is unknown."""
    return sorted(
        {pos.symbol for account in portfolio.accounts for pos in account.positions if pos.price <= 0 and pos.quantity > 0}
    )


def _cash_share(portfolio: PortfolioView) -> float:
    if "cash" in portfolio.asset_class:
        return float(portfolio.asset_class["cash"])
    return portfolio.cash * 100 / portfolio.total_value if portfolio.total_value > 0 else 0.0


def _recommendation(title: str, what: str, why: str, impact: str, priority: str) -> dict[str, str]:
    return {"title": title, **dict(zip(RECOMMENDATION_FIELDS, (what, why, impact, priority)))}


def recommendations(portfolio: PortfolioView) -> list[dict[str, str]]:
    """Two to four recommendations by the threshold rules (module constants)."""
    positions = _positions(portfolio)
    recs: list[dict[str, str]] = []
    if not positions:
        recs.append(
            _recommendation(
                "Start investing",
                "Open positions in a diversified, low-cost index fund.",
                "The portfolio holds no investments yet, so it cannot grow beyond its cash.",
                "Puts savings to work in the market over the long term.",
                "High",
            )
        )
    cash = _cash_share(portfolio)
    if positions and cash > CASH_LIMIT:
        recs.append(
            _recommendation(
                "Deploy idle cash",
                f"Invest part of the {money(portfolio.cash)} held in cash.",
                f"Cash is {pct(cash)} of the portfolio, above the {pct(CASH_LIMIT)} guideline.",
                "Reduces the drag of uninvested cash on long-term returns.",
                "High" if cash > 25 else "Medium",
            )
        )
    if positions and positions[0][3] > CONCENTRATION_LIMIT:
        symbol, _, _, weight = positions[0]
        recs.append(
            _recommendation(
                f"Reduce concentration in {symbol}",
                f"Trim {symbol} and spread the proceeds across other holdings.",
                f"{symbol} is {pct(weight)} of the portfolio, above the {pct(CONCENTRATION_LIMIT)} single-position limit.",
                "Lowers the damage a fall in one holding can do.",
                "High",
            )
        )
    target = portfolio.targets.get("asset_class", {}).get("equity")
    equity = float(portfolio.asset_class.get("equity", 0.0))
    if positions and target is not None and abs(equity - target) > REBALANCE_GAP:
        direction = "Reduce" if equity > target else "Increase"
        recs.append(
            _recommendation(
                "Rebalance toward target",
                f"{direction} equity from {pct(equity)} toward the {pct(target)} target.",
                f"Equity is {abs(equity - target):.1f} points from its target, more than {REBALANCE_GAP:.0f}.",
                "Brings risk back to the level the investor chose.",
                "Medium",
            )
        )
    fillers = [
        _recommendation(
            "Keep contributing regularly",
            "Add to the portfolio on a fixed schedule.",
            "Regular contributions smooth the price paid over time.",
            "Builds the portfolio steadily whatever the market does.",
            "Medium",
        ),
        _recommendation(
            "Review the allocation yearly",
            "Check the allocation against targets once a year.",
            "Markets move holdings away from their targets over time.",
            "Keeps risk in line with the plan.",
            "Low",
        ),
    ]
    while len(recs) < 2:
        recs.append(fillers.pop(0))
    return recs[:4]


def _risk_level(equity: float) -> str:
    return "high" if equity >= 80 else "moderate" if equity >= 50 else "low"


def report(job_id: str, portfolio: PortfolioView) -> str:
    """The reporter's markdown: REPORT_SECTIONS as ``## `` headings, in order."""
    positions = _positions(portfolio)
    cash = _cash_share(portfolio)
    equity = float(portfolio.asset_class.get("equity", 0.0))
    targets = portfolio.targets.get("asset_class", {})
    recs = recommendations(portfolio)
    accounts = len(portfolio.accounts)
    sections: dict[str, list[str]] = {}
    sections["Executive Summary"] = [
        "Portfolio report prepared from the figures below.",
        "",
        f"- Total value: {money(portfolio.total_value)} across {accounts} account{'s' if accounts != 1 else ''}",
        f"- Cash: {money(portfolio.cash)} ({pct(cash)})",
        f"- Positions: {len(positions)}",
        f"- Recommendations: {len(recs)} ({sum(r['Priority'] == 'High' for r in recs)} high priority)",
    ]
    unpriced = unpriced_symbols(portfolio)
    if unpriced:
        sections["Executive Summary"].append(
            f"- Unpriced: {', '.join(unpriced)} (no price is known, so counted at $0 and left out of every figure)"
        )
    composition = ["### Top positions", ""]
    if positions:
        composition += ["| Symbol | Name | Value | Weight |", "| --- | --- | ---: | ---: |"]
        composition += [f"| {s} | {n} | {money(v)} | {pct(w)} |" for s, n, v, w in positions[:5]]
    else:
        composition.append("No positions yet.")
    composition += ["", "### Asset classes", "", "| Asset class | Actual | Target |", "| --- | ---: | ---: |"]
    for key in sorted(set(portfolio.asset_class) | set(targets), key=lambda k: (-portfolio.asset_class.get(k, 0.0), k)):
        target = pct(targets[key]) if key in targets else "-"
        composition.append(f"| {label(key)} | {pct(portfolio.asset_class.get(key, 0.0))} | {target} |")
    sections["Portfolio Composition"] = composition
    rec_lines: list[str] = []
    for number, rec in enumerate(recs, 1):
        rec_lines += [f"### {number}. {rec['title']}", ""]
        rec_lines += [f"**{field}:** {rec[field]}" for field in RECOMMENDATION_FIELDS]
        rec_lines.append("")
    sections["Recommendations"] = rec_lines[:-1]
    top = positions[0] if positions else None
    sections["Risk Assessment"] = [
        f"- Equity share: {pct(equity)}, a {_risk_level(equity)} level of market risk.",
        (f"- Largest position: {top[0]} at {pct(top[3])} of the portfolio." if top else "- No positions, so no market risk yet."),
        f"- Cash buffer: {pct(cash)} of the portfolio.",
    ]
    lines = ["# Portfolio Analysis Report", ""]
    for title in REPORT_SECTIONS:
        lines += [f"## {title}", "", *sections[title], ""]
    return "\n".join(lines).rstrip() + "\n"


def _percentile_order(key: str) -> tuple[float, str]:
    digits = "".join(ch for ch in key if ch.isdigit() or ch == ".")
    try:
        return float(digits), key
    except ValueError:
        return float("inf"), key


ASSUMPTION_TEXT = {
    "years_until_retirement": "years until retirement",
    "target_retirement_income": "target retirement income",
}


def _assumptions(data: RetirementInput) -> list[str]:
    """Say which figures are defaults, not the user's, and what the simulation assumes."""
    lines = []
    if data.assumed:
        named = ", ".join(ASSUMPTION_TEXT.get(name, name.replace("_", " ")) for name in data.assumed)
        lines.append(f"- Defaults used (not set in your profile): {named}; set them with `PUT /api/user`.")
    contribution = (
        f"{money(data.annual_contribution)} a year"
        if data.annual_contribution > 0
        else "none (Alex does not know your savings rate)"
    )
    lines.append(f"- Contributions assumed until retirement: {contribution}.")
    return lines


def retirement(data: RetirementInput) -> str:
    """The retirement agent's markdown: readiness, Monte Carlo results, recommendations.

    ``equity_share`` is a 0-1 fraction (shown and compared as a percent); the year-of-retirement
    median quoted is the percentile table's p50, so the text cannot contradict its table."""
    rate = data.success_rate
    equity_percent = data.equity_share * 100
    verdict = "on track" if rate >= 85 else "close to on track" if rate >= SUCCESS_TARGET else "at risk"
    lines = [
        "# Retirement Projection",
        "",
        "## Retirement Readiness",
        "",
        f"- Years until retirement: {data.years_until_retirement}",
        f"- Target retirement income: {money(data.target_retirement_income)} a year",
        f"- Current portfolio value: {money(data.portfolio_value)}",
        f"- Equity share: {pct(equity_percent)}",
        *_assumptions(data),
        f"- Verdict: **{verdict}**, with a {pct(rate)} chance of sustaining the income for 30 years.",
        "",
        "## Monte Carlo Results",
        "",
        f"Across {data.simulations:,} simulations, the success rate is {pct(rate)}.",
        "",
    ]
    table = data.percentiles_at_retirement
    if table:
        lines += ["| Percentile | Portfolio at retirement |", "| --- | ---: |"]
        for key in sorted(table, key=_percentile_order):
            lines.append(f"| {key} | {money(table[key])} |")
        lines.append("")
    if "p50" in table:
        spread = (
            f", between {money(table['p10'])} (p10) and {money(table['p90'])} (p90)" if "p10" in table and "p90" in table else ""
        )
        median = (
            f"In year {data.years_until_retirement}, at retirement, the median portfolio is "
            f"{money(table['p50'])} (the table's p50){spread}."
        )
        lines += [median, ""]
    lines += ["## Recommendations", ""]
    recs: list[str] = []
    if rate < SUCCESS_TARGET:
        recs.append(
            f"**Increase savings**: the {pct(rate)} success rate is below {pct(SUCCESS_TARGET)}; "
            "raise contributions to close the gap."
        )
        recs.append("**Consider delaying retirement**: each extra working year adds contributions and shortens withdrawals.")
    elif rate < 90:
        recs.append("**Add a modest contribution increase** to build a safety margin above the current plan.")
    else:
        recs.append("**Stay the course**: the plan sustains the target income in nearly every simulation.")
    if data.years_until_retirement > 10 and equity_percent < LOW_EQUITY:
        recs.append("**Consider more growth assets**: with over ten years to go, a low equity share limits growth.")
    if data.years_until_retirement <= 5 and equity_percent > HIGH_EQUITY_NEAR_RETIREMENT:
        recs.append("**Reduce risk before retirement**: a high equity share close to retirement exposes the income to a crash.")
    recs.append("**Review the plan every year** as savings, markets and goals change.")
    lines += [f"{i}. {rec}" for i, rec in enumerate(recs, 1)]
    return "\n".join(lines) + "\n"
