"""The charter's scripted chart JSON, checked by Alex's own chart guardrail."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alex.guardrails import validate_charts
from harness.alexkit.model.charts import percentages
from tests.bedrock.support import JSON_TOOL_CONFIG, converse, empty_portfolio, portfolio, text_of, tool_use

pytestmark = pytest.mark.emulation


def _charts(runtime, data):
    text = text_of(converse(runtime, "charter", {"job_id": "job-7", "portfolio": data}))
    verdict = validate_charts(text)
    assert verdict.ok, verdict.errors
    return json.loads(text)["charts"]


def test_four_charts_that_validate(runtime):
    """The charter answers only chart JSON that validate_charts accepts: allocation, geography, sectors, accounts."""
    charts = _charts(runtime, portfolio())
    assert [(c["key"], c["type"]) for c in charts] == [
        ("asset_allocation", "pie"),
        ("geographic_exposure", "pie"),
        ("sector_breakdown", "donut"),
        ("account_distribution", "bar"),
    ]
    for chart in charts[:3]:
        assert math.fsum(d["value"] for d in chart["data"]) == 100.0
    assert {d["name"]: d["value"] for d in charts[3]["data"]} == {"Roth IRA": 60_000.0, "Taxable": 40_000.0}
    assert charts[0]["data"][0] == {"name": "Equity", "value": 62.0, "color": "#3B82F6"}


def test_rounding_remainder_goes_on_the_largest_slice(runtime):
    """Thirds cannot round to 100: the remainder lands on the largest slice so the pie sums to exactly 100."""
    charts = _charts(runtime, portfolio(regions={"north_america": 1, "europe": 1, "asia": 1}))
    geo = next(c for c in charts if c["key"] == "geographic_exposure")
    assert [d["value"] for d in geo["data"]] == [33.34, 33.33, 33.33]


def test_empty_portfolio_gets_cash_bar_or_cash_pie(runtime):
    """No positions: one bar of the accounts' cash; no accounts at all: one pie, 100% cash."""
    assert [(c["key"], c["type"]) for c in _charts(runtime, empty_portfolio(1_500.0))] == [("account_distribution", "bar")]
    only = _charts(runtime, empty_portfolio(0.0))
    assert only == [
        {
            "key": "asset_allocation",
            "title": "Asset Allocation",
            "type": "pie",
            "description": "Everything is in cash",
            "data": [{"name": "Cash", "value": 100, "color": "#3B82F6"}],
        }
    ]


def test_charts_skip_splits_with_no_data(runtime):
    """A chart with no data is left out rather than sent empty."""
    charts = _charts(runtime, portfolio(sectors={}, regions={"north_america": 0}))
    assert [c["key"] for c in charts] == ["asset_allocation", "account_distribution"]


def test_charter_structured_output_gets_the_payload_as_tool_input(runtime):
    """If the caller forces json_tool_call, the chart payload is the toolUse input."""
    use = tool_use(converse(runtime, "charter", {"job_id": "j", "portfolio": portfolio()}, toolConfig=JSON_TOOL_CONFIG))
    assert use is not None and validate_charts(use["input"]).ok


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.text("abcdefghij_", min_size=1, max_size=12), st.floats(min_value=0, max_value=1e6, allow_nan=False), max_size=60
    )
)
def test_percentages_always_sum_to_exactly_100(split):
    """Any split (any scale, up to 60 keys) becomes at most 50 slices summing to 100 within float rounding."""
    data = percentages(split)
    if not data:
        assert all(v <= 0 for v in split.values())
        return
    assert len(data) <= 50
    assert abs(math.fsum(v for _, v in data) - 100.0) < 1e-9
    assert all(v >= 0 for _, v in data)
