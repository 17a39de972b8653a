"""``alex-harness replay [scenario ...]`` and ``alex-harness record <scenario>``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from harness.alexkit.scenarios.spec import ScenarioError, discover, load

DEFAULT_SCENARIOS = Path("scenarios")
DEFAULT_CASSETTES = Path("cassettes")
DEFAULT_OUTPUT = Path("scenario-results")


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    replay = sub.add_parser("replay", help="replay scenarios on the local cloud (cassettes, record mode none)")
    replay.add_argument("scenarios", nargs="*", help="scenario names or files (default: every scenarios/*.yaml)")
    _common(replay)
    replay.add_argument(
        "--record-mode",
        choices=("none", "new_episodes", "all"),
        default="none",
        help="none (default, CI): replay only, a missing call fails; new_episodes/all record",
    )
    replay.set_defaults(func=cmd_replay)

    record = sub.add_parser("record", help="record a scenario's cassettes against the scripted model")
    record.add_argument("scenarios", nargs="+", help="scenario names or files")
    _common(record)
    record.add_argument(
        "--mode",
        choices=("all", "new_episodes"),
        default="all",
        help="all (default): record afresh; new_episodes: keep what is there, add what is new",
    )
    record.add_argument(
        "--live",
        action="store_true",
        help="record against real Amazon Bedrock with your AWS credentials (costs money: see the README)",
    )
    record.add_argument("--region", default="us-west-2", help="with --live: the Bedrock region (default us-west-2)")
    record.add_argument("--profile", default=None, help="with --live: the AWS profile to sign with (default chain otherwise)")
    record.add_argument(
        "--live-endpoint", default=None, help="with --live: another Bedrock runtime endpoint (a VPC endpoint, or a test double)"
    )
    record.set_defaults(func=cmd_record)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scenarios-dir",
        type=Path,
        default=DEFAULT_SCENARIOS,
        help=f"where scenario names are looked up as <name>.yaml (default {DEFAULT_SCENARIOS})",
    )
    parser.add_argument(
        "--cassettes-dir",
        type=Path,
        default=DEFAULT_CASSETTES,
        help=f"where each scenario's cassettes are, <dir>/<scenario>/<function>.yaml (default {DEFAULT_CASSETTES})",
    )
    parser.add_argument(
        "--backend",
        choices=("moto", "hybrid"),
        default="moto",
        help="moto (default): the local cloud in this process; hybrid: the queues and the secret "
        "on a running LocalStack (see `alex-harness localstack start`), the rest here",
    )
    parser.add_argument(
        "--localstack-url",
        default=None,
        help="with --backend hybrid: LocalStack's URL (default: the one `alex-harness localstack "
        "start` left running, else one on http://localhost:4566; loopback only)",
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help=f"where junit.xml and report.html go (default ./{DEFAULT_OUTPUT})"
    )


def cmd_replay(args: argparse.Namespace) -> int:
    return _run(args, args.record_mode)


def cmd_record(args: argparse.Namespace) -> int:
    live = None
    if args.live:
        from harness.bedrock.live import LiveBedrock

        try:
            live = LiveBedrock.from_profile(args.region, args.profile, args.live_endpoint)
        except Exception as err:  # no credentials, unknown profile: a clear error, nothing recorded
            print(f"alex-harness record --live: {err}", file=sys.stderr)
            return 2
        print(f"# recording against {live.recorded_against}: every model call is billed by Bedrock", flush=True)
    return _run(args, args.mode, live)


def _run(args: argparse.Namespace, record_mode: str, live: Any = None) -> int:
    from harness.alexkit.scenarios.environment import scenario_stack
    from harness.alexkit.scenarios.report import format_table, write_html, write_junit
    from harness.alexkit.scenarios.runner import RECORDED_AGAINST, run_scenario

    try:
        scenarios = [load(p) for p in discover(args.scenarios_dir, args.scenarios)]
    except ScenarioError as err:
        print(f"alex-harness: {err}", file=sys.stderr)
        return 2
    localstack_url = None
    if args.backend == "hybrid":
        from harness.localstack.cli import find_localstack

        found = find_localstack(args.localstack_url)
        if not found.usable:
            print(f"alex-harness: {found.problem()}", file=sys.stderr)
            return 1
        localstack_url = found.url
        print(f"# hybrid: queues and secret on LocalStack {found.version} at {found.url}", flush=True)
    began = time.time()
    results = []
    with scenario_stack(localstack_url=localstack_url) as ss:
        print(f"# stack ready in {time.time() - began:.1f}s; {len(scenarios)} scenario(s), record mode {record_mode}", flush=True)
        ss.bedrock.live = live
        for scenario in scenarios:
            result = run_scenario(
                ss, scenario, args.cassettes_dir, record_mode, live.recorded_against if live else RECORDED_AGAINST
            )
            print(f"{'PASS' if result.passed else 'FAIL'} {scenario.name} ({result.duration_s:.1f}s)", flush=True)
            results.append(result)
    print(format_table(results))
    args.output.mkdir(parents=True, exist_ok=True)
    write_junit(results, args.output / "junit.xml")
    write_html(results, args.output / "report.html")
    print(f"# JUnit: {args.output / 'junit.xml'}  HTML: {args.output / 'report.html'}")
    return 0 if all(r.passed for r in results) else 1
