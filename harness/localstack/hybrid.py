"""The hybrid cloud: LocalStack serves SQS (with its redrive) and Secrets Manager; the harness keeps
Lambda execution (with IAM, Logs and CloudWatch, see ``endpoints``), the SQS event source mapping,
the Data API and the scripted model.

``LocalStackServices`` is a local-cloud component that re-points the harness's own AWS use at
LocalStack: the event source mapping's poller reads LocalStack's queues (LocalStack's community
poller would need Docker to run the function), the AWS/SQS metrics (and so the alarms on the DLQ)
are read from LocalStack's queues, and every function the harness runs gets the
per-service endpoint variables, so its boto3 calls reach the same split as the user's.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import boto3
from botocore.exceptions import ClientError

from harness import DEFAULT_ACCOUNT_ID, FAKE_ACCESS_KEY, FAKE_SECRET_KEY
from harness.cloud.awslambda.runtime import LambdaRuntime
from harness.cloud.esm.service import EventSourceMappings
from harness.cloud.rds_data.clusters import credentials as moto_credentials
from harness.cloud.rds_data.errors import DataApiError
from harness.cloud.rds_data.service import DataApiService
from harness.cloud.host import CloudHost
from harness.cloud.server import LocalCloud
from harness.localstack.endpoints import LOCALSTACK_SERVED, hybrid_endpoint_env
from harness.monitoring.sqs_metrics import QueueFigures, SqsMetrics

# SQS attributes -> the AWS/SQS metric each is published as (ApproximateAgeOfOldestMessage has no attribute)
_METRIC_OF_ATTRIBUTE = {
    "ApproximateNumberOfMessages": "ApproximateNumberOfMessagesVisible",
    "ApproximateNumberOfMessagesNotVisible": "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed": "ApproximateNumberOfMessagesDelayed",
}


class LocalStackServices:
    """CloudComponent: route the harness's SQS polling and its functions' AWS calls to LocalStack."""

    def __init__(self, localstack_url: str) -> None:
        self.url = localstack_url
        self.region = "us-east-1"
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def _client(self, service: str, region: str) -> Any:
        """One client per service and region, made under a lock (making boto3 clients is not
        thread-safe; using one is), shared by the Data API's and the pollers' threads."""
        with self._lock:
            client = self._clients.get((service, region))
            if client is None:
                client = self._clients[(service, region)] = boto3.session.Session().client(
                    service,
                    endpoint_url=self.url,
                    region_name=region,
                    aws_access_key_id=FAKE_ACCESS_KEY,
                    aws_secret_access_key=FAKE_SECRET_KEY,
                )
            return client

    def sqs_client(self, region: str) -> Any:
        return self._client("sqs", region)

    def queue_attributes(self, queue_arn: str) -> dict[str, str] | None:
        """What the mapping API checks of a queue, asked of LocalStack; None when it has no such queue."""
        _, _, _, region, account, name = queue_arn.split(":", 5)
        sqs = self.sqs_client(region)
        try:
            url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
        except ClientError as err:
            if "NonExistentQueue" in err.response["Error"]["Code"]:
                return None
            raise
        return {"VisibilityTimeout": attrs["VisibilityTimeout"]}

    def credentials(self, secret_arn: str) -> tuple[str, str]:
        """The Data API's secretArn read from LocalStack; a secret it lacks (an RDS-managed one) from moto."""
        parts = secret_arn.split(":")
        if len(parts) >= 7 and parts[2] == "secretsmanager":
            sm = self._client("secretsmanager", parts[3])
            try:
                value = sm.get_secret_value(SecretId=secret_arn)
            except ClientError as err:
                if err.response["Error"]["Code"] != "ResourceNotFoundException":
                    raise DataApiError("SecretsErrorException", f"Error fetching secret: {err}") from err
            else:
                try:
                    secret = json.loads(value.get("SecretString") or "")
                    return str(secret["username"]), str(secret["password"])
                except (ValueError, KeyError, TypeError) as err:
                    raise DataApiError(
                        "InvalidSecretException", "The secret must be a JSON document with username and password."
                    ) from err
        return moto_credentials(secret_arn)

    def queue_figures(self, now_ms: int) -> QueueFigures:
        """AWS/SQS figures of LocalStack's queues in the cloud's region, read with GetQueueAttributes
        (nothing received), credited to the harness's account, where the alarms on them live."""
        sqs = self.sqs_client(self.region)
        out: QueueFigures = []
        for url in sqs.list_queues().get("QueueUrls", []):
            try:
                attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(_METRIC_OF_ATTRIBUTE))["Attributes"]
            except ClientError as err:  # deleted between the list and the read: gone from the figures
                if "NonExistentQueue" not in err.response["Error"]["Code"]:
                    raise
                continue
            figures = {metric: float(attrs.get(attribute, 0)) for attribute, metric in _METRIC_OF_ATTRIBUTE.items()}
            out.append((DEFAULT_ACCOUNT_ID, self.region, url.rsplit("/", 1)[-1], figures))
        return out

    # CloudComponent ---------------------------------------------------------
    def attach(self, cloud: CloudHost) -> None:
        self.region = cloud.region
        for component in cloud.components:
            if isinstance(component, LambdaRuntime):
                component.extension_environment.update(hybrid_endpoint_env(self.url))
            elif isinstance(component, EventSourceMappings):
                component.queue_lookup = self.queue_attributes
                component.sqs_client_for = self.sqs_client
            elif isinstance(component, DataApiService):
                component.credentials = self.credentials
            elif isinstance(component, SqsMetrics):
                component.source = self.queue_figures

    def client_env(self, cloud: CloudHost) -> dict[str, str]:
        """The user's side of the split: the cloud's own variables plus LocalStack's services."""
        return {**cloud.client_env(), **hybrid_endpoint_env(self.url)}

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def reset(self) -> None:
        pass


class HybridCloud(LocalCloud):
    """The harness's local cloud whose clients and exported variables send LocalStack's services to it.

    ``client`` (used to provision a stack) and ``client_env`` (given to the API and printed for the
    user) follow the same split as the functions' endpoint variables.
    """

    def __init__(self, localstack_url: str, *, components: list[Any] | None = None, **options: Any) -> None:
        self.localstack = LocalStackServices(localstack_url)
        super().__init__(components=[*(components or []), self.localstack], **options)

    def client(self, service: str, **kwargs: Any) -> Any:
        if service in LOCALSTACK_SERVED:
            return boto3.client(
                service,
                endpoint_url=self.localstack.url,
                region_name=kwargs.pop("region_name", self.region),
                aws_access_key_id=FAKE_ACCESS_KEY,
                aws_secret_access_key=FAKE_SECRET_KEY,
                **kwargs,
            )
        return super().client(service, **kwargs)

    def client_env(self) -> dict[str, str]:
        return {**super().client_env(), **hybrid_endpoint_env(self.localstack.url)}
