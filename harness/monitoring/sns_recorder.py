"""What SNS was asked to deliver, recorded for tests and the dashboard, and the monitoring control API.

moto's SNS keeps every message published to a topic (``Topic.sent_notifications``); the
recorder reads them from every account and region, newest last, decoding CloudWatch
alarm notifications (JSON messages) into ``alarm`` fields. Over HTTP, unsigned, on the edge:

* ``GET  /_harness/monitoring/notifications[?topic=ARN]``: the recorded messages
* ``GET  /_harness/monitoring/alarm-history``: the evaluator's state changes
* ``POST /_harness/monitoring/tick``: publish pending Lambda and SQS metrics and evaluate
  every alarm now (instead of waiting for the intervals)
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from harness.cloud.moto_adapter import sns as moto_sns
from harness.cloud.routes import Route, json_response

if TYPE_CHECKING:
    from harness.cloud.host import CloudHost


def recorded_notifications(topic_arn: str | None = None) -> list[dict[str, Any]]:
    """Every message moto's SNS topics were sent (of one topic, or all)."""
    out: list[dict[str, Any]] = []
    for sent in moto_sns.sent_notifications(topic_arn):
        entry: dict[str, Any] = {
            "topic_arn": sent.topic_arn,
            "account_id": sent.account_id,
            "region": sent.region,
            "message_id": sent.message_id,
            "subject": sent.subject,
            "message": sent.message,
        }
        try:
            decoded = json.loads(sent.message)
        except (TypeError, ValueError):
            decoded = None
        if isinstance(decoded, dict) and "AlarmName" in decoded and "NewStateValue" in decoded:
            entry["alarm"] = decoded
        out.append(entry)
    return out


class SnsRecorder:
    """CloudComponent: reads the notifications SNS recorded and serves the monitoring control API."""

    def __init__(self) -> None:
        self._cloud: CloudHost | None = None

    def attach(self, cloud: CloudHost) -> None:
        self._cloud = cloud
        assert cloud.edge is not None
        cloud.edge.add_routes(self.routes())

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def reset(self) -> None:
        pass  # moto's reset empties the topics

    def notifications(self, topic_arn: str | None = None) -> list[dict[str, Any]]:
        return recorded_notifications(topic_arn)

    def alarm_notifications(self, alarm_name: str | None = None) -> list[dict[str, Any]]:
        """The CloudWatch alarm notifications recorded (of one alarm, or all), oldest first."""
        return [n for n in self.notifications() if "alarm" in n and (alarm_name is None or n["alarm"]["AlarmName"] == alarm_name)]

    def tick(self) -> dict[str, Any]:
        """Publish pending Lambda and SQS metrics, then evaluate every alarm."""
        from harness.monitoring.alarms import AlarmEvaluator
        from harness.monitoring.lambda_metrics import LambdaMetrics
        from harness.monitoring.sqs_metrics import SqsMetrics

        assert self._cloud is not None
        sent = 0
        for component in self._cloud.components:
            if isinstance(component, (LambdaMetrics,)):
                sent += component.flush()
            elif isinstance(component, SqsMetrics):
                sent += component.publish()
        transitions = []
        for component in self._cloud.components:
            if isinstance(component, AlarmEvaluator):
                transitions += [t.to_json() for t in component.evaluate_all()]
        return {"metric_points": sent, "transitions": transitions}

    # the control API ---------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [
            Route(
                "GET",
                "monitoring/notifications",
                lambda request: json_response({"notifications": self.notifications(request.args.get("topic"))}),
            ),
            Route("GET", "monitoring/alarm-history", lambda request: json_response({"transitions": self._history()})),
            Route("POST", "monitoring/tick", lambda request: json_response(self.tick())),
        ]

    def _history(self) -> list[dict[str, Any]]:
        from harness.monitoring.alarms import AlarmEvaluator

        assert self._cloud is not None
        out: list[dict[str, Any]] = []
        for component in self._cloud.components:
            if isinstance(component, AlarmEvaluator):
                out += [t.to_json() for t in component.transitions()]
        return out
