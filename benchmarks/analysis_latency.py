"""End-to-end analysis latency with templates vs full cold starts, side by side in one run.

    python benchmarks/analysis_latency.py [--warm 10] [--burst 10] [--quick] [--modes template,full]

For each cold-start mode a whole Alex is started as ``alex-harness up`` starts it
(``start_local_alex``: the local cloud, Alex's stack, the token issuer, the API), and a user
drives it over HTTP (a JWT from the local issuer, ``POST /api/analyze``, then polling
``GET /api/jobs/{id}``), so each figure includes HTTP, SQS, the planner and four agents:

- templates ready: ``up`` prepares each function's template in the background (one init per
  function) and says when they are ready (:meth:`LocalAlex.wait_for_templates`); the time
  from ``up`` returning to that point is printed (``ready``);
- first analysis: submitted once the templates are ready (what a user sees who submits after
  ``up`` says so; every execution environment is still to be opened), until it is seen
  completed; ``--first-before-ready`` submits it as soon as the stack is up instead;
- warm analysis: the median of ``--warm`` analyses run one after another afterwards;
- burst: every execution environment is retired (templates stay, as SnapStart's snapshots
  do), then ``--burst`` analyses are submitted at once; jobs per minute from the first
  submission to the last completion.

The machine is shared, so compare the ratios of one run, not absolute figures across runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.alexkit.local_alex import LocalAlex, alex_components, start_local_alex  # noqa: E402
from harness.cloud.awslambda import LambdaRuntime  # noqa: E402

POLL_SECONDS = 0.02  # fine enough to see a 0.1 s difference; each poll is one GET through the edge
JOB_DEADLINE = 600.0
SECURITY = {"waf_ip_rate_limit": 1_000_000_000}  # every user polls from 127.0.0.1 (as harness/alexkit/load does)


def components_in(mode: str) -> Callable[[Path], list[Any]]:
    """Alex's components with the Lambda runtime's cold starts in ``mode``."""

    def build(data_dir: Path) -> list[Any]:
        made = alex_components(data_dir)
        for component in made:
            if isinstance(component, LambdaRuntime):
                component.cold_starts = mode  # type: ignore[assignment]
        return made

    return build


def seeded_client(alex: LocalAlex, user: str) -> httpx.Client:
    """A signed-in client whose user holds one account with three positions."""
    client = alex.client(user, timeout=60)
    account = client.post("/api/accounts", json={"account_name": "Brokerage", "cash_balance": "2500"})
    account.raise_for_status()
    for symbol, quantity in (("VTI", "40"), ("BND", "25"), ("GLD", "5")):
        client.post(
            "/api/positions", json={"account_id": account.json()["id"], "symbol": symbol, "quantity": quantity}
        ).raise_for_status()
    return client


def submit(client: httpx.Client) -> str:
    response = client.post("/api/analyze", json={})
    response.raise_for_status()
    return str(response.json()["job_id"])


def wait_all(client_jobs: list[tuple[httpx.Client, str]]) -> list[float]:
    """Poll until every job is finished; the time each was first seen completed (perf_counter)."""
    done: dict[str, float] = {}
    deadline = time.monotonic() + JOB_DEADLINE
    while len(done) < len(client_jobs):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(client_jobs) - len(done)} analyses not finished in {JOB_DEADLINE:.0f} s")
        for client, job_id in client_jobs:
            if job_id in done:
                continue
            job = client.get(f"/api/jobs/{job_id}").json()
            if job["status"] == "failed":
                raise RuntimeError(f"analysis {job_id} failed: {job.get('error_message')}")
            if job["status"] == "completed":
                done[job_id] = time.perf_counter()
        time.sleep(POLL_SECONDS)
    return [done[job_id] for _, job_id in client_jobs]


def one_analysis(client: httpx.Client) -> float:
    began = time.perf_counter()
    job_id = submit(client)
    return wait_all([(client, job_id)])[0] - began


def measure(mode: str, warm: int, burst: int, first_before_ready: bool = False) -> dict[str, float]:
    """Start Alex in ``mode`` and time a first, ``warm`` warm and a burst of ``burst`` analyses."""
    figures: dict[str, float] = {}
    began = time.perf_counter()
    with start_local_alex(components=components_in(mode), security=SECURITY) as alex:
        figures["up_s"] = time.perf_counter() - began
        runtime = alex.cloud.component(LambdaRuntime)
        client = seeded_client(alex, "bench_first")
        if not first_before_ready:
            ready = time.perf_counter()
            if not alex.wait_for_templates(JOB_DEADLINE):
                raise TimeoutError(f"templates not ready in {JOB_DEADLINE:.0f} s")
            figures["ready_s"] = time.perf_counter() - ready
        figures["first_s"] = one_analysis(client)
        figures["warm_s"] = statistics.median(one_analysis(client) for _ in range(warm))
        clients = [seeded_client(alex, f"bench_burst_{i:02d}") for i in range(burst)]
        runtime.reset()  # every environment retired; templates stay (their code is unchanged)
        started = time.perf_counter()
        jobs = [(c, submit(c)) for c in clients]
        finished = wait_all(jobs)
        elapsed = max(finished) - started
        figures["burst_jobs_per_min"] = burst * 60 / elapsed
        figures["burst_s"] = elapsed
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=10, help="warm analyses, one after another (median)")
    parser.add_argument("--burst", type=int, default=10, help="analyses submitted at once, no environment open")
    parser.add_argument("--quick", action="store_true", help="small counts: 3 warm analyses, a burst of 5")
    parser.add_argument("--modes", default="template,full", help="cold-start modes to run, in order")
    parser.add_argument(
        "--first-before-ready",
        action="store_true",
        help="submit the first analysis as soon as up returns, not once the templates are ready",
    )
    args = parser.parse_args(argv)
    warm, burst = (3, 5) if args.quick else (args.warm, args.burst)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    results = {}
    for mode in modes:
        results[mode] = measure(mode, warm, burst, args.first_before_ready)
        print(f"[{mode}] done: {results[mode]}", file=sys.stderr, flush=True)

    print(
        f"{'mode':<9} {'up':>7} {'ready':>7} {'first':>8} {'warm (median)':>14} {'first/warm':>11} {f'burst of {burst}':>12} {'jobs/min':>9}"
    )
    for mode, f in results.items():
        ready = f"{f['ready_s']:>6.1f}s" if "ready_s" in f else f"{'-':>7}"
        print(
            f"{mode:<9} {f['up_s']:>6.1f}s {ready} {f['first_s']:>7.2f}s {f['warm_s']:>13.3f}s {f['first_s'] / f['warm_s']:>10.1f}x "
            f"{f['burst_s']:>11.1f}s {f['burst_jobs_per_min']:>9.1f}"
        )
    if "template" in results and "full" in results:
        t, full = results["template"], results["full"]
        print(
            f"template vs full: first analysis {full['first_s'] / t['first_s']:.1f}x faster, warm {full['warm_s'] / t['warm_s']:.2f}x, "
            f"burst {t['burst_jobs_per_min'] / full['burst_jobs_per_min']:.1f}x the jobs/min"
        )
    if "template" in results:
        t = results["template"]
        print(
            f"targets (template): first/warm {t['first_s'] / t['warm_s']:.1f}x (< 5x); burst {t['burst_jobs_per_min']:.0f} jobs/min "
            f"(>= 150); warm median {t['warm_s']:.3f} s (< 0.3 s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
