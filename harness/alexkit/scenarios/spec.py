"""A scenario file, validated: who and what it seeds, what it asks, what it breaks, what it expects.

Scenarios live in ``scenarios/*.yaml``; unknown keys and wrong types are errors that name
the file and the field, so a typo never silently weakens a scenario.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from alex.schemas import AgentName
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from harness.bedrock.faults import KINDS as BEDROCK_FAULT_KINDS

Symbol = Annotated[str, Field(pattern=r"^[A-Z]{1,5}$")]
Agent = AgentName  # Alex's agents, as its own contract (alex.schemas) names them


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccountSpec(_Spec):
    name: str
    purpose: str | None = None
    cash: str = "0"
    positions: dict[Symbol, float] = Field(default_factory=dict)
    rejected: bool = Field(False, description="the API must refuse this account with 422 (a direct injection)")


class UserSpec(_Spec):
    id: str
    years_until_retirement: int | None = 25
    target_retirement_income: str | None = "80000"
    accounts: list[AccountSpec] = Field(default_factory=list)


class InstrumentSpec(_Spec):
    """A stored instrument row (as a data feed or an earlier tagging left it)."""

    symbol: Symbol
    name: str
    instrument_type: str = "etf"
    current_price: float = 100.0
    allocation_asset_class: dict[str, float] = Field(default_factory=lambda: {"equity": 100.0})
    allocation_regions: dict[str, float] = Field(default_factory=lambda: {"north_america": 100.0})
    allocation_sectors: dict[str, float] = Field(default_factory=lambda: {"diversified": 100.0})


class BedrockFault(_Spec):
    kind: str
    agent: Agent | None = None
    count: int = Field(1, ge=1)
    always: bool = False

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        """The scripted model's own list of fault kinds, so a scenario can use every one of them."""
        if kind not in BEDROCK_FAULT_KINDS:
            raise ValueError(f"must be one of {', '.join(BEDROCK_FAULT_KINDS)}")
        return kind


class LambdaFaultSpec(_Spec):
    function: Agent
    kind: Literal["timeout", "crash"]
    count: int = Field(1, ge=1)


class Faults(_Spec):
    bedrock: list[BedrockFault] = Field(default_factory=list)
    lambda_: list[LambdaFaultSpec] = Field(default_factory=list, alias="lambda")
    data_api_resuming_seconds: float = Field(0, ge=0, le=20)
    duplicate_delivery: bool = False
    planner_concurrency: int | None = Field(None, ge=1, le=5)


class AnalyzeRequestSpec(_Spec):
    user: str
    seed: int = 42


class Expectations(_Spec):
    job_status: Literal["completed", "failed"] | dict[str, Literal["completed", "failed"]] = "completed"
    error_contains: str | None = None
    report_sections: bool = False
    charts_sum_to_100: bool = False
    charts_fallback: bool = False
    retirement_fields: bool = False
    audit_agents: list[Agent] = Field(default_factory=list)
    audit_outcomes: dict[Agent, Literal["ok", "fallback", "error"]] = Field(default_factory=dict)
    guardrails_failed: dict[Agent, list[str]] = Field(default_factory=dict)
    span_kinds: list[str] = Field(default_factory=list)
    tagged: list[Symbol] | None = None
    dlq_messages: int = 0
    model_calls_at_least: dict[Agent, int] = Field(default_factory=dict)
    model_calls_at_most: dict[Agent, int] = Field(default_factory=dict)
    model_retries_at_least: int = 0
    report_includes: list[str] = Field(default_factory=list, description="text the stored report must carry")
    report_excludes: list[str] = Field(default_factory=list)
    prompt_excludes: list[str] = Field(default_factory=list)
    report_max_bytes: int | None = None
    users_isolated: bool = False
    alarms_fired: list[str] = Field(default_factory=list, description="alarms in ALARM once the run has ended")


class Scenario(_Spec):
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    description: str
    cassettes: str = Field(description="directory under cassettes/ holding one cassette per function")
    users: list[UserSpec]
    instruments: list[InstrumentSpec] = Field(default_factory=list)
    faults: Faults = Field(default_factory=Faults)
    requests: list[AnalyzeRequestSpec]
    timeout_seconds: float = Field(120, gt=0, le=600)
    expect: Expectations = Field(default_factory=Expectations)

    @model_validator(mode="after")
    def _known_users(self) -> Scenario:
        known = {u.id for u in self.users}
        unknown = [r.user for r in self.requests if r.user not in known]
        if unknown:
            raise ValueError(f"requests name users the scenario does not define: {unknown}")
        return self


class ScenarioError(ValueError):
    pass


def load(path: str | Path) -> Scenario:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ScenarioError(f"{path}: cannot read the scenario: {err}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario is a YAML mapping")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(f"{path}: {err}") from None
    if scenario.name != path.stem:
        raise ScenarioError(f"{path}: name {scenario.name!r} must match the file name {path.stem!r}")
    return scenario


def discover(directory: str | Path, names: list[str] | None = None) -> list[Path]:
    """Scenario files in ``directory`` (all, or those named); an unknown name is an error."""
    directory = Path(directory)
    available = {p.stem: p for p in sorted(directory.glob("*.yaml"))}
    if not names:
        return list(available.values())
    missing = [n for n in names if n not in available and not Path(n).is_file()]
    if missing:
        raise ScenarioError(f"no such scenario: {', '.join(missing)} (have: {', '.join(available)})")
    return [Path(n) if Path(n).is_file() else available[n] for n in names]
