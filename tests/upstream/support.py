"""Driving the course repository's Alex (``../shared/upstream-alex``) on the local cloud, as its user would.

Nothing here re-implements upstream: its scripts, packages and Terraform run unchanged; this
module only does what the course's README tells the user to do by hand (Part 5's cluster and
secret, a terraform.tfvars, SQL the API would run).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
# ../shared/upstream-alex beside the clone; $ALEX_UPSTREAM_DIR (or $UPSTREAM_ALEX_DIR) says where else
UPSTREAM = Path(
    os.environ.get("ALEX_UPSTREAM_DIR") or os.environ.get("UPSTREAM_ALEX_DIR") or REPO_ROOT.parent / "shared" / "upstream-alex"
)
AGENTS = ("planner", "tagger", "reporter", "charter", "retirement")
RUNTIME = "python3.12"  # what terraform/6_agents declares for every agent
CLUSTER_ID = "alex-aurora-cluster"  # Part 5's names (terraform/5_database)
SECRET_NAME = "alex-aurora-credentials"
MASTER_USER = "alexadmin"
DATABASE = "alex"
HANDLER = "lambda_handler.lambda_handler"
TIMEOUTS = {"planner": 900, "tagger": 300, "reporter": 300, "charter": 300, "retirement": 300}
MEMORY = {"planner": 2048}


def upstream_missing_reason() -> str | None:
    if not (UPSTREAM / "backend" / "planner" / "lambda_handler.py").is_file():
        return f"the course repository is not at {UPSTREAM} (clone ed-donner/alex there to run these tests)"
    return None


def writable_copy(target: Path) -> Path:
    """The course repository as a user's clone: writable (zips and Terraform state land in it)."""
    shutil.copytree(UPSTREAM, target, ignore=shutil.ignore_patterns("*.zip", ".terraform", "*.tfstate*"))
    for path in [target, *target.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    return target


def create_part5_database(client: Any) -> tuple[str, str]:
    """What terraform/5_database leaves behind: the credentials secret and a Data API-enabled Aurora cluster."""
    password = "local-" + uuid.uuid4().hex[:16]
    secret_arn = client("secretsmanager").create_secret(
        Name=SECRET_NAME, SecretString=json.dumps({"username": MASTER_USER, "password": password})
    )["ARN"]
    cluster = client("rds").create_db_cluster(
        DBClusterIdentifier=CLUSTER_ID,
        Engine="aurora-postgresql",
        EngineMode="provisioned",
        EngineVersion="15.4",
        DatabaseName=DATABASE,
        MasterUsername=MASTER_USER,
        MasterUserPassword=password,
        EnableHttpEndpoint=True,
        ServerlessV2ScalingConfiguration={"MinCapacity": 0.0, "MaxCapacity": 1.0},
    )["DBCluster"]
    return cluster["DBClusterArn"], secret_arn


def database_env(cloud_env: dict[str, str], cluster_arn: str, secret_arn: str) -> dict[str, str]:
    """The .env the course tells the user to fill in for backend/database's scripts."""
    return {
        **cloud_env,
        "AURORA_CLUSTER_ARN": cluster_arn,
        "AURORA_SECRET_ARN": secret_arn,
        "AURORA_DATABASE": DATABASE,
        "DEFAULT_AWS_REGION": cloud_env["AWS_DEFAULT_REGION"],
    }


def run_database_script(
    backend: Path, script: str, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``uv run <script>`` in backend/database, with this interpreter (the scripts need boto3, pydantic, dotenv)."""
    return subprocess.run(
        [sys.executable, script], check=False, cwd=backend / "database", env=env, capture_output=True, text=True, timeout=timeout
    )


def tfvars(cluster_arn: str, secret_arn: str, region: str) -> str:
    """terraform/6_agents/terraform.tfvars as the course's example fills it (no Polygon or LangFuse key)."""
    values = {
        "aws_region": region,
        "aurora_cluster_arn": cluster_arn,
        "aurora_secret_arn": secret_arn,
        "vector_bucket": "alex-vectors-123456789012",
        "bedrock_model_id": "us.amazon.nova-pro-v1:0",
        "bedrock_region": "us-west-2",
        "sagemaker_endpoint": "alex-embedding-endpoint",
        "polygon_api_key": "",
        "polygon_plan": "free",
    }
    return "".join(f'{key} = "{value}"\n' for key, value in values.items())


def function_environment(cluster_arn: str, secret_arn: str, region: str) -> dict[str, str]:
    """The variables terraform/6_agents gives every agent (for the boto3 deployment)."""
    return {
        "AURORA_CLUSTER_ARN": cluster_arn,
        "AURORA_SECRET_ARN": secret_arn,
        "DATABASE_NAME": DATABASE,
        "BEDROCK_MODEL_ID": "us.amazon.nova-pro-v1:0",
        "BEDROCK_REGION": "us-west-2",
        "DEFAULT_AWS_REGION": region,
        "SAGEMAKER_ENDPOINT": "alex-embedding-endpoint",
        "POLYGON_API_KEY": "",
        "POLYGON_PLAN": "free",
        "VECTOR_BUCKET": "alex-vectors-123456789012",
    }


def deploy_with_boto3(client: Any, zips: dict[str, Path], cluster_arn: str, secret_arn: str, region: str) -> str:
    """The same resources as 6_agents, through boto3 calls; returns the jobs queue URL."""
    sqs, lam, iam = client("sqs"), client("lambda"), client("iam")
    dlq = sqs.create_queue(QueueName="alex-analysis-jobs-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(
        QueueName="alex-analysis-jobs",
        Attributes={
            "VisibilityTimeout": "910",
            "MessageRetentionPeriod": "86400",
            "ReceiveMessageWaitTimeSeconds": "10",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}),
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    role = iam.create_role(
        RoleName="alex-lambda-agents-role",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}],
            }
        ),
    )["Role"]["Arn"]
    iam.attach_role_policy(
        RoleName="alex-lambda-agents-role", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    )
    env = function_environment(cluster_arn, secret_arn, region)
    for agent in AGENTS:
        lam.create_function(
            FunctionName=f"alex-{agent}",
            Runtime=RUNTIME,
            Role=role,
            Handler=HANDLER,
            Code={"ZipFile": zips[agent].read_bytes()},
            Timeout=TIMEOUTS[agent],
            MemorySize=MEMORY.get(agent, 1024),
            Environment={"Variables": env},
        )
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="alex-planner", BatchSize=1)
    return queue


class DataApi:
    """SQL through the Data API, as upstream's database package sends it."""

    def __init__(self, client: Any, cluster_arn: str, secret_arn: str) -> None:
        self._rds = client("rds-data")
        self._ids = {"resourceArn": cluster_arn, "secretArn": secret_arn, "database": DATABASE}

    def rows(self, sql: str, **params: str) -> list[dict[str, Any]]:
        parameters = [{"name": key, "value": {"stringValue": value}} for key, value in params.items()]
        answer = self._rds.execute_statement(sql=sql, parameters=parameters, includeResultMetadata=True, **self._ids)
        names = [column["name"] for column in answer.get("columnMetadata", [])]
        return [
            {name: next(iter(cell.values())) if cell else None for name, cell in zip(names, record)}
            for record in answer.get("records", [])
        ]


def seed_portfolio_job(db: DataApi, user_id: str) -> str:
    """A user with an account of seeded ETFs and a pending analysis job, as upstream's API creates them."""
    db.rows(
        "INSERT INTO users (clerk_user_id, display_name, years_until_retirement, target_retirement_income) "
        "VALUES (:u, 'Local Investor', 25, 80000)",
        u=user_id,
    )
    account = db.rows(
        "INSERT INTO accounts (clerk_user_id, account_name, account_purpose, cash_balance) "
        "VALUES (:u, '401k', 'Long-term retirement savings', 5000) RETURNING id",
        u=user_id,
    )[0]["id"]
    for symbol, quantity in (("SPY", "100"), ("BND", "50"), ("VEA", "40")):
        db.rows(
            "INSERT INTO positions (account_id, symbol, quantity) VALUES (CAST(:a AS uuid), :s, CAST(:q AS numeric))",
            a=account,
            s=symbol,
            q=quantity,
        )
    return db.rows(
        "INSERT INTO jobs (clerk_user_id, job_type, status, request_payload) "
        "VALUES (:u, 'portfolio_analysis', 'pending', CAST(:p AS jsonb)) RETURNING id",
        u=user_id,
        p=json.dumps({"analysis_type": "comprehensive"}),
    )[0]["id"]


def wait_for_job(db: DataApi, job_id: str, timeout: float) -> dict[str, Any]:
    """Poll the job row until it is completed or failed (or the timeout passes)."""
    deadline = time.monotonic() + timeout
    while True:
        job = db.rows(
            "SELECT status, error_message, report_payload::text AS report, charts_payload::text AS charts, "
            "retirement_payload::text AS retirement, summary_payload::text AS summary "
            "FROM jobs WHERE id = CAST(:j AS uuid)",
            j=job_id,
        )[0]
        if job["status"] in {"completed", "failed"} or time.monotonic() > deadline:
            return job
        time.sleep(1.0)
