"""Matches texts against every phrasing, with the regex tables built once, at import.

Four tables: (plain or leetspeak reading) x (words or squashed form), each a list of
(phrase, compiled regex) in :data:`alex.guardrails._phrasings.PHRASES` order plus one
combined alternation, so a clean text costs one search per form.

Built at import, not on the first call: a Lambda's init phase (and a SnapStart-like
template of it) pays the ~0.5 s of compiling once, so no invocation does.
"""

from __future__ import annotations

import re
from typing import Final

from ._phrase_compiler import compile_phrase
from ._phrase_grammar import Phrase
from ._phrasings import PHRASES

__all__ = ["COMBINED", "COMPILED", "match_phrases"]

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
COMBINED: Final[dict[_Key, re.Pattern[str]]] = {
    key: re.compile("|".join(f"(?:{p.pattern})" for _, p in items)) for key, items in COMPILED.items()
}


def match_phrases(texts: tuple[tuple[str, bool, bool], ...]) -> list[tuple[Phrase, str]]:
    """Phrases found in ``texts``: each item is (text, is_leet_form, is_squashed_form).

    Returns (phrase, which form matched) for the first phrase per form; one hit is
    enough to block, and a complete list is not worth the time on long texts.
    """
    hits: list[tuple[Phrase, str]] = []
    for text, with_leet, squashed in texts:
        if not text or not COMBINED[(with_leet, squashed)].search(text):
            continue
        for phrase, rx in COMPILED[(with_leet, squashed)]:
            if rx.search(text):
                hits.append((phrase, ("leet " if with_leet else "") + ("squashed" if squashed else "words")))
                break
    return hits
