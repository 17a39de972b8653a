"""The Alex stack tuned for tests and scenarios: the same resources, shorter clocks.

Production waits seconds between model retries and minutes before SQS redelivers; a test
cannot. Only timings change (retry backoff, timeouts, visibility timeout), never the
wiring, so what passes here is the code that runs on AWS.
"""

from __future__ import annotations

from harness.alexkit.stack.definition import alex_stack
from harness.stack.spec import StackSpec

FAST_ENVIRONMENT: dict[str, str] = {
    "MODEL_RETRY_ATTEMPTS": "4",
    "MODEL_RETRY_BASE_SECONDS": "0.05",
    "MODEL_RETRY_MAX_WAIT_SECONDS": "0.2",
    "MODEL_TIMEOUT_SECONDS": "20",
    "AGENT_INVOKE_TIMEOUT_SECONDS": "90",
    "LOG_LEVEL": "INFO",
    "RETRY_BACKOFF_SECONDS": "1",
    "STALE_PENDING_SECONDS": "600",
    "SWEEP_PENDING_SECONDS": "600",  # the sweeper runs only when a test moves the clock; bounds stay generous
}


def fast_alex_stack(
    *, planner_timeout: int = 120, agent_timeout: int = 60, environment: dict[str, str] | None = None, **overrides: object
) -> StackSpec:
    """:func:`alex_stack` with test clocks; ``environment`` adds to every function's variables.

    The queue's visibility timeout stays just above the planner's timeout, as Lambda
    requires of an SQS trigger, so a slow attempt is never redelivered while it runs.
    """
    return alex_stack(
        queue_visibility_timeout=planner_timeout + 1,
        planner_timeout=planner_timeout,
        agent_timeout=agent_timeout,
        environment={**FAST_ENVIRONMENT, **(environment or {})},
        **overrides,  # type: ignore[arg-type]
    )


# What ``alex-harness up --test-clocks`` runs: the fast stack with a sweeper that acts within seconds.
TEST_CLOCK_ENVIRONMENT: dict[str, str] = {"LEASE_SECONDS": "5", "SWEEP_PENDING_SECONDS": "10"}


def clock_driven_stack() -> StackSpec:
    """:func:`fast_alex_stack` with leases of 5 s and a pending bound of 10 s, for chaos tests by hand."""
    return fast_alex_stack(environment=TEST_CLOCK_ENVIRONMENT)
