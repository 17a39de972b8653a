"""``alex-harness package`` and ``alex-harness terraform``: deploy the user's own system, their way."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from harness.deploy.package import DEFAULT_PLATFORM, DEFAULT_RUNTIME, PackagingError, build_lambda_zip
from harness.deploy.terraform import DEFAULT_ENDPOINT, TerraformError, run_terraform


def cmd_package(args: argparse.Namespace) -> int:
    if args.out is not None and len(args.projects) > 1:
        print("alex-harness package: --out needs exactly one project folder", file=sys.stderr)
        return 2
    for project in args.projects:
        try:
            result = build_lambda_zip(
                project,
                out=args.out,
                runtime=args.runtime,
                platform=args.platform,
                exclude=tuple(args.exclude),
                cache_dir=args.cache_dir,
            )
        except PackagingError as err:
            print(f"alex-harness package: {project}: {err}", file=sys.stderr)
            return 1
        source = "dependencies from the cache" if result.dependencies_cached else "dependencies resolved and cached"
        print(
            f"{result.zip_path}: {result.size_bytes / 1e6:.1f} MB, {result.files} files, {result.seconds:.1f}s ({source})",
            flush=True,
        )
    return 0


def cmd_terraform(args: argparse.Namespace) -> int:
    tf_args = list(args.terraform_args)
    if tf_args[:1] == ["--"]:
        tf_args = tf_args[1:]
    if not tf_args:
        print(
            "alex-harness terraform: give terraform's arguments, e.g. alex-harness terraform -chdir=terraform/6_agents apply",
            file=sys.stderr,
        )
        return 2
    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or DEFAULT_ENDPOINT
    try:
        return run_terraform(tf_args, endpoint=endpoint, mirror=args.plugin_mirror).returncode
    except TerraformError as err:
        print(f"alex-harness terraform: {err}", file=sys.stderr)
        return 1


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    package = sub.add_parser(
        "package", help="build Lambda zips from uv project folders (as package_docker.py does, without Docker)"
    )
    package.add_argument("projects", nargs="+", type=Path, help="folders with pyproject.toml and uv.lock")
    package.add_argument("--runtime", default=DEFAULT_RUNTIME, help=f"the function's Runtime (default {DEFAULT_RUNTIME})")
    package.add_argument("--platform", default=DEFAULT_PLATFORM, help=f"wheel platform (default {DEFAULT_PLATFORM})")
    package.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="NAME",
        help="leave this requirement out (repeatable; the course's scripts leave out pyperclip)",
    )
    package.add_argument("--out", type=Path, default=None, help="zip path (default <folder>/<folder>_lambda.zip)")
    package.add_argument(
        "--cache-dir", type=Path, default=None, help="dependency cache (default $ALEX_HARNESS_CACHE_DIR or ~/.cache/alex-harness)"
    )
    package.set_defaults(func=cmd_package)

    terraform = sub.add_parser(
        "terraform", help="run your terraform against the local cloud (only endpoints and credentials overridden)"
    )
    terraform.add_argument(
        "--endpoint-url", default=None, help=f"the local cloud (default $AWS_ENDPOINT_URL or {DEFAULT_ENDPOINT})"
    )
    terraform.add_argument(
        "--plugin-mirror",
        type=Path,
        default=None,
        help="a provider filesystem mirror (default $ALEX_HARNESS_TF_MIRROR or /opt/tf-plugins if present)",
    )
    terraform.add_argument("terraform_args", nargs=argparse.REMAINDER, help="terraform's own arguments")
    terraform.set_defaults(func=cmd_terraform)
