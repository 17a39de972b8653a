"""The chaos plan (harness/cloud/chaos.py): seeds replay, and a Lambda kill is aimed within the work."""

from __future__ import annotations

import pytest

from harness.cloud import chaos


def test_a_seed_always_stands_for_the_same_plan() -> None:
    """A failure names its seed; replaying the seed must replay the fault, delay and target."""
    assert chaos.plan(7, max_delay=8, functions=("a", "b")) == chaos.plan(7, max_delay=8, functions=("a", "b"))
    assert [chaos.plan(s).fault for s in (1, 2, 3, 4)] == list(chaos.FAULTS)


def test_a_lambda_kill_is_drawn_within_the_busy_window() -> None:
    """The kill looks for a busy environment after the delay: a delay past the work never lands."""
    delays = [chaos.plan(s, max_delay=8, busy_window=3).delay for s in range(2, 400, 4)]  # kill-lambda seeds
    assert max(delays) <= 3 and max(delays) > 2
    others = [chaos.plan(s, max_delay=8, busy_window=3).delay for s in range(1, 400, 4)]  # kill-up seeds
    assert max(others) > 3


def test_seeds_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(chaos.SEED_VARIABLE, raising=False)
    monkeypatch.delenv(chaos.SEEDS_VARIABLE, raising=False)
    assert chaos.seeds(3) == [1, 2, 3]
    monkeypatch.setenv(chaos.SEEDS_VARIABLE, "5")
    assert chaos.seeds(3) == [1, 2, 3, 4, 5]
    monkeypatch.setenv(chaos.SEED_VARIABLE, "7")
    assert chaos.seeds(3) == [7]
    monkeypatch.setenv(chaos.SEED_VARIABLE, "2, 3,4,2")
    assert chaos.seeds(3) == [2, 3, 4, 2]


def test_a_lambda_kill_waits_for_busy_work_not_before_it() -> None:
    """Work that finishes within its delay would leave nothing to kill: the delay is spent inside
    the kill, after an environment is seen busy; other faults wait it out before they hit."""
    kill = chaos.plan(2, max_delay=8, busy_window=1, functions=("alex-planner",))
    assert kill.fault == "kill-lambda" and kill.wait_before == 0 and 0 <= kill.delay <= 1
    stop = chaos.plan(1, max_delay=8)
    assert stop.wait_before == stop.delay
