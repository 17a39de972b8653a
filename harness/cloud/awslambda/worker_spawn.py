"""Starting the worker script (worker.py) with a socket to it: shared by full environments and templates.

The worker inherits one end of a socketpair as a file descriptor and learns the parent's pid (it exits
when the parent dies); its stdout is discarded and its stderr goes to a file the caller reads when the
init fails. It runs in a session of its own, so a kill reaches every process it forks.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any


def spawn_worker(
    popen: Callable[..., subprocess.Popen[bytes]],
    interpreter: Sequence[str],
    worker: Path,
    *extra_args: str,
    env: Mapping[str, str],
    cwd: Path,
    stderr_path: Path,
    socket_type: int = socket.SOCK_STREAM,
) -> tuple[subprocess.Popen[bytes], socket.socket]:
    """The worker process and the parent's end of its socket (closed again if the spawn fails)."""
    parent, child = socket.socketpair(socket.AF_UNIX, socket_type)
    try:
        with open(stderr_path, "wb") as stderr:
            options: dict[str, Any] = {
                "env": env,
                "cwd": cwd,
                "pass_fds": (child.fileno(),),
                "stdin": subprocess.DEVNULL,
                "stdout": subprocess.DEVNULL,
                "stderr": stderr,
                "start_new_session": True,
            }
            proc = popen([*interpreter, str(worker), str(child.fileno()), str(os.getpid()), *extra_args], **options)
    except BaseException:
        parent.close()
        raise
    finally:
        child.close()
    return proc, parent
