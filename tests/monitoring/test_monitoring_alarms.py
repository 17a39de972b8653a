"""Alarms: defined through the CloudWatch API, evaluated by the local stack, notifying SNS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, UTC

import httpx
import pytest

from harness.monitoring import AlarmEvaluator, SnsRecorder
from harness.monitoring.sqs_metrics import SqsMetrics
from harness.monitoring.alarms import decide
from harness.alexkit.facts import analysis_queue_names
from harness.stack.alarms import alarm_specs, dlq_alarm_name, error_alarm_name
from harness.alexkit.stack.definition import alex_stack

pytestmark = pytest.mark.emulation


@pytest.fixture
def quiet(cloud) -> Iterator[None]:
    """The cloud's scheduled metric publishing and alarm evaluation held off: these tests evaluate
    themselves, at times they choose, and a background tick between two steps would change the outcome."""
    with cloud.component(AlarmEvaluator).paused(), cloud.component(SqsMetrics).paused():
        yield


@pytest.mark.parametrize(
    ("values", "m", "treat", "state"),
    [
        ([6.0], 1, None, "ALARM"),
        ([5.0], 1, None, "OK"),
        ([None], 1, None, "INSUFFICIENT_DATA"),
        ([None], 1, "notBreaching", "OK"),
        ([None], 1, "breaching", "ALARM"),
        ([None], 1, "ignore", None),
        ([6.0, 1.0, 7.0], 2, None, "ALARM"),  # 2 out of 3
        ([6.0, 1.0, 1.0], 2, None, "OK"),
        ([6.0, None, None], 2, "breaching", "ALARM"),
        ([6.0, None, None], 2, "notBreaching", "OK"),
    ],
)
def test_decide_applies_threshold_m_out_of_n_and_missing_data(values, m, treat, state) -> None:
    assert decide(values, "GreaterThanThreshold", 5.0, m, treat).state == state


def test_decide_comparisons() -> None:
    assert decide([5.0], "GreaterThanOrEqualToThreshold", 5, 1, None).state == "ALARM"
    assert decide([4.0], "LessThanThreshold", 5, 1, None).state == "ALARM"
    assert decide([5.0], "LessThanOrEqualToThreshold", 5, 1, None).state == "ALARM"
    assert decide([5.0], "LessThanThreshold", 5, 1, None).state == "OK"


def test_the_designs_alarms() -> None:
    """Errors above 5 in 5 minutes per function (the five agents and the scheduled sweeper), and any
    message in the DLQ."""
    spec = alex_stack()
    alarms = {a.name: a for a in alarm_specs(spec)}
    functions = ("planner", "tagger", "reporter", "charter", "retirement", "sweeper")
    for fn in functions:
        alarm = alarms[error_alarm_name(f"alex-{fn}")]
        assert (alarm.namespace, alarm.metric_name, alarm.statistic) == ("AWS/Lambda", "Errors", "Sum")
        assert (alarm.threshold, alarm.period, alarm.evaluation_periods) == (5, 300, 1)
        assert alarm.comparison == "GreaterThanThreshold" and alarm.dimensions == (("FunctionName", f"alex-{fn}"),)
    dlq = alarms[dlq_alarm_name(analysis_queue_names(spec.prefix)[1])]
    assert (dlq.metric_name, dlq.statistic, dlq.threshold, dlq.comparison) == (
        "ApproximateNumberOfMessagesVisible",
        "Maximum",
        0,
        "GreaterThanThreshold",
    )
    assert dlq.dimensions == (("QueueName", "alex-analysis-jobs-dlq"),)
    assert len(alarms) == len(functions) + 1


def test_alarm_goes_to_alarm_and_back_notifying_its_topic(cloud, quiet) -> None:
    """SetAlarmState on each change, CloudWatch's notification JSON on the SNS topic of the new state's
    actions, delivered to an SQS subscriber and recorded by the harness."""
    sns, sqs, cw = cloud.client("sns"), cloud.client("sqs"), cloud.client("cloudwatch")
    topic = sns.create_topic(Name="ops-alarms")["TopicArn"]
    inbox = sqs.create_queue(QueueName="ops-inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn, Attributes={"RawMessageDelivery": "true"})
    cw.put_metric_alarm(
        AlarmName="orders-errors",
        Namespace="Shop",
        MetricName="Errors",
        Dimensions=[{"Name": "Service", "Value": "orders"}],
        Statistic="Sum",
        Period=10,
        EvaluationPeriods=1,
        Threshold=2,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
        AlarmActions=[topic],
        OKActions=[topic],
    )
    evaluator = cloud.component(AlarmEvaluator)
    evaluator.evaluate_all()
    assert cw.describe_alarms(AlarmNames=["orders-errors"])["MetricAlarms"][0]["StateValue"] == "OK"

    cw.put_metric_data(
        Namespace="Shop",
        MetricData=[{"MetricName": "Errors", "Dimensions": [{"Name": "Service", "Value": "orders"}], "Value": 3.0}],
    )
    [change] = evaluator.evaluate_all()
    assert (change.alarm_name, change.old_state, change.new_state) == ("orders-errors", "OK", "ALARM")
    alarm = cw.describe_alarms(AlarmNames=["orders-errors"])["MetricAlarms"][0]
    assert alarm["StateValue"] == "ALARM" and "[3.0]" in alarm["StateReason"]
    assert json.loads(alarm["StateReasonData"])["recentDatapoints"] == [3.0]
    assert evaluator.evaluate_all() == []  # no change, no second notification

    later = datetime.now(UTC) + timedelta(seconds=30)  # the data point has left the 10 s window
    [back] = evaluator.evaluate_all(now=later)
    assert (back.old_state, back.new_state) == ("ALARM", "OK")

    recorded = cloud.component(SnsRecorder).alarm_notifications("orders-errors")
    assert [(n["alarm"]["OldStateValue"], n["alarm"]["NewStateValue"]) for n in recorded] == [
        ("INSUFFICIENT_DATA", "OK"),
        ("OK", "ALARM"),
        ("ALARM", "OK"),
    ]
    assert recorded[1]["subject"] == 'ALARM: "orders-errors" in US East (N. Virginia)'
    trigger = recorded[1]["alarm"]["Trigger"]
    assert (trigger["MetricName"], trigger["Namespace"], trigger["Statistic"], trigger["Threshold"]) == (
        "Errors",
        "Shop",
        "SUM",
        2.0,
    )
    delivered = sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["NewStateValue"] for m in delivered] == ["OK", "ALARM", "OK"]

    over_http = httpx.get(f"{cloud.url}/_harness/monitoring/notifications", params={"topic": topic}).json()
    assert len(over_http["notifications"]) == 3
    history = httpx.get(f"{cloud.url}/_harness/monitoring/alarm-history").json()["transitions"]
    assert [t["new_state"] for t in history if t["alarm_name"] == "orders-errors"] == ["OK", "ALARM", "OK"]


def test_alarm_with_several_periods_and_actions_disabled(cloud, quiet) -> None:
    """M out of N over consecutive periods; ActionsEnabled=false changes state without notifying."""
    sns, cw = cloud.client("sns"), cloud.client("cloudwatch")
    topic = sns.create_topic(Name="quiet")["TopicArn"]
    cw.put_metric_alarm(
        AlarmName="depth",
        Namespace="Shop",
        MetricName="Depth",
        Statistic="Maximum",
        Period=10,
        EvaluationPeriods=3,
        DatapointsToAlarm=2,
        Threshold=10,
        ActionsEnabled=False,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[topic],
    )
    now = datetime.now(UTC)
    for seconds_ago, value in ((25, 12.0), (15, 1.0), (5, 11.0)):
        cw.put_metric_data(
            Namespace="Shop",
            MetricData=[{"MetricName": "Depth", "Value": value, "Timestamp": now - timedelta(seconds=seconds_ago)}],
        )
    evaluator = cloud.component(AlarmEvaluator)
    [change] = evaluator.evaluate_all(now=now)
    assert change.new_state == "ALARM" and change.notified == ()
    assert "2 out of the last 3 datapoints" in change.reason
    assert cloud.component(SnsRecorder).alarm_notifications("depth") == []


def test_tick_over_http_publishes_and_evaluates(cloud, quiet) -> None:
    """POST /_harness/monitoring/tick: metrics sent and alarms evaluated now."""
    cloud.client("sqs").create_queue(QueueName="tick-queue")
    cloud.client("cloudwatch").put_metric_alarm(
        AlarmName="tick-queue-not-empty",
        Namespace="AWS/SQS",
        MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[{"Name": "QueueName", "Value": "tick-queue"}],
        Statistic="Maximum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
    )
    body = httpx.post(f"{cloud.url}/_harness/monitoring/tick").json()
    assert body["metric_points"] >= 4
    assert [(t["alarm_name"], t["new_state"]) for t in body["transitions"]] == [("tick-queue-not-empty", "OK")]
