"""Compiles a phrasing (:mod:`alex.guardrails._phrase_grammar`) into a regex over skeletons.

Every literal is passed through the same :func:`alex.guardrails._text.fold` (and, for the
leetspeak reading, :func:`~alex.guardrails._text.leet`) as the text it is matched
against. A phrasing compiles in two shapes:

* a *words* regex, matched on text whose separators were collapsed to one space, with
  word boundaries at both ends (precise; every non-CJK phrasing gets one);
* a *squashed* regex with no separators at all, matched on text with every separator
  removed, so "i.g.n.o.r.e p-r-e-v-i-o-u-s" and zero-width games still meet it. Only
  phrasings long enough to be unambiguous without spaces (``SQUASH_MIN_CHARS``) get one;
  CJK phrasings always do, since those languages do not use spaces.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from ._phrase_grammar import Gap, Opt, Phrase, Then, slot_options
from ._text import fold, leet, squash, words_of

__all__ = ["SQUASH_MIN_CHARS", "compile_phrase"]

SQUASH_MIN_CHARS: Final = 10
_STEM_EXTRA: Final = r"\w{0,6}"


@cache
def _skeleton(text: str, with_leet: bool) -> str:
    """``fold`` (then ``leet``) of a literal; cached because phrasings share most words."""
    folded = fold(text)
    return leet(folded) if with_leet else folded


@cache
def _literal(option: str, with_leet: bool, squashed: bool) -> tuple[str, int]:
    """Regex for one alternative, and its minimum length in skeleton characters.

    A word ending in ``*`` is a stem: up to six more word characters may follow it
    ("инструкци*" matches инструкции, инструкций, инструкциями).
    """
    if option.startswith("re:"):
        # raw regexes over skeleton text ("re:<words form>||<squashed form>"), for the
        # rare literal that needs a lookahead
        words_rx, _, squashed_rx = option[3:].partition("||")
        raw = squashed_rx if squashed else words_rx
        return raw, len(re.sub(r"\(\?.*?\)|[^a-z]", "", raw))
    parts: list[str] = []
    length = 0
    for word in option.split(" "):
        stem = word.endswith("*")
        skel = _skeleton(word[:-1] if stem else word, with_leet)
        skel = squash(skel) if squashed else words_of(skel)
        if not skel:
            continue
        length += len(skel.replace(" ", ""))
        parts.append(re.escape(skel) + (_STEM_EXTRA if stem else ""))
    return ("" if squashed else " ").join(parts), length


def _alternation(options: tuple[str, ...], with_leet: bool, squashed: bool) -> tuple[str, int]:
    parts = [_literal(o, with_leet, squashed) for o in options]
    # Longest first, so the regex engine prefers "instructions" over "instruction".
    parts.sort(key=lambda p: -len(p[0]))
    uniq = list(dict.fromkeys(p[0] for p in parts if p[0]))
    return "(?:" + "|".join(uniq) + ")", min(p[1] for p in parts)


def compile_phrase(
    phrase: Phrase, with_leet: bool, squashed: bool, *, lead: bool = True, bounded: bool = True
) -> tuple[str, int] | None:
    """Render a phrase as a regex; returns (regex, min skeleton length) or None.

    None means the phrasing has no regex of that shape: a CJK phrasing has no words
    regex, and a squashed one too short to be unambiguous is dropped. ``lead=False`` drops
    the optional words and gaps before the first required word, and ``bounded=False`` the
    ``(?<!\\w)`` guard of the words form (the matcher's prefilters: see ``_phrase_match``).
    """
    if phrase.cjk and not squashed:
        return None
    out = ""
    started = False  # has a required word been emitted (so separators go before)?
    min_len = 0
    kept: dict[int, tuple[str, ...]] = {}  # slot index -> alternatives kept
    first_required = next((i for i, slot in enumerate(phrase.slots) if not isinstance(slot, (Opt, Gap, Then))), len(phrase.slots))
    if squashed and not phrase.cjk:
        # Without separators a short alternative is ambiguous ("drop" + "above" could be
        # anything), so keep only alternatives that make every possible match at least
        # SQUASH_MIN_CHARS long. Slots are filtered in order and each filter uses the
        # current minimum of the others: sound, because minimums only grow.
        required = [i for i, slot in enumerate(phrase.slots) if not isinstance(slot, (Opt, Gap, Then))]
        lengths = {i: {o: _literal(o, with_leet, True)[1] for o in slot_options(phrase.slots[i])} for i in required}
        for i in required:
            rest = sum(min(lengths[j].values()) for j in required if j != i)
            lengths[i] = {o: n for o, n in lengths[i].items() if n + rest >= SQUASH_MIN_CHARS}
            if not lengths[i]:
                return None
        kept = {i: tuple(opts) for i, opts in lengths.items()}
    for index, slot in enumerate(phrase.slots):
        if not lead and not started and index <= first_required and isinstance(slot, (Gap, Opt)):
            continue
        if isinstance(slot, Gap):
            if not squashed:
                out += (r"(?: \w+){0,%d}" if started else r"(?:\w+ ){0,%d}") % slot.words
            elif slot.chars:
                out += r"\w{0,%d}" % slot.chars  # noqa: UP031 (braces would clash with the regex)
            continue
        options = kept.get(index, slot_options(slot))
        alt, length = _alternation(options, with_leet, squashed)
        if isinstance(slot, Then):
            out += f"(?={alt}|$)" if squashed else f"(?= {alt}(?!\\w)|$)"
            continue
        if squashed:
            out += f"(?:{alt})?" if isinstance(slot, Opt) else alt
        elif isinstance(slot, Opt):
            out += f"(?: {alt})?" if started else f"(?:{alt} )?"
        else:
            out += (" " if started else "") + alt
            started = True
        if not isinstance(slot, Opt):
            min_len += length
    if not squashed:
        return (rf"(?<!\w){out}(?!\w)" if bounded else rf"{out}(?!\w)"), min_len
    if not (phrase.cjk or min_len >= SQUASH_MIN_CHARS):
        return None
    return out, min_len
