"""The hybrid cloud: LocalStack serves SQS, Secrets Manager, CloudWatch and Logs; the harness keeps
Lambda execution (with IAM, see ``endpoints``), the SQS event source mapping, the Data API and the
scripted model.

``LocalStackServices`` is a local-cloud component that re-points the harness's own AWS use at
LocalStack: the event source mapping's poller reads LocalStack's queues (LocalStack's community
poller would need Docker to run the function), and every function the harness runs gets the
per-service endpoint variables, so its boto3 calls reach the same split as the user's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from harness import FAKE_ACCESS_KEY, FAKE_SECRET_KEY
from harness.cloud.awslambda.runtime import LambdaRuntime
from harness.cloud.esm.service import EventSourceMappings
from harness.localstack.endpoints import hybrid_endpoint_env

if TYPE_CHECKING:
    from harness.cloud.server import LocalCloud


class LocalStackServices:
    """CloudComponent: route the harness's SQS polling and its functions' AWS calls to LocalStack."""

    def __init__(self, localstack_url: str) -> None:
        self.url = localstack_url

    def sqs_client(self, region: str) -> Any:
        return boto3.client("sqs", endpoint_url=self.url, region_name=region,
                            aws_access_key_id=FAKE_ACCESS_KEY, aws_secret_access_key=FAKE_SECRET_KEY)

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

    # CloudComponent ---------------------------------------------------------
    def attach(self, cloud: LocalCloud) -> None:
        for component in cloud.components:
            if isinstance(component, LambdaRuntime):
                component.extension_environment.update(hybrid_endpoint_env(self.url))
            elif isinstance(component, EventSourceMappings):
                component.queue_lookup = self.queue_attributes
                component.sqs_client_for = self.sqs_client

    def client_env(self, cloud: LocalCloud) -> dict[str, str]:
        """The user's side of the split: the cloud's own variables plus LocalStack's services."""
        return {**cloud.client_env(), **hybrid_endpoint_env(self.url)}

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def reset(self) -> None:
        pass
