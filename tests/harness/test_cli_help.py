"""`alex-harness --help` as a newcomer reads it: every subcommand describes itself, every option says what
it does and, when it has one, its default."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from harness.alexkit.cli import build_parser

# Defaults that need no mention: a flag is off unless given; None means "not used unless given",
# which the help must still explain (it is checked for a text, not for the word "default").
_SILENT_DEFAULTS = (None, False, argparse.SUPPRESS)


def _subcommands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield name, child
                yield from ((f"{name} {sub}", grandchild) for sub, grandchild in _subcommands(child))


def problems_of(parser: argparse.ArgumentParser) -> list[str]:
    """Everything a help screen leaves unsaid: no description, an option without help, a hidden default."""
    found = []
    for name, sub in _subcommands(parser):
        if not (sub.description or "").strip():
            found.append(f"{name}: no description in `alex-harness {name} --help`")
        for action in sub._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)) or action.help == argparse.SUPPRESS:
                continue
            label = f"{name} {'/'.join(action.option_strings) or action.dest}"
            if not (action.help or "").strip():
                found.append(f"{label}: no help")
                continue
            default = action.default
            if (
                action.option_strings
                and default not in _SILENT_DEFAULTS
                and default != []
                and "default" not in action.help.lower()
            ):
                found.append(f"{label}: default {default!r} not stated")
    return found


def test_every_option_of_every_subcommand_says_what_it_does_and_its_default() -> None:
    """Walks the whole argparse tree of `alex-harness` (every subcommand, including ones added later)."""
    parser = build_parser()
    assert len(list(_subcommands(parser))) >= 8  # up, token, load, dashboard, watch, replay, record, package, ...
    assert problems_of(parser) == []


def test_the_walker_catches_a_silent_option() -> None:
    """The check itself fails on what the issue found: an option with no help, a default not shown."""
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers().add_parser("up")
    sub.add_argument("--port", type=int, default=4566)
    sub.add_argument("--region", default="us-east-1", help="the region")
    assert problems_of(parser) == [
        "up: no description in `alex-harness up --help`",
        "up --port: no help",
        "up --region: default 'us-east-1' not stated",
    ]


def test_exports_say_which_clients_honour_them_and_what_aws_cli_v1_needs(capsys) -> None:
    """AWS CLI v1 ignores AWS_ENDPOINT_URL (v2 honours it from 2.13, boto3 from 1.28.57): the banner says so."""
    from harness.alexkit.cli import _print_exports

    _print_exports({"AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_DEFAULT_REGION": "us-east-1"})
    out = capsys.readouterr().out
    assert "export AWS_ENDPOINT_URL=http://127.0.0.1:4566\n" in out
    assert "boto3 (>= 1.28.57) and the AWS CLI v2 (>= 2.13)" in out
    assert "AWS CLI v1 ignores AWS_ENDPOINT_URL: add --endpoint-url http://127.0.0.1:4566 to each command" in out
