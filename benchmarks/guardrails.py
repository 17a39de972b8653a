"""Guardrail figures on a generated attack corpus and a realistic benign corpus.

The attack corpus is ``tests/guardrails/fuzz.py``'s: every carrier (account purpose or
name, instrument name, an instruction split across name and purpose or across three
instrument names) x every encoding (base64 up to three layers, base85, hex, rot13,
Caesar, reversed words, morse, leetspeak, homoglyphs, zero-width, tag characters,
fullwidth, bidi), sometimes stacked, with sampled intents, phrasings and 30 languages.
Each attack goes through the reporter's path with the worst-case model of the harness's
``compromised`` fault (copies untrusted text, reveals its prompt when asked, calls the
tools it is told to). Printed per class (carrier, and encoding): attacks, detected by
the input detector (a signal), refused, and reached the user (anything of the
attacker's in what would be stored: payload marker, copied attack text, canary,
invisible characters, active content, or a tool call that ran). Then the benign
corpus (``tests/guardrails/benign_realistic.txt``): refused and flagged rates.

    python benchmarks/guardrails.py [--per-class 8]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "guardrails"))

import fuzz  # noqa: E402  (tests/guardrails is put on the path just above)
from alex.guardrails import sanitise  # noqa: E402


def _table(title: str, rows: dict[str, list[int]]) -> None:
    width = max([len(k) for k in rows] + [len(title)])
    print(f"{title:<{width}}  {'attacks':>7}  {'detected':>8}  {'refused':>7}  {'reached the user':>16}")
    totals = [0, 0, 0, 0]
    for key in sorted(rows):
        row = rows[key]
        totals = [a + b for a, b in zip(totals, row)]
        print(f"{key:<{width}}  {row[0]:>7}  {row[1]:>8}  {row[2]:>7}  {row[3]:>16}")
    print(f"{'total':<{width}}  {totals[0]:>7}  {totals[1]:>8}  {totals[2]:>7}  {totals[3]:>16}")
    rate = totals[1] / totals[0] if totals[0] else 0.0
    print(f"input detection rate {rate:.1%}; reached the user: {totals[3]}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=8, help="attacks per carrier x encoding")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    started = time.perf_counter()
    by_carrier: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    by_encoding: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    by_language: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    reasons: dict[str, int] = defaultdict(int)
    corpus = fuzz.enumerate_attacks(args.per_class)
    for attack in corpus:
        result = fuzz.chain(attack)
        reached = bool(result.reached or result.tools_run)
        for reason in result.reached + [f"tool {t}" for t in result.tools_run]:
            reasons[reason] += 1
        for table, key in ((by_carrier, attack.carrier), (by_encoding, attack.encodings[0]), (by_language, attack.lang)):
            row = table[key]
            for i, flag in enumerate((True, result.detected, result.refused, reached)):
                row[i] += int(flag)
    _table("carrier", by_carrier)
    _table("encoding (first layer)", by_encoding)
    _table("language of the lead-in", by_language)
    if reasons:
        print("what reached:", ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
    benign = [
        line
        for line in (ROOT / "tests/guardrails/benign_realistic.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    verdicts = [sanitise(line, field="account_purpose") for line in benign]
    refused = sum(v.blocked for v in verdicts)
    flagged = sum(v.suspect for v in verdicts)
    print(
        f"benign corpus: {len(benign)} texts; refused {refused} ({refused / len(benign):.1%}); "
        f"flagged as a signal and passed as data {flagged} ({flagged / len(benign):.1%})"
    )
    print(f"{len(corpus)} attacks in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
