"""Scenario files are validated: a typo or a wrong type is an error naming the file and field."""

from __future__ import annotations

import pytest

from harness.alexkit.scenarios.spec import ScenarioError, discover, load

MINIMAL = """
name: tiny
description: d
cassettes: tiny
users: [{id: u, accounts: [{name: a, positions: {SPY: 1}}]}]
requests: [{user: u}]
"""


def test_a_minimal_scenario_loads(tmp_path) -> None:
    (tmp_path / "tiny.yaml").write_text(MINIMAL)
    scenario = load(tmp_path / "tiny.yaml")
    assert scenario.expect.job_status == "completed" and scenario.requests[0].seed == 42


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (MINIMAL.replace("requests:", "requets:"), "requets"),
        (MINIMAL.replace("SPY", "spy1"), "pattern"),
        (MINIMAL.replace("[{user: u}]", "[{user: nobody}]"), "does not define"),
        (MINIMAL.replace("name: tiny", "name: other"), "must match the file name"),
        ("- just a list", "a YAML mapping"),
        ("name: [unclosed", "cannot read"),
    ],
)
def test_bad_scenarios_are_clear_errors(tmp_path, change: str, message: str) -> None:
    (tmp_path / "tiny.yaml").write_text(change)
    with pytest.raises(ScenarioError, match=message) as err:
        load(tmp_path / "tiny.yaml")
    assert "tiny.yaml" in str(err.value)


def test_unknown_scenario_names_are_listed(tmp_path) -> None:
    (tmp_path / "tiny.yaml").write_text(MINIMAL)
    with pytest.raises(ScenarioError, match="no such scenario: nope .have: tiny"):
        discover(tmp_path, ["nope"])
