"""Matches texts against every phrasing, with the regex tables built once, at import.

Four tables: (plain or leetspeak reading) x (words or squashed form), each a list of
(phrase, compiled regex) in :data:`alex.guardrails._phrasings.PHRASES` order plus quick
prefilters, so a clean text costs a few fast searches per form.

Built at import, not on the first call: a Lambda's init phase (and a SnapStart-like
template of it) pays the ~0.5 s of compiling once, so no invocation does.
"""

from __future__ import annotations

import re
from typing import Final

from ._phrase_compiler import compile_phrase
from ._phrase_grammar import Phrase
from ._phrasings import PHRASES

__all__ = ["COMPILED", "PREFILTERS", "match_phrases"]

_Key = tuple[bool, bool]  # (with_leet, squashed)


def _build() -> dict[_Key, list[tuple[Phrase, re.Pattern[str]]]]:
    out: dict[_Key, list[tuple[Phrase, re.Pattern[str]]]] = {}
    for with_leet in (False, True):
        for squashed in (False, True):
            items: list[tuple[Phrase, re.Pattern[str]]] = []
            for phrase in PHRASES:
                compiled = compile_phrase(phrase, with_leet, squashed)
                if compiled is not None:
                    items.append((phrase, re.compile(compiled[0])))
            out[(with_leet, squashed)] = items
    return out


COMPILED: Final[dict[_Key, list[tuple[Phrase, re.Pattern[str]]]]] = _build()


def _prefilters() -> dict[_Key, tuple[re.Pattern[str], ...]]:
    """Per form, regexes of which one finds any text a phrase's own regex finds: a quick
    first test, written for the speed of Python's engine on benign text.

    Optional words and gaps before a phrase's first required word are dropped: a match of
    the rest lies inside every match of the whole and is itself a match of the whole with
    them empty. The words form is one alternation behind a single ``(?<!\\w)``, so its ~100
    branches are tried only at word starts; the squashed form (no word starts) is one regex
    per phrase, each scanned with its own first-character test. This halves
    ``remove_instructions`` on a report paragraph against one plain alternation per form.
    """
    out: dict[_Key, tuple[re.Pattern[str], ...]] = {}
    for with_leet in (False, True):
        for squashed in (False, True):
            bodies = [
                compiled[0]
                for phrase in PHRASES
                if (compiled := compile_phrase(phrase, with_leet, squashed, lead=False, bounded=False))
            ]
            if squashed:
                out[(with_leet, squashed)] = tuple(re.compile(body) for body in bodies)
            else:
                out[(with_leet, squashed)] = (re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{b})" for b in bodies) + ")"),)
    return out


PREFILTERS: Final[dict[_Key, tuple[re.Pattern[str], ...]]] = _prefilters()


def match_phrases(texts: tuple[tuple[str, bool, bool], ...]) -> list[tuple[Phrase, str]]:
    """Phrases found in ``texts``: each item is (text, is_leet_form, is_squashed_form).

    Returns (phrase, which form matched) for the first phrase per form; one hit is
    enough to block, and a complete list is not worth the time on long texts.
    """
    hits: list[tuple[Phrase, str]] = []
    for text, with_leet, squashed in texts:
        if not text or not any(rx.search(text) for rx in PREFILTERS[(with_leet, squashed)]):
            continue
        for phrase, rx in COMPILED[(with_leet, squashed)]:
            if rx.search(text):
                hits.append((phrase, ("leet " if with_leet else "") + ("squashed" if squashed else "words")))
                break
    return hits
