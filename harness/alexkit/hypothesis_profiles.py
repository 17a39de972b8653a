"""Hypothesis profiles the project's property tests share: ``ci`` (default) and ``deep``.

Why here and not in a test folder's conftest: Hypothesis applies ``--hypothesis-profile``
in ``pytest_configure``, before conftests below the root are imported, so the profiles
must be registered by the root plugin for ``pytest -m guardrails --hypothesis-profile=deep``
to work from the project root.

``ci`` is derandomised and keeps no example database: every run is the same run and
writes nothing. ``deep`` tries many more random examples for longer runs.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings

_COMMON: dict[str, Any] = {
    "database": None,
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}


def register() -> None:
    """Register both profiles and load ``ci`` unless another profile was asked for."""
    settings.register_profile("ci", derandomize=True, max_examples=60, **_COMMON)
    settings.register_profile("deep", max_examples=2000, **_COMMON)
    requested = os.environ.get("HYPOTHESIS_PROFILE")
    if requested:
        settings.load_profile(requested)
    elif settings.get_current_profile_name() == "default":
        settings.load_profile("ci")
