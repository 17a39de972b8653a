"""Guardrails for Alex: what may reach a prompt, what may leave a model, and how model
calls are retried.

* :func:`sanitise` — clean user-controlled text for a prompt; neutralise injections
  (direct, or indirect through stored account and instrument names).
* :func:`validate_charts` / :func:`fallback_charts` — the charter agent's output,
  accepted only when well-formed.
* :func:`truncate_utf8` — byte limits that never split a character.
* :mod:`.validation` — symbols, quantities, money, allocations and request models.
* :func:`model_retry` / :func:`is_retryable` — backoff on throttling, no retry on 4xx.
"""

from .charts import ChartVerdict, fallback_charts, validate_charts
from .limits import truncate_utf8, utf8_len
from .retries import is_retryable, model_retry
from .sanitise import INJECTION_PLACEHOLDER, Finding, SanitisedText, sanitise
from .validation import (
    SYMBOL_PATTERN,
    AccountCreate,
    AccountName,
    AccountUpdate,
    Allocation,
    AnalyzeRequest,
    InstrumentCreate,
    Money,
    PositionCreate,
    PositionUpdate,
    Price,
    Quantity,
    Symbol,
    UserUpdate,
    YearsUntilRetirement,
)

__all__ = [
    "sanitise",
    "SanitisedText",
    "Finding",
    "INJECTION_PLACEHOLDER",
    "validate_charts",
    "fallback_charts",
    "ChartVerdict",
    "truncate_utf8",
    "utf8_len",
    "is_retryable",
    "model_retry",
    "SYMBOL_PATTERN",
    "Symbol",
    "Quantity",
    "Money",
    "Price",
    "YearsUntilRetirement",
    "Allocation",
    "AccountName",
    "UserUpdate",
    "AccountCreate",
    "AccountUpdate",
    "PositionCreate",
    "PositionUpdate",
    "InstrumentCreate",
    "AnalyzeRequest",
]
