"""Monitoring for the local cloud, as CloudWatch gives it on AWS.

* :class:`LambdaMetrics`: AWS/Lambda metrics of every invocation (Invocations, Errors,
  Duration, Throttles, ConcurrentExecutions per FunctionName)
* :class:`SqsMetrics`: AWS/SQS queue metrics of every queue, DLQs included
* :class:`AlarmEvaluator`: evaluates the CloudWatch alarms moto stores, sets their state
  and publishes CloudWatch's notifications to the alarms' SNS topics
* :class:`SnsRecorder`: what SNS was sent, and the ``/_harness/monitoring/`` control API

The Bedrock metrics (AWS/Bedrock) come from the scripted model (``harness.bedrock``) and
Alex's own (Alex/Agents) from its Lambdas. ``alex-harness dashboard`` and ``alex-harness
watch`` (``harness.alexkit.dashboard``, ``harness.alexkit.watch``) show it all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.monitoring.alarms import AlarmEvaluator
from harness.monitoring.lambda_metrics import LambdaMetrics
from harness.monitoring.sns_recorder import SnsRecorder
from harness.monitoring.sqs_metrics import SqsMetrics

if TYPE_CHECKING:
    from harness.cloud.awslambda.runtime import LambdaRuntime
    from harness.cloud.host import CloudComponent

__all__ = ["AlarmEvaluator", "LambdaMetrics", "SnsRecorder", "SqsMetrics", "monitoring_components"]


def monitoring_components(
    runtime: LambdaRuntime, *, metrics_interval: float = 5.0, alarm_interval: float = 5.0
) -> list[CloudComponent]:
    """The monitoring services of the default local cloud (intervals in seconds; a test may shorten them)."""
    return [LambdaMetrics(runtime), SqsMetrics(metrics_interval), AlarmEvaluator(alarm_interval), SnsRecorder()]
