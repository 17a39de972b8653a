"""The Alex stack, declared once, mirroring Alex's Terraform.

Plain frozen dataclasses: the CLI, the tests and every backend (moto, LocalStack,
AWS) provision from the same values, and a test overrides one with
``dataclasses.replace`` or ``alex_stack(planner_timeout=2)`` instead of copying it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

AGENT_NAMES: tuple[str, ...] = ("tagger", "reporter", "charter", "retirement")
DEFAULT_MODEL_ID = "us.amazon.nova-pro-v1:0"


@dataclass(frozen=True)
class QueueSpec:
    """An SQS queue; ``dlq`` makes it the source of a redrive policy."""

    name: str
    visibility_timeout: int = 30
    retention_seconds: int = 345_600
    dlq: QueueSpec | None = None
    max_receive_count: int = 3
    receive_wait_seconds: int = 0


@dataclass(frozen=True)
class SecretSpec:
    """A Secrets Manager secret whose value is a JSON document."""

    name: str
    value: dict[str, str | int]
    description: str = ""


@dataclass(frozen=True)
class DatabaseSpec:
    """An Aurora PostgreSQL Serverless v2 cluster with the Data API enabled."""

    cluster_identifier: str
    database_name: str
    master_username: str
    secret: SecretSpec


@dataclass(frozen=True)
class FunctionSpec:
    """A Lambda function; the code is the ``alex`` package zipped by the provisioner."""

    name: str
    handler: str
    timeout: int
    memory_size: int
    reserved_concurrency: int | None = None
    environment: dict[str, str] = field(default_factory=dict)
    runtime: str = "python3.12"


@dataclass(frozen=True)
class EventSourceMappingSpec:
    """SQS -> Lambda trigger."""

    queue: str
    function: str
    batch_size: int = 1
    report_batch_item_failures: bool = True
    maximum_concurrency: int | None = None


@dataclass(frozen=True)
class StackSpec:
    """Everything Alex needs in one account and region."""

    prefix: str
    role_name: str
    queues: tuple[QueueSpec, ...]
    database: DatabaseSpec
    functions: tuple[FunctionSpec, ...]
    event_source_mappings: tuple[EventSourceMappingSpec, ...]
    model_id: str = DEFAULT_MODEL_ID

    def function(self, short_name: str) -> FunctionSpec:
        """The function whose name ends with ``-<short_name>`` (e.g. ``planner``)."""
        for spec in self.functions:
            if spec.name == f"{self.prefix}-{short_name}" or spec.name == short_name:
                return spec
        raise KeyError(short_name)

    def with_function(self, short_name: str, **changes: object) -> StackSpec:
        """A copy of the stack with one function's settings changed."""
        target = self.function(short_name)
        functions = tuple(replace(f, **changes) if f is target else f for f in self.functions)  # type: ignore[arg-type]
        return replace(self, functions=functions)


def alex_stack(
    prefix: str = "alex",
    *,
    planner_timeout: int = 900,
    agent_timeout: int = 300,
    queue_visibility_timeout: int = 910,
    max_receive_count: int = 3,
    planner_reserved_concurrency: int | None = 5,
    agent_reserved_concurrency: int | None = 10,
    model_id: str = DEFAULT_MODEL_ID,
    bedrock_region: str = "us-west-2",
    db_password: str = "alex-local-password-change-me",
    environment: dict[str, str] | None = None,
) -> StackSpec:
    """Alex's stack as its Terraform declares it; keyword arguments are the test overrides."""
    dlq = QueueSpec(name=f"{prefix}-analysis-jobs-dlq", retention_seconds=1_209_600)
    jobs = QueueSpec(
        name=f"{prefix}-analysis-jobs",
        visibility_timeout=queue_visibility_timeout,
        retention_seconds=86_400,
        dlq=dlq,
        max_receive_count=max_receive_count,
        receive_wait_seconds=10,
    )
    secret = SecretSpec(
        name=f"{prefix}-aurora-credentials",
        description="Aurora master credentials for the Alex database",
        value={
            "username": "alex_admin",
            "password": db_password,
            "engine": "postgres",
            "port": 5432,
            "dbname": "alex",
        },
    )
    database = DatabaseSpec(
        cluster_identifier=f"{prefix}-aurora-cluster",
        database_name="alex",
        master_username="alex_admin",
        secret=secret,
    )
    shared_env = {
        "DATABASE_NAME": database.database_name,
        "BEDROCK_MODEL_ID": model_id,
        "BEDROCK_REGION": bedrock_region,
        "DEFAULT_AWS_REGION": "us-east-1",
        **(environment or {}),
    }
    agents = tuple(
        FunctionSpec(
            name=f"{prefix}-{agent}",
            handler=f"alex.{agent}.lambda_handler.lambda_handler",
            timeout=agent_timeout,
            memory_size=1024,
            reserved_concurrency=agent_reserved_concurrency,
            environment=dict(shared_env),
        )
        for agent in AGENT_NAMES
    )
    planner_env = dict(shared_env)
    planner_env.update({f"{agent.upper()}_FUNCTION": f"{prefix}-{agent}" for agent in AGENT_NAMES})
    planner_env["MAX_RECEIVE_COUNT"] = str(max_receive_count)  # the last attempt fails the job before the DLQ
    planner = FunctionSpec(
        name=f"{prefix}-planner",
        handler="alex.planner.lambda_handler.lambda_handler",
        timeout=planner_timeout,
        memory_size=2048,
        reserved_concurrency=planner_reserved_concurrency,
        environment=planner_env,
    )
    return StackSpec(
        prefix=prefix,
        role_name=f"{prefix}-lambda-role",
        queues=(dlq, jobs),
        database=database,
        functions=(planner, *agents),
        event_source_mappings=(EventSourceMappingSpec(queue=jobs.name, function=planner.name, batch_size=1),),
        model_id=model_id,
    )
