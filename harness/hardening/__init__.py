"""Hardening shared by every local endpoint: origin and Host allow-list, read deadlines, framing,
header and JSON-nesting limits (see the README's "Security of the local endpoints")."""

from harness.hardening.limits import Limits, json_depth, too_deep
from harness.hardening.policy import LocalAccessPolicy

__all__ = ["Limits", "LocalAccessPolicy", "json_depth", "too_deep"]
