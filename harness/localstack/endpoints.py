"""The hybrid's routing, as boto3 users already know it: per-service endpoint variables.

LocalStack serves the services it runs well without Docker; everything else (Lambda, the RDS Data
API, Bedrock) stays on the harness edge, named by the catch-all ``AWS_ENDPOINT_URL``. IAM stays on
the harness too: its Lambda, like AWS's, refuses a function whose execution role it cannot find in
its own IAM (and LocalStack's roles live in another account, 000000000000). CloudWatch and Logs
stay there as well: the functions' logs and the AWS/Lambda metrics are written where they run, so a
``logs`` client sent to LocalStack would find none of them (LocalStack still serves both to whoever
asks it directly). boto3 (>=1.28)
and the AWS CLI read ``AWS_ENDPOINT_URL_<SERVICE_ID>`` before the catch-all, so neither endpoint
needs to proxy the other.
"""

from __future__ import annotations

# boto3 service name -> the suffix of its endpoint variable (service id, upper case, spaces as _)
LOCALSTACK_SERVED = {
    "sqs": "SQS",
    "secretsmanager": "SECRETS_MANAGER",
}


def hybrid_endpoint_env(localstack_url: str, harness_url: str | None = None) -> dict[str, str]:
    """Variables that send LocalStack's services to it and the rest to the harness edge (if given)."""
    env = {f"AWS_ENDPOINT_URL_{suffix}": localstack_url for suffix in LOCALSTACK_SERVED.values()}
    if harness_url:
        env["AWS_ENDPOINT_URL"] = harness_url
    return env
