"""The text forms the sanitiser hands to the phrase matcher and role-tag detector.

Tests build them the way :func:`alex.guardrails.sanitise.sanitise` does (clean, then
``detection_forms``), so a pattern is tested against what it meets in production.
"""

from __future__ import annotations

import re

from alex.guardrails._text import DetectionForms, clean, detection_forms


def forms(text: str) -> DetectionForms:
    return detection_forms(clean(text))


def search_form(rx: str | re.Pattern[str], text: str, *, squashed: bool, with_leet: bool = False) -> bool:
    """Does ``rx`` match any reading (plain, rot13, reversed) of ``text`` in the given shape?"""
    pattern = re.compile(rx) if isinstance(rx, str) else rx
    return any(
        pattern.search(form) for form, leet, squash in forms(text).phrase_inputs if leet == with_leet and squash == squashed
    )
