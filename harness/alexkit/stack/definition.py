"""The Alex stack, declared once, mirroring Alex's Terraform.

The CLI, the tests and every backend provision from these values; a test overrides one
with ``alex_stack(planner_timeout=2)`` instead of copying it.
"""

from __future__ import annotations

from harness.alexkit.facts import AGENT_NAMES, DEFAULT_MODEL_ID, analysis_queue_names
from harness.alexkit.stack.package import alex_code_zip
from harness.stack.spec import (
    DatabaseSpec,
    EventSourceMappingSpec,
    FunctionSpec,
    QueueSpec,
    ScheduleSpec,
    SecretSpec,
    StackSpec,
)


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
    sweep_schedule: str = "rate(1 minute)",
) -> StackSpec:
    """Alex's stack as its Terraform declares it; keyword arguments are the test overrides."""
    jobs_name, dlq_name = analysis_queue_names(prefix)
    dlq = QueueSpec(name=dlq_name, retention_seconds=1_209_600)
    jobs = QueueSpec(
        name=jobs_name,
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
    sweeper_env = dict(shared_env)
    sweeper_env["MAX_RECEIVE_COUNT"] = str(max_receive_count)
    sweeper = FunctionSpec(  # every job ends: re-queues or fails the jobs nobody works on (alex.planner.sweeper)
        name=f"{prefix}-sweeper",
        handler="alex.planner.sweeper_handler.lambda_handler",
        timeout=60,
        memory_size=256,
        reserved_concurrency=1,
        environment=sweeper_env,
    )
    return StackSpec(
        prefix=prefix,
        role_name=f"{prefix}-lambda-role",
        queues=(dlq, jobs),
        database=database,
        functions=(planner, *agents, sweeper),
        event_source_mappings=(EventSourceMappingSpec(queue=jobs.name, function=planner.name, batch_size=1),),
        code=alex_code_zip,
        model_id=model_id,
        schedules=(ScheduleSpec(name=f"{prefix}-sweeper-schedule", expression=sweep_schedule, function=sweeper.name),),
    )
