"""Validated types and request models for what Alex accepts from the outside.

One rule throughout: accept exactly the valid set and nothing "close enough". A
symbol is ``^[A-Z]{1,5}$`` — "vti" and "VTI\\n" are refused, not repaired, because a
repaired value is one the user never typed. Numbers are JSON numbers, ``Decimal``s or
plain decimal strings ("12.5"); booleans, NaN, infinities, exponents in strings and
more decimal places than the database column holds are refused. Bounds mirror the
schema in ``alex/db/migrations`` so nothing that validates here fails in PostgreSQL.
Free text that reaches a prompt (account, display and instrument names, account
purpose) goes through :func:`alex.guardrails.sanitise.sanitise` and is refused when
it carries an injection.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Final, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict

from .sanitise import sanitise

__all__ = [
    "SYMBOL_PATTERN",
    "Symbol",
    "Quantity",
    "Money",
    "Price",
    "InterestRate",
    "YearsUntilRetirement",
    "Allocation",
    "AccountName",
    "AccountPurpose",
    "DisplayName",
    "InstrumentName",
    "InstrumentType",
    "UserUpdate",
    "AccountCreate",
    "AccountUpdate",
    "PositionCreate",
    "PositionUpdate",
    "InstrumentCreate",
    "AnalyzeRequest",
    "ALLOCATION_TOLERANCE",
    "QUANTITY_MAX",
    "MONEY_MAX",
    "PRICE_MAX",
]

SYMBOL_PATTERN: Final = r"^[A-Z]{1,5}$"
_SYMBOL: Final = re.compile(SYMBOL_PATTERN)
# Plain decimal notation only: no sign games, exponents, whitespace, or underscores.
_DECIMAL_STRING: Final = re.compile(r"-?[0-9]{1,20}(?:\.[0-9]{1,20})?")

# Bounds from the schema: quantity NUMERIC(20,8) > 0, money NUMERIC(12,2),
# current_price NUMERIC(12,4), cash_interest NUMERIC(5,4) (a fraction, 0.045 = 4.5%).
QUANTITY_MAX: Final = Decimal("999999999999.99999999")
MONEY_MAX: Final = Decimal("9999999999.99")
PRICE_MAX: Final = Decimal("99999999.9999")
ALLOCATION_TOLERANCE: Final = 0.01


def _check_symbol(value: str) -> str:
    if not _SYMBOL.fullmatch(value):
        raise ValueError("must be 1 to 5 upper-case letters A-Z")
    return value


Symbol = Annotated[str, Strict(), AfterValidator(_check_symbol)]


def _as_decimal(value: Any) -> Decimal:
    """A finite Decimal from a JSON number, a Decimal, or a plain decimal string."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("must be finite")
        result = Decimal(repr(value))
    elif isinstance(value, str):
        if not _DECIMAL_STRING.fullmatch(value):
            raise ValueError("must be a plain decimal number like 12.5")
        result = Decimal(value)
    else:
        raise ValueError("must be a number")
    if not result.is_finite():
        raise ValueError("must be finite")
    return result


def _bounded(*, minimum: Decimal, maximum: Decimal, places: int, exclusive_min: bool = False) -> Callable[[Decimal], Decimal]:
    def check(value: Decimal) -> Decimal:
        if exclusive_min and value <= minimum:
            raise ValueError(f"must be greater than {minimum}")
        if value < minimum:
            raise ValueError(f"must be at least {minimum}")
        if value > maximum:
            raise ValueError(f"must be at most {maximum}")
        try:
            exponent = value.normalize().as_tuple().exponent
        except InvalidOperation:  # pragma: no cover - finite values normalise
            raise ValueError("is not a valid number") from None
        if isinstance(exponent, int) and exponent < -places:
            raise ValueError(f"must have at most {places} decimal places")
        return value

    return check


Quantity = Annotated[
    Decimal,
    BeforeValidator(_as_decimal),
    AfterValidator(_bounded(minimum=Decimal(0), maximum=QUANTITY_MAX, places=8, exclusive_min=True)),
]
Money = Annotated[
    Decimal, BeforeValidator(_as_decimal), AfterValidator(_bounded(minimum=Decimal(0), maximum=MONEY_MAX, places=2))
]
Price = Annotated[
    Decimal, BeforeValidator(_as_decimal), AfterValidator(_bounded(minimum=Decimal(0), maximum=PRICE_MAX, places=4))
]
InterestRate = Annotated[
    Decimal, BeforeValidator(_as_decimal), AfterValidator(_bounded(minimum=Decimal(0), maximum=Decimal(1), places=4))
]
YearsUntilRetirement = Annotated[int, Strict(), Field(ge=0, le=80)]

_ALLOCATION_KEY: Final = re.compile(r"[a-z][a-z0-9_]{0,49}")


def _check_allocation(value: Any) -> dict[str, float]:
    """Percentages by category (``{"equity": 70, "fixed_income": 30}``) summing to 100."""
    if not isinstance(value, dict):
        raise ValueError("must be an object of percentages")
    if not 1 <= len(value) <= 50:
        raise ValueError("must have between 1 and 50 entries")
    out: dict[str, float] = {}
    for key, raw in value.items():
        if not isinstance(key, str) or not _ALLOCATION_KEY.fullmatch(key):
            raise ValueError("keys must be snake_case names like 'fixed_income'")
        if isinstance(raw, bool) or not isinstance(raw, (int, float, Decimal)):
            raise ValueError(f"{key}: must be a number")
        number = float(raw)
        if not math.isfinite(number) or not 0 <= number <= 100:
            raise ValueError(f"{key}: must be a percentage between 0 and 100")
        out[key] = number
    total = math.fsum(out.values())
    if abs(total - 100.0) > ALLOCATION_TOLERANCE:
        raise ValueError(f"percentages must sum to 100 ± {ALLOCATION_TOLERANCE} (got {total:g})")
    return out


Allocation = Annotated[dict[str, float], BeforeValidator(_check_allocation)]


def _prompt_text(field: str, *, min_len: int, max_len: int) -> Callable[[str], str]:
    """Validator for free text that will be shown to a model."""

    def check(value: str) -> str:
        result = sanitise(value, field=field)
        if result.blocked:
            raise ValueError("contains text that looks like instructions to the AI")
        text = result.text.strip()
        if not min_len <= len(text) <= max_len:
            raise ValueError(f"must be {min_len} to {max_len} characters")
        return text

    return check


AccountName = Annotated[str, Strict(), AfterValidator(_prompt_text("account_name", min_len=1, max_len=100))]
AccountPurpose = Annotated[str, Strict(), AfterValidator(_prompt_text("account_purpose", min_len=0, max_len=1000))]
DisplayName = Annotated[str, Strict(), AfterValidator(_prompt_text("display_name", min_len=1, max_len=100))]
InstrumentName = Annotated[str, Strict(), AfterValidator(_prompt_text("instrument_name", min_len=1, max_len=255))]
InstrumentType = Literal["etf", "stock", "mutual_fund", "bond", "bond_fund", "reit", "commodity", "crypto", "cash"]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UserUpdate(_Request):
    display_name: DisplayName | None = None
    years_until_retirement: YearsUntilRetirement | None = None
    target_retirement_income: Money | None = None
    asset_class_targets: Allocation | None = None
    region_targets: Allocation | None = None


class AccountCreate(_Request):
    account_name: AccountName
    account_purpose: AccountPurpose | None = None
    cash_balance: Money = Decimal(0)
    cash_interest: InterestRate = Decimal(0)


class AccountUpdate(_Request):
    account_name: AccountName | None = None
    account_purpose: AccountPurpose | None = None
    cash_balance: Money | None = None
    cash_interest: InterestRate | None = None


class PositionCreate(_Request):
    account_id: UUID
    symbol: Symbol
    quantity: Quantity


class PositionUpdate(_Request):
    quantity: Quantity


class InstrumentCreate(_Request):
    symbol: Symbol
    name: InstrumentName
    instrument_type: InstrumentType
    current_price: Price | None = None
    allocation_regions: Allocation
    allocation_sectors: Allocation
    allocation_asset_class: Allocation


class AnalyzeRequest(_Request):
    analysis_type: Literal["portfolio"] = "portfolio"
    # The retirement Monte Carlo's seed; by default it is derived from the job id. A replayed
    # scenario names one so its figures (and so its model prompts) are the same on every run.
    seed: Annotated[int, Strict()] | None = Field(default=None, ge=0, le=2**63 - 1)
