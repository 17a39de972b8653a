"""Tool calls an agent may make: only its role's tools, with validated arguments.

A model that read an injected "now call transfer_funds" (or that is compromised) asks
for tool calls; this policy sits between the model's answer and the Agents SDK, so a
call outside the role's list, with arguments that are not the tool's, or beyond the
tool's per-run budget is dropped before anything runs, and recorded for the audit.
An answer may hold several calls (the SDK runs them concurrently); a repeat of a call
already in the same answer is dropped too, so one answer never runs a tool twice at once.
Nothing depends on recognising the text that asked for the call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["ROLE_TOOLS", "ToolPolicy", "policy_for"]

# Tools each agent's role needs (argument names each takes; none take any today), and
# the structured-output pseudo-tools LiteLLM may surface, which are never real calls.
ROLE_TOOLS: Final[dict[str, dict[str, frozenset[str]]]] = {
    "planner": {name: frozenset() for name in ("invoke_reporter", "invoke_charter", "invoke_retirement")},
    "tagger": {},
    "reporter": {},
    "charter": {},
    "retirement": {},
}
MAX_CALLS_PER_TOOL: Final = 2  # a retry after an error is fine; a loop is not


@dataclass
class ToolPolicy:
    """One run's tool policy and what it refused."""

    role: str
    allowed: dict[str, frozenset[str]]
    calls: dict[str, int] = field(default_factory=dict)
    refused: list[dict[str, str]] = field(default_factory=list)

    def check(self, name: str, arguments: str | None) -> str | None:
        """Why the call ``name(arguments)`` is refused, or None when it may run."""
        if name not in self.allowed:
            return "tool not allowed for this role"
        try:
            args = json.loads(arguments or "{}")
        except ValueError:
            return "arguments are not JSON"
        if not isinstance(args, dict):
            return "arguments are not a JSON object"
        extra = set(args) - self.allowed[name]
        if extra:
            return f"unexpected arguments: {', '.join(sorted(map(str, extra)))[:200]}"
        if self.calls.get(name, 0) >= MAX_CALLS_PER_TOOL:
            return "called too many times in one run"
        return None

    def filter(self, items: list[Any]) -> list[Any]:
        """``items`` (a model response's output) without the refused function calls."""
        kept = []
        seen: set[tuple[str, str]] = set()  # the calls of this answer
        for item in items:
            if getattr(item, "type", None) == "function_call":
                name = str(getattr(item, "name", ""))
                arguments = getattr(item, "arguments", None)
                reason = self.check(name, arguments)
                key = (name, _normalised(arguments))
                if reason is None and key in seen:
                    reason = "repeats a call of the same answer"
                if reason is not None:
                    self.refused.append({"tool": name[:100], "reason": reason})
                    continue
                seen.add(key)
                self.calls[name] = self.calls.get(name, 0) + 1
            kept.append(item)
        return kept

    def audit(self) -> dict[str, Any]:
        return {
            "name": "tool_calls",
            "passed": not self.refused,
            "role": self.role,
            "calls": dict(self.calls),
            "refused": self.refused[:20],
        }


def _normalised(arguments: str | None) -> str:
    """Arguments as one canonical JSON text, so ``{"a":1}`` and ``{ "a": 1 }`` are the same call."""
    try:
        return json.dumps(json.loads(arguments or "{}"), sort_keys=True)
    except ValueError:
        return arguments or ""


def policy_for(role: str) -> ToolPolicy:
    """The policy of ``role`` (an unknown role may call nothing)."""
    return ToolPolicy(role, dict(ROLE_TOOLS.get(role, {})))
