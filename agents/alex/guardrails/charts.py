"""Validate the charter agent's output before anyone stores or renders it.

The charter is a language model asked for JSON; what comes back can be prose, JSON in
a Markdown fence, truncated JSON, ``NaN``, a pie chart that sums to 97, or a megabyte
of nesting. :func:`validate_charts` turns *any* input into a :class:`ChartVerdict` and
never raises, so the caller's only decision is "store ``verdict.charts``, or store
:func:`fallback_charts`".

A well-formed payload is exactly::

    {"charts": [                                   # 1..10 charts, keys unique
      {"key": "asset_allocation",                  # slug: [a-z0-9]+ joined by - or _, <= 64
       "title": "Asset Allocation",                # 1..120 chars, not blank
       "type": "pie",                              # pie | bar | donut | horizontalBar
       "description": "Split by asset class",      # 0..500 chars
       "data": [                                   # 1..50 items
         {"name": "Equity",                        # 1..100 chars, not blank
          "value": 65.0,                           # a JSON number, finite, >= 0
          "color": "#3B82F6"}]}]}                  # #RRGGBB

with no other keys, no control characters in any text, and for pie/donut charts values
that are percentages summing to 100 ± 0.5.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, ValidationError, field_validator, model_validator

__all__ = [
    "Chart",
    "ChartDatum",
    "ChartPayload",
    "ChartVerdict",
    "validate_charts",
    "fallback_charts",
    "MAX_CHART_INPUT_BYTES",
    "PERCENT_TOLERANCE",
]

MAX_CHART_INPUT_BYTES: Final = 256 * 1024  # 10 charts x 50 items fit in well under 64 KiB
PERCENT_TOLERANCE: Final = 0.5
CHART_TYPES: Final = ("pie", "bar", "donut", "horizontalBar")
_PERCENT_TYPES: Final = frozenset({"pie", "donut"})
_MAX_ERRORS: Final = 20

_SLUG: Final = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
_COLOR: Final = re.compile(r"#[0-9A-Fa-f]{6}")


def _no_controls(value: str) -> str:
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in value):
        raise ValueError("must not contain control or invisible characters")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class ChartDatum(_Strict):
    """One slice or bar."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    # StrictInt | StrictFloat: a JSON number; bools and numeric strings are refused.
    value: StrictInt | StrictFloat
    color: str

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _not_blank(_no_controls(v))

    @field_validator("value")
    @classmethod
    def _value(cls, v: int | float) -> int | float:
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError("must be finite")
        if v < 0:
            raise ValueError("must be >= 0")
        if isinstance(v, int) and abs(v) > 10**15:
            raise ValueError("is implausibly large")
        return v

    @field_validator("color")
    @classmethod
    def _color(cls, v: str) -> str:
        if not _COLOR.fullmatch(v):
            raise ValueError("must be a hex colour like #1A2B3C")
        return v


class Chart(_Strict):
    """One chart."""

    key: str
    title: Annotated[str, Field(min_length=1, max_length=120)]
    type: Literal["pie", "bar", "donut", "horizontalBar"]
    description: Annotated[str, Field(max_length=500)]
    data: Annotated[list[ChartDatum], Field(min_length=1, max_length=50)]

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if len(v) > 64 or not _SLUG.fullmatch(v):
            raise ValueError("must be a slug: lower-case letters and digits joined by - or _, at most 64")
        return v

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        return _not_blank(_no_controls(v))

    @field_validator("description")
    @classmethod
    def _description(cls, v: str) -> str:
        return _no_controls(v)

    @model_validator(mode="after")
    def _percentages(self) -> Chart:
        if self.type in _PERCENT_TYPES:
            total = math.fsum(float(d.value) for d in self.data)
            if abs(total - 100.0) > PERCENT_TOLERANCE:
                raise ValueError(f"{self.type} values must sum to 100 ± {PERCENT_TOLERANCE} (got {total:g})")
        return self


class ChartPayload(_Strict):
    """The whole charter output."""

    charts: Annotated[list[Chart], Field(min_length=1, max_length=10)]

    @model_validator(mode="after")
    def _unique_keys(self) -> ChartPayload:
        keys = [c.key for c in self.charts]
        if len(set(keys)) != len(keys):
            raise ValueError("chart keys must be unique")
        return self


@dataclass(frozen=True)
class ChartVerdict:
    """``ok`` with the validated ``charts`` (plain dicts), or not ``ok`` with ``errors``."""

    ok: bool
    charts: list[dict[str, Any]] | None
    errors: list[str] = field(default_factory=list)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_FENCE: Final = re.compile(r"^\s*```[A-Za-z0-9_-]*\s*\n(.*?)\n?\s*```\s*$", re.DOTALL)


def _parse(raw: str) -> Any:
    """JSON from model output: a bare object, one in a ``` fence, or one inside prose."""
    text = raw.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    if not text.startswith("{"):
        start, end = text.find("{"), text.rfind("}")
        if start == -1 or end <= start:
            raise ValueError("no JSON object found in the output")
        text = text[start : end + 1]
    return json.loads(text, parse_constant=_reject_constant)


def _format_errors(exc: ValidationError) -> list[str]:
    errors: list[str] = []
    for err in exc.errors(include_url=False, include_input=False)[:_MAX_ERRORS]:
        loc = ".".join(str(p) for p in err.get("loc", ())) or "payload"
        errors.append(f"{loc}: {err.get('msg', 'invalid')}")
    return errors or ["invalid chart payload"]


def validate_charts(raw: str | bytes | object) -> ChartVerdict:
    """Validate charter output (text, UTF-8 bytes or an already-parsed object).

    Never raises: whatever goes wrong becomes ``ChartVerdict(ok=False, errors=[...])``.
    """
    try:
        return _validate(raw)
    except RecursionError:
        return ChartVerdict(False, None, ["payload is nested too deeply"])
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"
        return ChartVerdict(False, None, [f"could not validate charts: {type(exc).__name__}"])


def _validate(raw: object) -> ChartVerdict:
    if isinstance(raw, (bytes, bytearray, memoryview)):
        data = bytes(raw)
        if len(data) > MAX_CHART_INPUT_BYTES:
            return ChartVerdict(False, None, [f"output exceeds {MAX_CHART_INPUT_BYTES} bytes"])
        try:
            raw = data.decode("utf-8")
        except UnicodeDecodeError:
            return ChartVerdict(False, None, ["output is not valid UTF-8"])
    if isinstance(raw, str):
        if len(raw) > MAX_CHART_INPUT_BYTES or len(raw.encode("utf-8", "surrogatepass")) > MAX_CHART_INPUT_BYTES:
            return ChartVerdict(False, None, [f"output exceeds {MAX_CHART_INPUT_BYTES} bytes"])
        try:
            raw = _parse(raw)
        except RecursionError:
            return ChartVerdict(False, None, ["JSON is nested too deeply"])
        except (ValueError, TypeError) as exc:
            return ChartVerdict(False, None, [f"output is not a JSON object: {str(exc)[:200]}"])
    if not isinstance(raw, dict):
        return ChartVerdict(False, None, [f"expected a JSON object, got {type(raw).__name__}"])
    try:
        payload = ChartPayload.model_validate(raw)
    except ValidationError as exc:
        return ChartVerdict(False, None, _format_errors(exc))
    return ChartVerdict(True, payload.model_dump(mode="json")["charts"], [])


_FALLBACK_COLOR: Final = "#9CA3AF"


def fallback_charts(reason: object = "") -> dict[str, Any]:
    """A payload to store when the charter's output is unusable; it always validates.

    One neutral bar chart whose description carries ``reason`` (control characters
    removed, cut to fit), so the UI shows "charts unavailable" instead of nothing.
    """
    try:
        text = str(reason)
    except Exception:  # noqa: BLE001
        text = ""
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    text = " ".join(text.split())
    prefix = "Charts could not be generated"
    description = f"{prefix}: {text}" if text else f"{prefix}."
    if len(description) > 500:
        description = description[:499] + "…"
    return {
        "charts": [
            {
                "key": "charts_unavailable",
                "title": "Charts unavailable",
                "type": "bar",
                "description": description,
                "data": [{"name": "No data", "value": 0, "color": _FALLBACK_COLOR}],
            }
        ]
    }
