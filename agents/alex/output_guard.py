"""Guard what a model says before it is stored: injected instructions out, size bounded.

A model's answer can carry instructions (from a poisoned input, or a compromised model)
aimed at whoever reads the report next, or at the next agent. Each paragraph is checked
with the same sanitiser that guards inputs; a paragraph that carries an injection is
replaced by a marker, the rest is kept. The text is first cut to a byte bound that never
splits a character, so an oversized answer costs no more to check than a full-size one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from alex.guardrails import sanitise, truncate_utf8, utf8_len

REMOVED_MARKER = "[removed: text that tried to instruct the reader]"
_PARAGRAPHS = re.compile(r"\n\s*\n")


@dataclass
class GuardedText:
    text: str
    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(not r["passed"] for r in self.results)


def guard_output(text: str, *, field_name: str, max_bytes: int) -> GuardedText:
    """``text`` with injected paragraphs removed and cut to ``max_bytes`` UTF-8 bytes."""
    removed = 0
    kept = []
    size = utf8_len(text or "")
    # Only what can be stored is worth checking: cut first (a 600 KB answer is not sanitised whole).
    text = truncate_utf8(text or "", max_bytes) if size > max_bytes else (text or "")
    for paragraph in _PARAGRAPHS.split(text):
        verdict = sanitise(paragraph, field=field_name, max_chars=max(len(paragraph), 1))
        if verdict.blocked:
            removed += 1
            kept.append(REMOVED_MARKER)
        else:
            kept.append(paragraph)
    cleaned = "\n\n".join(kept)
    bounded = truncate_utf8(cleaned, max_bytes) if utf8_len(cleaned) > max_bytes else cleaned
    return GuardedText(
        bounded,
        [
            {"name": "output_injection", "passed": removed == 0, "paragraphs_removed": removed},
            {"name": "output_size", "passed": size <= max_bytes, "bytes": size, "limit": max_bytes},
        ],
    )
