"""What monitoring must show: an analysis during a Bedrock outage fails, its message lands in the
DLQ, the failing function's error alarm and the DLQ alarm go to ALARM and notify SNS, the agents'
logs are watchable, and the dashboard in a real browser shows both alarms and the job's trace.

The outage is the reporter's model being unavailable (503 on every call): the reporter Lambda
raises each time (2 invocations per attempt: the planner's tool call, then its direct call
for the missing payload; 3 attempts), so AWS/Lambda Errors of alex-reporter reach 6 > 5 per job. A
total outage would fail the planner's own first model call, which the planner reports as a
batch item failure rather than an error, so no function's Errors would rise: only the DLQ
alarm would fire.
"""

from __future__ import annotations

import io
import re
import shutil
import time

import httpx
import pytest

from harness.alexkit.dashboard import DashboardServer, DashboardSource
from harness.alexkit.watch import watch
from harness.stack.alarms import dlq_alarm_name, error_alarm_name
from tests.alex.analysis_support import seed_portfolio, submit, wait_for_job
from tests.monitoring.conftest import ARTIFACTS, run_chromium

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]  # setup: a fresh stack, its inits and two failing jobs

REPORTER_ALARM = error_alarm_name("alex-reporter")


def _states(cloudwatch) -> dict[str, str]:
    return {a["AlarmName"]: a["StateValue"] for a in cloudwatch.describe_alarms()["MetricAlarms"]}


def _wait_for_alarms(monitored, names, timeout=60.0) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while True:
        states = _states(monitored.cloudwatch)
        if all(states.get(n) == "ALARM" for n in names) or time.monotonic() > deadline:
            return states
        time.sleep(0.3)


def _reporter_errors(monitored) -> list[dict]:
    """AWS/Lambda Errors of alex-reporter over the last 10 minutes (what the alarm reads), for a failure's message."""
    now = time.time()
    return monitored.cloudwatch.get_metric_statistics(
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=[{"Name": "FunctionName", "Value": "alex-reporter"}],
        StartTime=now - 600,
        EndTime=now + 60,
        Period=60,
        Statistics=["Sum"],
    )["Datapoints"]


@pytest.fixture(scope="module")
def outage_job(monitored) -> str:
    """The newest of two analyses run during the reporter's Bedrock outage, both failed and dead-lettered.

    Two, so the reporter's Errors clear the alarm's threshold with room to spare: one job gives 6 on a
    quiet machine, but 5 when a slow attempt's planner runs out of time before its direct call.
    """
    seed_portfolio(monitored.db, "monitor_user", {"SPY": 10, "BND": 5})
    monitored.bedrock.add_fault("unavailable", agent="reporter", always=True)
    try:
        job_ids = [submit(monitored.db, monitored.stack, monitored.sqs, "monitor_user") for _ in range(2)]
        jobs = [wait_for_job(monitored.db, job_id, timeout=300) for job_id in job_ids]
    finally:
        monitored.bedrock.clear_faults()
    for job in jobs:
        assert job["status"] == "failed" and "alex-reporter failed" in job["error_message"], job
    return job_ids[-1]


def test_the_design_alarms_are_provisioned_with_the_stack(monitored) -> None:
    alarms = {a["AlarmName"]: a for a in monitored.cloudwatch.describe_alarms()["MetricAlarms"]}
    topic = monitored.cloud.client("sns").create_topic(Name="alex-alarms")["TopicArn"]
    assert set(alarms) == {
        *(error_alarm_name(f) for f in monitored.stack.function_arns),
        dlq_alarm_name(monitored.stack.dlq_name),
    }
    assert all(a["AlarmActions"] == [topic] for a in alarms.values())
    assert alarms[REPORTER_ALARM]["Threshold"] == 5 and alarms[REPORTER_ALARM]["Period"] == 300


def test_bedrock_outage_sends_the_error_alarm_and_the_dlq_alarm_to_alarm(monitored, outage_job) -> None:
    dlq_alarm = dlq_alarm_name(monitored.stack.dlq_name)
    states = _wait_for_alarms(monitored, [REPORTER_ALARM, dlq_alarm])
    assert states[REPORTER_ALARM] == "ALARM" and states[dlq_alarm] == "ALARM", (states, _reporter_errors(monitored))
    assert states[error_alarm_name("alex-planner")] == "OK"  # batch item failures are not function errors
    alarm = monitored.cloudwatch.describe_alarms(AlarmNames=[REPORTER_ALARM])["MetricAlarms"][0]
    reason = re.search(r"\[(\d+)\.0\] was greater than the threshold \(5\.0\)", alarm["StateReason"])
    assert reason and int(reason.group(1)) >= 6, alarm["StateReason"]

    notified = {(n["alarm"]["AlarmName"], n["alarm"]["NewStateValue"]) for n in monitored.recorder.alarm_notifications()}
    assert {(REPORTER_ALARM, "ALARM"), (dlq_alarm, "ALARM")} <= notified
    assert all(n["topic_arn"].endswith(":alex-alarms") for n in monitored.recorder.alarm_notifications())
    depth = monitored.sqs.get_queue_attributes(QueueUrl=monitored.stack.dlq_url, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"
    ]
    assert depth["ApproximateNumberOfMessages"] == "2"  # both outage jobs dead-lettered


def test_watch_shows_every_agents_logs_with_levels_and_job(monitored, outage_job) -> None:
    out = io.StringIO()
    printed = watch(monitored.cloud.client("logs"), lookback_minutes=10, colour=False, out=out, iterations=1)
    text = out.getvalue()
    assert printed > 20
    for agent in ("planner", "tagger", "reporter", "charter", "retirement"):
        assert f"[{agent:<10}]" in text, agent
    assert re.search(r"\[reporter  \] ERROR\s+agent failed job=" + outage_job[:8], text)
    assert re.search(r"\[planner   \] INFO\s+delivery processed job=" + outage_job[:8], text)
    assert "REPORT RequestId:" in text  # Lambda's own lines, too
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "watch.log").write_text(text)

    coloured = io.StringIO()
    watch(monitored.cloud.client("logs"), lookback_minutes=10, colour=True, out=coloured, iterations=1, agents=("reporter",))
    assert "\033[92m[reporter]\033[0m" in coloured.getvalue() and "\033[91mERROR" in coloured.getvalue()


def test_dashboard_in_a_real_browser_shows_both_alarms_and_the_jobs_trace(monitored, outage_job, chromium, tmp_path) -> None:
    dlq_alarm = dlq_alarm_name(monitored.stack.dlq_name)
    _wait_for_alarms(monitored, [REPORTER_ALARM, dlq_alarm])
    source = DashboardSource(monitored.cloud.url, prefix="alex", window_minutes=10)
    with DashboardServer(source, port=0, refresh_seconds=3) as server:
        state = httpx.get(server.url + "api/state", timeout=30).json()
        assert state["errors"] == {}
        assert {a["name"]: a["state"] for a in state["alarms"]}[REPORTER_ALARM] == "ALARM"
        assert state["jobs"][0]["id"] == outage_job and state["jobs"][0]["status"] == "failed"
        assert state["selected_job"] == outage_job and state["trace"]["rows"]
        widgets = {w["key"]: w for w in state["metrics"]}
        assert {s["name"] for s in widgets["lambda_errors"]["series"]} >= {"alex-reporter"}
        assert [s["name"] for s in widgets["dlq_depth"]["series"]] == ["alex-analysis-jobs-dlq"]
        assert widgets["bedrock_errors"]["series"] and widgets["bedrock_tokens"]["series"]
        assert httpx.get(server.url + "static/plotly.min.js").headers["content-type"] == "application/javascript"

        dom = run_chromium(chromium, server.url, tmp_path / "profile-dom", budget_ms=7000)
        screenshot = tmp_path / "dashboard.png"
        run_chromium(chromium, server.url, tmp_path / "profile-shot", screenshot=screenshot, budget_ms=7000, size="1400,2600")

    assert 'data-loaded="true"' in dom
    assert re.search(rf'data-alarm="{REPORTER_ALARM}" data-state="ALARM"', dom)
    assert re.search(rf'data-alarm="{dlq_alarm}" data-state="ALARM"', dom)
    assert re.search(rf'class="notification" data-alarm="{REPORTER_ALARM}" data-state="ALARM"', dom)
    assert re.search(rf'data-job="{outage_job}" data-status="failed"', dom)
    assert dom.count('class="main-svg"') >= 10  # Plotly drew the metric charts and the timeline
    assert re.search(r'id="timeline-plot" class="js-plotly-plot"', dom)  # the job's trace timeline
    assert 'data-agent="reporter"' in dom and 'data-agent="planner"' in dom  # the trace's per-agent totals
    assert screenshot.stat().st_size > 50_000
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(screenshot, ARTIFACTS / "dashboard.png")
