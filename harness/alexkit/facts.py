"""Alex's facts as the harness needs them, each derived from the one place Alex states it.

The agents and the default model come from ``alex.schemas`` (the agents' own contract);
the queue names from the stack prefix. The stack, scenarios, ``watch`` and monitoring
read them here instead of restating them.
"""

from __future__ import annotations

from typing import Final

from alex.schemas import AGENTS, DEFAULT_MODEL_ID

PLANNER: Final = "planner"
AGENT_NAMES: Final[tuple[str, ...]] = tuple(a for a in AGENTS if a != PLANNER)  # the Lambdas the planner invokes

__all__ = ["AGENTS", "AGENT_NAMES", "DEFAULT_MODEL_ID", "PLANNER", "analysis_queue_names", "function_name"]


def analysis_queue_names(prefix: str = "alex") -> tuple[str, str]:
    """The analysis jobs queue and its dead-letter queue: ``(<prefix>-analysis-jobs, ...-dlq)``."""
    jobs = f"{prefix}-analysis-jobs"
    return jobs, f"{jobs}-dlq"


def function_name(prefix: str, agent: str) -> str:
    """The Lambda function of one of Alex's agents (the planner included)."""
    return f"{prefix}-{agent}"
