"""What each agent receives and returns: the contract between the agents, their prompts
and any model behind them (Bedrock, a cassette, or the harness's scripted model).

Every agent's instructions start with ``You are Alex's <Role> agent.`` (see
:func:`role_line`), and its user message carries its structured input as JSON between
``<input>`` and ``</input>`` (see :func:`input_block`). User-controlled text inside that
JSON has been through :func:`alex.guardrails.sanitise` first.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from alex.guardrails.framing import frame_json

AgentName = Literal["planner", "tagger", "reporter", "charter", "retirement"]
AGENTS: Final[tuple[str, ...]] = ("planner", "tagger", "reporter", "charter", "retirement")
DEFAULT_MODEL_ID: Final = "us.amazon.nova-pro-v1:0"  # Bedrock model every agent uses unless BEDROCK_MODEL_ID says otherwise
_ROLE: Final = re.compile(r"You are Alex's (\w+) agent\.")
_INPUT: Final = re.compile(r"<input>\s*(.*?)\s*</input>", re.S)

# The planner's tools, in the order it is instructed to call them.
PLANNER_TOOLS: Final[tuple[str, ...]] = ("invoke_reporter", "invoke_charter", "invoke_retirement")

# Reporter markdown: these sections, and every recommendation with these four labels.
REPORT_SECTIONS: Final[tuple[str, ...]] = ("Executive Summary", "Portfolio Composition", "Recommendations", "Risk Assessment")
RECOMMENDATION_FIELDS: Final[tuple[str, ...]] = ("Recommendation", "Reasoning", "Impact", "Priority")


def role_line(agent: str) -> str:
    return f"You are Alex's {agent.capitalize()} agent."


def agent_of(system_text: str) -> str | None:
    """The agent a prompt belongs to, from its role line (lower case), or None."""
    match = _ROLE.search(system_text)
    return match.group(1).lower() if match else None


def input_block(payload: Any) -> str:
    """The ``<input>`` data section: JSON in which no character can close the frame."""
    return "<input>\n" + frame_json(payload) + "\n</input>"


def parse_input_block(text: str) -> Any:
    """The JSON inside a message's ``<input>`` block; ValueError if there is none."""
    match = _INPUT.search(text)
    if not match:
        raise ValueError("no <input> block in the message")
    return json.loads(match.group(1))


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssetClassBreakdown(_Schema):
    """Percentages by asset class; they sum to 100."""

    equity: float = Field(0, ge=0, le=100)
    fixed_income: float = Field(0, ge=0, le=100)
    real_estate: float = Field(0, ge=0, le=100)
    commodities: float = Field(0, ge=0, le=100)
    cash: float = Field(0, ge=0, le=100)
    alternatives: float = Field(0, ge=0, le=100)


class RegionBreakdown(_Schema):
    """Percentages by region; they sum to 100."""

    north_america: float = Field(0, ge=0, le=100)
    europe: float = Field(0, ge=0, le=100)
    asia: float = Field(0, ge=0, le=100)
    latin_america: float = Field(0, ge=0, le=100)
    africa: float = Field(0, ge=0, le=100)
    middle_east: float = Field(0, ge=0, le=100)
    oceania: float = Field(0, ge=0, le=100)
    global_: float = Field(0, ge=0, le=100, alias="global")
    international: float = Field(0, ge=0, le=100)


class SectorBreakdown(_Schema):
    """Percentages by sector; they sum to 100."""

    technology: float = Field(0, ge=0, le=100)
    healthcare: float = Field(0, ge=0, le=100)
    financials: float = Field(0, ge=0, le=100)
    consumer_discretionary: float = Field(0, ge=0, le=100)
    consumer_staples: float = Field(0, ge=0, le=100)
    industrials: float = Field(0, ge=0, le=100)
    materials: float = Field(0, ge=0, le=100)
    energy: float = Field(0, ge=0, le=100)
    utilities: float = Field(0, ge=0, le=100)
    real_estate: float = Field(0, ge=0, le=100)
    communication: float = Field(0, ge=0, le=100)
    treasury: float = Field(0, ge=0, le=100)
    corporate: float = Field(0, ge=0, le=100)
    mortgage: float = Field(0, ge=0, le=100)
    government_related: float = Field(0, ge=0, le=100)
    commodities: float = Field(0, ge=0, le=100)
    diversified: float = Field(0, ge=0, le=100)
    other: float = Field(0, ge=0, le=100)


class InstrumentClassification(_Schema):
    """The tagger's structured output. ``rationale`` comes first so the model reasons
    before it commits to numbers; it is logged for audit and stripped before storage."""

    rationale: str = Field(description="Why these allocations: the reasoning, written first")
    symbol: str
    name: str
    instrument_type: Literal["etf", "stock", "mutual_fund", "bond", "bond_fund", "reit", "commodity", "crypto", "cash"]
    current_price: float = Field(ge=0)
    allocation_asset_class: AssetClassBreakdown
    allocation_regions: RegionBreakdown
    allocation_sectors: SectorBreakdown

    def for_storage(self) -> dict[str, Any]:
        """The instrument row without the rationale, zero shares dropped."""

        def nonzero(model: BaseModel) -> dict[str, float]:
            return {k: v for k, v in model.model_dump(by_alias=True).items() if v}

        return {
            "symbol": self.symbol,
            "name": self.name,
            "instrument_type": self.instrument_type,
            "current_price": self.current_price,
            "allocation_asset_class": nonzero(self.allocation_asset_class),
            "allocation_regions": nonzero(self.allocation_regions),
            "allocation_sectors": nonzero(self.allocation_sectors),
        }


class TaggerInput(_Schema):
    symbol: str
    name: str


class PositionView(_Schema):
    symbol: str
    name: str
    quantity: float
    price: float
    value: float
    weight: float = Field(description="percent of the portfolio's total value")


class AccountView(_Schema):
    name: str
    purpose: str = ""
    cash: float
    value: float
    positions: list[PositionView]


class PortfolioView(_Schema):
    """The portfolio as every analysis agent sees it: figures computed by code, not the model."""

    total_value: float
    cash: float
    accounts: list[AccountView]
    asset_class: dict[str, float] = Field(description="percent by asset class, cash included")
    regions: dict[str, float]
    sectors: dict[str, float]
    targets: dict[str, dict[str, float]] = Field(default_factory=dict)
    years_until_retirement: int | None = None
    target_retirement_income: float | None = None


class RetirementInput(_Schema):
    years_until_retirement: int
    target_retirement_income: float
    portfolio_value: float
    equity_share: float = Field(ge=0, le=1, description="equities as a fraction of the portfolio, 0-1 (not a percent)")
    annual_contribution: float = Field(0.0, ge=0, description="saved a year until retirement in the simulation")
    assumed: list[str] = Field(
        default_factory=list, description="inputs the user never set, so defaults were used: field names above"
    )
    simulations: int
    success_rate: float = Field(description="percent of simulations that sustain the income for 30 years")
    percentiles_at_retirement: dict[str, float]
    projections: list[dict[str, float]]


class PlannerInput(_Schema):
    job_id: str
    accounts: int
    positions: int
    total_value: float
    tagged: list[str]


class ReporterInput(_Schema):
    """The reporter writes markdown with :data:`REPORT_SECTIONS` as ``## `` headings; each
    recommendation carries the :data:`RECOMMENDATION_FIELDS` as ``**Label:**`` lines."""

    job_id: str
    portfolio: PortfolioView


class CharterInput(_Schema):
    """The charter answers with chart JSON only (the format :func:`alex.guardrails.validate_charts` accepts)."""

    job_id: str
    portfolio: PortfolioView
