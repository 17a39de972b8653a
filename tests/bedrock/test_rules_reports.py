"""The reporter's and the retirement agent's scripted markdown."""

from __future__ import annotations

import re

import pytest

from alex.schemas import RECOMMENDATION_FIELDS, REPORT_SECTIONS
from harness.alexkit.scenarios.figures import retirement_mismatches
from tests.bedrock.support import converse, empty_portfolio, portfolio, position, retirement_input, text_of

pytestmark = pytest.mark.emulation


def _report(runtime, data):
    return text_of(converse(runtime, "reporter", {"job_id": "job-42", "portfolio": data}))


def _recommendations(markdown: str) -> list[str]:
    section = markdown.split("## Recommendations", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^### \d+\. (.+)$", section, re.M)


def assert_report_shape(markdown: str) -> None:
    headings = re.findall(r"^## (.+)$", markdown, re.M)
    assert headings == list(REPORT_SECTIONS)
    section = markdown.split("## Recommendations", 1)[1].split("\n## ", 1)[0]
    blocks = re.split(r"^### ", section, flags=re.M)[1:]
    assert 2 <= len(blocks) <= 4
    for block in blocks:
        labels = re.findall(r"^\*\*(\w+):\*\* \S", block, re.M)
        assert labels == list(RECOMMENDATION_FIELDS)
        assert re.search(r"^\*\*Priority:\*\* (High|Medium|Low)$", block, re.M)


def test_report_has_every_section_and_label_with_portfolio_figures(runtime):
    """The reporter's answer carries REPORT_SECTIONS as headings and the four labels per recommendation."""
    markdown = _report(runtime, portfolio())
    assert_report_shape(markdown)
    assert "$100,000" in markdown and "$5,000" in markdown and "job-42" not in markdown  # no volatile ids
    assert markdown.index("| VTI |") < markdown.index("| VXUS |")  # top positions by weight
    assert "| Fixed Income | 18.0% | 30.0% |" in markdown


def test_rules_pick_the_recommendations(runtime):
    """Cash over 10% -> deploy cash; one position over 25% -> concentration; equity 10+ points off target -> rebalance."""
    data = portfolio(cash=20_000.0, asset_class={"equity": 80.0, "cash": 20.0})
    data["accounts"][0]["positions"] = [position("NVDA", 50_000, 50.0)]
    markdown = _report(runtime, data)
    assert_report_shape(markdown)
    assert _recommendations(markdown) == ["Deploy idle cash", "Reduce concentration in NVDA", "Rebalance toward target"]


def test_one_rule_firing_is_topped_up_to_two_recommendations(runtime):
    """Only the concentration rule fires: a general recommendation is added, so there are always 2 to 4."""
    markdown = _report(runtime, portfolio())
    assert_report_shape(markdown)
    assert _recommendations(markdown) == ["Reduce concentration in VTI", "Keep contributing regularly"]


def test_empty_portfolio_says_start_investing(runtime):
    """A portfolio with no positions gets the 'start investing' recommendation first."""
    markdown = _report(runtime, empty_portfolio())
    assert_report_shape(markdown)
    assert _recommendations(markdown)[0] == "Start investing"
    assert "No positions yet." in markdown


def test_retirement_markdown_quotes_the_simulation(runtime):
    """The retirement agent's answer: readiness, Monte Carlo results (success rate, percentiles), recommendations."""
    markdown = text_of(converse(runtime, "retirement", retirement_input(success_rate=68.5)))
    assert re.findall(r"^## (.+)$", markdown, re.M) == ["Retirement Readiness", "Monte Carlo Results", "Recommendations"]
    assert "68.5%" in markdown and "$1,234,567" in markdown and "$80,000" in markdown and "500 simulations" in markdown
    assert markdown.index("| p10 |") < markdown.index("| p50 |") < markdown.index("| p90 |")
    assert "**Increase savings**" in markdown and "delaying retirement" in markdown


def test_retirement_on_track_stays_the_course(runtime):
    """A high success rate gets no savings increase."""
    markdown = text_of(converse(runtime, "retirement", retirement_input(success_rate=95.0)))
    assert "Stay the course" in markdown and "Increase savings" not in markdown


def test_retirement_equity_share_is_a_fraction_shown_as_a_percent(runtime):
    """``equity_share`` is 0-1: 0.7333 reads "73.3%", and a 73% equity portfolio is not told it lacks growth assets."""
    markdown = text_of(converse(runtime, "retirement", retirement_input(equity_share=0.7333, years_until_retirement=25)))
    assert "Equity share: 73.3%" in markdown
    assert "more growth assets" not in markdown
    low = text_of(converse(runtime, "retirement", retirement_input(equity_share=0.2, years_until_retirement=25)))
    assert "Equity share: 20.0%" in low and "more growth assets" in low


def test_retirement_text_agrees_with_its_figures(runtime):
    """The median at retirement quoted in the text is the table's p50; the scenario check reading it finds nothing wrong."""
    figures = retirement_input(success_rate=68.5)
    markdown = text_of(converse(runtime, "retirement", figures))
    assert "In year 20, at retirement, the median portfolio is $1,234,567 (the table's p50)" in markdown
    assert retirement_mismatches(markdown, figures) == []
    wrong = {**figures, "equity_share": 0.007}  # the old bug: a fraction read as a percent
    assert any("equity share" in problem for problem in retirement_mismatches(markdown, wrong))
    shifted = {**figures, "percentiles_at_retirement": {**figures["percentiles_at_retirement"], "p50": 999_999.0}}
    assert any("p50" in problem for problem in retirement_mismatches(markdown, shifted))


def test_retirement_says_which_defaults_it_used(runtime):
    """Figures the user never set are named as defaults, and the contribution assumption is stated."""
    figures = retirement_input(assumed=["years_until_retirement", "target_retirement_income"])
    markdown = text_of(converse(runtime, "retirement", figures))
    assert "Defaults used (not set in your profile): years until retirement, target retirement income" in markdown
    assert "Contributions assumed until retirement: none" in markdown
    assert retirement_mismatches(markdown, figures) == []
    silent = markdown.replace("Defaults used", "Figures")
    assert retirement_mismatches(silent, figures) == [
        "default for years_until_retirement used but the text does not say so",
        "default for target_retirement_income used but the text does not say so",
    ]


def test_report_says_which_holdings_are_unpriced(runtime):
    """A holding with no price (the tagger could not price it) is named in the summary, not valued silently."""
    view = portfolio()
    view["accounts"][0]["positions"].append(position("ZZZZ", 0.0, 0.0))
    markdown = _report(runtime, view)
    assert "Unpriced: ZZZZ" in markdown
    assert "Unpriced" not in _report(runtime, portfolio())
