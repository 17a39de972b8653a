"""``alex-harness``: bring up the local cloud with Alex's stack, and the tools around it."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from harness import DEFAULT_REGION
from harness.serving import wait_for_interrupt
from harness.backends import LOCALSTACK_DEFAULT_URL, aws_clients, localstack_clients
from harness.alexkit.stack.definition import alex_stack
from harness.alexkit.stack.deployment import AlexDeployment, deploy_alex

if TYPE_CHECKING:
    from harness.alexkit.local_alex import LocalAlex
    from harness.cloud.server import LocalCloud

DEFAULT_PORT = 4566
HYBRID_DEFAULT_PORT = 4599  # LocalStack holds 4566 in the hybrid
DEFAULT_API_PORT = 8000  # where the original Alex runs its API locally (uvicorn main:app)
DEFAULT_TOKEN_USER = "user_local_dev"
STATE_DIR_VARIABLE = "ALEX_HARNESS_STATE_DIR"


def default_state_dir() -> Path:
    """Where ``up`` keeps the local issuer's keys and ``token`` reads them: $ALEX_HARNESS_STATE_DIR or ~/.alex-harness."""
    return Path(os.environ.get(STATE_DIR_VARIABLE) or Path.home() / ".alex-harness")


def _print_exports(env: dict[str, str]) -> None:
    """The exports, and what AWS CLI v1 needs: it ignores AWS_ENDPOINT_URL (honoured by AWS CLI v2 from
    2.13.0 and boto3 from 1.28.57) and would reach AWS instead."""
    print("# paste into another shell to point boto3 (>= 1.28.57) and the AWS CLI v2 (>= 2.13) at it:")
    for key, value in env.items():
        print(f"export {key}={value}")
    if "AWS_ENDPOINT_URL" in env:
        print(f"# AWS CLI v1 ignores AWS_ENDPOINT_URL: add --endpoint-url {env['AWS_ENDPOINT_URL']} to each command")


def _print_stack(stack: AlexDeployment) -> None:
    print("# the Alex stack:")
    print(f"#   jobs queue   {stack.jobs_queue_url}")
    print(f"#   DLQ          {stack.dlq_url}")
    print(f"#   cluster      {stack.cluster_arn}")
    print(f"#   secret       {stack.secret_arn}")
    for name in stack.function_arns:
        print(f"#   function     {name}")


def cmd_up(args: argparse.Namespace) -> int:
    if args.moto_api:
        os.environ["HARNESS_MOTO_API"] = "1"  # read by LocalCloud (harness.cloud.server.moto_api_from_env)
    if args.backend == "localstack":
        url = args.localstack_url or LOCALSTACK_DEFAULT_URL
        stack = deploy_alex(alex_stack(), localstack_clients(url, args.region))
        _print_stack(stack)
        _print_exports({"AWS_ENDPOINT_URL": url, "AWS_DEFAULT_REGION": args.region})
        return 0
    if args.backend == "aws":
        if not args.yes:
            print("refusing to create billable AWS resources without --yes", file=sys.stderr)
            return 2
        stack = deploy_alex(alex_stack(), aws_clients(args.region))
        _print_stack(stack)
        return 0
    if args.backend == "hybrid":
        return _up_hybrid(args)
    if args.no_stack:
        from harness.deploy.bare import serve_bare_cloud

        return serve_bare_cloud(
            host=args.host,
            port=args.port,
            region=args.region,
            postgres_dsn=args.postgres_dsn,
            data_dir=args.data_dir,
            exit_after_start=args.exit_after_start,
            wait=wait_for_interrupt,
        )
    return _up_moto(args)


def _up_hybrid(args: argparse.Namespace) -> int:
    """Alex on LocalStack (SQS, Secrets Manager) plus the harness (Lambda, mappings, Data API, model)."""
    import tempfile

    from harness.alexkit.local_alex import alex_components
    from harness.localstack.cli import find_localstack
    from harness.localstack.hybrid import HybridCloud

    found = find_localstack(args.localstack_url)
    if not found.usable:
        print(found.problem(), file=sys.stderr)
        return 1
    args.localstack_url = found.url
    print(f"# LocalStack {found.version} on {found.url} serves SQS and Secrets Manager", flush=True)
    with tempfile.TemporaryDirectory(prefix="alex-cloud-") as scratch:
        components = alex_components(args.data_dir or Path(scratch), postgres_dsn=args.postgres_dsn)
        cloud = HybridCloud(args.localstack_url, host=args.host, port=args.port, region=args.region, components=components)
        try:
            cloud.start()
        except OSError as err:
            print(f"cannot listen on {args.host}:{args.port}: {err.strerror} (choose another --port)", file=sys.stderr)
            return 1
        try:
            return _up_moto(args, cloud=cloud)
        finally:
            cloud.stop()


def _up_moto(args: argparse.Namespace, cloud: LocalCloud | None = None) -> int:
    from harness.alexkit.state_lock import StateDirBusy, state_dir_lock

    if args.drain_seconds < 0:
        raise ValueError("--drain-seconds must be 0 or more")

    state_dir = args.state_dir or default_state_dir()
    try:
        with state_dir_lock(state_dir):  # checked before anything starts: a second `up` on it is refused
            return _serve_alex(args, state_dir, cloud)
    except StateDirBusy as err:
        print(err, file=sys.stderr)
        return 1


def _serve_alex(args: argparse.Namespace, state_dir: Path, cloud: LocalCloud | None = None) -> int:
    from harness.alexkit.local_alex import PortUnavailable, alex_components, start_local_alex
    from harness.alexkit.stack.fast import clock_driven_stack
    from harness.cloud.events.clock import TestClock

    api_port = args.api_port if args.api_port is not None else DEFAULT_API_PORT
    clock = TestClock() if args.test_clocks else None
    try:
        alex = start_local_alex(
            cloud=cloud,
            components=lambda data_dir: alex_components(
                data_dir, postgres_dsn=args.postgres_dsn, persist=args.data_dir is not None, clock=clock
            ),
            spec=clock_driven_stack() if args.test_clocks else None,
            data_dir=args.data_dir,
            host=args.host,
            port=args.port,
            region=args.region,
            state_dir=state_dir,
            api_port=api_port,
            api_port_fallback=not args.api_port_explicit,
            issuer_port=args.issuer_port,
        )
    except PortUnavailable as err:
        print(err.strerror, file=sys.stderr)
        return 1
    with alex:
        t = alex.timings
        kind = "moto; SQS and Secrets Manager on LocalStack" if cloud is not None else "moto"
        print(
            f"local cloud ({kind}) listening on {alex.cloud.url}: endpoint ready in {t['cloud']:.2f}s, "
            f"Alex stack provisioned in {t['provisioned']:.2f}s, schema migrated in {t['migrated']:.2f}s"
        )
        _print_stack(alex.stack)
        _print_exports(alex.cloud.client_env())
        if alex.api.port != api_port:
            print(f"# port {api_port} is taken; the API listens on a free port instead")
        _print_api(args, alex)
        if args.test_clocks:
            print(
                f"# test clocks: schedules fire when told, e.g. curl -X POST {alex.cloud.url}/_harness/clock/advance "
                "-d '{\"seconds\": 60}'"
            )
        print(f"# on Ctrl-C or SIGTERM, work in flight drains for up to {args.drain_seconds:g}s (--drain-seconds)")
        print("# Ctrl-C stops it", flush=True)
        _announce_templates(alex)
        if not args.exit_after_start:
            wait_for_interrupt()
            print("draining: no new work; waiting for work in flight", flush=True)
            took = alex.drain(args.drain_seconds)
            print(f"drained in {sum(took.values()):.1f}s", flush=True)
    print("local cloud stopped", flush=True)
    return 0


def _announce_templates(alex: LocalAlex) -> None:
    """Print, once they are, that the functions' Lambda templates are ready: from then on a
    first analysis forks warm-initialised environments instead of waiting on inits."""
    import threading

    if alex.templates is None:
        return
    began = time.perf_counter()

    def announce() -> None:
        if alex.wait_for_templates():
            print(
                f"# Lambda templates ready ({len(alex.stack.function_arns)} functions prepared, "
                f"{time.perf_counter() - began:.1f}s after the API): analyses no longer wait on inits",
                flush=True,
            )

    threading.Thread(target=announce, name="templates-ready", daemon=True).start()


def _print_api(args: argparse.Namespace, alex: LocalAlex) -> None:
    """The API's URL and a curl to try, with a token from the local issuer (Clerk's stand-in)."""
    token_command = "alex-harness token --user " + DEFAULT_TOKEN_USER
    if args.state_dir:
        token_command += f" --state-dir {alex.state_dir}"
    print(f"# Alex API on {alex.url} (tokens from the local issuer at {alex.issuer.url}, keys in {alex.state_dir})")
    print(f"#   a fresh token:  TOKEN=$({token_command})")
    print(f'#   try it:         curl -H "Authorization: Bearer $TOKEN" {alex.url}/api/user')
    print("#   or, with a token valid for an hour:")
    print(f'#   curl -H "Authorization: Bearer {alex.token(DEFAULT_TOKEN_USER)}" {alex.url}/api/user')
    print(f"export ALEX_API_URL={alex.url}")


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
    up.add_argument(
        "--backend",
        choices=["moto", "localstack", "hybrid", "aws"],
        default="moto",
        help="where the stack goes: moto (default, the local cloud in this process), localstack "
        "(a running LocalStack at --localstack-url), hybrid (SQS and Secrets Manager on the "
        "LocalStack at --localstack-url, see `alex-harness localstack start`; the rest on the "
        "harness) or aws (real AWS, with --yes)",
    )
    up.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    up.add_argument(
        "--port",
        type=int,
        default=None,
        help=f"port of the local cloud's AWS endpoint (default {DEFAULT_PORT}, {HYBRID_DEFAULT_PORT} with --backend hybrid)",
    )
    up.add_argument(
        "--region",
        default=DEFAULT_REGION,
        help=f"the AWS region the stack is provisioned in and the exports name (default {DEFAULT_REGION})",
    )
    up.add_argument(
        "--localstack-url",
        default=None,
        help=f"with --backend localstack or hybrid: LocalStack's edge URL (default {LOCALSTACK_DEFAULT_URL}; "
        "hybrid: the one `alex-harness localstack start` left running, else one on "
        f"{LOCALSTACK_DEFAULT_URL} if its health endpoint says SQS and Secrets Manager are up; "
        "loopback only)",
    )
    up.add_argument("--postgres-dsn", default=None, help="use this PostgreSQL (superuser DSN) instead of the embedded one")
    up.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="keep the cloud's state (queues and messages, secrets, functions, mappings, alarms, logs, "
        "clusters and their PostgreSQL data) here between runs, even if killed",
    )
    up.add_argument(
        "--drain-seconds",
        type=float,
        default=30.0,
        help="on Ctrl-C or SIGTERM, let work in flight finish for up to this long (default 30)",
    )
    up.add_argument(
        "--test-clocks",
        action="store_true",
        help="test timings: schedules fire only when POST /_harness/clock/advance says time passed, "
        "short retry backoffs, leases and sweeper bounds",
    )
    up.add_argument(
        "--no-stack",
        action="store_true",
        help="serve the local cloud with nothing provisioned, to deploy your own system into it",
    )
    up.add_argument("--yes", action="store_true", help="with --backend aws: really create resources")
    up.add_argument("--exit-after-start", action="store_true", help="start, provision, print, then stop (smoke test)")
    up.add_argument(
        "--api-port",
        type=int,
        default=None,
        help=f"port of Alex's API (default {DEFAULT_API_PORT}, or a free one if that is taken)",
    )
    up.add_argument("--issuer-port", type=int, default=0, help="port of the local token issuer (default: a free one)")
    up.add_argument(
        "--state-dir", type=Path, default=None, help=f"the local issuer's keys (default ${STATE_DIR_VARIABLE} or ~/.alex-harness)"
    )
    up.add_argument(
        "--moto-api",
        action="store_true",
        help="serve moto's control API (/moto-api/, reset included); off by default (or HARNESS_MOTO_API=1)",
    )
    up.set_defaults(func=cmd_up)

    token = sub.add_parser("token", help="print a JWT for a test user, from the running stack's issuer keys")
    token.add_argument(
        "--user", default=DEFAULT_TOKEN_USER, help=f"the token's sub, the Clerk user id (default {DEFAULT_TOKEN_USER})"
    )
    token.add_argument("--ttl", type=float, default=3600.0, help="lifetime in seconds (default 3600)")
    token.add_argument("--name", default=None, help="a display name claim (name), shown as the user's name")
    token.add_argument(
        "--state-dir", type=Path, default=None, help=f"the issuer's state (default ${STATE_DIR_VARIABLE} or ~/.alex-harness)"
    )
    token.set_defaults(func=cmd_token)

    from harness.alexkit.load.cli import add_parser as add_load_parser  # `alex-harness load` (harness/alexkit/load/cli.py)

    add_load_parser(sub)

    from harness.alexkit.monitoring_commands import add_commands as add_monitoring_commands  # `dashboard`, `watch`

    add_monitoring_commands(sub)

    from harness.alexkit.scenarios.cli import add_parsers as add_scenario_parsers  # `replay`, `record`

    add_scenario_parsers(sub)

    from harness.deploy.cli import add_parsers as add_deploy_parsers  # `package`, `terraform`

    add_deploy_parsers(sub)
    from harness.localstack.cli import add_localstack_parser  # `localstack start|stop|status`

    add_localstack_parser(sub)
    _describe_subcommands(sub)
    return parser


def _describe_subcommands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Give each subcommand's own --help the one-line summary `alex-harness --help` lists, when it has none."""
    summaries = {action.dest: action.help for action in sub._choices_actions}
    for name, child in sub.choices.items():
        if not (child.description or "").strip():
            child.description = summaries.get(name)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    if getattr(args, "command", None) == "up":
        args.api_port_explicit = args.api_port is not None
        if args.port is None:
            args.port = HYBRID_DEFAULT_PORT if args.backend == "hybrid" else DEFAULT_PORT
        if args.api_port is None:
            args.api_port = DEFAULT_API_PORT
    try:
        return int(args.func(args))
    except ValueError as err:
        print(f"alex-harness: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
