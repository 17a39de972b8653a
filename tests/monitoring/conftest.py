"""Fixtures for the monitoring tests: short monitoring intervals, one deployed stack per module,
and Chromium for the dashboard's browser test (installed where possible, else that test is skipped)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alex.db import Database

from harness.bedrock import ScriptedBedrock
from harness.cloud import LocalCloud
from harness.monitoring import AlarmEvaluator, LambdaMetrics, SnsRecorder, SqsMetrics
from harness.alexkit.stack.fast import fast_alex_stack
from harness.alexkit.stack.deployment import AlexDeployment, deploy_alex

CHROMIUM = Path("/usr/bin/chromium")
APT_TIMEOUT_SECONDS = 900
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture
def fast_monitoring(local_cloud: LocalCloud) -> Iterator[LocalCloud]:
    """The session's cloud with every monitoring interval at about a second (restored after)."""
    with _fast_intervals(local_cloud):
        yield local_cloud


class _fast_intervals:
    def __init__(self, cloud: LocalCloud) -> None:
        self.parts = [cloud.component(LambdaMetrics), cloud.component(SqsMetrics), cloud.component(AlarmEvaluator)]
        self.saved: list[float] = []

    def __enter__(self) -> None:
        self.saved = [p.interval for p in self.parts]
        for part, interval in zip(self.parts, (0.5, 1.0, 1.0)):
            part.interval = interval

    def __exit__(self, *exc: object) -> None:
        for part, interval in zip(self.parts, self.saved):
            part.interval = interval


@dataclass
class MonitoredStack:
    cloud: LocalCloud
    stack: AlexDeployment
    db: Database
    bedrock: ScriptedBedrock
    recorder: SnsRecorder
    evaluator: AlarmEvaluator
    sqs: Any
    cloudwatch: Any


@pytest.fixture(scope="module")
def monitored(local_cloud: LocalCloud) -> Iterator[MonitoredStack]:
    """Alex's fast stack (with its alarms) on a fresh cloud, monitoring intervals at about a second."""
    local_cloud.reset()
    with _fast_intervals(local_cloud):
        stack = deploy_alex(fast_alex_stack(), local_cloud.client)
        stack.migrate(local_cloud.client)
        db = stack.database(local_cloud.client)
        yield MonitoredStack(
            local_cloud,
            stack,
            db,
            local_cloud.component(ScriptedBedrock),
            local_cloud.component(SnsRecorder),
            local_cloud.component(AlarmEvaluator),
            local_cloud.client("sqs"),
            local_cloud.client("cloudwatch"),
        )
    local_cloud.component(ScriptedBedrock).clear()
    local_cloud.reset()


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
REQUIRE_VARIABLE = "ALEX_REQUIRE_CHROMIUM"  # set to 1 (as CI may) to fail instead of skipping


def find_chromium() -> str | None:
    """A Chromium already on this machine: /usr/bin/chromium or one of CHROMIUM_NAMES on PATH."""
    if CHROMIUM.exists():
        return str(CHROMIUM)
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def install_chromium() -> tuple[str | None, str]:
    """Install Debian's chromium with apt-get where that can work (root with apt, as in CI; bounded);
    (the binary, "") or (None, why it could not)."""
    apt = shutil.which("apt-get")
    if apt is None:
        return None, "no Chromium on this machine and no apt-get to install it (install Chromium yourself)"
    if os.geteuid() != 0:
        return None, "no Chromium on this machine, and installing it with apt-get needs root (sudo apt-get install chromium)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [apt, "install", "-y", "-q", "chromium"]
    try:
        done = subprocess.run(install, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT_SECONDS)
        if done.returncode != 0:  # a stale package index: refresh it once and try again
            subprocess.run([apt, "update", "-q"], env=env, capture_output=True, timeout=APT_TIMEOUT_SECONDS)
            done = subprocess.run(install, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return None, f"`apt-get install -y chromium` did not finish within {APT_TIMEOUT_SECONDS} s"
    found = find_chromium()
    if done.returncode != 0 or found is None:
        return None, f"`apt-get install -y chromium` failed ({done.returncode}): {done.stderr.strip()[-500:]}"
    return found, ""


@pytest.fixture(scope="session")
def chromium() -> str:
    """Chromium for the dashboard's browser test: found, else installed where possible, else the test is
    skipped with the reason (or fails, with ALEX_REQUIRE_CHROMIUM=1)."""
    found = find_chromium()
    if found is None:
        found, why = install_chromium()
        if found is None:
            message = f"the dashboard browser test needs Chromium: {why}"
            if os.environ.get(REQUIRE_VARIABLE) == "1":
                pytest.fail(message)
            pytest.skip(message)
    return found


def run_chromium(
    binary: str, url: str, profile: Path, *, screenshot: Path | None = None, budget_ms: int = 12000, size: str = "1400,2000"
) -> str:
    """Load ``url`` headless; the DOM after ``budget_ms`` of virtual time (or write ``screenshot``)."""
    args = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-extensions",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={size}",
        f"--virtual-time-budget={budget_ms}",
    ]
    args += [f"--screenshot={screenshot}"] if screenshot is not None else ["--dump-dom"]
    done = subprocess.run([*args, url], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout
