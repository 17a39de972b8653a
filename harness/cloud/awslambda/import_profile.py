"""What a function's first invocation imports, learned once and imported into its template.

A handler's libraries often import much of themselves lazily, on the first call: LiteLLM
imports about 80 modules (its provider transformations, its proxy types, tiktoken's
encodings) on the first completion, about 0.9 s of CPU. SnapStart users move such work
into the snapshot by priming; the harness does it for any code, unchanged: an environment
restored from a template reports the modules its first invocation imported, the template
imports them too (between forks, so every later environment starts with them), and the
list is kept on disk per code version so the next template (the next ``up``, the next
test) imports them in its init. A module whose import starts a thread is never imported
into a template again (a fork copies only the forking thread).

What changes for a function: a module its handler imports lazily runs its module-level
code once per template instead of once per environment, with the template's variables.
Opt out per function with the tag ``harness:preload=off`` or for the whole harness with
``HARNESS_LAMBDA_PRELOAD=off``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

from harness.cache_dir import default_cache_dir
from harness.cloud.awslambda.functions import FunctionConfig

log = logging.getLogger(__name__)

PRELOAD_VARIABLE = "HARNESS_LAMBDA_PRELOAD"  # "off": templates import only what the init imports
PRELOAD_TAG = "harness:preload"  # a function tagged "off" is not primed
MAX_MODULES = 5000  # a profile is names of modules, not a dump: beyond this, nothing more is learned


def preload_enabled(fn: FunctionConfig) -> bool:
    return os.environ.get(PRELOAD_VARIABLE, "on") != "off" and fn.tags.get(PRELOAD_TAG) != "off"


def profile_key(fn: FunctionConfig, interpreter: list[str]) -> str:
    """What decides what the first invocation imports: the code and how it is run.

    Not the variables (an endpoint's port changes every run): a profile is only a list of
    names to import, and a name the code no longer has is skipped.
    """
    material = [fn.code_sha256, fn.handler, fn.runtime, interpreter]
    return hashlib.sha256(json.dumps(material).encode()).hexdigest()[:32]


class ImportProfiles:
    """Per code version: the modules to import into its template, and those never to."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else default_cache_dir() / "import-profiles"
        self._lock = threading.Lock()
        self._cache: dict[str, dict[str, list[str]]] = {}

    def modules(self, key: str) -> list[str]:
        """The modules to import, in the order they were first imported."""
        with self._lock:
            return list(self._load(key)["modules"])

    def profile(self, key: str) -> dict[str, list[str]]:
        """A copy of the whole profile: the modules to import and those never to."""
        with self._lock:
            return {field: list(values) for field, values in self._load(key).items()}

    def learn(self, key: str, names: Iterable[str]) -> list[str]:
        """Add what a first invocation imported; returns the names that were new."""
        with self._lock:
            profile = self._load(key)
            known = set(profile["modules"]) | set(profile["unsafe"])
            new = [n for n in dict.fromkeys(names) if n not in known and _importable_name(n)]
            room = MAX_MODULES - len(profile["modules"])
            new = new[: max(room, 0)]
            if new:
                profile["modules"].extend(new)
                self._save(key, profile)
            return new

    def mark_unsafe(self, key: str, name: str) -> None:
        """Never import ``name`` into a template again: importing it started a thread."""
        with self._lock:
            profile = self._load(key)
            profile["modules"] = [n for n in profile["modules"] if n != name]
            if name not in profile["unsafe"]:
                profile["unsafe"].append(name)
            self._save(key, profile)

    def _path(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def _load(self, key: str) -> dict[str, list[str]]:
        if key not in self._cache:
            profile: dict[str, list[str]] = {"modules": [], "unsafe": []}
            try:
                data = json.loads(self._path(key).read_text())
                for field in profile:
                    values = data.get(field, [])
                    if isinstance(values, list):
                        profile[field] = [v for v in values if isinstance(v, str) and _importable_name(v)]
            except FileNotFoundError:
                pass
            except (OSError, ValueError, AttributeError) as exc:  # a damaged profile costs speed, never a start
                log.warning("ignoring the unreadable import profile %s: %s", self._path(key), exc)
            self._cache[key] = profile
        return self._cache[key]

    def _save(self, key: str, profile: dict[str, list[str]]) -> None:
        """Write atomically (another harness may read it at the same moment); a failure costs speed only."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=f".{key}.", suffix=".tmp")
            with os.fdopen(fd, "w") as out:
                json.dump(profile, out)
            os.replace(tmp, self._path(key))
        except OSError as exc:
            log.warning("could not save the import profile %s: %s", self._path(key), exc)


def _importable_name(name: str) -> bool:
    """A dotted module name (``__main__`` and names with other characters are not imported)."""
    return name != "__main__" and all(part.isidentifier() for part in name.split("."))
