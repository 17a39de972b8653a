"""What the local edge costs, and how many analyses the stack completes per minute.

1. ``GET /api/user`` under closed-loop load (Locust, ``locustfiles/edge_bench.py``) against
   Alex's API with its full edge (RS256 JWT against the issuer's JWKS, per-user throttle, WAF
   rules, strict CORS, security headers) and, in the same run against the same stack and
   database, the same route in an app with no edge (no ``install_security``: the user comes
   from a header). Phases alternate (edge, none, edge, none, ...); the medians are printed.
2. Analysis throughput: ``--jobs`` analyses submitted through the API at once (after a warm-up
   round, so execution environments are warm), with the scripted Bedrock model; jobs per
   minute from the first submission to the last completion.

    python benchmarks/edge_overhead.py [--seconds 10] [--rounds 2] [--users 16] [--jobs 10]

The load generator shares the machine with the server (2 cores here): figures are for the
whole loop, client included, and lower than the server alone could do.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from alex.db.jobs import TERMINAL

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.alexkit.load.cli import REPO_ROOT, run_locust, warm_up  # noqa: E402
from harness.alexkit.load.stack import LoadStack, locust_env, start_load_stack  # noqa: E402

BENCH_LOCUSTFILE = REPO_ROOT / "locustfiles" / "edge_bench.py"


def app_without_edge(env: dict[str, str]) -> Any:
    """Alex's ``/api/user`` route with the app's own middlewares but no edge security."""
    from alex.api.app import BodyLimitMiddleware, RequestIdMiddleware
    from alex.api.deps import ApiRuntime
    from alex.api.errors import install_error_handlers
    from alex.api.routes import user
    from alex.api.security import current_user

    app = FastAPI()
    app.state.alex_runtime = ApiRuntime(environ=env)
    install_error_handlers(app)
    app.include_router(user.router)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(RequestIdMiddleware)

    app.dependency_overrides[current_user] = _user_from_header
    return app


def _user_from_header(request: Request) -> str:
    """Who is asking, in the app without an edge: whoever the header says (never do this behind no edge)."""
    return request.headers["x-bench-user"]


def measure(stack: LoadStack, url: str, out: Path, users: int, seconds: int) -> tuple[float, float, int, int]:
    run = run_locust(
        locust_env(stack), out, host=url, users=users, spawn_rate=users, run_time=f"{seconds}s", locustfile=BENCH_LOCUSTFILE
    )
    row = run.stats.row("/api/user", "GET") if run.stats else None
    if row is None or row.p95_ms is None:
        raise RuntimeError(f"no figures from the run against {url}:\n{run.output[-2000:]}")
    return row.rps, row.p95_ms, row.requests, row.failures


def edge_work_per_request(stack: LoadStack, n: int = 2000) -> float:
    """Microseconds of the edge's own work for one ``GET /api/user`` in process: RS256 verify
    (JWKS cached), the user's token bucket, the WAF's IP rule and SQL-injection inspection."""
    from alex.api.security.waf import inspect_request

    edge = stack.api.app.state.alex_security
    token = stack.issuer.mint("edge-micro")
    edge.verifier.verify(token)  # the JWKS fetch, once
    began = time.perf_counter()
    for _ in range(n):
        claims = edge.verifier.verify(token)
        edge.user_limiter.acquire(claims["sub"] + str(_ % 50))  # 50 users: never throttled
        if edge.ip_rule is not None:
            edge.ip_rule.acquire("127.0.0.1")
        inspect_request("/api/user", "", b"", "")
    return (time.perf_counter() - began) / n * 1e6


def analysis_throughput(stack: LoadStack, jobs: int) -> tuple[float, float, float]:
    """(jobs per minute, median and max seconds per job) for ``jobs`` analyses submitted at once."""
    clients = []
    for n in range(jobs):
        client = httpx.Client(
            base_url=stack.url, timeout=30, headers={"Authorization": f"Bearer {stack.issuer.mint(f'throughput-{n}')}"}
        )
        account = client.post("/api/accounts", json={"account_name": "Brokerage", "cash_balance": "1000"}).json()
        for symbol, quantity in (("SPY", "10"), ("BND", "5"), ("VXUS", "3")):
            client.post("/api/positions", json={"account_id": account["id"], "symbol": symbol, "quantity": quantity})
        clients.append(client)
    began = time.monotonic()
    submitted = [(client, client.post("/api/analyze", json={}).json()["job_id"]) for client in clients]
    ended: dict[str, float] = {}
    while len(ended) < jobs and time.monotonic() - began < 600:
        for client, job_id in submitted:
            if job_id not in ended and client.get(f"/api/jobs/{job_id}").json()["status"] in TERMINAL:
                ended[job_id] = time.monotonic() - began
        time.sleep(0.5)
    for client in clients:
        client.close()
    if len(ended) < jobs:
        raise RuntimeError(f"only {len(ended)} of {jobs} analyses ended within 600 s")
    return jobs / (max(ended.values()) / 60), statistics.median(ended.values()), max(ended.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10, help="length of each measured phase")
    parser.add_argument("--rounds", type=int, default=2, help="phases per variant (alternating)")
    parser.add_argument("--users", type=int, default=16, help="concurrent closed-loop users")
    parser.add_argument("--jobs", type=int, default=10, help="analyses for the throughput figure (0: skip)")
    args = parser.parse_args()
    logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)
    from harness.alexkit.api_server import ApiServer

    work = Path(tempfile.mkdtemp(prefix="edge-bench-"))
    stack = start_load_stack(work / "stack")
    env = stack.cloud.client_env() | stack.stack.runtime_environment()
    bare = ApiServer(app=app_without_edge(env)).start()
    try:
        warm_up(stack.url, stack.issuer, analysis=False)
        httpx.get(bare.url + "/api/user", headers={"X-Bench-User": "bench-warm"}).raise_for_status()
        figures: dict[str, list[tuple[float, float, int, int]]] = {"full edge": [], "no edge": []}
        for n in range(args.rounds):
            for label, url in (("full edge", stack.url), ("no edge", bare.url)):
                figures[label].append(measure(stack, url, work / f"{label.replace(' ', '-')}-{n}", args.users, args.seconds))
                rps, p95, count, failures = figures[label][-1]
                print(
                    f"  round {n + 1} {label:<9}: {rps:7.1f} req/s, p95 {p95:5.0f} ms ({count} requests, {failures} failed)",
                    flush=True,
                )
        print(f"\nGET /api/user, {args.users} closed-loop users, {args.rounds} x {args.seconds} s per variant (medians):")
        for label, runs in figures.items():
            print(
                f"  {label:<9}  {statistics.median(r[0] for r in runs):7.1f} req/s   "
                f"p95 {statistics.median(r[1] for r in runs):5.0f} ms"
            )
        print(f"  edge work per request, in process (verify, throttle, WAF): {edge_work_per_request(stack):.0f} us")
        if args.jobs:
            print("\nanalysis throughput: warm-up round...", flush=True)
            warm_up(stack.url, stack.issuer)
            analysis_throughput(stack, min(args.jobs, 5))  # the planner's 5 concurrent environments, warmed
            per_minute, median_s, max_s = analysis_throughput(stack, args.jobs)
            print(
                f"  {args.jobs} analyses submitted at once: {per_minute:.1f} jobs/min completed "
                f"(median {median_s:.1f} s, last {max_s:.1f} s after submission)"
            )
    finally:
        bare.stop()
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
