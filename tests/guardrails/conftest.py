"""The end-of-session guardrail report: per attack family, how many were tried and how many got through.

The ``ci`` and ``deep`` Hypothesis profiles live in ``harness/hypothesis_profiles.py``
(registered by the root plugin), so ``pytest -m guardrails --hypothesis-profile=deep``
works from the project root.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

import attacks

def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not attacks.STATS and not attacks.BENIGN_STATS:
        return
    tr = terminalreporter
    tr.section(f"guardrails: prompt-injection report (hypothesis profile {settings.get_current_profile_name()!r})")
    width = max([len(f) for f in attacks.STATS] + [len("attack family")])
    tr.write_line(f"{'attack family':<{width}}  {'tried':>6}  {'bypassed':>8}")
    tried_total = bypassed_total = 0
    for family in sorted(attacks.STATS):
        tried, bypassed = attacks.STATS[family]
        tried_total += tried
        bypassed_total += bypassed
        tr.write_line(f"{family:<{width}}  {tried:>6}  {bypassed:>8}")
    tr.write_line(f"{'total':<{width}}  {tried_total:>6}  {bypassed_total:>8}")
    for source in sorted(attacks.BENIGN_STATS):
        tried, fps = attacks.BENIGN_STATS[source]
        rate = fps / tried if tried else 0.0
        tr.write_line(f"false positives on {source}: {fps}/{tried} ({rate:.2%})")
