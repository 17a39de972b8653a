"""Root conftest: Alex's fixtures on top of the local cloud's plugin (loaded by its pytest11 entry point),
and the order test files are handed to the xdist workers in."""

from __future__ import annotations

import pytest

pytest_plugins = ["harness.alexkit.pytest_plugin"]

# The longest test files, longest first, as measured (seconds summed over their tests, whole suite on
# 2 loaded workers). With ``--dist loadfile`` a file runs on one worker, so one started last can keep
# that worker busy long after the other has finished: started first, the short files fill in beside
# them (longest-processing-time-first). xdist's own reordering (by number of tests) is switched off in
# pyproject.toml for this order to hold. A file not listed keeps its collection order after these.
LONGEST_FIRST = (
    "tests/upstream/test_upstream_alex.py",  # 333 s
    "tests/alex/test_analysis.py",  # 217 s
    "tests/scenarios/test_scenarios.py",  # 140 s
    "tests/localstack/test_hybrid_scenarios.py",  # 137 s
    "tests/chaos/test_chaos_random.py",  # 126 s
    "tests/harness/test_cli.py",  # 93 s
    "tests/harness/test_code_quality.py",  # 67 s
    "tests/load/test_load_smoke.py",  # 58 s
    "tests/guardrails/test_guardrails_sanitise.py",  # 57 s
    "tests/api/test_api_analysis_e2e.py",  # 55 s
    "tests/monitoring/test_monitoring_outage.py",  # 53 s
    "tests/guardrails/test_guardrails_charts.py",  # 51 s
    "tests/localstack/test_hybrid_alex.py",  # 49 s
    "tests/localstack/test_sqs_moto_vs_localstack.py",  # 47 s
    "tests/alex/test_sweeper.py",  # 44 s
    "tests/emulation/test_sqs_to_lambda.py",  # 36 s
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest files first (a stable sort: tests keep their order within a file, the rest theirs)."""
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))
