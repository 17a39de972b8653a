"""The retirement simulation's maths: one percentile definition, no invented contributions."""

from __future__ import annotations

from alex.retirement.monte_carlo import percentile, simulate


def test_a_zero_portfolio_projects_zero_without_contributions() -> None:
    """With nothing invested and no contributions, every path stays at $0 and no plan succeeds."""
    result = simulate(portfolio_value=0.0, equity_share=0.7, years_until_retirement=25, target_income=80_000.0, seed=7)
    assert result.percentiles_at_retirement == {"p10": 0.0, "p50": 0.0, "p90": 0.0}
    assert result.success_rate == 0.0
    assert {p["median"] for p in result.projections} == {0.0}


def test_contributions_only_when_given() -> None:
    """A contribution is an input: given one, a $0 portfolio grows by at least the sum paid in (returns aside)."""
    result = simulate(
        portfolio_value=0.0, equity_share=0.0, years_until_retirement=10, target_income=1.0, seed=7, annual_contribution=1_000.0
    )
    assert 8_000 < result.percentiles_at_retirement["p50"] < 20_000


def test_final_projection_year_is_the_tables_percentiles() -> None:
    """The final projection year is the retirement year, and its median/p10/p90 equal the table's (an even
    simulation count once made them differ: a mean-of-two median against a nearest-rank p50)."""
    result = simulate(
        portfolio_value=100_000.0,
        equity_share=0.7333,
        years_until_retirement=25,
        target_income=80_000.0,
        seed=42,
        simulations=500,
    )
    last = result.projections[-1]
    assert last["year"] == 25.0
    table = result.percentiles_at_retirement
    assert (last["p10"], last["median"], last["p90"]) == (table["p10"], table["p50"], table["p90"])
    assert table["p10"] <= table["p50"] <= table["p90"]


def test_percentile_is_nearest_rank() -> None:
    """p50 of an even list is its upper middle value, never an average that no simulation produced."""
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 3.0
    assert percentile([5.0], 0.9) == 5.0
