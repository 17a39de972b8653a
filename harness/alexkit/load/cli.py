"""``alex-harness load``: start the stack, run Locust headless for a bounded time, account for
every job, print p50/p95/p99, requests per second and the failure ratio; exit 1 on a breach.

    alex-harness load                                   # 10 users, 30 s, every scenario but throttling
    alex-harness load --users 40 --spawn-rate 10 --run-time 2m --shape ramp
    alex-harness load --tags throttle --run-time 15s    # one user beyond its rate gets 429s, others none
    alex-harness load --workers 2                       # Locust's distributed mode: a master and 2 workers
    alex-harness load --serve                           # only start the stack, for Locust by hand

Locust runs as ``python -m locust -f locustfiles/api.py`` in its own processes (it patches
the standard library with gevent when imported); this process hosts the stack.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from alex.db.jobs import TERMINAL

from harness.alexkit.load.journal import JournalSummary, summarise
from harness.alexkit.load.report import LoadStats, Thresholds, check_thresholds, headline, read_stats
from harness.alexkit.load.shapes import DEFAULT_DURATIONS, SHAPES, parse_duration

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_LOCUSTFILE = REPO_ROOT / "locustfiles" / "api.py"


@dataclass
class LocustRun:
    """What one headless Locust run left behind."""

    returncode: int
    csv_prefix: Path
    html: Path
    journal: Path
    seconds: float
    output: str = ""
    stats: LoadStats | None = None
    journal_summary: JournalSummary = field(default_factory=JournalSummary)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def locust_command(
    locustfile: Path,
    *,
    host: str,
    users: int,
    spawn_rate: float,
    run_time: str,
    csv_prefix: Path | None = None,
    html: Path | None = None,
    shape: str | None = None,
    tags: Sequence[str] = (),
    exclude_tags: Sequence[str] = (),
    extra: Sequence[str] = (),
    master_port: int | None = None,
    expect_workers: int = 0,
) -> list[str]:
    """The ``python -m locust`` command line of a headless run (the master's, in distributed mode)."""
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(locustfile),
        "--headless",
        "--host",
        host,
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "-t",
        run_time,
        "--only-summary",
        "--stop-timeout",
        "0",
        "--loglevel",
        "WARNING",
    ]
    if csv_prefix is not None:
        command += ["--csv", str(csv_prefix)]
    if html is not None:
        command += ["--html", str(html)]
    if shape:
        command += ["--shape", shape]
    if tags:
        command += ["--tags", *tags]
    if exclude_tags:
        command += ["--exclude-tags", *exclude_tags]
    if master_port is not None:
        command += [
            "--master",
            "--master-bind-host",
            "127.0.0.1",
            "--master-bind-port",
            str(master_port),
            "--expect-workers",
            str(expect_workers),
            "--expect-workers-max-wait",
            "30",
        ]
    return command + list(extra)


def worker_command(locustfile: Path, master_port: int, extra: Sequence[str] = ()) -> list[str]:
    return [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(locustfile),
        "--worker",
        "--master-host",
        "127.0.0.1",
        "--master-port",
        str(master_port),
        "--loglevel",
        "WARNING",
        *extra,
    ]


def run_locust(
    stack_env: dict[str, str],
    out_dir: Path,
    *,
    host: str,
    users: int = 10,
    spawn_rate: float = 5.0,
    run_time: str = "30s",
    shape: str | None = None,
    tags: Sequence[str] = (),
    exclude_tags: Sequence[str] = (),
    workers: int = 0,
    locustfile: Path = DEFAULT_LOCUSTFILE,
    extra: Sequence[str] = (),
    echo: bool = False,
) -> LocustRun:
    """Run Locust headless against ``host`` until its run time ends (killed after a grace period),
    with CSV (``out_dir/locust_*.csv``), HTML (``out_dir/report.html``) and the journal."""
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_prefix, html, journal = out_dir / "locust", out_dir / "report.html", out_dir / "journal"
    journal.mkdir(exist_ok=True)
    env = os.environ | stack_env | {"ALEX_LOAD_JOURNAL": str(journal), "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    seconds = parse_duration(run_time) or (DEFAULT_DURATIONS[shape] if shape else 60.0)
    master_port = _free_port() if workers else None
    command = locust_command(
        locustfile,
        host=host,
        users=users,
        spawn_rate=spawn_rate,
        run_time=run_time,
        csv_prefix=csv_prefix,
        html=html,
        shape=shape,
        tags=tags,
        exclude_tags=exclude_tags,
        extra=extra,
        master_port=master_port,
        expect_workers=workers,
    )
    began = time.monotonic()
    lines: list[str] = []
    master = subprocess.Popen(
        command, env=env, cwd=str(REPO_ROOT), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    pumps = [threading.Thread(target=_pump, args=(master, lines, echo), daemon=True)]
    children = []
    if master_port is not None:
        for _ in range(workers):
            # tags and the locustfile's own options reach the workers from the master
            child = subprocess.Popen(
                worker_command(locustfile, master_port),
                env=env,
                cwd=str(REPO_ROOT),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
            children.append(child)
            pumps.append(threading.Thread(target=_pump, args=(child, lines, echo), daemon=True))
    for pump in pumps:
        pump.start()
    deadline = seconds + 45 + (30 if workers else 0)  # start-up, stop, the report, waiting for workers
    try:
        returncode = master.wait(timeout=deadline)
    except subprocess.TimeoutExpired:
        _terminate(master)
        returncode = -1
        lines.append(f"alex-harness load: Locust did not stop within {deadline:.0f}s; stopped it")
    finally:
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _terminate(child)
        for pump in pumps:
            pump.join(timeout=5)
    run = LocustRun(
        returncode=returncode,
        csv_prefix=csv_prefix,
        html=html,
        journal=journal,
        seconds=time.monotonic() - began,
        output="".join(lines),
    )
    try:
        run.stats = read_stats(csv_prefix)
    except FileNotFoundError:
        run.stats = None
    run.journal_summary = summarise(journal)
    return run


def _pump(process: subprocess.Popen[str], lines: list[str], echo: bool) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if echo:
            sys.stdout.write(line)
            sys.stdout.flush()


def _terminate(process: subprocess.Popen[str]) -> None:
    """End a Locust process we started (its own session: its greenlets' children too)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=5)


def throttle_verdict(run: LocustRun, rate_limit: float | None = None, burst_limit: int | None = None) -> list[str]:
    """Problems with the throttling scenario's proof (an empty list when it holds).

    The per-user bucket holds ``burst_limit`` tokens refilled at ``rate_limit`` per second (by
    default the production usage plan's, ``SecuritySettings``'), so a user sending r req/s for
    t seconds is first refused only once (r - rate) * t > burst: a hammer too slow for that
    proves nothing either way, and is reported as such."""
    if rate_limit is None or burst_limit is None:
        from alex.api.security import SecuritySettings  # the edge's stack: only when a default is needed

        rate_limit = SecuritySettings.throttle_rate_limit if rate_limit is None else rate_limit
        burst_limit = SecuritySettings.throttle_burst_limit if burst_limit is None else burst_limit
    summary = run.journal_summary
    problems = []
    if not summary.bursts:
        return ["the throttling scenario made no burst (was --tags throttle given, and did the run last long enough?)"]
    seconds = max(float(b["seconds"]) for b in summary.bursts)
    needed = rate_limit + burst_limit / seconds if seconds > 0 else float("inf")
    if summary.hammer_throttled == 0 and summary.hammer_rate <= needed:
        problems.append(
            f"the hammering user reached only {summary.hammer_rate:.0f} req/s in bursts of up to "
            f"{seconds:.1f} s; emptying a bucket of {burst_limit} refilled at {rate_limit:g}/s takes "
            f"more than {needed:.0f} req/s, so this run proves nothing (a slower usage plan, or a "
            "faster machine, will)"
        )
    elif summary.hammer_throttled == 0:
        problems.append("the hammering user was never answered 429")
    if summary.polite_requests == 0:
        problems.append("no polite user made a request")
    if summary.polite_throttled:
        problems.append(f"polite users got {summary.polite_throttled} 429(s)")
    return problems


def throttle_lines(run: LocustRun) -> list[str]:
    s = run.journal_summary
    return [
        f"throttling: the hammering user sent {s.hammer_requests} requests at {s.hammer_rate:.0f} req/s "
        f"in {len(s.bursts)} burst(s): {s.hammer_ok} answered 200, {s.hammer_throttled} answered 429; "
        f"polite users: {s.polite_requests} requests, {s.polite_throttled} answered 429"
    ]


# -- the subcommand ------------------------------------------------------------------------------


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``load`` on ``alex-harness``'s subparsers."""
    load = sub.add_parser(
        "load",
        help="load-test the API with Locust on a fresh local stack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    load.add_argument("--users", "-u", type=int, default=10, help="concurrent users (the peak, with --shape; default 10)")
    load.add_argument("--spawn-rate", "-r", type=float, default=5.0, help="users started per second (default 5)")
    load.add_argument(
        "--run-time", "-t", default="30s", help="how long the load lasts (30s, 2m, 1h; default 30s); always bounded"
    )
    load.add_argument("--shape", choices=SHAPES, default=None, help="a load shape instead of a constant user count")
    load.add_argument("--tags", nargs="+", default=[], help="run only these parts: read write analyze throttle")
    load.add_argument("--exclude-tags", nargs="+", default=[], help="leave these parts out")
    load.add_argument("--workers", type=int, default=0, help="Locust distributed mode: a master and N workers")
    load.add_argument(
        "--out", type=Path, default=None, help="where the CSV, HTML report and journal go (default ./load-results/<time>)"
    )
    load.add_argument("--max-failure-ratio", type=float, default=0.01, help="threshold (default 0.01)")
    load.add_argument("--max-p95-ms", type=float, default=2000.0, help="threshold on the aggregate p95 in ms (default 2000)")
    load.add_argument(
        "--drain-timeout",
        type=float,
        default=180.0,
        help="seconds to wait after the load for submitted analyses to end (default 180)",
    )
    load.add_argument(
        "--no-warm-up",
        dest="warm_up",
        action="store_false",
        help="skip the warm-up (the API's first requests and one analysis, paying cold starts; by default it runs)",
    )
    load.add_argument(
        "--bedrock-fault",
        default=None,
        metavar="KIND[:AGENT]",
        help="make the scripted model answer with an error on every call after the warm-up "
        "(throttle, unavailable or timeout; only AGENT's calls if given): analyses fail, "
        "and the accounting checks each failed job is in the DLQ with its reason",
    )
    load.add_argument("--postgres-dsn", default=None, help="use this PostgreSQL instead of the embedded one")
    load.add_argument(
        "--locustfile", type=Path, default=DEFAULT_LOCUSTFILE, help=f"the Locust scenarios to run (default {DEFAULT_LOCUSTFILE})"
    )
    load.add_argument(
        "--serve", action="store_true", help="start the stack, print how to point Locust at it, and wait for Ctrl-C"
    )
    load.add_argument("--api-port", type=int, default=0, help="with --serve: the API's port (default: a free one)")
    load.add_argument("--quiet", action="store_true", help="do not echo Locust's output")
    load.set_defaults(func=cmd_load)
    return load


def warm_up(api_url: str, issuer: Any, *, analysis: bool = True, timeout: float = 120.0) -> float:
    """Pay the cold starts before the load, as a deployed API would have paid them already: the
    API's first requests (it makes its database and queue clients on first use) and, with
    ``analysis``, one analysis through every function. Returns the seconds it took."""
    import httpx

    began = time.monotonic()
    headers = {"Authorization": f"Bearer {issuer.mint('warmup-user')}"}
    with httpx.Client(base_url=api_url, headers=headers, timeout=30) as client:
        # Every route the load uses, once: the first validation of a name or an amount loads the
        # guardrails' data (confusables), which takes a second or two.
        client.get("/api/user").raise_for_status()
        client.put("/api/user", json={"years_until_retirement": 30, "target_retirement_income": "80000"})
        account = client.post("/api/accounts", json={"account_name": "Warm-up", "cash_balance": "100"}).json()
        client.put(f"/api/accounts/{account['id']}", json={"cash_balance": "200"})
        client.post("/api/positions", json={"account_id": account["id"], "symbol": "SPY", "quantity": "1"})
        client.get(f"/api/accounts/{account['id']}/positions")
        client.get("/api/instruments?q=S")
        client.get("/api/jobs")
        if not analysis:
            return time.monotonic() - began
        job_id = client.post("/api/analyze", json={}).json()["job_id"]
        while time.monotonic() - began < timeout:
            if client.get(f"/api/jobs/{job_id}").json()["status"] in TERMINAL:
                break
            time.sleep(0.5)
    return time.monotonic() - began


def cmd_load(args: argparse.Namespace) -> int:
    from harness.alexkit.load.accounting import check_jobs
    from harness.alexkit.load.stack import locust_env, start_load_stack

    if args.users < 1 or args.spawn_rate <= 0 or args.workers < 0:
        raise ValueError("--users must be at least 1, --spawn-rate positive, --workers not negative")
    if not args.serve and not parse_duration(args.run_time):
        raise ValueError("--run-time must be a positive duration (load runs are always bounded)")
    # The API's boto3 clients keep 10 connections while its thread pool runs 40 requests at once:
    # under load urllib3 warns at every extra connection it discards. Counted, not printed.
    logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)
    out = args.out or Path("load-results") / datetime.now().strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    say = print
    # The stack's PostgreSQL data and issuer keys live in a scratch directory removed afterwards;
    # ``out`` keeps only the results.
    work = Path(tempfile.mkdtemp(prefix="alex-load-"))
    say(f"starting the local stack (scratch {work})...", flush=True)
    try:
        stack = start_load_stack(work, postgres_dsn=args.postgres_dsn, api_port=args.api_port if args.serve else 0)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    try:
        say(f"stack ready in {stack.started_in:.1f}s: API {stack.url}, issuer keys {stack.state_dir}", flush=True)
        if args.serve:
            return _serve(stack)
        if args.warm_up:
            analysis = "analyze" in args.tags or not args.tags
            took = warm_up(stack.url, stack.issuer, analysis=analysis)
            say(f"warm-up ({'API and one analysis' if analysis else 'API'}: cold starts) took {took:.1f}s", flush=True)
        if args.bedrock_fault:
            from harness.bedrock import ScriptedBedrock

            kind, _, agent = args.bedrock_fault.partition(":")
            stack.cloud.component(ScriptedBedrock).add_fault(kind, agent=agent or None, always=True)
            say(f"the scripted model now answers every {agent or 'agent'}'s call with {kind}", flush=True)
        run_id = secrets.token_hex(3)
        say(
            f"running Locust (run {run_id}): {args.users} users, spawn rate {args.spawn_rate}/s, {args.run_time}"
            + (f", shape {args.shape}" if args.shape else "")
            + (f", tags {' '.join(args.tags)}" if args.tags else "")
            + (f", {args.workers} worker(s)" if args.workers else ""),
            flush=True,
        )
        run = run_locust(
            locust_env(stack, run_id=run_id),
            out,
            host=stack.url,
            users=args.users,
            spawn_rate=args.spawn_rate,
            run_time=args.run_time,
            shape=args.shape,
            tags=args.tags,
            exclude_tags=args.exclude_tags,
            workers=args.workers,
            locustfile=args.locustfile,
            echo=not args.quiet,
        )
        problems: list[str] = []
        if run.stats is None:
            problems.append(f"Locust wrote no statistics (exit code {run.returncode})")
            if args.quiet:
                say(run.output[-4000:])
        else:
            say("\n" + run.stats.table())
            say("\n" + headline(run.stats))
            problems += check_thresholds(run.stats, Thresholds(args.max_failure_ratio, args.max_p95_ms))
        if "throttle" in args.tags:
            say("\n".join(throttle_lines(run)))
            problems += throttle_verdict(run, stack.settings.throttle_rate_limit, stack.settings.throttle_burst_limit)
        result = check_jobs(
            stack.database(),
            stack.cloud.client("sqs"),
            stack.stack.dlq_url,
            run.journal,
            user_prefix=f"load-{run_id}-",
            drain_timeout=args.drain_timeout,
            progress=lambda text: say(text, flush=True),
        )
        say("\n".join(result.summary_lines()))
        problems += result.problems()
        (out / "summary.json").write_text(
            json.dumps(
                {
                    "headline": headline(run.stats) if run.stats else None,
                    "accounting": result.to_json(),
                    "throttle": throttle_lines(run) if "throttle" in args.tags else None,
                    "problems": problems,
                },
                indent=2,
                default=str,
            )
        )
        say(f"\nCSV {run.csv_prefix}_stats.csv, HTML report {run.html}, journal {run.journal}")
        if problems:
            say("FAILED:\n" + "\n".join(f"  - {p}" for p in problems))
            return 1
        say("PASSED")
        return 0
    finally:
        stack.stop()
        shutil.rmtree(work, ignore_errors=True)


def _serve(stack: Any) -> int:
    print(f"export ALEX_API_URL={stack.url}")
    print(f"export ALEX_HARNESS_STATE_DIR={stack.state_dir}")
    for key, value in stack.cloud.client_env().items():
        print(f"export {key}={value}")
    print(
        "# then, in that shell:  python -m locust -f locustfiles/api.py --headless -u 20 -r 5 -t 1m "
        "--csv out/locust --html out/report.html"
    )
    print(
        "# distributed:          ... --master --master-bind-host 127.0.0.1 --expect-workers 2   and, twice:  "
        "python -m locust -f locustfiles/api.py --worker --master-host 127.0.0.1"
    )
    print("# Ctrl-C stops the stack", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    print("stopping the stack", flush=True)
    return 0
