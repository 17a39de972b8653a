"""``alex-harness``: bring up the local cloud with Alex's stack, and the tools around it."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from pathlib import Path

from alex.db.migrate import migrate
from harness import DEFAULT_REGION
from harness.backends import LOCALSTACK_DEFAULT_URL, aws_clients, localstack_clients
from harness.stack.definition import alex_stack
from harness.stack.provision import ProvisionedStack, provision

DEFAULT_PORT = 4566


def _print_exports(env: dict[str, str]) -> None:
    print("# paste into another shell to point boto3 and the AWS CLI at it:")
    for key, value in env.items():
        print(f"export {key}={value}")


def _print_stack(stack: ProvisionedStack) -> None:
    print("# the Alex stack:")
    print(f"#   jobs queue   {stack.jobs_queue_url}")
    print(f"#   DLQ          {stack.dlq_url}")
    print(f"#   cluster      {stack.cluster_arn}")
    print(f"#   secret       {stack.secret_arn}")
    for name in stack.function_arns:
        print(f"#   function     {name}")


def _wait_for_interrupt() -> None:
    """Block until Ctrl-C or SIGTERM."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass


def cmd_up(args: argparse.Namespace) -> int:
    if args.backend == "localstack":
        stack = provision(alex_stack(), localstack_clients(args.localstack_url, args.region))
        _print_stack(stack)
        _print_exports({"AWS_ENDPOINT_URL": args.localstack_url, "AWS_DEFAULT_REGION": args.region})
        return 0
    if args.backend == "aws":
        if not args.yes:
            print("refusing to create billable AWS resources without --yes", file=sys.stderr)
            return 2
        stack = provision(alex_stack(), aws_clients(args.region))
        _print_stack(stack)
        return 0
    return _up_moto(args)


def _up_moto(args: argparse.Namespace) -> int:
    from harness.cloud import LocalCloud
    from harness.cloud.components import default_components

    began = time.perf_counter()
    cloud = LocalCloud(
        host=args.host,
        port=args.port,
        region=args.region,
        components=default_components(
            lambda_mode="process", postgres_dsn=args.postgres_dsn, data_dir=args.data_dir
        ),
    )
    try:
        cloud.start()
    except OSError as err:
        print(f"cannot listen on {args.host}:{args.port}: {err.strerror} (choose another --port)", file=sys.stderr)
        return 1
    try:
        endpoint_ready = time.perf_counter() - began
        stack = provision(alex_stack(), cloud.client)
        stack_ready = time.perf_counter() - began
        applied = migrate(cloud.client("rds-data"), stack.cluster_arn, stack.secret_arn, stack.spec.database.database_name)
        schema_ready = time.perf_counter() - began
        print(f"local cloud (moto) listening on {cloud.url}: endpoint ready in {endpoint_ready:.2f}s, "
              f"Alex stack provisioned in {stack_ready:.2f}s, schema migrated ({len(applied)} new) in {schema_ready:.2f}s")
        _print_stack(stack)
        _print_exports(cloud.client_env())
        print("# Ctrl-C stops it", flush=True)
        if args.exit_after_start:
            return 0
        _wait_for_interrupt()
        return 0
    finally:
        cloud.stop()
        print("local cloud stopped", flush=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alex-harness", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="start the local cloud and provision Alex's stack")
    up.add_argument("--backend", choices=["moto", "localstack", "aws"], default="moto")
    up.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    up.add_argument("--port", type=int, default=DEFAULT_PORT)
    up.add_argument("--region", default=DEFAULT_REGION)
    up.add_argument("--localstack-url", default=LOCALSTACK_DEFAULT_URL)
    up.add_argument("--postgres-dsn", default=None, help="use this PostgreSQL (superuser DSN) instead of the embedded one")
    up.add_argument("--data-dir", type=Path, default=None, help="keep PostgreSQL's data here between runs")
    up.add_argument("--yes", action="store_true", help="with --backend aws: really create resources")
    up.add_argument("--exit-after-start", action="store_true", help="start, provision, print, then stop (smoke test)")
    up.set_defaults(func=cmd_up)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ValueError as err:
        print(f"alex-harness: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
