"""Monte Carlo retirement projections, seeded from the job so a replay gives the same figures.

Annual returns are drawn from normal distributions (equities 7 % ± 18 %, bonds 4 % ± 6 %,
weighted by the portfolio's equity share, a 0-1 fraction); contributions of
``annual_contribution`` a year until retirement (none unless given: a $0 portfolio stays $0),
then withdrawals of the target income growing with inflation for ``retirement_years``. A simulation succeeds when the money lasts.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

EQUITY_MEAN, EQUITY_SD = 0.07, 0.18
BOND_MEAN, BOND_SD = 0.04, 0.06
INFLATION = 0.03


def seed_for(job_id: str, request_payload: dict | None = None) -> int:
    """The job's seed: the one its analysis request names, else a stable 64-bit hash of the
    job id (not Python's hash(), which is salted per process)."""
    named = (request_payload or {}).get("seed")
    if isinstance(named, int) and not isinstance(named, bool) and named >= 0:
        return named
    return int.from_bytes(hashlib.sha256(job_id.encode()).digest()[:8], "big")


PERCENTILES = {"p10": 0.1, "p50": 0.5, "p90": 0.9}


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile, used for the table and every projection year alike, so the
    final year's median is the table's p50 (it once mixed a mean-of-two median with another rank)."""
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2)


@dataclass(frozen=True)
class Projection:
    simulations: int
    success_rate: float
    percentiles_at_retirement: dict[str, float]
    projections: list[dict[str, float]]


def simulate(
    *,
    portfolio_value: float,
    equity_share: float,
    years_until_retirement: int,
    target_income: float,
    seed: int,
    simulations: int = 500,
    annual_contribution: float = 0.0,
    retirement_years: int = 30,
) -> Projection:
    if simulations < 1:
        raise ValueError("simulations must be >= 1")
    rng = random.Random(seed)
    equity = min(max(equity_share, 0.0), 1.0)
    years = max(0, years_until_retirement)
    paths_at_retirement: list[float] = []
    yearly: list[list[float]] = [[] for _ in range(years + 1)]
    successes = 0
    for _ in range(simulations):
        value = portfolio_value
        yearly[0].append(value)
        for year in range(1, years + 1):
            growth = equity * rng.gauss(EQUITY_MEAN, EQUITY_SD) + (1 - equity) * rng.gauss(BOND_MEAN, BOND_SD)
            value = max(0.0, value * (1 + growth) + annual_contribution)
            yearly[year].append(value)
        paths_at_retirement.append(value)
        withdrawal = target_income * (1 + INFLATION) ** years
        lasted = True
        for _ in range(retirement_years):
            growth = equity * rng.gauss(EQUITY_MEAN, EQUITY_SD) + (1 - equity) * rng.gauss(BOND_MEAN, BOND_SD)
            value = value * (1 + growth) - withdrawal
            withdrawal *= 1 + INFLATION
            if value <= 0:
                lasted = False
                break
        successes += lasted
    step = 5 if years > 10 else 1
    projections = [
        {
            "year": float(y),
            "median": percentile(yearly[y], 0.5),
            "p10": percentile(yearly[y], 0.1),
            "p90": percentile(yearly[y], 0.9),
        }
        for y in sorted({*range(0, years + 1, step), years})
    ]
    return Projection(
        simulations=simulations,
        success_rate=round(100 * successes / simulations, 1),
        percentiles_at_retirement={name: percentile(paths_at_retirement, p) for name, p in PERCENTILES.items()},
        projections=projections,
    )
