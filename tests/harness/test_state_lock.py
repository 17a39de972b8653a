"""Two `alex-harness up`s sharing a state dir: the second is refused with a clear message."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness.alexkit.state_lock import StateDirBusy, state_dir_lock
from tests.cli_support import free_port, running_up


def test_the_lock_refuses_a_second_holder_and_frees_on_exit(tmp_path):
    """A second holder (even in the same process) is refused at once, naming the first's pid; released, it is free."""
    with state_dir_lock(tmp_path / "state") as path:
        assert path.read_text().strip().isdigit()
        with pytest.raises(StateDirBusy, match=r"in use by another `alex-harness up` \(pid \d+\).*--state-dir DIR"):
            with state_dir_lock(tmp_path / "state"):
                pass
    with state_dir_lock(tmp_path / "state"):
        pass


@pytest.mark.slow
def test_a_second_up_on_the_same_state_dir_is_refused(tmp_path):
    """The second `up` exits 1 before starting anything; the first keeps serving and stops cleanly."""
    with running_up(tmp_path, "--port", str(free_port())) as first:
        assert "Ctrl-C stops it" in first.output, first.output
        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "harness.alexkit.cli",
                "up",
                "--port",
                str(free_port()),
                "--api-port",
                "0",
                "--state-dir",
                str(tmp_path / "state"),
                "--exit-after-start",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env=first.env,
        )
        assert second.returncode == 1, second.stdout + second.stderr
        assert (
            f"the state dir {tmp_path / 'state'} is in use by another `alex-harness up` (pid {first.proc.pid})" in second.stderr
        )
        assert "listening" not in second.stdout
        returncode, _ = first.ctrl_c()
        assert returncode == 0
