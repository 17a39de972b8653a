"""Every scenario in scenarios/ replayed from its cassettes (record mode none, as CI always does)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.alexkit.scenarios.report import format_table
from harness.alexkit.scenarios.runner import run_scenario
from harness.alexkit.scenarios.spec import discover, load

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = discover(ROOT / "scenarios")


@pytest.mark.scenario
@pytest.mark.slow
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_replays(scenarios_stack, path: Path) -> None:
    result = run_scenario(scenarios_stack, load(path), ROOT / "cassettes", "none")
    assert result.passed, format_table([result])
