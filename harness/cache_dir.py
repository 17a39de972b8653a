"""Where the harness keeps what is worth keeping between runs (packaged dependencies, import profiles)."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_VARIABLE = "ALEX_HARNESS_CACHE_DIR"


def default_cache_dir() -> Path:
    """$ALEX_HARNESS_CACHE_DIR, else $XDG_CACHE_HOME/alex-harness, else ~/.cache/alex-harness."""
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "alex-harness"
