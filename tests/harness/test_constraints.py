"""constraints.txt: the whole installed tree, pinned, used by CI and the README's install command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "freeze_constraints.py"
INSTALL = 'python3 -m pip install -c constraints.txt -e ".[dev]"'


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), "--check", *args], capture_output=True, text=True, timeout=120)


def test_constraints_match_pyproject_and_this_environment() -> None:
    """Every direct pin is in constraints.txt at the same version, and the tree installed here is exactly the file."""
    result = _check()
    assert result.returncode == 0, result.stderr


def test_a_stale_constraints_file_is_caught(tmp_path: Path) -> None:
    """A pin changed in pyproject.toml but not regenerated (or a package missing) fails the check, naming it."""
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    stale = [("boto3==0.0.1" if line.startswith("boto3==") else line) for line in lines if not line.startswith("pyyaml==")]
    (tmp_path / "constraints.txt").write_text("\n".join(stale) + "\n")
    result = _check("--file", str(tmp_path / "constraints.txt"), "--no-installed")
    assert result.returncode == 1
    assert "boto3: pyproject.toml pins 1.44.8, constraints.txt 0.0.1" in result.stderr
    assert "pyyaml: pyproject.toml pins 6.0.3, constraints.txt nothing" in result.stderr


def test_ci_and_the_readme_install_with_the_constraints() -> None:
    """`.ci/run` runs the README's install command, constraints included, then the tests."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert INSTALL in ci and "python3 -m pytest" in ci
    assert INSTALL in (ROOT / "README.md").read_text()
