"""Helpers of the ``localstack`` tests: a free loopback port, and the venv's python or a skip."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from harness.localstack.install import (
    InstallFailed,
    NoSuitablePython,
    ensure_installed,
    is_installed,
    venv_dir,
)

INSTALL_VARIABLE = "ALEX_LOCALSTACK_INSTALL"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def localstack_python() -> Path:
    """The venv's python, or a skip that says why there is none.

    Installing takes minutes the first time, so the tests install only when asked
    (ALEX_LOCALSTACK_INSTALL=1) and otherwise skip, saying how, unless the venv is already there.
    """
    if not is_installed() and os.environ.get(INSTALL_VARIABLE) != "1":
        pytest.skip(
            f"LocalStack is not installed in {venv_dir()} (about 4-5 min the first time): run "
            f"`alex-harness localstack start` once, or set {INSTALL_VARIABLE}=1 to let the tests install it"
        )
    try:
        return ensure_installed()
    except (NoSuitablePython, InstallFailed) as err:
        pytest.skip(f"LocalStack cannot be installed here: {err}")
