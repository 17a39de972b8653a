"""Provision a StackSpec through boto3, idempotently, on moto, LocalStack or AWS.

The calls a Terraform configuration of such a stack makes, in dependency order: role,
queues (DLQ first), database secret and Aurora cluster, functions with their
environment, then the SQS trigger and the scheduled rules. Running it twice changes nothing the first run made.
An application names what its functions are told about the stack by subclassing
:class:`ProvisionedStack` (``runtime_environment``) and passing the class as ``into``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from harness.stack.alarms import provision_alarms
from harness.stack.spec import FunctionSpec, QueueSpec, ScheduleSpec, StackSpec

ClientFactory = Callable[[str], Any]
P = TypeVar("P", bound="ProvisionedStack")
AURORA_POSTGRES_VERSION = "16.6"

_ASSUME_LAMBDA = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@dataclass
class ProvisionedStack:
    """The identifiers a provisioned stack hands to its users (CLI output, tests, env vars)."""

    spec: StackSpec
    role_arn: str = ""
    queue_urls: dict[str, str] = field(default_factory=dict)
    queue_arns: dict[str, str] = field(default_factory=dict)
    secret_arn: str = ""
    cluster_arn: str = ""
    function_arns: dict[str, str] = field(default_factory=dict)
    mapping_ids: list[str] = field(default_factory=list)
    rule_arns: dict[str, str] = field(default_factory=dict)

    def runtime_environment(self) -> dict[str, str]:
        """Variables every function gets besides its own (none here; an application's subclass names them)."""
        return {}


def provision(spec: StackSpec, client: ClientFactory, into: type[P] = ProvisionedStack) -> P:  # type: ignore[assignment]
    """Create (or find) every resource of ``spec``; ``client(service)`` makes boto3 clients."""
    out = into(spec=spec)
    out.role_arn = _role(client("iam"), spec.role_name)
    sqs = client("sqs")
    for queue in spec.queues:
        url, arn = _queue(sqs, queue, out.queue_arns)
        out.queue_urls[queue.name], out.queue_arns[queue.name] = url, arn
    out.secret_arn = _secret(client("secretsmanager"), spec)
    out.cluster_arn = _cluster(client("rds"), spec)
    lam = client("lambda")
    stack_code = spec.code()
    for function in spec.functions:
        code = function.code() if function.code is not None else stack_code
        out.function_arns[function.name] = _function(lam, function, out, code)
    for mapping in spec.event_source_mappings:
        out.mapping_ids.append(_mapping(lam, out.queue_arns[mapping.queue], mapping))
    if spec.schedules:
        events = client("events")
        for schedule in spec.schedules:
            out.rule_arns[schedule.name] = _schedule(events, lam, schedule, out.function_arns[schedule.function])
    provision_alarms(spec, client)  # the design's CloudWatch alarms and their SNS topic
    return out


def _role(iam: Any, name: str) -> str:
    try:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except ClientError as err:
        if err.response["Error"]["Code"] != "NoSuchEntity":
            raise
    arn = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(_ASSUME_LAMBDA))["Role"]["Arn"])
    iam.put_role_policy(
        RoleName=name,
        PolicyName=f"{name}-access",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": "*",
                    },
                    {"Effect": "Allow", "Action": ["sqs:*"], "Resource": "*"},
                    {"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": "*"},
                    {"Effect": "Allow", "Action": ["rds-data:*", "secretsmanager:GetSecretValue"], "Resource": "*"},
                    {"Effect": "Allow", "Action": ["bedrock:InvokeModel*", "bedrock:Converse*"], "Resource": "*"},
                ],
            }
        ),
    )
    return arn


def _queue(sqs: Any, queue: QueueSpec, known_arns: dict[str, str]) -> tuple[str, str]:
    attributes = {
        "VisibilityTimeout": str(queue.visibility_timeout),
        "MessageRetentionPeriod": str(queue.retention_seconds),
        "ReceiveMessageWaitTimeSeconds": str(queue.receive_wait_seconds),
    }
    if queue.dlq is not None:
        attributes["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": known_arns[queue.dlq.name], "maxReceiveCount": queue.max_receive_count}
        )
    try:
        url = sqs.create_queue(QueueName=queue.name, Attributes=attributes)["QueueUrl"]
    except ClientError as err:
        if err.response["Error"]["Code"] not in {"QueueAlreadyExists", "QueueNameExists"}:
            raise
        url = sqs.get_queue_url(QueueName=queue.name)["QueueUrl"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _secret(sm: Any, spec: StackSpec) -> str:
    secret = spec.database.secret
    value = json.dumps(secret.value)
    try:
        return str(sm.create_secret(Name=secret.name, Description=secret.description, SecretString=value)["ARN"])
    except ClientError as err:
        if err.response["Error"]["Code"] != "ResourceExistsException":
            raise
    return str(sm.put_secret_value(SecretId=secret.name, SecretString=value)["ARN"])


def _cluster(rds: Any, spec: StackSpec) -> str:
    db = spec.database
    try:
        found = rds.describe_db_clusters(DBClusterIdentifier=db.cluster_identifier)["DBClusters"]
        return str(found[0]["DBClusterArn"])
    except ClientError as err:
        if err.response["Error"]["Code"] != "DBClusterNotFoundFault":
            raise
    created = rds.create_db_cluster(
        DBClusterIdentifier=db.cluster_identifier,
        Engine="aurora-postgresql",
        EngineMode="provisioned",
        EngineVersion=AURORA_POSTGRES_VERSION,
        DatabaseName=db.database_name,
        MasterUsername=db.master_username,
        MasterUserPassword=str(db.secret.value["password"]),
        EnableHttpEndpoint=True,
        ServerlessV2ScalingConfiguration={"MinCapacity": 0.0, "MaxCapacity": 1.0},
    )
    return str(created["DBCluster"]["DBClusterArn"])


def _function(lam: Any, function: FunctionSpec, out: ProvisionedStack, code: bytes) -> str:
    environment = {"Variables": {**function.environment, **out.runtime_environment()}}
    settings = {
        "Role": out.role_arn,
        "Handler": function.handler,
        "Runtime": function.runtime,
        "Timeout": function.timeout,
        "MemorySize": function.memory_size,
        "Environment": environment,
    }
    try:
        arn = str(lam.create_function(FunctionName=function.name, Code={"ZipFile": code}, **settings)["FunctionArn"])
    except ClientError as err:
        if err.response["Error"]["Code"] != "ResourceConflictException":
            raise
        lam.update_function_configuration(FunctionName=function.name, **settings)
        arn = str(lam.update_function_code(FunctionName=function.name, ZipFile=code)["FunctionArn"])
    if function.reserved_concurrency is None:
        lam.delete_function_concurrency(FunctionName=function.name)
    else:
        lam.put_function_concurrency(FunctionName=function.name, ReservedConcurrentExecutions=function.reserved_concurrency)
    return arn


def _schedule(events: Any, lam: Any, schedule: ScheduleSpec, function_arn: str) -> str:
    """The rule (PutRule and PutTargets replace in place) and EventBridge's permission to invoke."""
    rule_arn = str(events.put_rule(Name=schedule.name, ScheduleExpression=schedule.expression, State="ENABLED")["RuleArn"])
    target: dict[str, Any] = {"Id": "function", "Arn": function_arn}
    if schedule.input is not None:
        target["Input"] = schedule.input
    events.put_targets(Rule=schedule.name, Targets=[target])
    try:
        lam.add_permission(
            FunctionName=schedule.function,
            StatementId=f"{schedule.name}-events",
            Action="lambda:InvokeFunction",
            Principal="events.amazonaws.com",
            SourceArn=rule_arn,
        )
    except ClientError as err:
        if err.response["Error"]["Code"] != "ResourceConflictException":
            raise
    return rule_arn


def _mapping(lam: Any, queue_arn: str, mapping: Any) -> str:
    existing = lam.list_event_source_mappings(EventSourceArn=queue_arn, FunctionName=mapping.function)
    settings: dict[str, Any] = {
        "BatchSize": mapping.batch_size,
        "FunctionResponseTypes": ["ReportBatchItemFailures"] if mapping.report_batch_item_failures else [],
    }
    if mapping.maximum_concurrency is not None:
        settings["ScalingConfig"] = {"MaximumConcurrency": mapping.maximum_concurrency}
    if existing["EventSourceMappings"]:
        uuid = str(existing["EventSourceMappings"][0]["UUID"])
        lam.update_event_source_mapping(UUID=uuid, Enabled=True, **settings)
        return uuid
    created = lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=mapping.function, Enabled=True, **settings)
    return str(created["UUID"])
