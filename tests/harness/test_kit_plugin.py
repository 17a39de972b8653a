"""The local cloud as another project meets it: installed, found through the pytest11 entry point, no Alex.

``kit_project/test_tiny_app.py`` is that project's whole test suite: a queue, a Lambda and
an Aurora table of its own, with only the fixtures of ``harness.pytest_plugin``. It runs in a
pytest of its own, from a folder outside this repository, so neither the root conftest nor
Alex's plugin is loaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_support import own_basetemp

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).with_name("kit_project")


def test_another_project_uses_the_kit_through_the_entry_point(tmp_path: Path) -> None:
    shutil.copy(PROJECT / "test_tiny_app.py", tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTEST_ADDOPTS"}}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *own_basetemp(tmp_path), "test_tiny_app.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout


def test_the_plugin_offers_its_options(tmp_path: Path) -> None:
    """The option group is registered by the entry point, not by this project's conftest."""
    done = subprocess.run([sys.executable, "-m", "pytest", "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "--lambda-mode" in done.stdout and "--postgres-dsn" in done.stdout
