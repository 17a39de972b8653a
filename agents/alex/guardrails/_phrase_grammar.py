"""The tiny grammar attack phrasings are written in: a phrasing is a sequence of slots.

Why a grammar and not a phrase list: "ignore previous instructions" is one of thousands
of spellings of the same request ("Ignore ALL of the prior directions"). A slot is one
word or phrase (``str``), a set of alternatives (``tuple``), an optional set (:class:`Opt`),
a run of arbitrary words (:class:`Gap`) or a required follower (:class:`Then`). A word
ending in ``*`` is a stem. :mod:`alex.guardrails._phrase_compiler` turns phrasings into
regexes; the phrasings themselves live in :mod:`alex.guardrails._phrasings`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

__all__ = ["BYPASS", "EXFIL", "KINDS", "NEW", "OVERRIDE", "ROLE", "Gap", "Opt", "Phrase", "Slot", "Then", "slot_options"]

# What a phrasing attempts (the ``kind`` reported by the sanitiser).
OVERRIDE = "instruction_override"
ROLE = "role_reassignment"
EXFIL = "prompt_exfiltration"
NEW = "new_instructions"
BYPASS = "restriction_bypass"
KINDS = (OVERRIDE, ROLE, EXFIL, NEW, BYPASS)


@dataclass(frozen=True)
class Opt:
    """An optional slot."""

    options: tuple[str, ...]


@dataclass(frozen=True)
class Gap:
    """Up to ``words`` arbitrary words in the words regex; in the squashed regex, up to
    ``chars`` characters (0 by default: a gap-less variant)."""

    words: int
    chars: int = 0


@dataclass(frozen=True)
class Then:
    """Lookahead: the phrase must be followed by the end of text or one of these words."""

    options: tuple[str, ...]


Slot = Union[str, tuple[str, ...], Opt, Gap, Then]  # noqa: UP007 (an alias evaluated at import: | on classes needs them defined)


@dataclass(frozen=True)
class Phrase:
    """One phrasing: ``kind`` (what it attempts), ``lang``, and its slots.

    ``cjk`` phrasings (languages written without spaces) get only the squashed regex.
    """

    kind: str
    lang: str
    slots: tuple[Slot, ...]
    cjk: bool = False

    @property
    def name(self) -> str:
        first = self.slots[0]
        label = first if isinstance(first, str) else "/".join(slot_options(first)[:2])
        return f"{self.lang}:{self.kind}:{label}"


def slot_options(slot: Slot) -> tuple[str, ...]:
    """The literal alternatives of a slot (none for a :class:`Gap`)."""
    if isinstance(slot, str):
        return (slot,)
    if isinstance(slot, (Opt, Then)):
        return slot.options
    if isinstance(slot, Gap):
        return ()
    return slot
