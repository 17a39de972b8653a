"""The cassette selection shared by the harness and the execution environments: which
directory, which record mode. Kept free of heavy imports: every Lambda environment loads it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

RECORD_MODES = ("none", "new_episodes", "all")
CONTROL_VARIABLE = "HARNESS_CASSETTE_CONTROL"


@dataclass(frozen=True)
class Selection:
    directory: str
    record_mode: str = "none"
    recorded_against: str = "scripted model (harness/bedrock)"
    scenario: str | None = None

    def __post_init__(self) -> None:
        if self.record_mode not in RECORD_MODES:
            raise ValueError(f"record_mode must be one of {', '.join(RECORD_MODES)}, not {self.record_mode!r}")
        if not self.directory:
            raise ValueError("a cassette directory is required")


def read_selection(control_path: str | None) -> Selection | None:
    if not control_path:
        return None
    try:
        data = json.loads(Path(control_path).read_text())
    except (OSError, ValueError):
        return None
    return Selection(**data) if data else None


def misses_path(control_path: str) -> Path:
    return Path(control_path).with_suffix(".misses.jsonl")
