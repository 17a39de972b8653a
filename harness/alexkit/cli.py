"""``alex-harness``: bring up the local cloud with Alex's stack, and the tools around it."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

from harness import DEFAULT_REGION
from harness.alexkit import ALEX_MODEL_SCRIPT
from harness.serving import wait_for_interrupt
from harness.backends import LOCALSTACK_DEFAULT_URL, aws_clients, localstack_clients
from harness.alexkit.stack.definition import alex_stack
from harness.alexkit.stack.deployment import AlexDeployment, deploy_alex

DEFAULT_PORT = 4566
DEFAULT_API_PORT = 8000  # where the original Alex runs its API locally (uvicorn main:app)
DEFAULT_TOKEN_USER = "user_local_dev"
STATE_DIR_VARIABLE = "ALEX_HARNESS_STATE_DIR"


def default_state_dir() -> Path:
    """Where ``up`` keeps the local issuer's keys and ``token`` reads them: $ALEX_HARNESS_STATE_DIR or ~/.alex-harness."""
    return Path(os.environ.get(STATE_DIR_VARIABLE) or Path.home() / ".alex-harness")


def _print_exports(env: dict[str, str]) -> None:
    print("# paste into another shell to point boto3 and the AWS CLI at it:")
    for key, value in env.items():
        print(f"export {key}={value}")


def _print_stack(stack: AlexDeployment) -> None:
    print("# the Alex stack:")
    print(f"#   jobs queue   {stack.jobs_queue_url}")
    print(f"#   DLQ          {stack.dlq_url}")
    print(f"#   cluster      {stack.cluster_arn}")
    print(f"#   secret       {stack.secret_arn}")
    for name in stack.function_arns:
        print(f"#   function     {name}")


def cmd_up(args: argparse.Namespace) -> int:
    if args.backend == "localstack":
        stack = deploy_alex(alex_stack(), localstack_clients(args.localstack_url, args.region))
        _print_stack(stack)
        _print_exports({"AWS_ENDPOINT_URL": args.localstack_url, "AWS_DEFAULT_REGION": args.region})
        return 0
    if args.backend == "aws":
        if not args.yes:
            print("refusing to create billable AWS resources without --yes", file=sys.stderr)
            return 2
        stack = deploy_alex(alex_stack(), aws_clients(args.region))
        _print_stack(stack)
        return 0
    return _up_moto(args)


def _up_moto(args: argparse.Namespace) -> int:
    from harness.cloud import LocalCloud
    from harness.cloud.components import default_components

    began = time.perf_counter()
    issuer = api = None
    cloud = LocalCloud(
        host=args.host,
        port=args.port,
        region=args.region,
        components=default_components(
            lambda_mode="process", postgres_dsn=args.postgres_dsn, data_dir=args.data_dir,
            bedrock_scripts=[ALEX_MODEL_SCRIPT],
        ),
    )
    try:
        cloud.start()
    except OSError as err:
        print(f"cannot listen on {args.host}:{args.port}: {err.strerror} (choose another --port)", file=sys.stderr)
        return 1
    try:
        endpoint_ready = time.perf_counter() - began
        stack = deploy_alex(alex_stack(), cloud.client)
        stack_ready = time.perf_counter() - began
        applied = stack.migrate(cloud.client)
        schema_ready = time.perf_counter() - began
        print(f"local cloud (moto) listening on {cloud.url}: endpoint ready in {endpoint_ready:.2f}s, "
              f"Alex stack provisioned in {stack_ready:.2f}s, schema migrated ({len(applied)} new) in {schema_ready:.2f}s")
        _print_stack(stack)
        _print_exports(cloud.client_env())
        issuer, api = _start_api(args, cloud, stack)
        if api is None:
            return 1
        print("# Ctrl-C stops it", flush=True)
        if args.exit_after_start:
            return 0
        wait_for_interrupt()
        return 0
    finally:
        if api is not None:
            api.stop()
        if issuer is not None:
            issuer.stop()
        cloud.stop()
        print("local cloud stopped", flush=True)


def _start_api(args: argparse.Namespace, cloud: object, stack: AlexDeployment) -> tuple[object, object]:
    """The local issuer (Clerk stand-in) and Alex's API on loopback; prints the URL and a curl to try.

    Returns (issuer, api); api is None when the API port was asked for explicitly and is taken.
    """
    from harness.alexkit.api_server import ApiServer, settings_for_issuer
    from harness.auth import LocalIssuer

    state_dir = args.state_dir or default_state_dir()
    issuer = LocalIssuer(state_dir, host=args.host, port=args.issuer_port).start()
    env = cloud.client_env() | stack.runtime_environment()  # type: ignore[attr-defined]
    api = ApiServer(settings_for_issuer(issuer), env, host=args.host, port=args.api_port)
    try:
        api.start()
    except OSError as err:
        if args.api_port_explicit:
            print(f"cannot listen on {args.host}:{args.api_port} for the API: {err.strerror} (choose another --api-port)",
                  file=sys.stderr)
            return issuer, None
        api = ApiServer(settings_for_issuer(issuer), env, host=args.host, port=0).start()
        print(f"# port {args.api_port} is taken; the API listens on a free port instead")
    token = issuer.mint(DEFAULT_TOKEN_USER)
    token_command = "alex-harness token --user " + DEFAULT_TOKEN_USER
    if args.state_dir:
        token_command += f" --state-dir {state_dir}"
    print(f"# Alex API on {api.url} (tokens from the local issuer at {issuer.url}, keys in {state_dir})")
    print(f"#   a fresh token:  TOKEN=$({token_command})")
    print(f"#   try it:         curl -H \"Authorization: Bearer $TOKEN\" {api.url}/api/user")
    print("#   or, with a token valid for an hour:")
    print(f"#   curl -H \"Authorization: Bearer {token}\" {api.url}/api/user")
    print(f"export ALEX_API_URL={api.url}")
    return issuer, api


def cmd_token(args: argparse.Namespace) -> int:
    """Print a session token for a test user, signed with the running stack's issuer keys."""
    from harness.auth import mint_token_from_state

    if args.ttl <= 0:
        raise ValueError("--ttl must be a positive number of seconds")
    state_dir = args.state_dir or default_state_dir()
    extra = {"name": args.name} if args.name else None
    print(mint_token_from_state(state_dir, args.user, ttl=args.ttl, extra_claims=extra))
    return 0


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
    up.add_argument("--api-port", type=int, default=None,
                    help=f"port of Alex's API (default {DEFAULT_API_PORT}, or a free one if that is taken)")
    up.add_argument("--issuer-port", type=int, default=0, help="port of the local token issuer (default: a free one)")
    up.add_argument("--state-dir", type=Path, default=None,
                    help=f"the local issuer's keys (default ${STATE_DIR_VARIABLE} or ~/.alex-harness)")
    up.set_defaults(func=cmd_up)

    token = sub.add_parser("token", help="print a JWT for a test user, from the running stack's issuer keys")
    token.add_argument("--user", default=DEFAULT_TOKEN_USER, help="the token's sub (the Clerk user id)")
    token.add_argument("--ttl", type=float, default=3600.0, help="lifetime in seconds (default 3600)")
    token.add_argument("--name", default=None, help="a display name claim (name), shown as the user's name")
    token.add_argument("--state-dir", type=Path, default=None,
                       help=f"the issuer's state (default ${STATE_DIR_VARIABLE} or ~/.alex-harness)")
    token.set_defaults(func=cmd_token)

    from harness.alexkit.load.cli import add_parser as add_load_parser  # `alex-harness load` (harness/alexkit/load/cli.py)

    add_load_parser(sub)

    from harness.alexkit.monitoring_commands import add_commands as add_monitoring_commands  # `dashboard`, `watch`

    add_monitoring_commands(sub)

    from harness.alexkit.scenarios.cli import add_parsers as add_scenario_parsers  # `replay`, `record`

    add_scenario_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    if getattr(args, "command", None) == "up":
        args.api_port_explicit = args.api_port is not None
        if args.api_port is None:
            args.api_port = DEFAULT_API_PORT
    try:
        return int(args.func(args))
    except ValueError as err:
        print(f"alex-harness: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
