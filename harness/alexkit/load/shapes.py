"""Load shapes as pure functions of elapsed time: ``locustfiles/api.py`` wraps them in a
``LoadTestShape`` (selected by ``--shape``), the tests check them without importing Locust.

Each returns ``(users, spawn_rate)`` for the elapsed second, or None once the shape is over.

- ``constant``: ``peak`` users for ``duration`` (what ``-u``/``-r``/``-t`` do without a shape)
- ``ramp``: a staircase to ``peak`` in four equal steps, then a hold at ``peak`` (five stages)
- ``spike``: a baseline of a fifth of ``peak``, a sudden spike to ``peak`` (spawned within a
  second) in the middle sixth of the run, then back to the baseline
- ``soak``: a quick ramp (the first tenth) to ``peak``, then ``peak`` held for the rest
"""

from __future__ import annotations

import math

SHAPES = ("constant", "ramp", "spike", "soak")
# When no --run-time is given: how long each shape runs by default (seconds).
DEFAULT_DURATIONS = {"constant": 60.0, "ramp": 120.0, "spike": 90.0, "soak": 1800.0}

Tick = tuple[int, float] | None


def parse_duration(text: str | float | int | None) -> float | None:
    """Locust's run-time syntax: ``90``, ``30s``, ``2m``, ``1h30m``; None or '' -> None."""
    if text is None or text == "":
        return None
    if isinstance(text, (int, float)):
        return float(text)
    value = str(text).strip().lower()
    if value.replace(".", "", 1).isdigit():
        return float(value)
    total, number = 0.0, ""
    units = {"h": 3600.0, "m": 60.0, "s": 1.0}
    for char in value:
        if char.isdigit() or char == ".":
            number += char
        elif char in units and number:
            total += float(number) * units[char]
            number = ""
        else:
            raise ValueError(f"not a duration: {text!r} (use e.g. 30s, 2m, 1h30m)")
    if number:
        raise ValueError(f"not a duration: {text!r} (a number needs its unit: h, m or s)")
    return total


def shape_tick(shape: str, elapsed: float, *, peak: int, spawn_rate: float | None = None, duration: float | None = None) -> Tick:
    """``(users, spawn_rate)`` of ``shape`` at ``elapsed`` seconds, None when it is over."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; choose one of {', '.join(SHAPES)}")
    peak = max(1, int(peak))
    total = float(duration) if duration else DEFAULT_DURATIONS[shape]
    if elapsed >= total:
        return None
    rate = float(spawn_rate) if spawn_rate else None
    if shape == "constant":
        return peak, rate or float(peak)
    if shape == "ramp":
        stage = min(4, int(elapsed // (total / 5)))  # 0..3 climbing, 4 holding
        users = max(1, math.ceil(peak * min(stage + 1, 4) / 4))
        # reach each step within the first half of its stage
        return users, rate or max(1.0, peak / 4 / max(1.0, total / 10))
    if shape == "spike":
        baseline = max(1, peak // 5)
        if total / 3 <= elapsed < total / 2:
            return peak, float(peak)  # the spike: everyone at once
        return baseline, float(peak)  # and back down as fast
    # soak
    if elapsed < total / 10:
        return min(peak, max(1, math.ceil(peak * (elapsed + 1) / max(1.0, total / 10)))), rate or max(
            1.0, peak / max(1.0, total / 10)
        )
    return peak, rate or float(peak)
