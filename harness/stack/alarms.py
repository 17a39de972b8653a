"""A stack's CloudWatch alarms and their SNS topic, as the design declares them.

* per function: ``<function>-errors``, AWS/Lambda Errors (Sum) greater than 5 in 5 minutes
* ``<dlq>-not-empty``: AWS/SQS ApproximateNumberOfMessagesVisible (Maximum) of the DLQ
  greater than 0 in one minute (any message in the DLQ)

Both notify the topic ``<prefix>-alarms``. Missing data is not breaching, so an idle stack
shows OK. Provisioned with ``sns.create_topic`` and ``cloudwatch.put_metric_alarm``, both
idempotent, on moto (evaluated by ``harness.monitoring.AlarmEvaluator``), LocalStack or AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.stack.spec import StackSpec

ERROR_THRESHOLD = 5
ERROR_PERIOD_SECONDS = 300
DLQ_PERIOD_SECONDS = 60


@dataclass(frozen=True)
class AlarmSpec:
    """One metric alarm (the PutMetricAlarm arguments that matter here)."""

    name: str
    description: str
    namespace: str
    metric_name: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: str
    period: int
    evaluation_periods: int
    threshold: float
    comparison: str = "GreaterThanThreshold"
    treat_missing_data: str = "notBreaching"

    def put_arguments(self, topic_arn: str) -> dict[str, Any]:
        return {
            "AlarmName": self.name,
            "AlarmDescription": self.description,
            "Namespace": self.namespace,
            "MetricName": self.metric_name,
            "Dimensions": [{"Name": k, "Value": v} for k, v in self.dimensions],
            "Statistic": self.statistic,
            "Period": self.period,
            "EvaluationPeriods": self.evaluation_periods,
            "DatapointsToAlarm": self.evaluation_periods,
            "Threshold": float(self.threshold),
            "ComparisonOperator": self.comparison,
            "TreatMissingData": self.treat_missing_data,
            "ActionsEnabled": True,
            "AlarmActions": [topic_arn],
            "OKActions": [topic_arn],
        }


def alarm_topic_name(spec: StackSpec) -> str:
    return f"{spec.prefix}-alarms"


def error_alarm_name(function_name: str) -> str:
    return f"{function_name}-errors"


def dlq_alarm_name(dlq_name: str) -> str:
    return f"{dlq_name}-not-empty"


def alarm_specs(
    spec: StackSpec,
    *,
    error_threshold: float = ERROR_THRESHOLD,
    error_period: int = ERROR_PERIOD_SECONDS,
    dlq_period: int = DLQ_PERIOD_SECONDS,
) -> list[AlarmSpec]:
    """The design's alarms for ``spec``'s functions and its DLQ."""
    alarms = [
        AlarmSpec(
            name=error_alarm_name(fn.name),
            description=f"{fn.name}: more than {error_threshold:g} errors in {error_period // 60} minutes",
            namespace="AWS/Lambda",
            metric_name="Errors",
            dimensions=(("FunctionName", fn.name),),
            statistic="Sum",
            period=error_period,
            evaluation_periods=1,
            threshold=error_threshold,
        )
        for fn in spec.functions
    ]
    dlqs = [q.dlq.name for q in spec.queues if q.dlq is not None]
    for dlq in dlqs:
        alarms.append(
            AlarmSpec(
                name=dlq_alarm_name(dlq),
                description=f"a message is in the dead-letter queue {dlq}",
                namespace="AWS/SQS",
                metric_name="ApproximateNumberOfMessagesVisible",
                dimensions=(("QueueName", dlq),),
                statistic="Maximum",
                period=dlq_period,
                evaluation_periods=1,
                threshold=0,
            )
        )
    return alarms


def provision_alarms(spec: StackSpec, client: Callable[[str], Any], **overrides: Any) -> tuple[str, list[str]]:
    """Create the alarm topic and put every alarm; (topic ARN, alarm names)."""
    topic_arn = str(client("sns").create_topic(Name=alarm_topic_name(spec))["TopicArn"])
    cloudwatch = client("cloudwatch")
    names = []
    for alarm in alarm_specs(spec, **overrides):
        cloudwatch.put_metric_alarm(**alarm.put_arguments(topic_arn))
        names.append(alarm.name)
    return topic_arn, names
