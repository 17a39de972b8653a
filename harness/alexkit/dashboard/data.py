"""What the dashboard shows, read the way a person's tools would read it on AWS.

Metrics through boto3 CloudWatch (``list_metrics`` then ``get_metric_statistics``), alarms
through ``describe_alarms``, jobs and their trace spans through the Data API
(:class:`alex.db.Database`), and the alarm notifications SNS recorded through the local
cloud's control API (``/_harness/monitoring/notifications``; absent elsewhere).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, UTC
from typing import Any

import boto3
import httpx
from alex.timestamps import parse_utc
from botocore.config import Config

from harness import DEFAULT_REGION, FAKE_ACCESS_KEY, FAKE_SECRET_KEY

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Widget:
    """One chart: a metric (or several) of a namespace, one series per dimension value."""

    key: str
    title: str
    namespace: str
    metrics: tuple[str, ...]
    statistic: str
    dimension: str
    unit: str
    only: str = ""  # "dlq": queues whose name ends with -dlq; "prefix": names starting with the stack prefix
    also: tuple[str, ...] = ()  # further dimensions the metric carries (summed over, as a SEARCH would)


WIDGETS: tuple[Widget, ...] = (
    Widget("lambda_invocations", "Lambda invocations", "AWS/Lambda", ("Invocations",), "Sum", "FunctionName", "count", "prefix"),
    Widget("lambda_errors", "Lambda errors", "AWS/Lambda", ("Errors",), "Sum", "FunctionName", "count", "prefix"),
    Widget(
        "lambda_duration", "Lambda duration (average)", "AWS/Lambda", ("Duration",), "Average", "FunctionName", "ms", "prefix"
    ),
    Widget("lambda_throttles", "Lambda throttles", "AWS/Lambda", ("Throttles",), "Sum", "FunctionName", "count", "prefix"),
    Widget(
        "lambda_concurrency",
        "Lambda concurrent executions",
        "AWS/Lambda",
        ("ConcurrentExecutions",),
        "Maximum",
        "FunctionName",
        "count",
        "prefix",
    ),
    Widget(
        "sqs_visible",
        "SQS messages visible",
        "AWS/SQS",
        ("ApproximateNumberOfMessagesVisible",),
        "Maximum",
        "QueueName",
        "count",
        "prefix",
    ),
    Widget(
        "sqs_in_flight",
        "SQS messages in flight",
        "AWS/SQS",
        ("ApproximateNumberOfMessagesNotVisible",),
        "Maximum",
        "QueueName",
        "count",
        "prefix",
    ),
    Widget(
        "sqs_age",
        "SQS age of oldest message",
        "AWS/SQS",
        ("ApproximateAgeOfOldestMessage",),
        "Maximum",
        "QueueName",
        "s",
        "prefix",
    ),
    Widget("dlq_depth", "DLQ depth", "AWS/SQS", ("ApproximateNumberOfMessagesVisible",), "Maximum", "QueueName", "count", "dlq"),
    Widget("bedrock_invocations", "Model invocations (Bedrock)", "AWS/Bedrock", ("Invocations",), "Sum", "ModelId", "count"),
    Widget(
        "bedrock_errors",
        "Model errors (client, server, throttles)",
        "AWS/Bedrock",
        ("InvocationClientErrors", "InvocationServerErrors", "InvocationThrottles"),
        "Sum",
        "ModelId",
        "count",
    ),
    Widget(
        "bedrock_tokens",
        "Input and output tokens",
        "AWS/Bedrock",
        ("InputTokenCount", "OutputTokenCount"),
        "Sum",
        "ModelId",
        "tokens",
    ),
    Widget("bedrock_latency", "Model latency (average)", "AWS/Bedrock", ("InvocationLatency",), "Average", "ModelId", "ms"),
    Widget(
        "agent_tokens",
        "Tokens per agent (Alex/Agents)",
        "Alex/Agents",
        ("InputTokens", "OutputTokens"),
        "Sum",
        "Agent",
        "tokens",
        also=("ModelId",),
    ),
)

JOBS_SQL = """SELECT j.id, j.clerk_user_id, j.status, j.attempts, j.error_message, j.created_at, j.started_at,
       j.completed_at, (SELECT count(*) FROM trace_spans s WHERE s.job_id = j.id) AS spans
FROM jobs j ORDER BY j.created_at DESC, j.id LIMIT :limit"""


def timeline(spans: list[dict[str, Any]]) -> dict[str, Any]:
    """A job's spans as timeline rows (depth-first, each child under its parent) and per-agent totals."""
    by_id = {s["span_id"]: s for s in spans}
    children: dict[str | None, list[dict[str, Any]]] = {}
    for span in spans:
        parent = span.get("parent_id") if span.get("parent_id") in by_id else None
        children.setdefault(parent, []).append(span)
    starts = [t for t in (parse_utc(s.get("started_at")) for s in spans) if t]
    origin = min(starts) if starts else datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    totals: dict[str, dict[str, float]] = {}

    def walk(parent: str | None, depth: int, agent: str | None) -> None:
        for span in sorted(children.get(parent, []), key=lambda s: (str(s.get("started_at")), s["span_id"])):
            attrs = span.get("attributes") or {}
            this_agent = str(attrs.get("gen_ai.agent.name") or agent or "")
            started = parse_utc(span.get("started_at")) or origin
            duration = span.get("duration_ms")
            if duration is None:
                ended = parse_utc(span.get("ended_at"))
                duration = (ended - started).total_seconds() * 1000 if ended else 0.0
            tokens_in = int(attrs.get("gen_ai.usage.input_tokens") or 0)
            tokens_out = int(attrs.get("gen_ai.usage.output_tokens") or 0)
            kind = str(span.get("kind") or "")
            label = "retry" if "retry" in str(span.get("name", "")) else kind
            rows.append(
                {
                    "span_id": span["span_id"],
                    "name": str(span.get("name", "")),
                    "kind": kind,
                    "category": label,
                    "depth": depth,
                    "agent": this_agent.removeprefix("Alex ").lower() if this_agent else "",
                    "start_ms": round((started - origin).total_seconds() * 1000, 1),
                    "duration_ms": round(float(duration), 1),
                    "error": span.get("error"),
                    "tokens_in": tokens_in,
                    "tokens_out": tokens_out,
                    "model": attrs.get("gen_ai.request.model") or attrs.get("gen_ai.response.model"),
                    "tool": attrs.get("gen_ai.tool.name"),
                }
            )
            key = rows[-1]["agent"] or "other"
            total = totals.setdefault(
                key, {"model_calls": 0, "tokens_in": 0, "tokens_out": 0, "tools": 0, "retries": 0, "errors": 0}
            )
            total["tokens_in"] += tokens_in
            total["tokens_out"] += tokens_out
            total["model_calls"] += 1 if kind == "generation" else 0
            total["tools"] += 1 if kind in ("function", "tool") else 0
            total["retries"] += 1 if label == "retry" else 0
            total["errors"] += 1 if span.get("error") else 0
            walk(span["span_id"], depth + 1, this_agent or agent)

    walk(None, 0, None)
    return {"rows": rows, "agents": totals, "origin": origin.isoformat()}


class DashboardSource:
    """Reads everything the dashboard shows from a running stack at ``endpoint``."""

    def __init__(
        self,
        endpoint: str,
        region: str = DEFAULT_REGION,
        prefix: str = "alex",
        model_regions: tuple[str, ...] = ("us-west-2",),
        window_minutes: float = 15.0,
        database_name: str = "alex",
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.region = region
        self.prefix = prefix
        self.model_regions = tuple(dict.fromkeys((region, *model_regions)))
        self.window_minutes = window_minutes
        self.database_name = database_name
        self._clients: dict[tuple[str, str], Any] = {}
        self._db: Any = None
        self._lock = threading.Lock()
        self._http = httpx.Client(timeout=10)

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region)
        if key not in self._clients:
            self._clients[key] = boto3.client(
                service,
                endpoint_url=self.endpoint,
                region_name=key[1],
                aws_access_key_id=FAKE_ACCESS_KEY,
                aws_secret_access_key=FAKE_SECRET_KEY,
                config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=30),
            )
        return self._clients[key]

    # the whole page ---------------------------------------------------------------
    def snapshot(self, job_id: str | None = None) -> dict[str, Any]:
        """Everything the page shows, as JSON-ready data; a section that fails says why in ``errors``."""
        with self._lock:
            errors: dict[str, str] = {}
            out: dict[str, Any] = {
                "endpoint": self.endpoint,
                "region": self.region,
                "prefix": self.prefix,
                "generated_at": datetime.now(UTC).isoformat(),
                "window_minutes": self.window_minutes,
            }
            for name, read in (
                ("alarms", self.alarms),
                ("notifications", self.notifications),
                ("metrics", self.metrics),
                ("jobs", self.jobs),
            ):
                try:
                    out[name] = read()
                except Exception as err:  # noqa: BLE001 - show what failed, keep the rest of the page
                    out[name] = []
                    errors[name] = f"{type(err).__name__}: {err}"
            selected = job_id or (out["jobs"][0]["id"] if out.get("jobs") else None)
            out["selected_job"] = selected
            out["trace"] = None
            if selected:
                try:
                    out["trace"] = {"job_id": selected, **self.trace(selected)}
                except Exception as err:  # noqa: BLE001
                    errors["trace"] = f"{type(err).__name__}: {err}"
            out["errors"] = errors
            return out

    # sections ---------------------------------------------------------------------
    def alarms(self) -> list[dict[str, Any]]:
        cloudwatch = self.client("cloudwatch")
        found: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {}
        while True:
            page = cloudwatch.describe_alarms(**kwargs)
            for alarm in page.get("MetricAlarms", []):
                found.append(
                    {
                        "name": alarm["AlarmName"],
                        "state": alarm.get("StateValue"),
                        "reason": alarm.get("StateReason"),
                        "updated": _iso(alarm.get("StateUpdatedTimestamp")),
                        "namespace": alarm.get("Namespace"),
                        "metric": alarm.get("MetricName"),
                        "statistic": alarm.get("Statistic"),
                        "dimensions": {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])},
                        "threshold": alarm.get("Threshold"),
                        "comparison": alarm.get("ComparisonOperator"),
                        "period": alarm.get("Period"),
                        "description": alarm.get("AlarmDescription"),
                    }
                )
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
        order = {"ALARM": 0, "INSUFFICIENT_DATA": 1, "OK": 2}
        return sorted(found, key=lambda a: (order.get(str(a["state"]), 3), a["name"]))

    def notifications(self) -> list[dict[str, Any]]:
        response = self._http.get(f"{self.endpoint}/_harness/monitoring/notifications")
        if response.status_code == 404:
            return []
        response.raise_for_status()
        out = []
        for entry in response.json().get("notifications", []):
            alarm = entry.get("alarm") or {}
            out.append(
                {
                    "topic_arn": entry.get("topic_arn"),
                    "subject": entry.get("subject"),
                    "alarm": alarm.get("AlarmName"),
                    "new_state": alarm.get("NewStateValue"),
                    "old_state": alarm.get("OldStateValue"),
                    "time": alarm.get("StateChangeTime"),
                    "reason": alarm.get("NewStateReason"),
                }
            )
        return out[::-1][:50]  # newest first

    def metrics(self) -> list[dict[str, Any]]:
        end = datetime.now(UTC)
        start = end - timedelta(minutes=self.window_minutes)
        period = max(1, int(self.window_minutes * 60 / 90))
        listed: dict[tuple[str, str], list[dict[str, Any]]] = {}
        widgets = []
        for widget in WIDGETS:
            regions = self.model_regions if widget.namespace == "AWS/Bedrock" else (self.region,)
            series = []
            for region in regions:
                if (widget.namespace, region) not in listed:
                    listed[(widget.namespace, region)] = self._list_metrics(widget.namespace, region)
                for metric in listed[(widget.namespace, region)]:
                    dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
                    if metric["MetricName"] not in widget.metrics or set(dims) != {widget.dimension, *widget.also}:
                        continue
                    value = dims[widget.dimension]
                    if widget.only == "dlq" and not value.endswith("-dlq"):
                        continue
                    if widget.only == "prefix" and not value.startswith(f"{self.prefix}-"):
                        continue
                    points = self.client("cloudwatch", region).get_metric_statistics(
                        Namespace=widget.namespace,
                        MetricName=metric["MetricName"],
                        Dimensions=metric["Dimensions"],
                        StartTime=start,
                        EndTime=end,
                        Period=period,
                        Statistics=[widget.statistic],
                    )["Datapoints"]
                    points.sort(key=lambda p: p["Timestamp"])
                    label = value if len(widget.metrics) == 1 else f"{value} {metric['MetricName']}"
                    series.append(
                        {"name": label, "x": [_iso(p["Timestamp"]) for p in points], "y": [p[widget.statistic] for p in points]}
                    )
            series.sort(key=lambda s: s["name"])
            widgets.append(
                {
                    "key": widget.key,
                    "title": widget.title,
                    "unit": widget.unit,
                    "namespace": widget.namespace,
                    "statistic": widget.statistic,
                    "series": series,
                }
            )
        return widgets

    def _list_metrics(self, namespace: str, region: str) -> list[dict[str, Any]]:
        cloudwatch = self.client("cloudwatch", region)
        found: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"Namespace": namespace}
        while True:
            page = cloudwatch.list_metrics(**kwargs)
            found.extend(page.get("Metrics", []))
            if not page.get("NextToken"):
                return found
            kwargs["NextToken"] = page["NextToken"]

    def database(self) -> Any:
        """Alex's database over the Data API, found by the stack's names (cluster, secret)."""
        if self._db is None:
            from alex.db import Database

            cluster = self.client("rds").describe_db_clusters(DBClusterIdentifier=f"{self.prefix}-aurora-cluster")["DBClusters"][
                0
            ]["DBClusterArn"]
            secret = self.client("secretsmanager").describe_secret(SecretId=f"{self.prefix}-aurora-credentials")["ARN"]
            self._db = Database.from_env(
                {"AURORA_CLUSTER_ARN": cluster, "AURORA_SECRET_ARN": secret, "DATABASE_NAME": self.database_name},
                self.client("rds-data"),
            )
        return self._db

    def jobs(self, limit: int = 25) -> list[dict[str, Any]]:
        try:
            rows = self.database().client.query(JOBS_SQL, {"limit": limit})
        except Exception:
            self._db = None  # the stack may have been re-provisioned: look it up again next time
            raise
        return [{k: (str(v) if k == "id" else v) for k, v in row.items()} for row in rows]

    def trace(self, job_id: str) -> dict[str, Any]:
        return timeline(self.database().spans.for_job(job_id))

    def close(self) -> None:
        self._http.close()


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value) if value is not None else None
