"""The harness's own LocalStack handling: finding a Python, exact pins, loopback only, clean stop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.alexkit.cli import main
from harness.localstack import install
from harness.localstack.process import health, localstack_env
from tests.localstack.support import free_port, localstack_python


def test_no_suitable_python_is_a_clear_message(monkeypatch, tmp_path):
    """With no Python 3.13 anywhere we look, the error says what was looked at and how to fix it."""
    monkeypatch.delenv(install.PYTHON_VARIABLE, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    with pytest.raises(install.NoSuitablePython) as err:
        install.find_python()
    assert "pyenv install 3.13" in str(err.value) and install.PYTHON_VARIABLE in str(err.value)


def test_a_python_of_the_wrong_version_is_not_taken(monkeypatch, tmp_path):
    """$ALEX_LOCALSTACK_PYTHON pointing at another version is refused, not used."""
    monkeypatch.setenv(install.PYTHON_VARIABLE, "/usr/bin/python3")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    if install._python_version("/usr/bin/python3") == install.SUPPORTED_PYTHON:
        pytest.skip("this machine's /usr/bin/python3 is 3.13")
    with pytest.raises(install.NoSuitablePython):
        install.find_python()


def test_every_pin_is_exact():
    assert all("==" in pin and not any(op in pin for op in "<>~!") for pin in install.PINS)


def test_localstack_is_refused_a_non_loopback_host(tmp_path):
    with pytest.raises(ValueError, match="loopback"):
        localstack_env("0.0.0.0", 4566, tmp_path)


def _listening_addresses(pgid: int) -> set[str]:
    """Local addresses of the TCP sockets in LISTEN state that processes of group ``pgid`` own."""
    inodes: set[str] = set()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            for fd in (proc / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except (OSError, IndexError, ValueError):
            continue
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] == "0A" and cols[9] in inodes:
                found.add(cols[1].split(":")[0])
    return found


@pytest.mark.localstack
def test_start_status_stop_on_loopback_only(tmp_path, capsys):
    """``localstack start`` leaves it healthy and listening on 127.0.0.1 only; ``stop`` ends it."""
    localstack_python()  # skips with the reason when it is not installed
    state = tmp_path / "state"
    port = free_port()
    assert main(["localstack", "start", "--state-dir", str(state), "--port", str(port)]) == 0
    url = f"http://127.0.0.1:{port}"
    try:
        out = capsys.readouterr().out
        assert f"export AWS_ENDPOINT_URL_SQS={url}" in out
        pid = int(__import__("json").loads((state / "localstack.json").read_text())["pid"])
        assert _listening_addresses(pid) == {"0100007F"}, "LocalStack must listen on 127.0.0.1 and nothing else"
        assert main(["localstack", "status", "--state-dir", str(state)]) == 0
        assert "sqs" in capsys.readouterr().out
    finally:
        assert main(["localstack", "stop", "--state-dir", str(state)]) == 0
    assert health(url) is None
    assert main(["localstack", "status", "--state-dir", str(state)]) == 3
