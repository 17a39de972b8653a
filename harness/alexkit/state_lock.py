"""One `alex-harness up` per state dir: a lock held while it runs.

The state dir holds the local issuer's keys and URL. A second ``up`` sharing it used to rewrite
the issuer URL silently, after which the first rejected every new token; now it is refused with
a message saying who holds the dir and how to run a second stack beside it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

LOCK_NAME = "up.lock"


class StateDirBusy(RuntimeError):
    """Another process holds the state dir's lock."""


@contextlib.contextmanager
def state_dir_lock(state_dir: Path) -> Iterator[Path]:
    """Hold ``state_dir``'s lock (created if missing) for the block; raise :class:`StateDirBusy` at once if
    another holder has it. The lock is released when the process ends, however it ends."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            raise StateDirBusy(
                f"alex-harness: the state dir {state_dir} is in use by another `alex-harness up` (pid {holder}); "
                f"two stacks sharing it would overwrite each other's issuer. Stop that one, or give this one its "
                f"own: --state-dir DIR --port PORT --api-port PORT (and `alex-harness token --state-dir DIR`)."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
