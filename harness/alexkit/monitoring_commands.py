"""The ``dashboard`` and ``watch`` subcommands of ``alex-harness`` (they talk to a running stack)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from harness import DEFAULT_REGION, FAKE_ACCESS_KEY, FAKE_SECRET_KEY

DEFAULT_ENDPOINT = "http://127.0.0.1:4566"
DEFAULT_DASHBOARD_PORT = 8050


def _endpoint_default() -> str:
    return os.environ.get("AWS_ENDPOINT_URL") or DEFAULT_ENDPOINT


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--endpoint", default=None, help=f"the local cloud's endpoint (default $AWS_ENDPOINT_URL or {DEFAULT_ENDPOINT})"
    )
    parser.add_argument("--region", default=None, help=f"the stack's region (default $AWS_DEFAULT_REGION or {DEFAULT_REGION})")
    parser.add_argument("--prefix", default="alex", help="the stack's name prefix (default alex)")


def _region(args: argparse.Namespace) -> str:
    return str(args.region or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION)


def cmd_dashboard(args: argparse.Namespace) -> int:
    from harness.alexkit.dashboard import DashboardServer, DashboardSource

    if args.refresh <= 0 or args.window <= 0:
        raise ValueError("--refresh and --window must be positive")
    source = DashboardSource(
        args.endpoint or _endpoint_default(),
        _region(args),
        args.prefix,
        model_regions=tuple(args.model_region or ("us-west-2",)),
        window_minutes=args.window,
    )
    server = DashboardServer(source, host=args.host, port=args.port, refresh_seconds=args.refresh)
    try:
        server.start()
    except OSError as err:
        print(f"cannot listen on {args.host}:{args.port}: {err.strerror} (choose another --port)", file=sys.stderr)
        return 1
    print(
        f"Alex dashboard on {server.url} (reading {source.endpoint}, refreshing every {args.refresh:g} s); Ctrl-C stops",
        flush=True,
    )
    try:
        if not args.exit_after_start:
            from harness.serving import wait_for_interrupt

            wait_for_interrupt()
    finally:
        server.stop()
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    import boto3

    from harness.alexkit.watch import AGENTS, watch

    if args.interval <= 0 or args.lookback < 0:
        raise ValueError("--interval must be positive and --lookback not negative")
    agents = tuple(a.strip() for a in args.agents.split(",") if a.strip()) if args.agents else AGENTS
    logs: Any = boto3.client(
        "logs",
        endpoint_url=args.endpoint or _endpoint_default(),
        region_name=_region(args),
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", FAKE_ACCESS_KEY),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", FAKE_SECRET_KEY),
    )
    colour = not args.no_color and (args.color or sys.stdout.isatty()) and "NO_COLOR" not in os.environ
    from botocore.exceptions import EndpointConnectionError

    try:
        watch(
            logs,
            prefix=args.prefix,
            agents=agents,
            lookback_minutes=args.lookback,
            interval=args.interval,
            colour=colour,
            iterations=args.iterations,
        )
    except EndpointConnectionError as err:
        print(f"alex-harness watch: cannot reach the local cloud ({err}); is `alex-harness up` running?", file=sys.stderr)
        return 1
    return 0


def add_commands(sub: Any) -> None:
    """Register ``dashboard`` and ``watch`` on the CLI's subparsers."""
    dashboard = sub.add_parser("dashboard", help="serve a live web dashboard of the running stack on loopback")
    _common(dashboard)
    dashboard.add_argument("--host", default="127.0.0.1", help="loopback address to serve on (default 127.0.0.1)")
    dashboard.add_argument(
        "--port", type=int, default=DEFAULT_DASHBOARD_PORT, help=f"port to serve on (default {DEFAULT_DASHBOARD_PORT})"
    )
    dashboard.add_argument("--refresh", type=float, default=5.0, help="seconds between page refreshes (default 5)")
    dashboard.add_argument("--window", type=float, default=15.0, help="minutes of metrics shown (default 15)")
    dashboard.add_argument(
        "--model-region",
        action="append",
        default=None,
        help="region(s) of the model's AWS/Bedrock metrics (default us-west-2, as the stack calls it)",
    )
    dashboard.add_argument("--exit-after-start", action="store_true", help=argparse.SUPPRESS)
    dashboard.set_defaults(func=cmd_dashboard)

    watch = sub.add_parser("watch", help="live colour-coded logs of every agent from CloudWatch Logs")
    _common(watch)
    watch.add_argument("--lookback", type=float, default=5.0, help="minutes of past logs to show first (default 5)")
    watch.add_argument("--interval", type=float, default=2.0, help="seconds between polls (default 2)")
    watch.add_argument(
        "--agents", default=None, help="comma-separated agents (default: planner,tagger,reporter,charter,retirement)"
    )
    watch.add_argument("--no-color", action="store_true", help="plain text")
    watch.add_argument("--color", action="store_true", help="colour even when stdout is not a terminal")
    watch.add_argument("--iterations", type=int, default=None, help=argparse.SUPPRESS)
    watch.set_defaults(func=cmd_watch)
