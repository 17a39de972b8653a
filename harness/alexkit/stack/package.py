"""Build the Lambda deployment package: the ``alex`` package, zipped as Lambda wants it.

Only Alex's own code goes in the zip; its dependencies come from the harness's
environment, which the local execution environments see the way a Lambda layer is
seen on AWS: the zip carries ``HARNESS_LAYER_MARKER``, so it runs on the harness's
interpreter (see ``harness/cloud/awslambda/interpreters.py``). (For ``--backend aws`` a real package with dependencies is the
deployer's job, as in Alex's own ``package_docker.py``.)
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from functools import lru_cache
from pathlib import Path

from harness.cloud.awslambda.interpreters import HARNESS_LAYER_MARKER

_FIXED_DATE = (2020, 1, 1, 0, 0, 0)


def alex_source_dir() -> Path:
    """Where the ``alex`` package lives (``agents/alex`` in this repository)."""
    import alex

    return Path(alex.__file__).resolve().parent


def _source_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix not in {".pyc", ".pyo"})


def _fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for path in _source_files(root):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def alex_code_zip() -> bytes:
    """The zip of ``alex`` with paths ``alex/...``; rebuilt only when a source file changes."""
    root = alex_source_dir()
    return _zip_of(root, _fingerprint(root))


@lru_cache(maxsize=4)
def _zip_of(root: Path, _fingerprint: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in _source_files(root):
            info = zipfile.ZipInfo(f"{root.name}/{path.relative_to(root).as_posix()}", date_time=_FIXED_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
        marker = zipfile.ZipInfo(HARNESS_LAYER_MARKER, date_time=_FIXED_DATE)
        marker.external_attr = 0o644 << 16
        archive.writestr(marker, "dependencies: the harness's environment\n")
    return buffer.getvalue()
