"""Attack phrasings in twelve languages, one module per language (data only).

Each language module defines ``PHRASES``, written in the grammar of
:mod:`alex.guardrails._phrase_grammar`. Phrasings need the *object* of the override
("…previous **instructions**", "…your **system prompt**"), so "Ignore the dip, I'm holding
VTI" or "disregard the above balance, it was a typo" pass. The order below is the order
phrases are tried in (the first hit per text form is the one reported).
"""

from __future__ import annotations

from typing import Final

from .._phrase_grammar import Phrase
from . import ar, de, en, es, fr, it, ja, ko, nl, pt, ru, zh

__all__ = ["LANGUAGES", "PHRASES"]

_MODULES: Final = (en, es, fr, de, it, pt, nl, zh, ja, ru, ko, ar)
LANGUAGES: Final[tuple[str, ...]] = tuple(m.__name__.rsplit(".", 1)[1] for m in _MODULES)
PHRASES: Final[tuple[Phrase, ...]] = tuple(p for m in _MODULES for p in m.PHRASES)
