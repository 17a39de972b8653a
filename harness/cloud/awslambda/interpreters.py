"""Which Python runs a function: the interpreter its ``Runtime`` names, as on AWS.

A function's zip runs on the Runtime's own interpreter (``python3.12`` on a 3.12 found on
this machine: on PATH, under pyenv, or uv-managed), in isolation (``-I -S``: no site
packages, no ``PYTHON*`` variables), with its code first on ``sys.path`` and then only
what AWS's runtime provides (boto3 and its dependencies, pure Python). So a package built
for cp312 imports, and one that needs a library it did not bundle fails as on AWS.

Local code is the exception: a zip carrying :data:`HARNESS_LAYER_MARKER` at its root (the
bundled stack's, which ships only its own sources) runs on the harness's interpreter with
the harness's import path as its layer, since its dependencies live in the harness venv.
"""

from __future__ import annotations

import functools
import glob
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HARNESS_LAYER_MARKER = ".alex-harness-layer"
"""A file at a zip's root saying "my dependencies are the harness's own environment"."""

_RUNTIME = re.compile(r"^python(?P<major>3)\.(?P<minor>\d+)$")
RUNTIME_LAYER_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
"""What AWS's Python runtimes put on ``sys.path`` after the function's code (``/var/runtime``)."""


class InterpreterNotFound(Exception):
    """No interpreter on this machine for a function's Runtime; the message says how to get one."""

    def __init__(self, runtime: str, message: str) -> None:
        super().__init__(message)
        self.runtime = runtime
        self.error = {"errorType": "Runtime.InvalidRuntime", "errorMessage": message}


@functools.lru_cache(maxsize=32)
def interpreter_for(runtime: str) -> str:
    """The path of a Python interpreter for ``runtime`` (``python3.12`` -> a 3.12), or InterpreterNotFound."""
    match = _RUNTIME.match(runtime or "")
    if match is None:
        raise InterpreterNotFound(runtime, f"The runtime {runtime!r} is not a Python runtime the local cloud can run.")
    version = (int(match["major"]), int(match["minor"]))
    for candidate in _candidates(version):
        if _reports(candidate, version):
            return candidate
    label = f"{version[0]}.{version[1]}"
    raise InterpreterNotFound(
        runtime,
        f"No Python {label} interpreter found for runtime {runtime}: install one with "
        f"`pyenv install {label}` or `uv python install {label}` (or put python{label} on PATH).",
    )


def uses_harness_layer(code_dir: Path) -> bool:
    """Whether the code is local code that relies on the harness venv (see the module docstring)."""
    return (code_dir / HARNESS_LAYER_MARKER).is_file()


def worker_args(runtime: str, code_dir: Path) -> list[str]:
    """The interpreter and its flags for a worker; isolated unless the code uses the harness layer."""
    if uses_harness_layer(code_dir):
        return [sys.executable]
    return [interpreter_for(runtime), "-I", "-S"]


def layer_path(code_dir: Path) -> list[str]:
    """What follows the function's code on ``sys.path``: the harness's path, or AWS's runtime packages."""
    if uses_harness_layer(code_dir):
        here = str(Path(__file__).parent)
        return [os.path.abspath(p) for p in sys.path if p and os.path.abspath(p) != here]
    return [str(runtime_layer_dir())]


@functools.lru_cache(maxsize=1)
def runtime_layer_dir() -> Path:
    """Links to the harness's boto3 and its pure-Python dependencies (AWS's ``/var/runtime``), plus the
    ``harness`` package itself, the extension that wraps handlers (``HARNESS_HANDLER_WRAPPER``)."""
    import hashlib
    import importlib.util
    import tempfile

    key = hashlib.sha256(f"{sys.prefix}:{Path(__file__).resolve()}".encode()).hexdigest()[:12]
    target = Path(tempfile.gettempdir()) / f"alex-lambda-runtime-{key}"
    if target.is_dir():
        return target
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-"))
    for name in (*RUNTIME_LAYER_PACKAGES, "harness"):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (staging / source.name).symlink_to(source)
    try:
        staging.rename(target)
    except OSError:  # another process made it first
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _candidates(version: tuple[int, int]) -> list[str]:
    """Interpreters that may be ``version``: the harness's own base, PATH, pyenv, uv-managed."""
    label = f"{version[0]}.{version[1]}"
    found: list[str] = []
    if sys.version_info[:2] == version:
        found.append(getattr(sys, "_base_executable", "") or sys.executable)
    on_path = shutil.which(f"python{label}")
    if on_path:
        found.append(on_path)
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    found.extend(_newest_first(glob.glob(f"{pyenv_root}/versions/{label}.*/bin/python{label}")))
    uv_dir = os.environ.get("UV_PYTHON_INSTALL_DIR") or os.path.expanduser("~/.local/share/uv/python")
    found.extend(_newest_first(glob.glob(f"{uv_dir}/cpython-{label}.*/bin/python{label}")))
    return [path for path in dict.fromkeys(found) if os.access(path, os.X_OK)]


def _newest_first(paths: list[str]) -> list[str]:
    def patch(path: str) -> tuple[int, ...]:
        numbers = re.findall(r"\d+", path.split("/bin/")[0].rsplit("/", 1)[-1])
        return tuple(int(n) for n in numbers)

    return sorted(paths, key=patch, reverse=True)


def _reports(path: str, version: tuple[int, int]) -> bool:
    """Whether ``path`` runs and is ``version`` (a pyenv shim on PATH may exist and still fail)."""
    try:
        result = subprocess.run(
            [path, "-I", "-S", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0 and result.stdout.strip() == f"{version[0]}.{version[1]}"
