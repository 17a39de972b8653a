"""Chaos for the local cloud: one fault at a random point, replayable from its seed.

What a chaos test needs that is not about any one application: a plan drawn from a seed
(which fault, how long after the work was submitted, which function's worker), the seeds
to run (``CHAOS_SEEDS=20`` runs seeds 1..20, ``CHAOS_SEED=7`` replays one, ``CHAOS_SEED=2,3,2,3`` repeats some), and the faults
themselves, aimed from outside as an operator's ``kill`` would be:

* ``kill-up``: SIGKILL of the process serving the cloud (it runs no cleanup; its
  watchdog stops PostgreSQL; the cloud is then started again on its data directory);
* ``term-up``: SIGTERM of it (it drains for ``--drain-seconds``, then stops; started again);
* ``kill-lambda``: SIGKILL of one execution environment of a function while it is busy
  (an invocation is running in it); the cloud lives on;
* ``kill-postgres``: SIGKILL of every cluster's PostgreSQL postmaster; the cloud lives on
  and must bring its database back itself (as Aurora restarts a failed writer).

Nothing here knows the application: the test submits its work, calls :func:`inject`, and
checks its own invariants. A fault may find nothing to hit (no environment became busy in
time); :class:`Outcome` says so, and the test still checks that every job ends.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.cloud.watchdog import process_alive

FAULTS = ("kill-up", "kill-lambda", "kill-postgres", "term-up")
RESTARTS = frozenset({"kill-up", "term-up"})  # faults after which the cloud must be started again
SEEDS_VARIABLE = "CHAOS_SEEDS"  # how many seeds to run (1..N)
SEED_VARIABLE = "CHAOS_SEED"  # one seed to replay


@dataclass(frozen=True)
class ChaosPlan:
    """One fault: ``fault`` hits ``delay`` seconds after the work was submitted, or for ``kill-lambda``
    ``delay`` seconds into the first busy spell of an environment of ``target`` (any function if None)."""

    seed: int
    fault: str
    delay: float
    target: str | None = None

    @property
    def restarts(self) -> bool:
        return self.fault in RESTARTS

    @property
    def wait_before(self) -> float:
        """How long the caller waits after submitting its work before :func:`inject` (a Lambda kill
        waits inside it, for an environment to be busy)."""
        return 0.0 if self.fault == "kill-lambda" else self.delay

    def describe(self) -> str:
        aim = f" target={self.target}" if self.target else ""
        return f"seed={self.seed} fault={self.fault} delay={self.delay:.2f}s{aim} (replay: {SEED_VARIABLE}={self.seed})"


def plan(
    seed: int,
    *,
    faults: Sequence[str] = FAULTS,
    max_delay: float = 20.0,
    functions: Sequence[str] = (),
    busy_window: float | None = None,
) -> ChaosPlan:
    """The plan a seed stands for. The fault is the seed's turn in ``faults`` (seeds 1..4 cover all
    four), the delay and the target are drawn from the seed, so a seed always replays the same.

    ``busy_window``: a ``kill-lambda`` delay is drawn within it (not within ``max_delay``): how far
    into an environment's busy spell the kill lands; keep it under the shortest invocation worth
    killing, or the environment is idle again (then the next busy one is killed at once)."""
    unknown = set(faults) - set(FAULTS)
    if unknown or not faults:
        raise ValueError(f"faults must be among {FAULTS}, not {sorted(unknown) or 'none'}")
    rng = random.Random(seed)
    fault = faults[(seed - 1) % len(faults)]
    window = min(max_delay, busy_window) if fault == "kill-lambda" and busy_window is not None else max_delay
    delay = round(rng.uniform(0.0, window), 2)
    target = rng.choice(list(functions)) if fault == "kill-lambda" and functions else None
    return ChaosPlan(seed, fault, delay, target)


def seeds(default: int) -> list[int]:
    """The seeds to run: those ``CHAOS_SEED`` lists (``7``, or ``2,3,4,2,3,4`` to repeat some) if set,
    else 1..``CHAOS_SEEDS`` (``default`` when unset)."""
    listed = [part.strip() for part in os.environ.get(SEED_VARIABLE, "").split(",") if part.strip()]
    if listed:
        return [int(part) for part in listed]
    count = int(os.environ.get(SEEDS_VARIABLE, "").strip() or default)
    if count < 1:
        raise ValueError(f"{SEEDS_VARIABLE} must be 1 or more")
    return list(range(1, count + 1))


@dataclass
class Outcome:
    """What a fault hit: ``pids`` killed (or signalled), ``landed`` False when nothing was there to hit."""

    plan: ChaosPlan
    landed: bool
    pids: list[int] = field(default_factory=list)
    note: str = ""


def inject(chaos: ChaosPlan, *, up: subprocess.Popen[str], cloud_url: str, data_dir: Path, busy_timeout: float = 30.0) -> Outcome:
    """Apply the plan's fault now (the caller has waited ``chaos.wait_before``)."""
    if chaos.fault == "kill-up":
        up.send_signal(signal.SIGKILL)
        return Outcome(chaos, True, [up.pid])
    if chaos.fault == "term-up":
        up.send_signal(signal.SIGTERM)
        return Outcome(chaos, True, [up.pid])
    if chaos.fault == "kill-lambda":
        pid = kill_busy_worker(cloud_url, chaos.target, busy_timeout, into=chaos.delay)
        if pid is None:
            return Outcome(
                chaos, False, note=f"no environment of {chaos.target or 'any function'} was busy within {busy_timeout:g}s"
            )
        return Outcome(chaos, True, [pid])
    if chaos.fault == "kill-postgres":
        pids = kill_postmasters(data_dir)
        return Outcome(chaos, bool(pids), pids, "" if pids else "no PostgreSQL was running")
    raise ValueError(f"unknown fault {chaos.fault!r}")


def lambda_environments(cloud_url: str, function: str | None = None) -> list[dict[str, object]]:
    """The cloud's live execution environments, from its control API."""
    url = f"{cloud_url}/_harness/lambda/environments" + (f"?function={function}" if function else "")
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback control API
        return list(json.loads(response.read())["environments"])


def kill_busy_worker(cloud_url: str, function: str | None, timeout: float, into: float = 0.0) -> int | None:
    """SIGKILL one environment of ``function`` (any, if None) while it runs an invocation, ``into``
    seconds after it was first seen busy (if it is idle by then, the next busy one at once); its pid,
    or None if none was busy within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = [
            env
            for env in lambda_environments(cloud_url, function)
            if env.get("busy") and isinstance(pid := env.get("pid"), int) and process_alive(pid)
        ]
        if busy:
            if into > 0:
                time.sleep(into)
                into = 0.0
                continue  # look again: kill one still busy now
            pid = int(busy[0]["pid"])  # type: ignore[call-overload]
            os.kill(pid, signal.SIGKILL)
            return pid
        time.sleep(0.05)
    return None


def postmasters(data_dir: Path) -> list[int]:
    """The live PostgreSQL postmasters whose data lives under ``data_dir`` (from their pid files)."""
    pids = []
    for pid_file in Path(data_dir).rglob("postmaster.pid"):
        try:
            pid = int(pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
        if process_alive(pid):
            pids.append(pid)
    return pids


def kill_postmasters(data_dir: Path) -> list[int]:
    """SIGKILL every live postmaster under ``data_dir``; their pids."""
    pids = postmasters(data_dir)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
    return pids
