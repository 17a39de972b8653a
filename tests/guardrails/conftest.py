"""The end-of-session guardrail report: per attack family, how many were tried and how many
got through; the false-positive rate on benign text; and the stateful API test's figures
(examples, steps, requests by status class and code, steps per rule).

The ``ci`` and ``deep`` Hypothesis profiles live in ``harness/alexkit/hypothesis_profiles.py``
(registered by the root plugin), so ``pytest -m guardrails --hypothesis-profile=deep``
works from the project root.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

import attacks


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not attacks.STATS and not attacks.BENIGN_STATS and not attacks.API_STATS and not attacks.CHAIN_STATS:
        return
    tr = terminalreporter
    tr.section(f"guardrails: prompt-injection report (hypothesis profile {settings.get_current_profile_name()!r})")
    if attacks.STATS or attacks.BENIGN_STATS:
        _injection_report(tr)
    if attacks.API_STATS:
        _api_report(tr)
    if attacks.CHAIN_STATS:
        _chain_report(tr)


def _chain_report(tr: pytest.TerminalReporter) -> None:
    """The generated corpus end to end with the worst-case model: reached must be 0."""
    stats = attacks.CHAIN_STATS
    width = max(len(f) for f in stats)
    tr.write_line(
        f"{'generated attacks (carrier / encodings)':<{width}}  {'tried':>5}  {'detected':>8}  "
        f"{'refused':>7}  {'reached the user':>16}"
    )
    totals = [0, 0, 0, 0]
    for family in sorted(stats):
        row = stats[family]
        totals = [a + b for a, b in zip(totals, row)]
        tr.write_line(f"{family:<{width}}  {row[0]:>5}  {row[1]:>8}  {row[2]:>7}  {row[3]:>16}")
    tr.write_line(f"{'total':<{width}}  {totals[0]:>5}  {totals[1]:>8}  {totals[2]:>7}  {totals[3]:>16}")


def _injection_report(tr: pytest.TerminalReporter) -> None:
    width = max([len(f) for f in attacks.STATS] + [len("attack family")])
    tr.write_line(f"{'attack family':<{width}}  {'tried':>6}  {'undetected (passed as data)':>8}")
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


def _api_report(tr: pytest.TerminalReporter) -> None:
    """The stateful API test's figures (``test_guardrails_api_stateful.py``)."""
    api = attacks.API_STATS

    def codes(cls: str) -> str:
        found = sorted(k for k in api if k.startswith(f"status {cls}"))
        listed = ", ".join(f"{key.split()[1]}: {api[key]}" for key in found)
        return f" ({listed})" if found else ""

    classes = ", ".join(f"{c} {api[c]}{codes(c[0])}" for c in ("2xx", "3xx", "4xx", "5xx") if api[c] or c == "5xx")
    tr.write_line(
        f"stateful API: {api['examples']} examples, {api['steps']} steps, {api['requests']} requests in {api['seconds']:.1f} s"
    )
    tr.write_line(f"  by status: {classes}")
    rules = sorted((k.removeprefix("rule "), v) for k, v in api.items() if k.startswith("rule "))
    tr.write_line("  steps by rule: " + ", ".join(f"{name} {n}" for name, n in rules))
    checked = api["checked_examples"]
    tr.write_line(
        f"  {api['accounts']} accounts, {api['positions']} positions, {api['jobs']} jobs created; in "
        f"{checked} of {api['examples']} examples every list matched the model and every job was pending "
        f"in the database and queued exactly once"
    )
