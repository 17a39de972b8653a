"""Alarm evaluation for the local cloud: moto stores metric alarms, this evaluates them.

Every ``interval`` seconds, for each metric alarm in every account and region, the
evaluator reads the alarm's metric with GetMetricStatistics, one query per evaluation
period (the last ``EvaluationPeriods`` periods of ``Period`` seconds, ending now), applies
``ComparisonOperator``/``Threshold``, ``DatapointsToAlarm`` (M out of N) and
``TreatMissingData``, and when the state changes calls SetAlarmState and publishes
CloudWatch's alarm notification (the JSON document CloudWatch sends) to the SNS topics of
the new state's actions (``AlarmActions``, ``OKActions``, ``InsufficientDataActions``)
when ``ActionsEnabled``. The window slides with each evaluation, so a short interval
reacts within seconds while each data point still counts for its alarm's whole period.

Not evaluated (left as they are): metric-math alarms (``Metrics``), anomaly-detection
operators, composite alarms; ``ExtendedStatistic`` (percentiles) is read as Maximum.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, UTC
from typing import Any

from harness.cloud.moto_adapter import cloudwatch as moto_cloudwatch
from harness.monitoring.clients import CloudClients, Ticker, TickingComponent

log = logging.getLogger(__name__)

STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")
COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": lambda v, t: v > t,
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}
SYMBOLS = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}
REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)",
    "eu-central-1": "EU (Frankfurt)",
    "eu-west-2": "EU (London)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
}


@dataclass(frozen=True)
class Verdict:
    """The outcome of evaluating one alarm: its new state (None: keep the current one) and why."""

    state: str | None
    reason: str
    values: tuple[float | None, ...]
    breaching: int


def decide(
    values: list[float | None], comparison: str, threshold: float, datapoints_to_alarm: int, treat_missing: str | None
) -> Verdict:
    """The alarm state for ``values`` (one per evaluation period, oldest first; None = no data)."""
    compare = COMPARISONS[comparison]
    treat = treat_missing or "missing"
    breaching = present = 0
    for value in values:
        if value is None:
            if treat == "breaching":
                breaching += 1
                present += 1
            elif treat == "notBreaching":
                present += 1
            continue
        present += 1
        if compare(value, threshold):
            breaching += 1
    shown = ", ".join("no data" if v is None else _fmt(v) for v in values)
    n = len(values)
    if breaching >= datapoints_to_alarm:
        return Verdict(
            "ALARM",
            f"Threshold Crossed: {breaching} out of the last {n} datapoints [{shown}] "
            f"{'was' if breaching == 1 else 'were'} {SYMBOLS[comparison]} the threshold "
            f"({_fmt(threshold)}) (minimum {datapoints_to_alarm} datapoint"
            f"{'' if datapoints_to_alarm == 1 else 's'} for OK -> ALARM transition).",
            tuple(values),
            breaching,
        )
    if present == 0:
        if treat == "ignore":
            return Verdict(None, "no data; missing data is ignored", tuple(values), 0)
        return Verdict(
            "INSUFFICIENT_DATA",
            f"Insufficient Data: {n} datapoint{'' if n == 1 else 's'} {'was' if n == 1 else 'were'} unknown.",
            tuple(values),
            0,
        )
    return Verdict(
        "OK",
        f"Threshold Crossed: {breaching} out of the last {n} datapoints [{shown}] "
        f"{'was' if breaching == 1 else 'were'} {SYMBOLS[comparison]} the threshold "
        f"({_fmt(threshold)}) (minimum {datapoints_to_alarm} datapoint"
        f"{'' if datapoints_to_alarm == 1 else 's'} for ALARM -> OK transition)."
        if breaching
        else f"Threshold Crossed: no datapoint of the last {n} [{shown}] was "
        f"{SYMBOLS[comparison]} the threshold ({_fmt(threshold)}).",
        tuple(values),
        breaching,
    )


def _fmt(value: float) -> str:
    return repr(float(value))


def _statistic_key(alarm: dict[str, Any]) -> str:
    return str(alarm.get("Statistic") or "Maximum")


@dataclass(frozen=True)
class Transition:
    """One state change the evaluator made (kept for the dashboard and tests)."""

    timestamp: float
    account_id: str
    region: str
    alarm_name: str
    old_state: str
    new_state: str
    reason: str
    notified: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class AlarmEvaluator(TickingComponent):
    """CloudComponent evaluating CloudWatch metric alarms every ``interval`` seconds."""

    def __init__(self, interval: float = 5.0, history: int = 500) -> None:
        self.interval = interval
        self._clients = CloudClients()
        self._ticker = Ticker("alarm-evaluator", self.evaluate_all, lambda: self.interval)
        self._history: deque[Transition] = deque(maxlen=history)
        self._lock = threading.Lock()  # one evaluation at a time (the ticker and evaluate_all from a test)
        self._history_lock = threading.Lock()

    # CloudComponent -----------------------------------------------------------
    def reset(self) -> None:
        with self._history_lock:
            self._history.clear()

    # reading ----------------------------------------------------------------------
    def transitions(self, alarm_name: str | None = None) -> list[Transition]:
        with self._history_lock:
            return [t for t in self._history if alarm_name is None or t.alarm_name == alarm_name]

    # evaluating -------------------------------------------------------------------
    def evaluate_all(self, now: datetime | None = None) -> list[Transition]:
        """Evaluate every metric alarm now; the state changes made."""
        made: list[Transition] = []
        with self._lock:
            for account_id, region in moto_cloudwatch.alarm_accounts():
                cloudwatch = self._clients.get("cloudwatch", account_id, region)
                for alarm in self._alarms(cloudwatch):
                    try:
                        transition = self.evaluate(alarm, account_id, region, now)
                    except Exception:  # noqa: BLE001 - one alarm's trouble must not stop the others
                        log.warning("could not evaluate alarm %s", alarm.get("AlarmName"), exc_info=True)
                        continue
                    if transition is not None:
                        made.append(transition)
        return made

    @staticmethod
    def _alarms(cloudwatch: Any) -> list[dict[str, Any]]:
        alarms: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {}
        while True:
            page = cloudwatch.describe_alarms(AlarmTypes=["MetricAlarm"], **kwargs)
            alarms.extend(page.get("MetricAlarms", []))
            if not page.get("NextToken"):
                return alarms
            kwargs["NextToken"] = page["NextToken"]

    def datapoints(self, alarm: dict[str, Any], cloudwatch: Any, now: datetime | None = None) -> list[float | None]:
        """The alarm's statistic for each of its last ``EvaluationPeriods`` periods, oldest first."""
        period = int(alarm.get("Period") or 60)
        periods = int(alarm.get("EvaluationPeriods") or 1)
        now = now or datetime.now(UTC)
        end = datetime.fromtimestamp(math.ceil(now.timestamp()), UTC)
        statistic = _statistic_key(alarm)
        values: list[float | None] = []
        for back in range(periods, 0, -1):
            start = end - timedelta(seconds=back * period)
            query: dict[str, Any] = {
                "Namespace": alarm["Namespace"],
                "MetricName": alarm["MetricName"],
                "Dimensions": alarm.get("Dimensions") or [],
                "StartTime": start,
                "EndTime": start + timedelta(seconds=period),
                "Period": period,
                "Statistics": [statistic],
            }
            if alarm.get("Unit"):
                query["Unit"] = alarm["Unit"]
            points = cloudwatch.get_metric_statistics(**query).get("Datapoints", [])
            found = [float(p[statistic]) for p in points if statistic in p]
            if not found:
                values.append(None)
            elif statistic == "Sum" or statistic == "SampleCount":
                values.append(sum(found))
            elif statistic == "Minimum":
                values.append(min(found))
            elif statistic == "Average":
                values.append(sum(found) / len(found))
            else:
                values.append(max(found))
        return values

    def evaluate(self, alarm: dict[str, Any], account_id: str, region: str, now: datetime | None = None) -> Transition | None:
        """Evaluate one alarm (a DescribeAlarms MetricAlarm); the transition, if its state changed."""
        if not alarm.get("MetricName") or alarm.get("ComparisonOperator") not in COMPARISONS:
            return None  # metric math or anomaly detection: not evaluated here
        if not alarm.get("Statistic") and alarm.get("ExtendedStatistic"):
            alarm = {**alarm, "Statistic": "Maximum"}
        cloudwatch = self._clients.get("cloudwatch", account_id, region)
        now = now or datetime.now(UTC)
        values = self.datapoints(alarm, cloudwatch, now)
        periods = len(values)
        verdict = decide(
            values,
            alarm["ComparisonOperator"],
            float(alarm["Threshold"]),
            int(alarm.get("DatapointsToAlarm") or periods),
            alarm.get("TreatMissingData"),
        )
        current = str(alarm.get("StateValue") or "INSUFFICIENT_DATA")
        unchecked = str(alarm.get("StateReason", "")).startswith("Unchecked")
        old = "INSUFFICIENT_DATA" if unchecked else current  # a new alarm starts in INSUFFICIENT_DATA on AWS (moto says OK)
        if verdict.state is None or (verdict.state == current and not unchecked):
            return None
        reason_data = {
            "version": "1.0",
            "queryDate": _iso(now),
            "statistic": _statistic_key(alarm),
            "period": int(alarm.get("Period") or 60),
            "recentDatapoints": [v for v in values if v is not None],
            "threshold": float(alarm["Threshold"]),
            "evaluatedDatapoints": [
                {
                    "timestamp": _iso(now - timedelta(seconds=(periods - i - 1) * int(alarm.get("Period") or 60))),
                    **({"value": v} if v is not None else {}),
                }
                for i, v in enumerate(values)
            ],
        }
        cloudwatch.set_alarm_state(
            AlarmName=alarm["AlarmName"],
            StateValue=verdict.state,
            StateReason=verdict.reason[:1023],
            StateReasonData=json.dumps(reason_data),
        )
        if verdict.state == old:
            return None  # a new alarm confirmed in its initial state: no transition, no notification
        notified = self._notify(alarm, account_id, region, old, verdict, now)
        transition = Transition(
            now.timestamp(), account_id, region, alarm["AlarmName"], old, verdict.state, verdict.reason, tuple(notified)
        )
        with self._history_lock:
            self._history.append(transition)
        log.info("alarm %s: %s -> %s (%s)", alarm["AlarmName"], old, verdict.state, verdict.reason)
        return transition

    def _notify(
        self, alarm: dict[str, Any], account_id: str, region: str, old: str, verdict: Verdict, now: datetime
    ) -> list[str]:
        if alarm.get("ActionsEnabled") is False:
            return []
        actions = {"ALARM": "AlarmActions", "OK": "OKActions", "INSUFFICIENT_DATA": "InsufficientDataActions"}
        targets = [a for a in alarm.get(actions[str(verdict.state)]) or [] if str(a).startswith("arn:aws:sns:")]
        if not targets:
            return []
        subject, message = notification(alarm, account_id, region, old, verdict, now)
        sent = []
        for topic_arn in targets:
            topic_region = topic_arn.split(":")[3] or region
            try:
                self._clients.get("sns", account_id, topic_region).publish(
                    TopicArn=topic_arn, Subject=subject[:100], Message=json.dumps(message)
                )
                sent.append(topic_arn)
            except Exception:  # noqa: BLE001 - a missing topic must not stop the evaluation
                log.warning("could not publish alarm %s to %s", alarm["AlarmName"], topic_arn, exc_info=True)
        return sent


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"


def notification(
    alarm: dict[str, Any], account_id: str, region: str, old: str, verdict: Verdict, now: datetime
) -> tuple[str, dict[str, Any]]:
    """The Subject and Message CloudWatch sends to SNS when an alarm changes state."""
    region_name = REGION_NAMES.get(region, region)
    subject = f'{verdict.state}: "{alarm["AlarmName"]}" in {region_name}'
    updated = alarm.get("AlarmConfigurationUpdatedTimestamp")
    message = {
        "AlarmName": alarm["AlarmName"],
        "AlarmDescription": alarm.get("AlarmDescription"),
        "AWSAccountId": account_id,
        "AlarmConfigurationUpdatedTimestamp": _iso(updated) if isinstance(updated, datetime) else updated,
        "NewStateValue": verdict.state,
        "NewStateReason": verdict.reason,
        "StateChangeTime": _iso(now),
        "Region": region_name,
        "AlarmArn": alarm.get("AlarmArn"),
        "OldStateValue": old,
        "OKActions": alarm.get("OKActions") or [],
        "AlarmActions": alarm.get("AlarmActions") or [],
        "InsufficientDataActions": alarm.get("InsufficientDataActions") or [],
        "Trigger": {
            "MetricName": alarm.get("MetricName"),
            "Namespace": alarm.get("Namespace"),
            "StatisticType": "Statistic",
            "Statistic": _statistic_key(alarm).upper(),
            "Unit": alarm.get("Unit"),
            "Dimensions": [{"value": d["Value"], "name": d["Name"]} for d in alarm.get("Dimensions") or []],
            "Period": alarm.get("Period"),
            "EvaluationPeriods": alarm.get("EvaluationPeriods"),
            "DatapointsToAlarm": alarm.get("DatapointsToAlarm") or alarm.get("EvaluationPeriods"),
            "ComparisonOperator": alarm.get("ComparisonOperator"),
            "Threshold": alarm.get("Threshold"),
            "TreatMissingData": alarm.get("TreatMissingData") or "missing",
            "EvaluateLowSampleCountPercentile": "",
        },
    }
    return subject, message
