"""Guard what a model says before it is stored (see :mod:`alex.guardrails.output`).

The agents call :func:`guard_output` with what they know of the request: its canary and
instructions (prompt leakage), the untrusted texts that went into its prompt (echoes)
and, for recommendations, the symbols the user holds or Alex knows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from alex.guardrails.output import Untrusted, check_output


@dataclass
class GuardedText:
    text: str
    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(not r["passed"] for r in self.results)


def guard_output(
    text: str,
    *,
    field_name: str,
    max_bytes: int,
    canary: str = "",
    instructions: str = "",
    untrusted: Iterable[Untrusted] = (),
    symbols: Iterable[str] | None = None,
) -> GuardedText:
    """``text`` as it may be stored (cut to ``max_bytes`` UTF-8 bytes) and the checks' results."""
    verdict = check_output(
        text, max_bytes=max_bytes, canary=canary, instructions=instructions, untrusted=untrusted, symbols=symbols
    )
    return GuardedText(verdict.text, [{**c, "field": field_name} for c in verdict.checks])
