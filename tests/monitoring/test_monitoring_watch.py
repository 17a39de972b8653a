"""``alex-harness watch``: the agents' CloudWatch Logs, merged, colour-coded, JSON lines pretty-printed."""

from __future__ import annotations

import io
import json
import time

from harness.alexkit.cli import build_parser
from harness.alexkit.watch import COLOURS, LogEvent, LogWatcher, format_event, watch

LINE = json.dumps(
    {
        "timestamp": "2026-01-01T00:00:00Z",
        "level": "ERROR",
        "logger": "alex.lambda",
        "message": "agent failed",
        "service": "reporter",
        "job_id": "0123456789abcdef",
        "request_id": "r-1",
        "attempt": 2,
        "exception": "Traceback ...\nServiceUnavailableError: the model is unavailable",
    }
)


def test_a_json_line_shows_level_message_job_and_fields() -> None:
    text = format_event(LogEvent("reporter", 1_700_000_000_000, LINE, "e1"), colour=False)
    assert "[reporter  ] ERROR   agent failed job=01234567 attempt=2" in text
    assert text.splitlines()[1].strip() == "↳ ServiceUnavailableError: the model is unavailable"
    coloured = format_event(LogEvent("reporter", 1_700_000_000_000, LINE, "e1"))
    assert coloured.count(COLOURS["reporter"]) == 1 and "\033[91mERROR" in coloured


def test_platform_and_plain_lines() -> None:
    report = "REPORT RequestId: abc\tDuration: 1.00 ms\t"
    assert "REPORT RequestId: abc  Duration: 1.00 ms" in format_event(LogEvent("planner", 0, report, "x"), colour=False)
    assert format_event(LogEvent("tagger", 0, "hello", "y"), colour=False).endswith("[tagger    ] hello")


def test_watcher_merges_groups_in_time_order_and_prints_each_event_once(cloud) -> None:
    logs = cloud.client("logs")
    now = int(time.time() * 1000)
    for agent, offset in (("planner", 0), ("reporter", 5), ("planner", 10)):
        group = f"/aws/lambda/alex-{agent}"
        if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
            logs.create_log_group(logGroupName=group)
            logs.create_log_stream(logGroupName=group, logStreamName="s")
        logs.put_log_events(
            logGroupName=group, logStreamName="s", logEvents=[{"timestamp": now + offset, "message": f"{agent} at {offset}"}]
        )
    watcher = LogWatcher(logs, lookback_minutes=1)
    assert [e.message for e in watcher.poll()] == ["planner at 0", "reporter at 5", "planner at 10"]
    assert watcher.poll() == []  # nothing new
    logs.put_log_events(
        logGroupName="/aws/lambda/alex-reporter",
        logStreamName="s",
        logEvents=[{"timestamp": now + 20, "message": "reporter again"}],
    )
    assert [e.message for e in watcher.poll()] == ["reporter again"]

    out = io.StringIO()
    assert watch(logs, lookback_minutes=1, interval=0.01, colour=False, out=out, iterations=2, sleep=lambda s: None) == 4
    assert "[charter   ]" not in out.getvalue() and "reporter again" in out.getvalue()


def test_cli_registers_dashboard_and_watch() -> None:
    args = build_parser().parse_args(["watch", "--lookback", "10", "--interval", "1", "--agents", "planner,reporter"])
    assert (args.lookback, args.interval, args.agents) == (10.0, 1.0, "planner,reporter")
    args = build_parser().parse_args(["dashboard", "--port", "0", "--refresh", "2", "--endpoint", "http://127.0.0.1:1"])
    assert (args.port, args.refresh, args.endpoint, args.host) == (0, 2.0, "http://127.0.0.1:1", "127.0.0.1")
