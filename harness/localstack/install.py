"""Install LocalStack's community core into a venv of its own, once, with the pins that work.

``localstack-core`` needs a newer Python than the project's (3.13 for 2026.3.0) and, on it, a few
dependencies held back: newer cbor2, pyOpenSSL and cryptography break its runtime, and
service_identity is needed by its TLS stack. The venv is cached per version under
``~/.cache/alex-harness`` so only the first start pays for the install (about four minutes here).
"""

from __future__ import annotations

import fcntl
import glob
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

LOCALSTACK_VERSION = "2026.3.0"
SUPPORTED_PYTHON = (3, 13)
# Exact pins: the versions pip resolves under the bounds found to work in issue 21 (cbor2<6,
# pyopenssl<26, cryptography<47, plus service_identity, which localstack-core does not declare);
# the newest releases of these broke localstack-core 2026.3.0's runtime there.
PINS = (
    f"localstack-core[runtime]=={LOCALSTACK_VERSION}",
    "cbor2==5.9.0",
    "pyopenssl==25.3.0",
    "cryptography==46.0.7",
    "service-identity==24.2.0",
)
PYTHON_VARIABLE = "ALEX_LOCALSTACK_PYTHON"
CACHE_VARIABLE = "ALEX_LOCALSTACK_CACHE"
_MARKER = ".alex-harness-installed"


class NoSuitablePython(RuntimeError):
    """No Python LocalStack supports was found; the message says where we looked."""


class InstallFailed(RuntimeError):
    """pip could not install LocalStack (no registry, a conflict); the message quotes pip's tail."""


def cache_root() -> Path:
    return Path(os.environ.get(CACHE_VARIABLE) or Path.home() / ".cache" / "alex-harness")


def venv_dir() -> Path:
    """Where this version's venv lives: one per LocalStack version, shared by every worktree."""
    return cache_root() / f"localstack-{LOCALSTACK_VERSION}"


def venv_python(venv: Path | None = None) -> Path:
    return (venv or venv_dir()) / "bin" / "python"


def is_installed(venv: Path | None = None) -> bool:
    """True when a previous install finished with the current pins (a half-done one does not count)."""
    marker = (venv or venv_dir()) / _MARKER
    return marker.is_file() and marker.read_text() == "\n".join(PINS)


def _python_version(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True, text=True, timeout=20, check=True
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    return (int(out[0]), int(out[1])) if len(out) == 2 else None


def candidate_pythons() -> list[str]:
    """$ALEX_LOCALSTACK_PYTHON, then python3.13 on PATH, then pyenv's 3.13 builds."""
    wanted = f"{SUPPORTED_PYTHON[0]}.{SUPPORTED_PYTHON[1]}"
    found = [os.environ[PYTHON_VARIABLE]] if os.environ.get(PYTHON_VARIABLE) else []
    on_path = shutil.which(f"python{wanted}")
    if on_path:
        found.append(on_path)
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    found += sorted(glob.glob(f"{pyenv_root}/versions/{wanted}*/bin/python"), reverse=True)
    return found


def find_python() -> str:
    """A Python that LocalStack supports, or NoSuitablePython saying what to install."""
    wanted = f"{SUPPORTED_PYTHON[0]}.{SUPPORTED_PYTHON[1]}"
    candidates = candidate_pythons()
    for python in candidates:
        if _python_version(python) == SUPPORTED_PYTHON:
            return python
    looked = ", ".join(candidates) or "nothing found"
    raise NoSuitablePython(
        f"LocalStack {LOCALSTACK_VERSION} runs on Python {wanted}, and none was found "
        f"(looked at ${PYTHON_VARIABLE}, python{wanted} on PATH, pyenv's versions/{wanted}*: {looked}). "
        f"Install one (e.g. `pyenv install {wanted}`) or set {PYTHON_VARIABLE}=/path/to/python{wanted}."
    )


def ensure_installed(log=print) -> Path:
    """The venv's python, installing LocalStack first if needed; safe against concurrent callers."""
    venv = venv_dir()
    if is_installed(venv):
        return venv_python(venv)
    python = find_python()
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_installed(venv):
            return venv_python(venv)
        shutil.rmtree(venv, ignore_errors=True)  # a half-done install is redone, not trusted
        started = time.monotonic()
        log(f"installing LocalStack {LOCALSTACK_VERSION} into {venv} with {python} (once; a few minutes)")
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        result = subprocess.run(
            [str(venv_python(venv)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PINS],
            check=False,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
            raise InstallFailed(f"pip could not install LocalStack {LOCALSTACK_VERSION}:\n{tail}")
        (venv / _MARKER).write_text("\n".join(PINS))
        log(f"installed LocalStack in {time.monotonic() - started:.0f}s")
    return venv_python(venv)


if __name__ == "__main__":  # python -m harness.localstack.install
    try:
        print(ensure_installed())
    except (NoSuitablePython, InstallFailed) as err:
        print(err, file=sys.stderr)
        sys.exit(1)
