"""The phrase matcher's quick first test (``_prefilters``) finds exactly the texts that
some phrase's own regex finds, on every detection form: it is there for speed (a warm
analysis runs it over every paragraph of every agent's answer), never to change a result."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import attacks
from alex.guardrails._phrase_match import COMPILED, PREFILTERS
from alex.guardrails._text import clean, detection_forms

pytestmark = pytest.mark.guardrails

HERE = Path(__file__).parent
BENIGN = [
    line
    for name in ("benign_corpus.txt", "benign_realistic.txt")
    for line in (HERE / name).read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]


def disagreements(text: str) -> list[tuple[str, bool, bool, bool]]:
    """Forms of ``text`` where the prefilter and the phrases' regexes disagree."""
    out = []
    for form, with_leet, squashed in detection_forms(clean(text)).phrase_inputs:
        key = (with_leet, squashed)
        quick = any(rx.search(form) for rx in PREFILTERS[key])
        full = any(rx.search(form) for _, rx in COMPILED[key])
        if quick != full:
            out.append((form, with_leet, squashed, full))
    return out


@pytest.mark.parametrize("text", attacks.ALL_SEEDS + BENIGN)
def test_prefilter_agrees_on_seeds_and_benign_text(text: str) -> None:
    assert disagreements(text) == []


def test_seeds_are_found_by_the_prefilter() -> None:
    """Not vacuous: the prefilter does fire on attacks (most seeds hit on some form)."""
    fired = sum(
        any(any(rx.search(f) for rx in PREFILTERS[(leet, sq)]) for f, leet, sq in detection_forms(clean(t)).phrase_inputs)
        for t in attacks.ALL_SEEDS
    )
    assert fired >= len(attacks.ALL_SEEDS) * 0.8


@given(st.sampled_from(attacks.ALL_SEEDS), st.text(max_size=40), st.text(max_size=40))
def test_prefilter_agrees_with_text_around_a_seed(seed: str, before: str, after: str) -> None:
    assert disagreements(before + seed + after) == []
