"""With a data directory, the local cloud keeps what users created across a restart.

AWS is durable: a queue's messages (with their receive counts), secrets, functions and
their code, event source mappings, alarms, log groups and Aurora clusters outlive any
process. Each test creates resources through boto3, stops the cloud (or copies its data
directory while it runs, which is what a ``kill -9`` leaves), starts a new one on the same
directory, and reads them back through boto3.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from harness.cloud import LocalCloud
from harness.cloud.awslambda.runtime import LambdaRuntime
from harness.cloud.esm.service import EventSourceMappings
from harness.cloud.events.clock import TestClock
from harness.cloud.events.schedules import Schedules
from harness.cloud.moto_adapter.server import reset_backends
from harness.cloud.persistence import CloudState
from harness.cloud.rds_data.service import DataApiService
from tests.emulation.rds_data_support import PASSWORD, make_cluster, make_secret
from tests.lambda_code import create_function

pytestmark = [pytest.mark.emulation]

ROLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
WITNESS_HANDLER = """
import json, os
def handler(event, context):
    with open(os.environ["WITNESS"], "a") as out:
        for record in event.get("Records", []):
            out.write(record["body"] + "\\n")
    return {"ok": True}
"""


@contextmanager
def persistent_cloud(
    data_dir: Path, *, database: bool = False, async_retry_delays: tuple[float, ...] = (60.0, 120.0)
) -> Iterator[LocalCloud]:
    """A cloud keeping its state in ``data_dir``, starting as a new process would: moto's memory empty."""
    reset_backends()  # moto's backends are per process; a restart starts from nothing but the disk
    runtime = LambdaRuntime(async_retry_delays=async_retry_delays)
    components = [CloudState(data_dir), runtime, EventSourceMappings(runtime)]
    if database:
        components.append(DataApiService(data_dir=data_dir))
    cloud = LocalCloud(components=components).start()
    try:
        yield cloud
    finally:
        cloud.stop()
        reset_backends()


def _wait_saved(cloud: LocalCloud, timeout: float = 5.0) -> None:
    """Wait, without asking for one, until a snapshot begun after the last change is on disk."""
    state = cloud.component(CloudState)
    changed = time.monotonic()
    deadline = changed + timeout
    while state.last_saved_from <= changed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert state.last_saved_from > changed, "no snapshot was written after the last change"


def test_queues_messages_and_receive_counts_survive_a_clean_restart(tmp_path: Path) -> None:
    """SQS keeps messages durably: after a restart, an unreceived message is still there, and a
    message received once comes back with ApproximateReceiveCount 2; the DLQ redrive policy stays."""
    with persistent_cloud(tmp_path) as cloud:
        sqs = cloud.client("sqs")
        dlq = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url = sqs.create_queue(
            QueueName="jobs",
            Attributes={
                "VisibilityTimeout": "1",
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}),
            },
        )["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="first")
        got = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"]
        assert got[0]["Attributes"]["ApproximateReceiveCount"] == "1"
    with persistent_cloud(tmp_path) as cloud:
        sqs = cloud.client("sqs")
        url = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert json.loads(attributes["RedrivePolicy"])["maxReceiveCount"] == 3
        time.sleep(1.1)  # the visibility timeout set before the restart still runs out
        got = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"], WaitTimeSeconds=2)["Messages"]
        assert [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in got] == [("first", "2")]


def test_state_taken_while_running_restores_as_a_kill_would_leave_it(tmp_path: Path) -> None:
    """What survives a kill -9: the data directory as it was while the cloud ran (copied here
    without a clean stop) restores IAM roles with their attached AWS-managed policies, secrets,
    functions with their code, queues with messages, alarms and log groups."""
    running = tmp_path / "running"
    with persistent_cloud(running) as cloud:
        iam = cloud.client("iam")
        role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(ROLE_POLICY))["Role"]["Arn"]
        iam.attach_role_policy(RoleName="r", PolicyArn=BASIC_EXECUTION)
        cloud.client("secretsmanager").create_secret(Name="db", SecretString='{"password": "p"}')
        create_function(cloud.client("lambda"), role, "echo", "def handler(event, context):\n    return {'echo': event}\n")
        sqs = cloud.client("sqs")
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="kept")
        cloud.client("cloudwatch").put_metric_alarm(
            AlarmName="a",
            MetricName="Errors",
            Namespace="AWS/Lambda",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanThreshold",
        )
        cloud.client("logs").create_log_group(logGroupName="/app/kept")
        _wait_saved(cloud)
        shutil.copytree(running, tmp_path / "killed")
    with persistent_cloud(tmp_path / "killed") as cloud:
        assert json.loads(cloud.client("secretsmanager").get_secret_value(SecretId="db")["SecretString"]) == {"password": "p"}
        attached = cloud.client("iam").list_attached_role_policies(RoleName="r")["AttachedPolicies"]
        assert [p["PolicyArn"] for p in attached] == [BASIC_EXECUTION]
        response = cloud.client("lambda").invoke(FunctionName="echo", Payload=b'{"x": 1}')
        assert json.loads(response["Payload"].read()) == {"echo": {"x": 1}}
        sqs = cloud.client("sqs")
        got = sqs.receive_message(QueueUrl=sqs.get_queue_url(QueueName="q")["QueueUrl"], WaitTimeSeconds=1)["Messages"]
        assert [m["Body"] for m in got] == ["kept"]
        assert [a["AlarmName"] for a in cloud.client("cloudwatch").describe_alarms()["MetricAlarms"]] == ["a"]
        assert "/app/kept" in [g["logGroupName"] for g in cloud.client("logs").describe_log_groups()["logGroups"]]


def test_event_source_mapping_survives_and_polls_after_restart(tmp_path: Path) -> None:
    """An event source mapping is durable Lambda configuration: after a restart it is listed with
    its settings and its poller delivers a message sent then."""
    witness = tmp_path / "witness.txt"
    with persistent_cloud(tmp_path / "d") as cloud:
        role = cloud.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(ROLE_POLICY))["Role"]["Arn"]
        lam = cloud.client("lambda")
        create_function(lam, role, "consumer", WITNESS_HANDLER, Environment={"Variables": {"WITNESS": str(witness)}})
        sqs = cloud.client("sqs")
        url = sqs.create_queue(QueueName="t", Attributes={"VisibilityTimeout": "10"})["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="consumer", BatchSize=3)["UUID"]
    with persistent_cloud(tmp_path / "d") as cloud:
        lam = cloud.client("lambda")
        assert lam.get_event_source_mapping(UUID=mapping)["BatchSize"] == 3
        sqs = cloud.client("sqs")
        sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName="t")["QueueUrl"], MessageBody="after-restart")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (witness.exists() and "after-restart" in witness.read_text()):
            time.sleep(0.1)
        assert witness.read_text().split() == ["after-restart"]


def test_aurora_cluster_and_its_data_survive_a_restart(tmp_path: Path) -> None:
    """An Aurora cluster and its data outlive the process: after a restart the cluster is described
    and the Data API reads rows written before."""
    with persistent_cloud(tmp_path, database=True) as cloud:
        cluster = make_cluster(cloud, "kept")
        secret = make_secret(cloud, "kept-db", "app_admin", PASSWORD)
        data = cloud.client("rds-data")
        data.execute_statement(resourceArn=cluster, secretArn=secret, database="app", sql="CREATE TABLE t (v text)")
        data.execute_statement(resourceArn=cluster, secretArn=secret, database="app", sql="INSERT INTO t VALUES ('kept')")
    with persistent_cloud(tmp_path, database=True) as cloud:
        assert cloud.client("rds").describe_db_clusters(DBClusterIdentifier="kept")["DBClusters"][0]["DBClusterArn"] == cluster
        rows = cloud.client("rds-data").execute_statement(
            resourceArn=cluster, secretArn=secret, database="app", sql="SELECT v FROM t"
        )["records"]
        assert rows == [[{"stringValue": "kept"}]]


ASYNC_WITNESS_HANDLER = """
import json, os, time
def handler(event, context):
    with open(os.environ["WITNESS"], "a") as out:
        out.write(json.dumps({"request": context.aws_request_id, "event": event}) + "\\n")
    marker = os.environ["WITNESS"] + ".slow-once"
    if event.get("slow") and not os.path.exists(marker):
        open(marker, "w").close()
        time.sleep(60)  # the first attempt is still running when the cloud dies
    return {"ok": True}
"""


def _witnessed(witness: Path, count: int, timeout: float = 20.0) -> list[dict]:
    """The witness's runs once there are ``count`` of them (fewer if time runs out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = witness.read_text().splitlines() if witness.exists() else []
        if len(lines) >= count:
            return [json.loads(line) for line in lines]
        time.sleep(0.05)
    return [json.loads(line) for line in witness.read_text().splitlines()] if witness.exists() else []


def test_a_queued_event_invocation_survives_a_kill(tmp_path: Path) -> None:
    """Lambda's asynchronous invocation keeps each accepted event in its own durable queue until
    it runs (retried with back-off while throttled, up to MaximumEventAgeInSeconds, 6 hours):
    Invoke answered 202, so the event runs, once, even if the service stops in between. Here the
    function's reserved concurrency is 0, so the event waits, throttled, when the cloud is killed
    (its data directory copied while it runs); after the restart the concurrency is given back
    and the event runs once, with the request id Invoke returned."""
    witness = tmp_path / "witness.txt"
    running = tmp_path / "running"
    with persistent_cloud(running) as cloud:
        role = cloud.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(ROLE_POLICY))["Role"]["Arn"]
        lam = cloud.client("lambda")
        create_function(lam, role, "later", ASYNC_WITNESS_HANDLER, Environment={"Variables": {"WITNESS": str(witness)}})
        lam.put_function_concurrency(FunctionName="later", ReservedConcurrentExecutions=0)
        accepted = lam.invoke(FunctionName="later", InvocationType="Event", Payload=b'{"n": 1}')
        assert accepted["StatusCode"] == 202
        request_id = accepted["ResponseMetadata"]["RequestId"]
        _wait_saved(cloud)
        shutil.copytree(running, tmp_path / "killed")
    assert not witness.exists()
    with persistent_cloud(tmp_path / "killed") as cloud:
        cloud.client("lambda").delete_function_concurrency(FunctionName="later")
        runs = _witnessed(witness, 1)
        time.sleep(0.5)  # a second run, were there one, would show by now
        runs = _witnessed(witness, 1)
    assert [run["event"] for run in runs] == [{"n": 1}]
    assert runs[0]["request"] == request_id


def test_an_event_invocation_running_when_the_cloud_dies_is_retried(tmp_path: Path) -> None:
    """An asynchronous attempt whose execution environment dies is a failed attempt, and Lambda
    retries the event (twice at most, same request id). A kill of the whole cloud mid-attempt is
    such a death: after the restart the event is run again, not lost."""
    witness = tmp_path / "witness.txt"
    running = tmp_path / "running"
    with persistent_cloud(running) as cloud:
        role = cloud.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(ROLE_POLICY))["Role"]["Arn"]
        lam = cloud.client("lambda")
        create_function(
            lam, role, "slow", ASYNC_WITNESS_HANDLER, timeout=120, Environment={"Variables": {"WITNESS": str(witness)}}
        )
        lam.invoke(FunctionName="slow", InvocationType="Event", Payload=b'{"slow": true}')
        assert len(_witnessed(witness, 1, timeout=60)) == 1, "the first attempt did not start"
        cloud.component(CloudState).mark_dirty()  # a snapshot taken while the attempt runs
        _wait_saved(cloud)
        shutil.copytree(running, tmp_path / "killed")
    with persistent_cloud(tmp_path / "killed", async_retry_delays=(0.2, 0.2)):
        runs = _witnessed(witness, 2, timeout=60)
    assert [run["event"] for run in runs] == [{"slow": True}, {"slow": True}]
    assert runs[0]["request"] == runs[1]["request"]


def test_without_a_data_directory_nothing_is_kept(tmp_path: Path) -> None:
    """Without --data-dir the cloud stays ephemeral: no CloudState component, nothing written."""
    from harness.cloud.components import default_components

    assert not any(isinstance(c, CloudState) for c in default_components(data_dir=tmp_path))
    assert any(isinstance(c, CloudState) for c in default_components(data_dir=tmp_path, persist=True))


@contextmanager
def scheduled_cloud(data_dir: Path) -> Iterator[LocalCloud]:
    """A persistent cloud whose schedules run on a new test clock (``up --data-dir D --test-clocks``)."""
    reset_backends()
    runtime = LambdaRuntime()
    cloud = LocalCloud(components=[CloudState(data_dir), runtime, Schedules(runtime, clock=TestClock())]).start()
    try:
        yield cloud
    finally:
        cloud.stop()
        reset_backends()


def _advance(cloud: LocalCloud, seconds: float) -> list[dict[str, str]]:
    response = httpx.post(f"{cloud.url}/_harness/clock/advance", json={"seconds": seconds}, timeout=30)
    assert response.status_code == 200, response.text
    return list(response.json()["fired"])


def test_a_rate_rule_still_fires_each_period_after_a_restart_on_a_moved_test_clock(tmp_path: Path) -> None:
    """An EventBridge rate(1 minute) rule fires once a minute, and a restart of the service does not
    silence it. With a test clock the minutes are the clock's: a cloud restarted on the same data
    continues that clock (a new one would start at wall time, an hour behind the rule's next firing
    here, and the rule would stay silent for that hour of advances: the chaos test's sweeper did, for
    up to 94 s after a restart)."""
    target = "arn:aws:lambda:us-east-1:123456789012:function:absent"  # a firing is recorded even so
    with scheduled_cloud(tmp_path) as cloud:
        assert _advance(cloud, 3600) == []  # an hour of test time passes before the rule exists
        events = cloud.client("events")
        events.put_rule(Name="every-minute", ScheduleExpression="rate(1 minute)")
        events.put_targets(Rule="every-minute", Targets=[{"Id": "t", "Arn": target}])
        assert _advance(cloud, 0) == []  # seen now: due one minute later, on this clock
        assert [f["name"] for f in _advance(cloud, 60)] == ["every-minute"]
    with scheduled_cloud(tmp_path) as cloud:
        assert [f["name"] for f in _advance(cloud, 60)] == ["every-minute"]
