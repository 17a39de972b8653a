"""Prompts and portfolios as Alex's agents send them (``alex.schemas``), for the scripted model's tests."""

from __future__ import annotations

import json
from typing import Any

from alex.schemas import input_block, role_line

NOVA = "us.amazon.nova-pro-v1:0"
CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"


def system(agent: str) -> list[dict[str, str]]:
    return [{"text": role_line(agent) + "\nFollow the contract."}]


def user(payload: Any, job_id: str = "job-1") -> dict[str, Any]:
    return {"role": "user", "content": [{"text": f"Here is your input for job {job_id}.\n{input_block(payload)}"}]}


def converse(client: Any, agent: str, payload: Any, model_id: str = NOVA, **kwargs: Any) -> dict[str, Any]:
    return client.converse(modelId=model_id, system=system(agent), messages=[user(payload)], **kwargs)


def text_of(response: dict[str, Any]) -> str:
    return "".join(b.get("text", "") for b in response["output"]["message"]["content"])


def tool_use(response: dict[str, Any]) -> dict[str, Any] | None:
    return next((b["toolUse"] for b in response["output"]["message"]["content"] if "toolUse" in b), None)


JSON_TOOL_CONFIG = {
    "tools": [
        {
            "toolSpec": {
                "name": "json_tool_call",
                "description": "json_tool_call",
                "inputSchema": {"json": {"type": "object", "properties": {}}},
            }
        }
    ],
    "toolChoice": {"tool": {"name": "json_tool_call"}},
}


def position(symbol: str, value: float, weight: float, name: str | None = None) -> dict[str, Any]:
    return {
        "symbol": symbol,
        "name": name or f"{symbol} fund",
        "quantity": 10.0,
        "price": value / 10,
        "value": value,
        "weight": weight,
    }


def portfolio(**overrides: Any) -> dict[str, Any]:
    """A diversified two-account portfolio (PortfolioView as a dict)."""
    base: dict[str, Any] = {
        "total_value": 100_000.0,
        "cash": 5_000.0,
        "accounts": [
            {
                "name": "Roth IRA",
                "purpose": "retirement",
                "cash": 2_000.0,
                "value": 60_000.0,
                "positions": [position("VTI", 40_000, 40.0), position("BND", 18_000, 18.0)],
            },
            {
                "name": "Taxable",
                "purpose": "",
                "cash": 3_000.0,
                "value": 40_000.0,
                "positions": [position("VXUS", 22_000, 22.0), position("GLD", 15_000, 15.0)],
            },
        ],
        "asset_class": {"equity": 62.0, "fixed_income": 18.0, "commodities": 15.0, "cash": 5.0},
        "regions": {"north_america": 61.1, "europe": 15.4, "asia": 13.5, "global": 10.0},
        "sectors": {"technology": 24.3, "financials": 11.1, "treasury": 8.5, "commodities": 15.8, "other": 40.3},
        "targets": {"asset_class": {"equity": 60.0, "fixed_income": 30.0, "cash": 10.0}},
    }
    base.update(overrides)
    return base


def empty_portfolio(cash: float = 1_500.0) -> dict[str, Any]:
    accounts = [{"name": "Savings", "purpose": "", "cash": cash, "value": cash, "positions": []}] if cash else []
    return {
        "total_value": cash,
        "cash": cash,
        "accounts": accounts,
        "asset_class": {"cash": 100.0} if cash else {},
        "regions": {},
        "sectors": {},
        "targets": {},
    }


def retirement_input(success_rate: float = 68.5, **overrides: Any) -> dict[str, Any]:
    base = {
        "years_until_retirement": 20,
        "target_retirement_income": 80_000.0,
        "portfolio_value": 250_000.0,
        "equity_share": 0.7,
        "simulations": 500,
        "success_rate": success_rate,
        "percentiles_at_retirement": {"p10": 410_000.0, "p50": 1_234_567.0, "p90": 2_500_000.0},
        "projections": [{"year": 0.0, "median": 250_000.0}, {"year": 20.0, "median": 1_234_567.0}],
    }
    base.update(overrides)
    return base


def as_json(text: str) -> Any:
    return json.loads(text)
