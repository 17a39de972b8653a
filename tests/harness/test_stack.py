"""The Alex stack definition provisions through boto3 with the values of Alex's Terraform."""

from __future__ import annotations

import json

import pytest

from harness.backends import localstack_clients
from harness.alexkit.stack.definition import alex_stack
from harness.alexkit.stack.deployment import deploy_alex

pytestmark = pytest.mark.emulation


def test_stack_values_match_the_terraform(cloud):
    """Queue 910 s / 1 day with a DLQ after 3 receives; planner 900 s / 2048 MB; agents 300 s / 1024 MB; batch size 1."""
    stack = deploy_alex(alex_stack(), cloud.client)
    sqs, lam = cloud.client("sqs"), cloud.client("lambda")
    attrs = sqs.get_queue_attributes(QueueUrl=stack.jobs_queue_url, AttributeNames=["All"])["Attributes"]
    assert attrs["VisibilityTimeout"] == "910"
    assert attrs["MessageRetentionPeriod"] == "86400"
    redrive = json.loads(attrs["RedrivePolicy"])
    assert redrive == {"deadLetterTargetArn": stack.queue_arns["alex-analysis-jobs-dlq"], "maxReceiveCount": 3}
    planner = lam.get_function(FunctionName="alex-planner")
    assert (planner["Configuration"]["Timeout"], planner["Configuration"]["MemorySize"]) == (900, 2048)
    assert planner["Concurrency"]["ReservedConcurrentExecutions"] == 5
    env = planner["Configuration"]["Environment"]["Variables"]
    assert env["SQS_QUEUE_URL"] == stack.jobs_queue_url
    assert env["AURORA_CLUSTER_ARN"] == stack.cluster_arn and env["AURORA_SECRET_ARN"] == stack.secret_arn
    assert env["TAGGER_FUNCTION"] == "alex-tagger"
    for agent in ("tagger", "reporter", "charter", "retirement"):
        config = lam.get_function_configuration(FunctionName=f"alex-{agent}")
        assert (config["Timeout"], config["MemorySize"]) == (300, 1024)
        assert config["Handler"] == f"alex.{agent}.lambda_handler.lambda_handler"
    (mapping,) = lam.list_event_source_mappings(FunctionName="alex-planner")["EventSourceMappings"]
    assert mapping["BatchSize"] == 1 and mapping["EventSourceArn"] == stack.queue_arns["alex-analysis-jobs"]
    secret = json.loads(cloud.client("secretsmanager").get_secret_value(SecretId=stack.secret_arn)["SecretString"])
    assert secret["username"] == "alex_admin" and secret["dbname"] == "alex"
    cluster = cloud.client("rds").describe_db_clusters(DBClusterIdentifier="alex-aurora-cluster")["DBClusters"][0]
    assert cluster["HttpEndpointEnabled"] is True and cluster["Engine"] == "aurora-postgresql"


def test_provisioning_twice_changes_nothing(cloud):
    """Provisioning is idempotent: the second run finds every resource and makes no duplicate."""
    first = deploy_alex(alex_stack(), cloud.client)
    second = deploy_alex(alex_stack(), cloud.client)
    assert first.queue_urls == second.queue_urls
    assert first.function_arns == second.function_arns
    assert first.mapping_ids == second.mapping_ids
    assert len(cloud.client("lambda").list_event_source_mappings()["EventSourceMappings"]) == 1


def test_a_test_can_override_values(cloud):
    """Tests shorten timeouts through the same definition (e.g. a 2 s planner on a 3 s queue)."""
    stack = deploy_alex(alex_stack(planner_timeout=2, queue_visibility_timeout=3), cloud.client)
    assert cloud.client("lambda").get_function_configuration(FunctionName="alex-planner")["Timeout"] == 2
    attrs = cloud.client("sqs").get_queue_attributes(QueueUrl=stack.jobs_queue_url, AttributeNames=["VisibilityTimeout"])
    assert attrs["Attributes"]["VisibilityTimeout"] == "3"


def test_localstack_backend_provisions_through_localstack_client(cloud):
    """--backend localstack builds clients with localstack-client for an edge URL; our edge stands in for LocalStack's."""
    stack = deploy_alex(alex_stack(prefix="ls"), localstack_clients(cloud.url, cloud.region))
    assert stack.jobs_queue_url.endswith("/ls-analysis-jobs")
    assert "ls-planner" in {f["FunctionName"] for f in cloud.client("lambda").list_functions()["Functions"]}


def test_localstack_url_is_validated():
    """A malformed --localstack-url is a clear error, not a stack trace."""
    with pytest.raises(ValueError, match="must look like"):
        localstack_clients("localhost:4566", "us-east-1")


def test_endpoint_answers_every_service_alex_uses(cloud):
    """One endpoint answers boto3 for SQS, Secrets Manager, IAM, CloudWatch, CloudWatch Logs and Lambda."""
    cloud.client("sqs").list_queues()
    cloud.client("secretsmanager").list_secrets()
    cloud.client("iam").list_roles()
    cloud.client("cloudwatch").put_metric_data(Namespace="Alex", MetricData=[{"MetricName": "m", "Value": 1.0}])
    assert cloud.client("cloudwatch").list_metrics(Namespace="Alex")["Metrics"][0]["MetricName"] == "m"
    logs = cloud.client("logs")
    logs.create_log_group(logGroupName="/alex/test")
    assert logs.describe_log_groups()["logGroups"][0]["logGroupName"] == "/alex/test"
    assert cloud.client("lambda").list_functions()["Functions"] == []
