"""Where Chromium cannot be installed, the dashboard's browser test is skipped with the reason, not failed."""

from __future__ import annotations

import pytest

from tests.monitoring import conftest


@pytest.fixture
def no_chromium(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "CHROMIUM", tmp_path / "absent")
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH: no chromium, no apt-get
    monkeypatch.delenv(conftest.REQUIRE_VARIABLE, raising=False)


def test_without_chromium_or_apt_the_test_is_skipped_with_the_reason(no_chromium):
    with pytest.raises(pytest.skip.Exception, match="needs Chromium: no Chromium on this machine and no apt-get"):
        conftest.chromium.__wrapped__()


def test_required_chromium_fails_instead(no_chromium, monkeypatch):
    monkeypatch.setenv(conftest.REQUIRE_VARIABLE, "1")
    with pytest.raises(pytest.fail.Exception, match="needs Chromium"):
        conftest.chromium.__wrapped__()


def test_a_chromium_on_path_is_used(no_chromium, tmp_path):
    binary = tmp_path / "chromium-browser"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    assert conftest.chromium.__wrapped__() == str(binary)
