"""The scenario report writers: terminal table, JUnit XML, self-contained HTML (no cloud needed)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.alexkit.scenarios.report import LANE_ORDER, format_table, jobs_summary, render_html, write_html, write_junit
from harness.alexkit.scenarios.results import Check, JobOutcome, ScenarioResult, TimelineEvent

SCRIPT = "<script>alert(1)</script>"


def _happy() -> ScenarioResult:
    # Lanes deliberately listed out of order: the report must sort them.
    timeline = [
        TimelineEvent("reporter", "reporter agent", "agent", 900.0, 1500.0),
        TimelineEvent("api", "POST /api/analyze", "request", 0.0, 40.0),
        TimelineEvent("planner", "planner agent", "agent", 120.0, 2000.0),
        TimelineEvent(
            "planner",
            "chat us.amazon.nova-pro-v1:0",
            "generation",
            130.0,
            130.4,
            attributes={"tokens": 812, "model": "us.amazon.nova-pro-v1:0", "attempt": 1},
        ),
        TimelineEvent("queue", "waiting in SQS", "queue", 40.0, 120.0),
        TimelineEvent("tagger", "tag instruments", "tool", 200.0, 400.0),
        TimelineEvent("charter", "charter agent", "agent", 900.0, 1300.0),
        TimelineEvent("retirement", "retirement agent", "agent", 900.0, 1700.0),
        TimelineEvent("custom-lane", "something else", "custom", 1900.0, 2000.0),
    ]
    return ScenarioResult(
        name="happy-path",
        description="One user asks for an analysis and gets every report.",
        passed=True,
        duration_s=2.04,
        checks=[Check("job completed", True, "status=completed"), Check("charts saved", True)],
        jobs=[
            JobOutcome("job-ok-1", "user_a", "completed", None, 1, timeline),
            JobOutcome("job-ok-2", "user_a", "completed", None, 1, []),
        ],
        model_calls=7,
        model_retries=0,
    )


def _broken() -> ScenarioResult:
    return ScenarioResult(
        name="throttled-planner",
        description="Bedrock throttles the planner until the retries run out.",
        passed=False,
        duration_s=5.56,
        checks=[
            Check("job completed", False, "job-bad-1 ended failed: ThrottlingException"),
            Check("no DLQ messages", True),
        ],
        jobs=[
            JobOutcome(
                "job-bad-1",
                "user_b",
                "failed",
                "ThrottlingException after 3 attempts",
                3,
                [
                    TimelineEvent("api", "POST /api/analyze", "request", 0.0, 30.0),
                    TimelineEvent(
                        "planner",
                        "retry after throttle",
                        "retry",
                        100.0,
                        900.0,
                        error="ThrottlingException",
                        attributes={"attempt": 2},
                    ),
                ],
            ),
            JobOutcome("job-ok-3", "user_b", "completed", None, 1, []),
            JobOutcome("job-ok-4", "user_b", "completed", None, 1, []),
        ],
        model_calls=4,
        model_retries=3,
        dlq_messages=1,
        cassette_misses=[{"model": "us.amazon.nova-pro-v1:0", "prompt_hash": "abc123", "note": SCRIPT}],
        error="RuntimeError: stack went away\nTraceback line 2",
    )


def _injected() -> ScenarioResult:
    return ScenarioResult(
        name="prompt-injection",
        description=f"A holding named {SCRIPT} must not run.",
        passed=False,
        duration_s=1.0,
        checks=[Check("output sanitised", False, f"found {SCRIPT} in report"), Check("esc\x1bape", True, "ctl\x00char")],
        jobs=[
            JobOutcome(
                "job-inj-1",
                "user_c",
                "completed",
                None,
                1,
                [TimelineEvent("tagger", SCRIPT, "mystery-kind", 0.0, 10.0, attributes={"note": SCRIPT})],
            )
        ],
        model_calls=1,
    )


@pytest.fixture
def results() -> list[ScenarioResult]:
    return [_happy(), _broken(), _injected()]


# ---------------------------------------------------------------------------- table


def test_jobs_summary_counts_statuses() -> None:
    assert jobs_summary(_broken().jobs) == "2 completed, 1 failed"
    assert jobs_summary([]) == "none"


def test_table_has_columns_rows_failures_and_totals(results: list[ScenarioResult]) -> None:
    text = format_table(results)
    lines = text.splitlines()
    for header in ("scenario", "result", "duration", "jobs", "model calls", "retries"):
        assert header in lines[0]
    happy = next(line for line in lines if line.startswith("happy-path"))
    assert re.search(r"happy-path\s+PASS\s+2\.0s\s+2 completed\s+7\s+0$", happy)
    broken = next(line for line in lines if line.startswith("throttled-planner"))
    assert re.search(r"FAIL\s+5\.6s\s+2 completed, 1 failed\s+4\s+3$", broken)
    failures = text.split("Failures:", 1)[1]
    assert "job completed: job-bad-1 ended failed: ThrottlingException" in failures
    assert "error: RuntimeError: stack went away Traceback line 2" in failures
    assert "output sanitised: found <script>" in failures
    assert "happy-path" not in failures and "no DLQ messages" not in failures
    assert lines[-1] == "1 passed, 2 failed in 8.6s"
    assert "\x1b" not in text and "\x00" not in text


def test_table_all_passing_has_no_failures_section() -> None:
    text = format_table([_happy()])
    assert "Failures:" not in text
    assert text.splitlines()[-1] == "1 passed, 0 failed in 2.0s"
    assert format_table([]).splitlines()[-1] == "0 passed, 0 failed in 0.0s"


# ---------------------------------------------------------------------------- JUnit


def test_junit_parses_with_counts_failures_and_errors(results: list[ScenarioResult], tmp_path: Path) -> None:
    path = write_junit(results, tmp_path / "out" / "junit.xml")
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    assert suite.get("name") == "alex-scenarios"
    assert suite.get("tests") == "3"
    assert suite.get("failures") == "1"  # prompt-injection
    assert suite.get("errors") == "1"  # throttled-planner broke
    assert float(suite.get("time")) == pytest.approx(8.60, abs=0.001)

    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == ["happy-path", "throttled-planner", "prompt-injection"]
    assert all(c.get("classname") == "scenarios" for c in cases.values())
    assert float(cases["happy-path"].get("time")) == pytest.approx(2.04)

    happy = cases["happy-path"]
    assert happy.find("failure") is None and happy.find("error") is None
    out = happy.findtext("system-out")
    assert "PASS job completed: status=completed" in out
    assert "job job-ok-1 user=user_a status=completed attempts=1" in out

    broken = cases["throttled-planner"]
    failure = broken.find("failure")
    assert failure is not None and "job completed" in failure.get("message")
    assert "ThrottlingException" in failure.get("message")
    assert "no DLQ messages" not in failure.get("message")
    error = broken.find("error")
    assert error is not None and error.get("message") == "RuntimeError: stack went away"
    assert "Traceback line 2" in error.text
    assert "job job-bad-1 user=user_b status=failed attempts=3 error=ThrottlingException" in broken.findtext("system-out")

    injected = cases["prompt-injection"]
    assert SCRIPT in injected.find("failure").get("message")  # the XML layer escapes it
    assert injected.find("error") is None


def test_junit_strips_characters_xml_cannot_carry(tmp_path: Path) -> None:
    path = write_junit([_injected()], tmp_path / "junit.xml")
    raw = path.read_bytes()
    assert b"\x1b" not in raw and b"\x00" not in raw
    assert b"<script>" not in raw
    ET.parse(path)  # still well-formed


# ---------------------------------------------------------------------------- HTML


def test_html_has_summary_sections_and_legend(results: list[ScenarioResult], tmp_path: Path) -> None:
    path = write_html(results, tmp_path / "report.html")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # self-contained: no external assets
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<link" not in page and "<script" not in page

    ids = re.findall(r'<section class="scenario (?:pass|fail)" id="([^"]+)"', page)
    assert len(ids) == 3 and len(set(ids)) == 3
    for anchor in ids:
        assert f'href="#{anchor}"' in page
    assert '<tr class="pass"><td><a href="#' in page and '<tr class="fail"><td><a href="#' in page
    assert "1 passed, 2 failed in 8.6s" in page

    assert "One user asks for an analysis and gets every report." in page
    assert "\u2714" in page and "\u2718" in page
    assert "job-bad-1 ended failed: ThrottlingException" in page
    assert '<pre class="misses">' in page and "abc123" in page
    assert "RuntimeError: stack went away" in page

    legend = page.split('<div class="legend">', 1)[1].split("</div>", 1)[0]
    for kind in ("request", "queue", "agent", "generation", "tool", "retry", "custom", "error"):
        assert f">{kind}</span>" in legend


def test_html_lanes_in_order_and_bars_positioned() -> None:
    page = render_html([_happy()])
    lanes = re.findall(r'<div class="lane" data-lane="([^"]+)"', page)
    assert lanes == [*LANE_ORDER, "custom-lane"]
    # scaled to the longest end (2000 ms): the API request starts at 0 and spans 2%
    assert 'class="bar kind-request" style="left:0%;width:2%"' in page
    assert 'class="bar kind-agent" style="left:6%;width:94%"' in page
    # tooltip carries duration and attributes; a sub-pixel bar still has min-width
    generation = re.search(r'<div class="bar kind-generation"[^>]*title="([^"]*)"', page)
    assert generation is not None
    tooltip = generation.group(1)
    assert "0 ms" in tooltip and "tokens: 812" in tooltip and "model: us.amazon.nova-pro-v1:0" in tooltip
    assert "attempt: 1" in tooltip
    assert "min-width:2px" in page
    assert "2000 ms" in page  # axis end


def test_html_error_bar_is_outlined() -> None:
    page = render_html([_broken()])
    assert re.search(r'<div class="bar kind-retry error"[^>]*title="[^"]*error: ThrottlingException', page)
    assert ".bar.error{border:2px solid #d00" in page


def test_html_escapes_injected_markup(results: list[ScenarioResult]) -> None:
    page = render_html(results)
    assert "<script" not in page
    assert "\x1b" not in page and "\x00" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # in the bar label, its tooltip, the check detail, the description and the cassette misses
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5
    # an unknown kind is drawn as custom, never injected into a class name
    assert 'class="bar kind-custom"' in page and "kind-mystery" not in page
