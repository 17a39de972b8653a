"""Function code unpacked once per code SHA-256 and shared by every environment that runs it.

Content-addressed, so an unchanged function never re-extracts and an updated one gets a
new directory; extraction goes to a scratch directory renamed into place, so a
concurrent cold start never sees half a tree.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import threading
import zipfile
from pathlib import Path


class CodeCache:
    """``<root>/<sha256>/``: the function's deployment package, extracted."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def directory(self, code_sha256: str, code: bytes) -> Path:
        """The extracted code directory, extracting the zip first if this SHA is new."""
        target = self.root / code_sha256
        if target.is_dir():
            return target
        with self._guard:
            lock = self._locks.setdefault(code_sha256, threading.Lock())
        with lock:
            if target.is_dir():
                return target
            self.root.mkdir(parents=True, exist_ok=True)
            scratch = Path(tempfile.mkdtemp(prefix=f".{code_sha256[:12]}-", dir=self.root))
            try:
                with zipfile.ZipFile(io.BytesIO(code)) as archive:
                    archive.extractall(scratch)
                scratch.rename(target)
            except BaseException:
                shutil.rmtree(scratch, ignore_errors=True)
                raise
        return target
