"""The tagger's scripted answers: an InstrumentClassification for every symbol."""

from __future__ import annotations

import json
import math

import pytest

from alex.schemas import InstrumentClassification
from harness.alexkit.model import reference
from tests.bedrock.support import JSON_TOOL_CONFIG, converse, text_of, tool_use

pytestmark = pytest.mark.emulation


def test_reference_table_is_wide_and_every_entry_validates():
    """Every reference entry is a valid structured answer with splits summing to exactly 100."""
    assert len(reference.REFERENCE) >= 40
    for symbol in reference.REFERENCE:
        assert 1 <= len(symbol) <= 5 and symbol.isalpha() and symbol.isupper()
        answer = reference.classify(symbol, "ignored")
        parsed = InstrumentClassification.model_validate(answer)
        for split in (parsed.allocation_asset_class, parsed.allocation_regions, parsed.allocation_sectors):
            assert math.isclose(sum(split.model_dump().values()), 100.0), (symbol, split)
        assert parsed.current_price > 0
        assert list(answer)[0] == "rationale"


def test_unknown_symbol_gets_a_deterministic_generic_classification():
    """An instrument the model does not know still gets a valid answer, the same every time, saying so."""
    first = reference.classify("zzzq", "Zed Co")
    assert first == reference.classify("ZZZQ", "Zed Co")
    parsed = InstrumentClassification.model_validate(first)
    assert parsed.symbol == "ZZZQ" and parsed.name == "Zed Co" and parsed.instrument_type == "stock"
    assert "unknown to the reference table" in parsed.rationale and "unpriced" in parsed.rationale
    assert parsed.current_price == reference.UNPRICED == 0  # no invented price
    sectors = {
        reference.classify(s, s)["allocation_sectors"].popitem()[0] for s in ("ABCD", "EFGH", "IJKL", "MNOP", "QRST", "UVWX")
    }
    assert len(sectors) > 1  # the hash spreads symbols over sectors


def test_structured_output_through_json_tool_call(runtime):
    """Nova structured output via LiteLLM: a forced ``json_tool_call`` tool answered by a toolUse whose input is the object."""
    response = converse(runtime, "tagger", {"symbol": "BND", "name": "Vanguard Total Bond"}, toolConfig=JSON_TOOL_CONFIG)
    assert response["stopReason"] == "tool_use"
    use = tool_use(response)
    assert use is not None and use["name"] == "json_tool_call" and use["toolUseId"].startswith("tooluse_")
    parsed = InstrumentClassification.model_validate(use["input"])
    assert parsed.instrument_type == "bond_fund" and parsed.allocation_asset_class.fixed_income == 100


def test_plain_request_gets_json_text(runtime):
    """Without structured-output hints the tagger's answer is its JSON as text."""
    parsed = InstrumentClassification.model_validate(
        json.loads(text_of(converse(runtime, "tagger", {"symbol": "GLD", "name": "gold"})))
    )
    assert parsed.allocation_regions.global_ == 100
